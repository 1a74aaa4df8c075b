"""Candidates table: keeps only ids, loads rows by page when the view asks for them."""

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.services.candidates import actions as candidate_actions
from app.services.candidates.records import CandidateQuery, CandidateRow
from app.services.errors import UserFacingError
from app.services.unit_of_work import Database

PAGE_SIZE = 200
# A search matching tens of thousands of files (its first letter, over every season) reads the
# ids of the first rows only, and more as the list is scrolled (Qt's fetchMore).
IDS_CHUNK = 2000
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Nom"),
    ("age", "Âge"),
    ("stage", "Étape"),
    ("phone", "Téléphone"),
    ("site", "Site"),
    ("season", "Saison"),
    ("filiere", "Filière souhaitée"),
    ("last_action", "Dernière action"),
)
ID_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()


class CandidatesTableModel(QAbstractTableModel):
    load_failed = Signal(str)

    def __init__(self, database: Database) -> None:
        super().__init__()
        self._load_error = ""
        self._database = database
        self._query = CandidateQuery()
        self._sort = "name"
        self._descending = False
        self._ids: list[int] = []
        self._more = False  # ids left to read beyond self._ids
        self.total = 0  # matching files, read or not
        self._cache: dict[int, CandidateRow] = {}
        self._queried = False  # nothing is read before the view says what to show

    # ---- loading

    def set_query(self, query: CandidateQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        self._queried = True
        start = candidate_actions.list_start(
            self._database,
            self._query,
            sort=self._sort,
            descending=self._descending,
            chunk=IDS_CHUNK,
        )
        self.beginResetModel()
        self._ids, self._more, self.total = start.ids, start.more, start.total
        self._cache.clear()
        self.endResetModel()

    def canFetchMore(self, parent: Index = NO_PARENT) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = NO_PARENT) -> None:
        if parent.isValid() or not self._more:
            return
        try:
            # One more than a chunk tells whether others follow.
            ids = candidate_actions.list_ids(
                self._database,
                self._query,
                sort=self._sort,
                descending=self._descending,
                limit=IDS_CHUNK + 1,
                offset=len(self._ids),
            )
        except UserFacingError as error:
            self.load_failed.emit(str(error))
            return
        known = set(self._ids)  # a file saved meanwhile may have moved in the order
        ids = [i for i in ids[:IDS_CHUNK] if i not in known]
        self._more = len(ids) == IDS_CHUNK
        if ids:
            start = len(self._ids)
            self.beginInsertRows(NO_PARENT, start, start + len(ids) - 1)
            self._ids.extend(ids)
            self.endInsertRows()

    def refresh_row(self, candidate_id: int) -> None:
        """Reload one row after a save; no reset, the selection stays."""
        self._cache.pop(candidate_id, None)
        if candidate_id in self._ids:
            row = self._ids.index(candidate_id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _row(self, row: int) -> CandidateRow | None:
        candidate_id = self._ids[row]
        cached = self._cache.get(candidate_id)
        if cached is not None:
            return cached
        start = max(0, row - PAGE_SIZE // 4)
        page = [i for i in self._ids[start : start + PAGE_SIZE] if i not in self._cache]
        try:
            self._cache.update(candidate_actions.list_rows(self._database, page))
        except UserFacingError as error:
            # Painting asks again for every cell: report once, show empty cells meanwhile.
            if not self._load_error:
                self._load_error = str(error)
                self.load_failed.emit(self._load_error)
            return None
        self._load_error = ""
        return self._cache.get(candidate_id)

    # ---- Qt model API

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()][0] == "age":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        row = self._row(index.row())
        if row is None:
            return None
        return _display(row, COLUMNS[index.column()][0])

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        if orientation == Qt.Orientation.Vertical:
            return section + 1
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = COLUMNS[column][0]
        self._descending = order == Qt.SortOrder.DescendingOrder
        if self._queried:  # the view sets the sort order before its first query
            self.reload()

    # ---- helpers for the view

    @staticmethod
    def column_of(key: str) -> int:
        return [k for k, _ in COLUMNS].index(key)

    def candidate_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, candidate_id: int) -> int | None:
        """The row among those read so far."""
        try:
            return self._ids.index(candidate_id)
        except ValueError:
            return None

    def find_row(self, candidate_id: int) -> int | None:
        """The row, reading further ids until it is found or none are left."""
        row = self.row_of(candidate_id)
        while row is None and self._more:
            self.fetchMore()
            row = self.row_of(candidate_id)
        return row


def _display(row: CandidateRow, key: str) -> str:
    value = getattr(row, key)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return str(value)
