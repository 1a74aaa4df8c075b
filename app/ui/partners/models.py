"""Table models of the host directory: the hosts found by the search, a host's tutors."""

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.services.hosts.directory import HostRow, TutorInfo

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
ID_ROLE = Qt.ItemDataRole.UserRole + 1

R = TypeVar("R", HostRow, TutorInfo)

# (French header, cell text, right-aligned)
Column = tuple[str, Callable[[Any], str], bool]

HOST_COLUMNS: tuple[Column, ...] = (
    ("Nom", lambda row: row.name, False),
    ("Commune", lambda row: row.city, False),
    ("Forme juridique", lambda row: row.legal_form_label, False),
    ("SIRET / RNA", lambda row: row.identifier, False),
    ("Tuteurs", lambda row: str(row.tutor_count), True),
)
TUTOR_COLUMNS: tuple[Column, ...] = (
    ("Nom", lambda tutor: tutor.name, False),
    ("Fonction", lambda tutor: tutor.function, False),
    ("Téléphone", lambda tutor: tutor.phone, False),
    ("E-mail", lambda tutor: tutor.email, False),
)


class _RecordsModel(QAbstractTableModel, Generic[R]):
    """Read-only rows of service dataclasses with an `id`; the view replaces them all at once."""

    columns: tuple[Column, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def record(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def record_id(self, row: int) -> int | None:
        record = self.record(row)
        return record.id if record is not None else None

    def row_of(self, record_id: int) -> int | None:
        return next((n for n, r in enumerate(self._rows) if r.id == record_id), None)

    # ---- Qt model API

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        _title, text, right = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text(record)
        if role == ID_ROLE:
            return record.id
        if role == Qt.ItemDataRole.TextAlignmentRole and right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section][0]
        if orientation == Qt.Orientation.Vertical and section >= 0:
            return section + 1
        return None


class HostsTableModel(_RecordsModel[HostRow]):
    """The hosts matching the search, in the order the service sorted them (by name)."""

    columns = HOST_COLUMNS


class TutorsTableModel(_RecordsModel[TutorInfo]):
    """The tutors of the host shown in the form."""

    columns = TUTOR_COLUMNS
