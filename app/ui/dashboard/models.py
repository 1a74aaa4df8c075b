"""Table models of the dashboard: one indicator table (its first column the rows' labels, then
a figure per column) and the people behind a figure. Read-only, replaced at once."""

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.services.reports.tables import Cell, IndicatorTable, PersonRef
from app.ui.dashboard.formatting import cell_text
from app.ui.theme import ACCENT

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
TRACE_ROLE = Qt.ItemDataRole.UserRole + 1  # the key of the people behind a figure
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
TRACEABLE_TIP = "Double-cliquez (ou Entrée) pour voir les personnes comptées ici."
NOT_COMPUTABLE_TIP = "Non calculable : personne n'est compté dans la base de ce taux."
TRACEABLE_COLOUR = QColor(ACCENT)


class IndicatorTableModel(QAbstractTableModel):
    """An `IndicatorTable` as the service returns it; empty until the first one is set."""

    def __init__(self) -> None:
        super().__init__()
        self.table: IndicatorTable | None = None
        self._underline = QFont()
        self._underline.setUnderline(True)

    def set_table(self, table: IndicatorTable | None) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def cell(self, index: Index) -> Cell | None:
        """The figure at `index`; None for a row's label or outside the table."""
        if self.table is None or not index.isValid() or index.column() == 0:
            return None
        if not 0 <= index.row() < len(self.table.rows):
            return None
        cells = self.table.rows[index.row()].cells
        column = index.column() - 1
        return cells[column] if column < len(cells) else None

    def trace(self, index: Index) -> str | None:
        """The key of the people behind the figure; None when nobody is (or it has none)."""
        cell = self.cell(index)
        return cell.trace if cell is not None and is_traceable(cell) else None

    # ---- Qt model API

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        if parent.isValid() or self.table is None:
            return 0
        return len(self.table.rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        if parent.isValid() or self.table is None:
            return 0
        return len(self.table.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.table is None or not index.isValid():
            return None
        if not 0 <= index.row() < len(self.table.rows):
            return None
        if not 0 <= index.column() < len(self.table.columns):
            return None
        if index.column() == 0:
            label = self.table.rows[index.row()].label
            return (
                label
                if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
                else None
            )
        cell = self.cell(index)
        if cell is None:
            return None
        return _cell_data(cell, role, self._underline)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self.table is None:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.table.columns):
            return self.table.columns[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.table.rows):
            return section + 1
        return None


def is_traceable(cell: Cell) -> bool:
    """A figure that opens its list of people: one with a trace and someone behind it."""
    return cell.trace is not None and cell.value is not None and cell.value != 0


def _cell_data(cell: Cell, role: int, underline: QFont) -> Any:
    traceable = is_traceable(cell)
    if role == Qt.ItemDataRole.DisplayRole:
        return cell_text(cell)
    if role == Qt.ItemDataRole.TextAlignmentRole:
        return RIGHT
    if role == TRACE_ROLE:
        return cell.trace if traceable else None
    if role == Qt.ItemDataRole.ToolTipRole:
        if cell.value is None:
            return NOT_COMPUTABLE_TIP
        return TRACEABLE_TIP if traceable else None
    if role == Qt.ItemDataRole.ForegroundRole and traceable:
        return TRACEABLE_COLOUR  # a figure that opens its list looks like a link
    if role == Qt.ItemDataRole.FontRole and traceable:
        return underline
    return None


PEOPLE_COLUMNS = ("Nom", "Site", "Étape")


class PeopleTableModel(QAbstractTableModel):
    """The people behind a figure: name, site, current stage."""

    def __init__(self, people: list[PersonRef] | None = None) -> None:
        super().__init__()
        self._people: list[PersonRef] = list(people or [])

    def set_people(self, people: list[PersonRef]) -> None:
        self.beginResetModel()
        self._people = list(people)
        self.endResetModel()

    def person(self, row: int) -> PersonRef | None:
        return self._people[row] if 0 <= row < len(self._people) else None

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._people)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(PEOPLE_COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        person = self.person(index.row()) if index.isValid() else None
        if person is None or not 0 <= index.column() < len(PEOPLE_COLUMNS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (person.name, person.site, person.stage)[index.column()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(PEOPLE_COLUMNS):
            return PEOPLE_COLUMNS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._people):
            return section + 1
        return None
