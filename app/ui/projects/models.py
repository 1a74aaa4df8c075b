"""Table models of the Projets view: the season's projects, the ranking, the jury's reviews,
a project's milestones and its history. Read-only rows of service dataclasses, replaced at once."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.services.projects.listing import ProjectRow
from app.services.projects.realisation import MilestoneInfo
from app.services.projects.reviews import CriterionInfo, RankedProject, ReviewInfo
from app.services.validation import format_date

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = QModelIndex()
WARNING_TEXT = QColor("#8a5a00")
R = TypeVar("R")


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str  # French header
    text: Callable[[R], str]
    right: bool = False  # numbers
    tooltip: Callable[[R], str] | None = None  # defaults to the text (cut cells stay readable)


def average_text(value: Decimal | None) -> str:
    """ "3,75" (French decimal comma); "—" before any counted review."""
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def rank_text(value: int | None) -> str:
    return "—" if value is None else str(value)


@dataclass(frozen=True)
class HistoryLine:
    """One line of a project's history: (when, state label, reason, who)."""

    when: datetime
    state_label: str
    reason: str
    who: str


class _RecordsModel(QAbstractTableModel, Generic[R]):
    """Read-only rows of dataclasses; the view replaces them all at once with `set_rows`."""

    def __init__(self, columns: Sequence[Column[R]] = ()) -> None:
        super().__init__()
        self._columns: list[Column[R]] = list(columns)
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_columns(self, columns: Sequence[Column[R]]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def record(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def records(self) -> list[R]:
        return list(self._rows)

    # ---- Qt model API

    def rowCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (column.tooltip or column.text)(record) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self.extra_data(record, index.column(), role)

    def extra_data(self, _record: R, _column: int, _role: int) -> Any:
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            return self._columns[section].title
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return section + 1
        return None


# ---------------------------------------------------------------- the season's projects


def _warning_mark(row: ProjectRow) -> str:
    return "⚠" if row.warnings else ""


def _warning_tip(row: ProjectRow) -> str:
    if not row.warnings:
        return "Éligible"
    return "À vérifier : " + " ; ".join(row.warnings)


def _average_and_rank(row: ProjectRow) -> str:
    if row.average is None:
        return "—"
    rank = f" ({row.rank})" if row.rank is not None else ""
    return average_text(row.average) + rank


def _average_tip(row: ProjectRow) -> str:
    if row.average is None:
        return "Aucun avis compté"
    rank = f", rang {row.rank}" if row.rank is not None else ""
    return f"Moyenne du jury {average_text(row.average)} / 5{rank}"


# Two lines a row, so that the list fits beside the project at 1366 pixels wide.
PROJECT_COLUMNS: tuple[Column[ProjectRow], ...] = (
    Column(
        "Référence",
        lambda r: f"{r.reference}\n{format_date(r.submitted_on)}",
        tooltip=lambda r: f"{r.reference}, déposé le {format_date(r.submitted_on)}",
    ),
    Column(
        "Projet / structure",
        lambda r: f"{r.title}\n{r.structure}",
        tooltip=lambda r: f"{r.title} — {r.structure}",
    ),
    Column("État", lambda r: r.state_label),
    Column("Élig.", _warning_mark, tooltip=_warning_tip),
    Column("Moy. (rang)", _average_and_rank, right=True, tooltip=_average_tip),
    Column("Équipes", lambda r: r.teams),
)
ELIGIBILITY_COLUMN = 3


class ProjectsTableModel(_RecordsModel[ProjectRow]):
    """The projects of the season's call, as the service sorted them (by reference)."""

    def __init__(self) -> None:
        super().__init__(PROJECT_COLUMNS)

    def record_id(self, row: int) -> int | None:
        record = self.record(row)
        return record.id if record is not None else None

    def row_of(self, project_id: int) -> int | None:
        return next((n for n, r in enumerate(self._rows) if r.id == project_id), None)

    def extra_data(self, record: ProjectRow, column: int, role: int) -> Any:
        if column == ELIGIBILITY_COLUMN and record.warnings:
            if role == Qt.ItemDataRole.ForegroundRole:
                return WARNING_TEXT
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == ELIGIBILITY_COLUMN:
            return _warning_tip(record)
        return None


# ---------------------------------------------------------------- ranking


RANKING_COLUMNS: tuple[Column[RankedProject], ...] = (
    Column("Rang", lambda r: rank_text(r.rank), right=True),
    Column("Référence", lambda r: r.reference),
    Column("Projet", lambda r: r.title),
    Column("Structure", lambda r: r.structure),
    Column("État", lambda r: r.state_label),
    Column("Moyenne", lambda r: average_text(r.average), right=True),
    Column("Avis comptés", lambda r: str(r.reviews_counted), right=True),
)


class RankingTableModel(_RecordsModel[RankedProject]):
    """The call's projects under selection, best average first."""

    def __init__(self) -> None:
        super().__init__(RANKING_COLUMNS)


# ---------------------------------------------------------------- the jury's reviews


def _score_of(criterion_id: int) -> Callable[[ReviewInfo], str]:
    def text(review: ReviewInfo) -> str:
        score = review.scores.get(criterion_id)
        return str(score) if score is not None else "—"

    return text


def _constant(text: str) -> Callable[[ReviewInfo], str]:
    return lambda _review: text


def review_columns(criteria: Sequence[CriterionInfo]) -> list[Column[ReviewInfo]]:
    """Who, one column per criterion (numbered, its label as tooltip), average, conflict."""
    columns: list[Column[ReviewInfo]] = [Column("Évaluateur", lambda r: r.reviewer_name)]
    for number, criterion in enumerate(criteria, start=1):
        columns.append(
            Column(
                f"C{number}",
                _score_of(criterion.id),
                right=True,
                tooltip=_constant(criterion.label),
            )
        )
    columns += [
        Column("Moyenne", lambda r: average_text(r.average), right=True),
        Column(
            "Conflit",
            lambda r: "oui (non compté)" if r.conflict_of_interest else "",
            tooltip=lambda r: (
                "Conflit d'intérêts déclaré : notes non comptées" if r.conflict_of_interest else ""
            ),
        ),
        Column("Commentaire", lambda r: r.comment),
    ]
    return columns


class ReviewsTableModel(_RecordsModel[ReviewInfo]):
    """Every reviewer's scores for the project shown; one column per criterion."""

    def __init__(self) -> None:
        super().__init__(review_columns(()))
        self._criteria: list[CriterionInfo] = []

    def set_reviews(self, criteria: Sequence[CriterionInfo], reviews: Sequence[ReviewInfo]) -> None:
        self.beginResetModel()
        self._criteria = list(criteria)
        self._columns = review_columns(criteria)
        self._rows = list(reviews)
        self.endResetModel()

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        first = 1
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and orientation == Qt.Orientation.Horizontal
            and first <= section < first + len(self._criteria)
        ):
            return self._criteria[section - first].label
        return super().headerData(section, orientation, role)


# ---------------------------------------------------------------- milestones, history


def _done_text(milestone: MilestoneInfo) -> str:
    return format_date(milestone.done_on) if milestone.done_on else ""


MILESTONE_COLUMNS: tuple[Column[MilestoneInfo], ...] = (
    Column("Échéance", lambda m: format_date(m.due_on)),
    Column("Jalon", lambda m: m.title),
    Column("Statut", lambda m: m.state_label),
    Column("Fait le", _done_text),
)


class MilestonesTableModel(_RecordsModel[MilestoneInfo]):
    """A project's milestones, by due date."""

    def __init__(self) -> None:
        super().__init__(MILESTONE_COLUMNS)

    def record_id(self, row: int) -> int | None:
        record = self.record(row)
        return record.id if record is not None else None


def _when(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return f"{format_date(moment.date())} {moment:%H:%M}"
    return format_date(moment)


HISTORY_COLUMNS: tuple[Column[HistoryLine], ...] = (
    Column("Date", lambda h: _when(h.when)),
    Column("État", lambda h: h.state_label),
    Column("Motif", lambda h: h.reason),
    Column("Par", lambda h: h.who),
)


class HistoryTableModel(_RecordsModel[HistoryLine]):
    """A project's states, oldest first, with the reason given and who changed it."""

    def __init__(self) -> None:
        super().__init__(HISTORY_COLUMNS)
