"""The dashboard's charts (QtCharts): horizontal bars for the funnel and the composition,
grouped bars for the seasons compared. Each chart says its figures in its accessible
description, for screen readers."""

from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter

from app.ui.theme import ACCENT

SERIES_COLOURS = (ACCENT, "#e07a2f", "#5b8c3a", "#8e5ea2")
LABEL_COLOUR = QColor("#33414d")


def _french(value: float) -> str:
    whole = round(value)
    return (
        f"{whole:,}".replace(",", "\u202f")
        if abs(value - whole) < 0.05
        else f"{value:.1f}".replace(".", ",")
    )


class BarChart(QChartView):
    """A chart of one series of bars (horizontal) or of a few (vertical, grouped)."""

    def __init__(self, name: str, accessible_name: str, *, horizontal: bool = True) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible_name)
        self.horizontal = horizontal
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the tables beside it hold the figures
        self.setMinimumHeight(180)
        self.clear()

    def series(self) -> QAbstractBarSeries | None:
        """The bars shown (tests read their values)."""
        shown = self.chart().series()
        return shown[0] if shown and isinstance(shown[0], QAbstractBarSeries) else None

    def figures(self, set_index: int = 0) -> dict[str, float]:
        """Category -> the value of its bar in one bar set, read off the chart."""
        series = self.series()
        axes = [a for a in self.chart().axes() if isinstance(a, QBarCategoryAxis)]
        if series is None or not axes or set_index >= series.count():
            return {}
        bars = series.barSets()[set_index]
        categories = axes[0].categories()
        return {categories[i]: bars.at(i) for i in range(min(bars.count(), len(categories)))}

    def clear(self, title: str = "") -> None:
        """A new, empty chart: Qt leaves the drawings of removed axes behind, a new chart
        has none."""
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(4)
        chart.setMargins(QMargins(4, 4, 4, 4))
        title_font = QFont()
        title_font.setBold(True)
        chart.setTitleFont(title_font)
        chart.setTitle(title)
        chart.legend().setVisible(False)
        chart.setLocalizeNumbers(True)  # bar labels "85,5", not "85.5"
        chart.setLocale(QLocale(QLocale.Language.French, QLocale.Country.France))
        previous = self.chart()
        self.setChart(chart)  # the view owns the new chart; the previous one is ours to drop
        if previous is not None:
            previous.deleteLater()
        self.setAccessibleDescription("")

    def show_bars(
        self,
        title: str,
        categories: Sequence[str],
        sets: Sequence[tuple[str, Sequence[float | None]]],
        *,
        unit: str = "",
        maximum: float | None = None,
    ) -> None:
        """Replace the bars: one bar set per (name, values), a value per category, drawn in
        the categories' order from the top (horizontal) or the left (vertical)."""
        self.clear(title)
        if not categories:
            return  # nothing to draw: an empty chart, its title only
        chart = self.chart()
        self.setAccessibleDescription(_described(categories, sets, unit))
        if len(sets) == 1:
            # Qt writes no label beside an empty bar: its category says the figure.
            categories = [
                _empty_said(c, v, unit) for c, v in zip(categories, sets[0][1], strict=False)
            ]
        if self.horizontal:
            # Qt draws the first category at the bottom: reversed, the first is on top, as a
            # table reads (the axis's categories and the bars stay paired).
            categories = list(reversed(categories))
            sets = [(name, list(reversed(values))) for name, values in sets]
        series: QAbstractBarSeries = QHorizontalBarSeries() if self.horizontal else QBarSeries()
        for position, (name, values) in enumerate(sets):
            bars = QBarSet(name)
            bars.setColor(QColor(SERIES_COLOURS[position % len(SERIES_COLOURS)]))
            bars.setLabelColor(LABEL_COLOUR)
            bars.append([float(v or 0) for v in values])
            series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat(f"@value{(' ' + unit) if unit else ''}")
        series.setLabelsPrecision(4)
        chart.addSeries(series)
        self._add_axes(series, categories, sets, maximum)
        chart.legend().setVisible(len(sets) > 1)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)

    def _add_axes(
        self,
        series: QAbstractBarSeries,
        categories: Sequence[str],
        sets: Sequence[tuple[str, Sequence[float | None]]],
        maximum: float | None,
    ) -> None:
        chart = self.chart()
        labels = QBarCategoryAxis()
        labels.append(list(categories))
        labels.setGridLineVisible(False)
        values = QValueAxis()
        highest = max((float(v or 0) for _name, vs in sets for v in vs), default=0.0)
        # Room past the longest bar for its label; whole numbers on the scale.
        top = maximum if maximum is not None else max(highest * 1.15, 1.0)
        values.setRange(0, top)
        values.setLabelFormat("%d")
        values.setTickCount(5 if top >= 4 else 2)
        values.setLabelsVisible(False)  # each bar says its figure
        if self.horizontal:
            chart.addAxis(labels, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(labels, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(labels)
        series.attachAxis(values)


def _empty_said(category: str, value: float | None, unit: str) -> str:
    """ "ZRR (—)" when the figure cannot be computed, "Sortis (0)" for nobody."""
    if value is None:
        return f"{category} (—)"
    if value == 0:
        return f"{category} (0{chr(0x202F) + unit if unit else ''})"
    return category


def _described(
    categories: Sequence[str], sets: Sequence[tuple[str, Sequence[float | None]]], unit: str
) -> str:
    suffix = f"\u202f{unit}" if unit else ""
    parts = []
    for name, values in sets:
        figures = ", ".join(
            f"{category} : {'—' if value is None else _french(value) + suffix}"
            for category, value in zip(categories, values, strict=False)
        )
        parts.append(f"{name} — {figures}" if len(sets) > 1 else figures)
    return " ; ".join(parts)
