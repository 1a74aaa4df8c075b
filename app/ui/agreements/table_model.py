"""The agreements list: a plain table model over the rows the service returns."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.agreements import AgreementRow
from app.services.validation import format_date

Index = QModelIndex | QPersistentModelIndex

# Status code -> text colour: what needs the coordinator's attention stands out.
STATUS_COLOURS = {
    "brouillon": "#5f6b76",
    "prete_a_signer": "#8a5a00",
    "signee": "#1f6f8b",
    "en_cours": "#1b7f3b",
    "terminee": "#33414d",
    "rompue": "#b3261e",
    "annulee": "#8c959d",
}


def follow_up(row: AgreementRow) -> str:
    """What the row is waiting for, in a few words."""
    notes = []
    if row.waiting_signature:
        notes.append("À signer")
    if row.ends_this_month:
        notes.append("Fin ce mois-ci")
    return " · ".join(notes)


def period(row: AgreementRow) -> str:
    same_year = row.start.year == row.end.year
    start = row.start.strftime("%d/%m") if same_year else format_date(row.start)
    return f"{start} → {format_date(row.end)}"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[AgreementRow], str]
    sort_key: Callable[[AgreementRow], Any]


def _text_column(title: str, text: Callable[[AgreementRow], str]) -> Column:
    return Column(title, text, lambda r: text(r).casefold())


COLUMNS: tuple[Column, ...] = (
    Column("N°", lambda r: r.number or "—", lambda r: (not r.number, r.number)),
    _text_column("Statut", lambda r: r.status_label.capitalize()),
    _text_column("Stagiaire", lambda r: r.learner),
    _text_column("Structure", lambda r: r.host),
    Column("Période", period, lambda r: (r.start, r.end)),
    _text_column("Suivi", follow_up),
)
PERIOD_COLUMN = 4
SortSpec = tuple[int, Qt.SortOrder]
BY_PERIOD: SortSpec = (PERIOD_COLUMN, Qt.SortOrder.AscendingOrder)


def sort_rows(rows: list[AgreementRow], spec: SortSpec) -> list[AgreementRow]:
    """The rows in the order of a column (ties by id), as the table shows them; no Qt object
    is touched, so a worker thread may sort what it read."""
    column, order = spec
    sort_key = COLUMNS[column].sort_key

    def key(row: AgreementRow) -> tuple[Any, int]:
        return (sort_key(row), row.id)

    return sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)


class AgreementsTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[AgreementRow] = []
        self._sort: SortSpec = BY_PERIOD

    @property
    def sort_spec(self) -> SortSpec:
        """The order the rows are shown in (the header's sort indicator)."""
        return self._sort

    def set_rows(self, rows: list[AgreementRow], *, sorted_by: SortSpec | None = None) -> None:
        """Show these rows in the table's order; `sorted_by` says they already are in some."""
        ordered = list(rows) if sorted_by == self._sort else sort_rows(rows, self._sort)
        self.beginResetModel()
        self._rows = ordered
        self.endResetModel()

    def row_at(self, row: int) -> AgreementRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, agreement_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == agreement_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (2, 3):
            return column.text(row)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return QBrush(QColor(STATUS_COLOURS.get(row.status, "#33414d")))
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5:
            return QBrush(QColor("#8a5a00"))
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (column, order)
        # A reset rather than a layout change: the view selects its agreement again by id.
        self.beginResetModel()
        self._rows = sort_rows(self._rows, self._sort)
        self.endResetModel()
