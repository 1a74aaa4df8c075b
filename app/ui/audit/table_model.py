"""The journal's table: keeps only entry ids, loads rows by page when the view shows them."""

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.services.actor import Actor
from app.services.errors import UserFacingError
from app.services.journal import audit_log as audit
from app.services.journal.audit_log import AuditQuery, AuditRow
from app.storage import Database

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
    load_failed = Signal(str)

    def __init__(self, database: Database, actor: Actor) -> None:
        super().__init__()
        self._database = database
        self.actor = actor  # who reads: the view sets it again when the user changes
        self._query = AuditQuery()
        self._ids: list[int] = []
        self._cache: dict[int, AuditRow] = {}
        self._load_error = ""

    def set_query(self, query: AuditQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        """Ids of the matching entries, newest first; refused roles see an empty journal."""
        self.beginResetModel()
        self._cache.clear()
        try:
            with self._database.session(commit=False) as session:
                self._ids = audit.entry_ids(session, self._query, actor=self.actor)
        except UserFacingError as error:
            self._ids = []
            self.load_failed.emit(str(error))
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
            with self._database.session(commit=False) as session:
                self._cache.update(audit.entry_rows(session, page, actor=self.actor))
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
