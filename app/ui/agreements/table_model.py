"""The agreements list: a plain table model over the rows the service returns."""

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics

from app.services.agreements.listing import AgreementRow
from app.services.validation import format_date
from app.ui.theme import ERROR, icon

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


TO_REVIEW = "À revoir"


def follow_up(row: AgreementRow) -> str:
    """What the row is waiting for, in a few words."""
    notes = []
    if row.waiting_signature:
        notes.append("À signer")
    if row.ends_this_month:
        notes.append("Fin ce mois-ci")
    return " · ".join(notes)


def review_text(row: AgreementRow) -> str:
    """The reasons an agreement is "à revoir", one per line (empty when it is fine)."""
    if not row.to_review:
        return ""
    return f"{TO_REVIEW} :\n" + "\n".join(f"• {reason}" for reason in row.to_review)


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
STATUS_COLUMN = 1
LEARNER_COLUMN = 2
HOST_COLUMN = 3
PERIOD_COLUMN = 4
FOLLOW_UP_COLUMN = 5
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


# Column widths (pixels). A name is shown whole up to NAME_LIMIT, then elided in its middle
# with the full text in its tooltip; when the list is narrow the learner keeps their name
# first and the host column keeps at least HOST_FLOOR.
CELL_PADDING = 18
HEADER_PADDING = 30  # the sort indicator
ICON_ROOM = 22
NAME_LIMIT = 260
NAME_MINIMUM = 80
HOST_FLOOR = 120
_MEASURED = 40  # the longest texts of a column (by characters) are measured, not every row


@dataclass(frozen=True)
class ColumnWidths:
    widths: tuple[int, ...]
    hidden: frozenset[int]  # columns with nothing to show (no row to follow up)

    @property
    def total(self) -> int:
        return sum(w for c, w in enumerate(self.widths) if c not in self.hidden)


def _longest_texts(rows: Sequence[AgreementRow]) -> list[list[str]]:
    """Per column, the texts most likely to be the widest, without formatting every row:
    names are compared by length, the short columns take a handful of shapes."""
    shapes: dict[tuple[object, ...], AgreementRow] = {}
    for row in rows:
        key = (
            row.status_label,
            bool(row.to_review),
            row.waiting_signature,
            row.ends_this_month,
            row.start.year == row.end.year,
            len(row.number),
        )
        shapes.setdefault(key, row)
    texts: list[list[str]] = []
    for column, spec in enumerate(COLUMNS):
        if column == LEARNER_COLUMN:
            found = {row.learner for row in rows}
        elif column == HOST_COLUMN:
            found = {row.host for row in rows}
        else:
            found = {spec.text(row) for row in shapes.values()}
        texts.append(heapq.nlargest(_MEASURED, found, key=len))
    return texts


def content_widths(
    rows: Sequence[AgreementRow], cells: QFontMetrics, header: QFontMetrics
) -> ColumnWidths:
    """What each column needs to show its texts whole (and which have nothing to show);
    measured once per list, whatever its width."""
    wanted: list[int] = []
    for column, texts in enumerate(_longest_texts(rows)):
        content = max((cells.horizontalAdvance(text) for text in texts), default=0)
        content += CELL_PADDING
        if column == STATUS_COLUMN and any(row.to_review for row in rows):
            content += ICON_ROOM
        title = header.horizontalAdvance(COLUMNS[column].title) + HEADER_PADDING
        wanted.append(max(content, title))
    hidden = frozenset({FOLLOW_UP_COLUMN} if not any(follow_up(row) for row in rows) else set())
    return ColumnWidths(tuple(wanted), hidden)


def fit_widths(needed: ColumnWidths, available: int) -> ColumnWidths:
    """Widths that show every short column whole and the names as whole as `available`
    allows; what is left goes to the host column."""
    wanted = list(needed.widths)
    fixed = sum(
        width
        for column, width in enumerate(wanted)
        if column not in (LEARNER_COLUMN, HOST_COLUMN) and column not in needed.hidden
    )
    room = available - fixed
    learner_wants = min(wanted[LEARNER_COLUMN], NAME_LIMIT)
    host_wants = min(wanted[HOST_COLUMN], NAME_LIMIT)
    if room >= learner_wants + host_wants:
        learner = min(wanted[LEARNER_COLUMN], room - host_wants)
        host = room - learner
    else:
        learner = min(learner_wants, max(NAME_MINIMUM, room - HOST_FLOOR))
        host = max(NAME_MINIMUM, room - learner)
    wanted[LEARNER_COLUMN] = learner
    wanted[HOST_COLUMN] = host
    return ColumnWidths(tuple(wanted), needed.hidden)


def column_widths(
    rows: Sequence[AgreementRow],
    cells: QFontMetrics,
    header: QFontMetrics,
    available: int,
) -> ColumnWidths:
    """`fit_widths` of the rows' `content_widths`."""
    return fit_widths(content_widths(rows, cells, header), available)


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

    @property
    def rows(self) -> Sequence[AgreementRow]:
        """The rows shown, in the table's order (not to be changed)."""
        return self._rows

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
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return QBrush(QColor(STATUS_COLOURS.get(row.status, "#33414d")))
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == FOLLOW_UP_COLUMN:
            return QBrush(QColor("#8a5a00"))
        if (
            role == Qt.ItemDataRole.DecorationRole
            and index.column() == STATUS_COLUMN
            and row.to_review
        ):
            return icon("alert-triangle", ERROR)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and row.to_review:
            return review_text(row)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    @staticmethod
    def _tooltip(row: AgreementRow, column: int) -> str | None:
        """The full names (a narrow column elides them) and why a row is "à revoir" (the
        warning sign beside its status)."""
        if column in (LEARNER_COLUMN, HOST_COLUMN):
            return COLUMNS[column].text(row)
        if column == STATUS_COLUMN and row.to_review:
            return review_text(row)
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
