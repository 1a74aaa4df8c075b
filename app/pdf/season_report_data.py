"""What the bilan de saison prints; filled by the services (app/services/reports/exports.py),
already in French: the scope, the charts' bars, every table's cells as text."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bar:
    label: str  # "Entrés en formation"
    value: float  # the bar's length (a count, or a share 0–100)
    text: str  # printed at the end of the bar: "34", "52,9 %"


@dataclass(frozen=True)
class BarChart:
    title: str  # "Sexe"
    bars: tuple[Bar, ...]  # top to bottom
    percent: bool = False  # the values are shares (the axis runs to 100)
    note: str = ""  # under the chart: its base


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: tuple[str, ...]  # the first one is the rows' label
    rows: tuple[tuple[str, ...], ...]  # cells as printed ("—": not computable)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeasonReportData:
    organisation_name: str
    organisation_address: str
    logo_path: str  # "" or a missing file: no logo
    season_label: str  # "2025-2026"
    scope_lines: tuple[tuple[str, str], ...]  # ("Site", "Cobalt"), ("Filière", "toutes")…
    headline: str  # "40 candidatures, 34 entrés en formation (85,0 %)"
    funnel: BarChart
    composition: tuple[BarChart, ...]  # drawn two by two
    tables: tuple[ReportTable, ...]
    printed_on: date
