"""A group of named fields read and written as a text dataclass, with inline errors.

The pieces every record form shares: labels as buddies with French accessible names, values
in and out of the service's input dataclass, the French messages of a ValidationError next to
their fields, and the "save your changes?" question before leaving.
"""

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from app.ui.widgets.fields import FieldWidget, FieldWithError

T = TypeVar("T")

STATUS_MESSAGE_MS = 5000


class FieldGroup(QObject):
    """Fields by name; `changed` fires on user edits only (not while values are loaded)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._holders: dict[str, FieldWithError] = {}
        self._labels: list[QLabel] = []
        self._snapshot: dict[str, str] = {}
        self._loading = False

    # ---- building

    def add_row(
        self,
        form: QFormLayout,
        name: str,
        label: str,
        field: FieldWidget,
        *,
        trailing: QWidget | None = None,
    ) -> QLabel:
        """Add `field` (object name `name`, error label `<name>Error`) beside a French label.

        `trailing` (a button such as "Choisir…") sits to the right of the field.
        """
        holder = FieldWithError(name, field)
        holder.changed.connect(self._on_changed)
        caption = QLabel(label)
        caption.setBuddy(field)
        field.setAccessibleName(label.rstrip(" *"))
        if trailing is None:
            form.addRow(caption, holder)
        else:
            row = QHBoxLayout()
            row.addWidget(holder, 1)
            row.addWidget(trailing, 0, Qt.AlignmentFlag.AlignTop)
            form.addRow(caption, row)
        self._holders[name] = holder
        self._labels.append(caption)
        return caption

    def align_labels(self) -> None:
        """One label width across every section, so the fields line up."""
        if self._labels:
            width = max(label.sizeHint().width() for label in self._labels)
            for label in self._labels:
                label.setMinimumWidth(width)

    # ---- values

    def names(self) -> list[str]:
        return list(self._holders)

    def field(self, name: str) -> FieldWidget:
        return self._holders[name].field

    def current(self) -> dict[str, str]:
        return {name: holder.field.value() for name, holder in self._holders.items()}

    def read_into(self, data: T) -> T:
        """`data` (a text dataclass) with every field's value set on its attribute."""
        for name, value in self.current().items():
            setattr(data, name, value)
        return data

    def load(self, data: object) -> None:
        """Show `data`'s values, clear the errors; these values become the saved state."""
        self._loading = True
        try:
            for name, holder in self._holders.items():
                holder.field.set_value(str(getattr(data, name, "") or ""))
                holder.set_error("")
                if isinstance(holder.field, QLineEdit):
                    holder.field.setCursorPosition(0)  # a long e-mail shows its beginning
        finally:
            self._loading = False
        self._snapshot = self.current()
        self.changed.emit()

    def discard_changes(self) -> None:
        """Back to the values last loaded or saved."""
        self._loading = True
        try:
            for name, holder in self._holders.items():
                holder.field.set_value(self._snapshot.get(name, ""))
                holder.set_error("")
        finally:
            self._loading = False
        self.changed.emit()

    def is_dirty(self) -> bool:
        return self.current() != self._snapshot

    def _on_changed(self) -> None:
        if not self._loading:
            self.changed.emit()

    # ---- errors

    def show_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Each message under its field, focus on the first; returns the messages of no field."""
        for name, holder in self._holders.items():
            holder.set_error(errors.get(name, ""))
        first = next((name for name in self._holders if name in errors), None)
        if first is not None:
            holder = self._holders[first]
            holder.field.setFocus()
            scroll = _enclosing_scroll_area(holder)
            if scroll is not None:
                scroll.ensureWidgetVisible(holder)
        return {name: message for name, message in errors.items() if name not in self._holders}

    def error_text(self, name: str) -> str:
        return self._holders[name].error.text() if self._holders[name].error.isVisible() else ""


def _enclosing_scroll_area(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def confirm_unsaved(
    parent: QWidget,
    text: str,
    *,
    save: Callable[[], bool],
    discard: Callable[[], None],
) -> bool:
    """Ask Enregistrer / Ignorer / Annuler about unsaved changes; True when one may move on."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Modifications non enregistrées",
        text,
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("unsavedChangesBox")
    box.setInformativeText("Voulez-vous les enregistrer ?")
    box.button(QMessageBox.StandardButton.Save).setText("Enregistrer")
    box.button(QMessageBox.StandardButton.Discard).setText("Ignorer")
    box.button(QMessageBox.StandardButton.Cancel).setText("Annuler")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return save()
    if answer == QMessageBox.StandardButton.Discard:
        discard()
        return True
    return False


def show_status(widget: QWidget, message: str) -> None:
    """A short message in the main window's status bar (nothing when the widget stands alone)."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(message, STATUS_MESSAGE_MS)
