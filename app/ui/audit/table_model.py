"""The journal's table: keeps only entry ids, loads rows by page when the view shows them.

The ids matching the filters are read in the background (a large journal takes more than a
frame to filter); `loaded` says when they are in, `load_failed` why they are not.
"""

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.services.actor import Actor
from app.services.errors import UserFacingError
from app.services.journal import actions as journal
from app.services.journal.audit_log import AuditQuery, AuditRow
from app.services.unit_of_work import Database
from app.ui.operations import LatestOnly

PAGE_SIZE = 200
COLUMNS: tuple[tuple[str, str], ...] = (
    ("at", "Date"),
    ("author", "Auteur"),
    ("action", "Action"),
    ("entity", "Objet"),
    ("person", "Personne"),
    ("summary", "Ce qui a été fait"),
)

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()


class AuditTableModel(QAbstractTableModel):
    loaded = Signal()  # the ids of the current query are in
    load_failed = Signal(str)

    def __init__(self, database: Database, actor: Actor) -> None:
        super().__init__()
        self._database = database
        self.actor = actor  # who reads: the view sets it again when the user changes
        self._query = AuditQuery()
        self._ids: list[int] = []
        self._cache: dict[int, AuditRow] = {}
        self._load_error = ""
        self._reader = LatestOnly(self)
        self._reader.loaded.connect(self._show_ids)
        self._reader.failed.connect(self._refused)

    @property
    def loading(self) -> bool:
        """Whether the ids of the current query are still being read."""
        return self._reader.busy

    def set_query(self, query: AuditQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Ids of the matching entries, newest first, read in the background; refused roles
        see an empty journal."""
        database, query, actor = self._database, self._query, self.actor
        self._reader.start(lambda: journal.entry_ids(database, query, actor=actor))

    def _show_ids(self, ids: list[int]) -> None:
        self._reset(ids)
        self.loaded.emit()

    def _refused(self, message: str) -> None:
        self._reset([])
        self.load_failed.emit(message)

    def _reset(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._cache.clear()
        self._ids = ids
        self.endResetModel()

    def row_at(self, row: int) -> AuditRow | None:
        if not 0 <= row < len(self._ids):
            return None
        entry_id = self._ids[row]
        cached = self._cache.get(entry_id)
        if cached is not None:
            return cached
        start = max(0, row - PAGE_SIZE // 4)
        page = [i for i in self._ids[start : start + PAGE_SIZE] if i not in self._cache]
        try:
            self._cache.update(journal.entry_rows(self._database, page, actor=self.actor))
        except UserFacingError as error:
            if not self._load_error:  # painting asks again for every cell: report once
                self._load_error = str(error)
                self.load_failed.emit(self._load_error)
            return None
        self._load_error = ""
        return self._cache.get(entry_id)

    # ---- Qt model API

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        return display(row, COLUMNS[index.column()][0])

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


def display(row: AuditRow, key: str) -> str:
    if key == "at":
        return row.at.strftime("%d/%m/%Y %H:%M")
    if key == "action":
        return row.action_label
    if key == "entity":
        return row.entity_label
    return str(getattr(row, key))
