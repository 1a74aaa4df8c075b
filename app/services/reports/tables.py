"""What every indicator function returns: French tables of figures, each figure with the key
of the people behind it (`trace.people_behind`)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Cell:
    """One figure of a table."""

    value: int | Decimal | None  # None: not computable (a share of an empty base)
    kind: str  # "count" | "percent" (0–100, 1 decimal) | "days" | "hours" | "average"
    trace: str | None = None  # key of the people behind it (None: not traceable)


@dataclass(frozen=True)
class IndicatorRow:
    label: str  # French
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class IndicatorTable:
    key: str  # "funnel", "funnel_losses", "composition", "pathways", "outcomes", …
    title: str  # French
    columns: tuple[str, ...]  # French column titles; the first one is the rows' label
    rows: tuple[IndicatorRow, ...]
    notes: tuple[str, ...] = ()  # French footnotes: bases, definitions, who is in no share

    def row(self, label: str) -> IndicatorRow:
        """The row of this label (tests and exports look rows up by their French label)."""
        for row in self.rows:
            if row.label == label:
                return row
        raise KeyError(label)


@dataclass(frozen=True)
class PersonRef:
    """One person behind a figure."""

    candidate_id: int
    name: str
    site: str
    stage: str


def count(value: int | None, trace: str | None = None) -> Cell:
    return Cell(int(value or 0), "count", trace)


def percent(part: int | None, base: int | None, trace: str | None = None) -> Cell:
    """`part` of `base` in percent, one decimal (half up); None when the base is empty."""
    if not base:
        return Cell(None, "percent", trace)
    share = Decimal(100 * int(part or 0)) / Decimal(int(base))
    return Cell(share.quantize(Decimal("0.1"), ROUND_HALF_UP), "percent", trace)


def decimal_cell(value: float | None, kind: str, trace: str | None = None) -> Cell:
    """A mean or a total (days, hours) with one decimal; None when there is nothing to measure."""
    if value is None:
        return Cell(None, kind, trace)
    return Cell(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP), kind, trace)
