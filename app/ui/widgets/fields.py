"""Field widgets that read and write plain text values, and their inline error labels."""

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

UNKNOWN = "Non renseigné"


class ChoiceBox(QComboBox):
    """A combo whose value is the data of the current item (a code or label string)."""

    def __init__(
        self,
        choices: list[tuple[str, str]],
        *,
        allow_empty: bool = True,
        empty_label: str = UNKNOWN,
    ) -> None:
        super().__init__()
        if allow_empty:
            self.addItem(empty_label, "")
        for value, label in choices:
            self.addItem(label, value)

    def value(self) -> str:
        data = self.currentData()
        return str(data) if data is not None else ""

    def set_value(self, value: str) -> None:
        index = self.findData(value)
        if index < 0 and value:
            index = self.findText(value)
        if index < 0 and value:
            # A value stored before the list changed stays visible and is kept on save.
            self.addItem(value, value)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))


class MultiLineField(QPlainTextEdit):
    def value(self) -> str:
        return self.toPlainText()

    def set_value(self, value: str) -> None:
        self.setPlainText(value)


class LineField(QLineEdit):
    def value(self) -> str:
        return self.text()

    def set_value(self, value: str) -> None:
        self.setText(value)


class CheckField(QCheckBox):
    """A yes / no question; its value is "oui" or "non" like the services expect."""

    def value(self) -> str:
        return "oui" if self.isChecked() else "non"

    def set_value(self, value: str) -> None:
        self.setChecked(value.strip().lower() == "oui")


WEEKDAY_SHORT = ("Lun.", "Mar.", "Mer.", "Jeu.", "Ven.", "Sam.", "Dim.")
WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class WeekHoursField(QWidget):
    """Hours of presence for each day of the week, Monday first; value {weekday: "7"}."""

    textChanged = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.days: list[QLineEdit] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(1)
        for day, (short, name) in enumerate(zip(WEEKDAY_SHORT, WEEKDAY_NAMES, strict=True)):
            label = QLabel(short)
            label.setProperty("role", "muted")
            edit = QLineEdit()
            edit.setObjectName(f"horaires_{name}")
            edit.setAccessibleName(f"Heures le {name}")
            edit.setMaxLength(5)
            edit.setFixedWidth(42)
            edit.setPlaceholderText("0")
            label.setBuddy(edit)
            edit.textChanged.connect(self.textChanged)
            grid.addWidget(label, 0, day)
            grid.addWidget(edit, 1, day)
            self.days.append(edit)
        grid.setColumnStretch(7, 1)

    def value(self) -> dict[int, str]:
        return {day: edit.text() for day, edit in enumerate(self.days) if edit.text().strip()}

    def set_value(self, value: dict[int, str]) -> None:
        for day, edit in enumerate(self.days):
            edit.setText(value.get(day, ""))

    def setReadOnly(self, read_only: bool) -> None:
        for edit in self.days:
            edit.setReadOnly(read_only)


FieldWidget = ChoiceBox | MultiLineField | LineField | CheckField


def change_signal(field: FieldWidget) -> SignalInstance:
    """The signal a field emits when the user changes its value."""
    if isinstance(field, ChoiceBox):
        return field.currentIndexChanged
    if isinstance(field, CheckField):
        return field.toggled
    return field.textChanged


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(f"{name}Error")
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


def _show_error(field: QWidget, label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))
    field.setProperty("invalid", "true" if message else "false")
    field.style().unpolish(field)
    field.style().polish(field)
    field.setAccessibleDescription(message)


class FieldWithError(QWidget):
    """The field and, under it, its French error message (hidden when there is none)."""

    changed = Signal()

    def __init__(self, name: str, field: FieldWidget) -> None:
        super().__init__()
        self.field = field
        field.setObjectName(name)
        self.error = _error_label(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(self.error)
        change_signal(field).connect(self.changed)

    def set_error(self, message: str) -> None:
        _show_error(self.field, self.error, message)


class WeekHoursWithError(QWidget):
    """The week of hours and its error message, like `FieldWithError`."""

    changed = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.field = WeekHoursField()
        self.field.setObjectName(name)
        self.error = _error_label(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.field)
        layout.addWidget(self.error)
        self.field.textChanged.connect(self.changed)

    def set_error(self, message: str) -> None:
        _show_error(self.field, self.error, message)
