"""Imprimer la liste… : the columns of the printed list, chosen among the list's own and a few
more, remembered from one list to the next."""

from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.services.candidates.list_export import LIST_COLUMNS, LIST_VIEW_KEYS
from app.ui.widgets.file_dialogs import window_settings
from app.ui.widgets.naming import named

COLUMNS_KEY = "candidates/printedColumns"
GRID_ROWS = 4  # check boxes per column of the grid
MINIMUM_WIDTH = 440  # the introduction on two lines


def remembered_columns() -> list[str] | None:
    """The columns chosen last time (known keys only), None if never chosen."""
    value = window_settings().value(COLUMNS_KEY)
    if value is None:
        return None
    keys = [value] if isinstance(value, str) else list(value)
    known = {column.key for column in LIST_COLUMNS}
    return [key for key in keys if key in known]


def remember_columns(keys: Sequence[str]) -> None:
    store = window_settings()
    store.setValue(COLUMNS_KEY, list(keys))
    store.sync()


class ListColumnsDialog(QDialog):
    """Check the columns to print; `initial` are checked at first. Aperçu is offered once at
    least one is checked."""

    def __init__(
        self, initial: Iterable[str], *, shown: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("listColumnsDialog")
        self.setWindowTitle("Imprimer la liste des candidats")
        wanted = set(initial)
        intro = QLabel(_intro(shown) + " Colonnes à imprimer :")
        intro.setWordWrap(True)
        self.boxes: dict[str, QCheckBox] = {}
        for column in LIST_COLUMNS:
            box = named(QCheckBox(column.label), f"column_{column.key}")
            box.setChecked(column.key in wanted)
            box.toggled.connect(self._update)
            self.boxes[column.key] = box
        own = [c.key for c in LIST_COLUMNS if c.key in LIST_VIEW_KEYS]
        more = [c.key for c in LIST_COLUMNS if c.key not in LIST_VIEW_KEYS]
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.preview_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.preview_button.setText("Aperçu avant impression…")
        self.preview_button.setObjectName("printListPreviewButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self._group("Colonnes de la liste", own))
        layout.addWidget(self._group("Autres renseignements", more))
        layout.addWidget(self.buttons)
        self.setMinimumWidth(MINIMUM_WIDTH)
        self._update()

    def _group(self, title: str, keys: list[str]) -> QGroupBox:
        group = QGroupBox(title)
        grid = QGridLayout(group)
        for position, key in enumerate(keys):
            grid.addWidget(self.boxes[key], position % GRID_ROWS, position // GRID_ROWS)
        return group

    def chosen(self) -> list[str]:
        """The checked columns, in the list's order of columns."""
        return [key for key, box in self.boxes.items() if box.isChecked()]

    def _update(self) -> None:
        self.preview_button.setEnabled(bool(self.chosen()))


def _intro(shown: int) -> str:
    if shown == 0:
        return "Aucun candidat n'est affiché : la liste imprimée sera vide."
    if shown == 1:
        return "La liste imprimée reprend le candidat affiché."
    return f"La liste imprimée reprend les {shown} candidats affichés, dans l'ordre de la liste."
