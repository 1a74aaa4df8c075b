"""The rows of an import's preview, as a table: every row of the file with what importing it
would do, a filter, and the decision on each row of a person already known.

A preview may hold 100 000 rows: the model keeps the preview's rows and the positions of
those the filter shows, and writes each cell's text only when the view asks for it.
"""

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.services.candidates.import_preview import KnownChoice, ParsedRow

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()

COLUMNS = ("Ligne", "Résultat", "Personne", "Né(e) le", "Saison", "Site", "Détail", "Décision")
LINE, RESULT, PERSON, BIRTH, SEASON, SITE, DETAIL, DECISION = range(len(COLUMNS))
TO_DECIDE = "à décider"

RESULTS = {
    "create": "nouveau",
    "update": "mise à jour",
    "conflict": "en conflit",
    "unchanged": "inchangé",
    "known": "déjà connu(e)",
}
REFUSED = "refusée"

# Filter key -> French label, which rows it shows.
FILTERS: dict[str, tuple[str, Callable[[ParsedRow], bool]]] = {
    "all": ("Toutes les lignes", lambda r: True),
    "undecided": ("À décider", lambda r: r.valid and r.action == "known" and r.choice is None),
    "known": ("Déjà connues", lambda r: r.valid and r.action == "known"),
    "refused": ("Refusées", lambda r: not r.valid),
    "create": ("Nouvelles", lambda r: r.valid and r.action == "create"),
    "update": ("Mises à jour", lambda r: r.valid and r.action == "update"),
    "conflict": ("En conflit", lambda r: r.valid and r.action == "conflict"),
    "unchanged": ("Inchangées", lambda r: r.valid and r.action == "unchanged"),
}

_REFUSED_COLOUR = QColor("#b3261e")
_UNDECIDED_BACKGROUND = QColor("#fff4d6")


class ImportRowsModel(QAbstractTableModel):
    """The preview's rows that the filter shows; the decision column is editable on the rows
    of people already known (`decided` is emitted after each change)."""

    decided = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ParsedRow] = []
        self._shown: list[int] = []
        self._filter = "all"

    @property
    def filter(self) -> str:
        return self._filter

    def set_rows(self, rows: list[ParsedRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._shown = self._matching(self._filter)
        self.endResetModel()

    def set_filter(self, key: str) -> None:
        self.beginResetModel()
        self._filter = key
        self._shown = self._matching(key)
        self.endResetModel()

    def count(self, key: str) -> int:
        test = FILTERS[key][1]
        return sum(1 for row in self._rows if test(row))

    def _matching(self, key: str) -> list[int]:
        if key == "all":
            return list(range(len(self._rows)))
        test = FILTERS[key][1]
        return [position for position, row in enumerate(self._rows) if test(row)]

    def row_at(self, row: int) -> ParsedRow:
        return self._rows[self._shown[row]]

    def decisions_changed(self) -> None:
        """Every decision may have changed (a choice given to all rows at once)."""
        if self._shown:
            last = len(self._shown) - 1
            self.dataChanged.emit(self.index(0, RESULT), self.index(last, DECISION))
        self.decided.emit()

    # ---- Qt

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._shown):
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == DECISION and self._known(index):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        row = self.row_at(index.row())
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(row, column)
        if role == Qt.ItemDataRole.EditRole and column == DECISION:
            return row.choice.value if row.choice is not None else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column == LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not row.valid and column == RESULT:
            return _REFUSED_COLOUR
        if role == Qt.ItemDataRole.BackgroundRole and row.valid and not row.decided:
            return _UNDECIDED_BACKGROUND
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != DECISION or not self._known(index):
            return False
        try:
            choice = KnownChoice(value)
        except ValueError:
            return False
        self.row_at(index.row()).choice = choice
        self.dataChanged.emit(self.index(index.row(), RESULT), self.index(index.row(), DECISION))
        self.decided.emit()
        return True

    def _known(self, index: Index) -> bool:
        row = self.row_at(index.row()) if 0 <= index.row() < len(self._shown) else None
        return row is not None and row.valid and row.action == "known"


def cell_text(row: ParsedRow, column: int) -> str:
    """What the table shows of a row in a column."""
    if column == LINE:
        return str(row.line)
    if column == RESULT:
        return RESULTS[row.action] if row.valid else REFUSED
    if column == PERSON:
        return row.display_name
    if column == DECISION:
        if not row.valid or row.action != "known":
            return ""
        return TO_DECIDE if row.choice is None else row.choice.label
    if column == DETAIL:
        return detail(row)
    return row.text({BIRTH: "date_naissance", SEASON: "saison", SITE: "site"}[column])


def detail(row: ParsedRow) -> str:
    """Why a row is refused, what it changes, or whom it looks like."""
    if not row.valid:
        return " ; ".join(
            f"{p.column} : {p.message}" if p.column else p.message for p in row.problems
        )
    if row.conflict is not None:
        conflict = row.conflict
        when = f" le {conflict.updated_at:%d/%m/%Y à %H:%M}" if conflict.updated_at else ""
        who = f" par {conflict.updated_by}" if conflict.updated_by else ""
        changes = " ; ".join(change.describe() for change in row.changes)
        return f"modifiée dans la base{when}{who} depuis l'export ; l'import remettrait {changes}"
    if row.action == "update":
        return " ; ".join(change.describe() for change in row.changes)
    if row.known is not None:  # the result column says "déjà connu(e)"
        return row.known.describe()
    return ""


class DecisionDelegate(QStyledItemDelegate):
    """A list of the three decisions on a row of a person already known."""

    def createEditor(
        self, parent: QWidget, _option: QStyleOptionViewItem, _index: Index
    ) -> QWidget:
        editor = QComboBox(parent)
        editor.setAccessibleName("Décision")
        for choice in KnownChoice:
            editor.addItem(choice.label, choice.value)
        editor.activated.connect(lambda _position: self._commit(editor))
        return editor

    def _commit(self, editor: QComboBox) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            position = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(position, 0))

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
