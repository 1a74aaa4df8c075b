"""The bilan de saison: a season's (and site's) figures for the funders and the board — the
scope and the headline, the recruitment funnel and the composition of the entrants as charts
(reportlab graphics), then every indicator table with its notes.

Same look as the other documents (app/pdf/layout.py: header with the organisation and
"page n / N", footer with the printed date, embedded fonts). Every text is escaped: a
prescripteur's label typed by a user prints literally.
"""

from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from app.pdf.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from app.pdf.layout import (
    ACCENT,
    CONTENT_WIDTH,
    INK,
    RULE,
    PageFurniture,
    boxed_table,
    build_pdf,
    french_date,
    section_heading,
    styles,
    summary_box,
    table_style,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph
from app.pdf.season_report_data import BarChart, ReportTable, SeasonReportData

__all__ = ["DOCUMENT_TITLE", "render_season_report"]

DOCUMENT_TITLE = "Bilan de saison"
BAR_HEIGHT = 5.2 * mm
BAR_GAP = 2.2 * mm
LABEL_SIZE = 8
STRIPE = colors.HexColor("#f2f6f8")
BAR_COLOUR = ACCENT
UNKNOWN_COLOUR = colors.HexColor("#9aa7ad")  # bars of "non renseigné"
KEPT_TOGETHER_ROWS = 20  # a table of up to so many rows is not split across pages
Styles = dict[str, ParagraphStyle]


def render_season_report(data: SeasonReportData, out: Path | BinaryIO) -> None:
    """Write the bilan de saison to `out` (a path, written atomically, or a binary file)."""
    register_fonts()
    write_pdf(out, lambda handle: _build(data, handle))


def _styles() -> Styles:
    shared = styles()
    shared["cell_right"] = ParagraphStyle(
        "report_cell_right", parent=shared["cell"], alignment=TA_RIGHT
    )
    shared["headline"] = ParagraphStyle(
        "report_headline", parent=shared["base"], fontName=FONT_BOLD, fontSize=10.5, leading=14
    )
    shared["chart_title"] = ParagraphStyle(
        "report_chart_title", parent=shared["cell_bold"], textColor=INK, spaceAfter=1
    )
    return shared


def _build(data: SeasonReportData, out: BinaryIO) -> None:
    style = _styles()
    title = f"{DOCUMENT_TITLE} {data.season_label}"
    where = " · ".join(value for _, value in data.scope_lines[:1])
    subtitle = " · ".join(value for label, value in data.scope_lines if label != "Saison")
    furniture = PageFurniture(
        organisation_name=data.organisation_name,
        organisation_address=data.organisation_address,
        logo_path=data.logo_path,
        label=title,
        footer_left=f"{title} — {where}" if where else title,
        printed_line=f"Imprimé le {french_date(data.printed_on)}",
        printed_on=data.printed_on,
        initials_box=False,
    )
    story: list[Flowable] = [
        Paragraph(escape(title), style["title"]),
        Paragraph(escape(subtitle), style["subtitle"]),
        Spacer(1, 4 * mm),
        summary_box(
            [(label, escape(value)) for label, value in data.scope_lines]
            + [("En bref", f"<b>{escape(data.headline)}</b>")],
            style,
        ),
        *section_heading("Parcours de recrutement", style),
        KeepTogether(_chart_block(data.funnel, CONTENT_WIDTH, style)),
    ]
    if data.composition:
        story += [
            *section_heading("Qui est entré en formation", style),
            _chart_grid(data.composition, style),
        ]
    for table in data.tables:
        story += _table_section(table, style)
    build_pdf(
        out, furniture, story, title=title, subject=" · ".join(v for _, v in data.scope_lines)
    )


# --------------------------------------------------------------------------- charts


def _chart_block(chart: BarChart, width: float, style: Styles) -> list[Flowable]:
    """The chart's title, its bars, and its note."""
    parts: list[Flowable] = [Paragraph(escape(chart.title), style["chart_title"])]
    parts.append(bar_drawing(chart, width))
    if chart.note:
        parts.append(Paragraph(escape(chart.note), style["note"]))
    return parts


def _chart_grid(charts: tuple[BarChart, ...], style: Styles) -> Table:
    """Small charts two by two."""
    gap = 6 * mm
    half = (CONTENT_WIDTH - gap) / 2
    cells = [_chart_block(chart, half, style) for chart in charts]
    rows: list[list[Any]] = [
        [cells[i], "", cells[i + 1] if i + 1 < len(cells) else ""] for i in range(0, len(cells), 2)
    ]
    table = Table(rows, colWidths=[half, gap, half], hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5 * mm),
            ]
        )
    )
    return table


def bar_drawing(chart: BarChart, width: float) -> Drawing:
    """A horizontal bar chart: the labels left, one bar per line (the first at the top), the
    figure at the end of each bar; an empty chart says so."""
    count = max(len(chart.bars), 1)
    height = count * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    # The drawing's initial font (reportlab's default is Times-Roman, not embedded).
    drawing = Drawing(width, height, initialFontName=FONT_REGULAR, initialFontSize=LABEL_SIZE)
    if not chart.bars:
        drawing.add(String(0, height / 2, "Aucune donnée.", fontName=FONT_REGULAR, fontSize=8))
        return drawing
    labels = [bar.label for bar in chart.bars]
    label_width = min(
        max(stringWidth(label, FONT_REGULAR, LABEL_SIZE) for label in labels) + 3 * mm,
        width * 0.45,
    )
    text_room = max(stringWidth(bar.text, FONT_BOLD, LABEL_SIZE) for bar in chart.bars) + 3 * mm
    plot = HorizontalBarChart()
    plot.x = label_width
    plot.y = BAR_GAP / 2
    plot.width = width - label_width - text_room
    plot.height = height - BAR_GAP
    plot.data = [[bar.value for bar in chart.bars]]
    plot.categoryAxis.categoryNames = [_fit(label, label_width - 3 * mm) for label in labels]
    plot.categoryAxis.reverseDirection = 1  # the first bar at the top
    plot.categoryAxis.labels.fontName = FONT_REGULAR
    plot.categoryAxis.labels.fontSize = LABEL_SIZE
    plot.categoryAxis.labels.fillColor = INK
    plot.categoryAxis.labels.boxAnchor = "e"
    plot.categoryAxis.labels.dx = -2
    plot.categoryAxis.strokeColor = RULE
    plot.categoryAxis.tickLeft = 0
    plot.valueAxis.visible = 0
    plot.valueAxis.labels.fontName = FONT_REGULAR
    plot.valueAxis.valueMin = 0
    largest = max(bar.value for bar in chart.bars)
    plot.valueAxis.valueMax = 100 if chart.percent else max(largest, 1)
    plot.barSpacing = 0
    plot.groupSpacing = BAR_GAP
    plot.bars.strokeColor = None
    plot.bars[0].fillColor = BAR_COLOUR
    for index, label in enumerate(labels):
        if "non renseign" in label.casefold() or "inconnu" in label.casefold():
            plot.bars[(0, index)].fillColor = UNKNOWN_COLOUR
    plot.barLabelFormat = "values"  # each bar's own text, from barLabelArray
    plot.barLabelArray = [[bar.text for bar in chart.bars]]
    plot.barLabels.fontName = FONT_BOLD
    plot.barLabels.fontSize = LABEL_SIZE
    plot.barLabels.fillColor = INK
    plot.barLabels.boxAnchor = "w"
    plot.barLabels.dx = 2
    drawing.add(plot)
    return drawing


def _fit(text: str, width: float) -> str:
    if stringWidth(text, FONT_REGULAR, LABEL_SIZE) <= width:
        return text
    while text and stringWidth(text + "…", FONT_REGULAR, LABEL_SIZE) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --------------------------------------------------------------------------- tables


def _table_section(table: ReportTable, style: Styles) -> list[Flowable]:
    """The table under its heading, then its notes; a short table is kept on one page with
    them (a long one goes on, its head row repeated)."""
    heading = section_heading(escape(table.title), style)
    body: list[Flowable] = [_grid(table, style), Spacer(1, 1.5 * mm)]
    body += [Paragraph(escape(note), style["note"]) for note in table.notes]
    if len(table.rows) <= KEPT_TOGETHER_ROWS:
        return [heading[0], KeepTogether([*heading[1:], *body]), Spacer(1, 2 * mm)]
    return [*heading, *body, Spacer(1, 2 * mm)]


def _grid(table: ReportTable, style: Styles) -> Table:
    """The table with its head row repeated on every page, figures right-aligned, rows
    striped."""
    figures = len(table.columns) - 1
    label_share = 0.62 if figures <= 1 else 0.46 if figures <= 3 else 0.40
    label_width = CONTENT_WIDTH * label_share
    figure_width = (CONTENT_WIDTH - label_width) / max(figures, 1)
    head = [Paragraph(escape(table.columns[0]), style["party"])] + [
        Paragraph(escape(title), style["head_center"]) for title in table.columns[1:]
    ]
    body = [
        [Paragraph(escape(row[0]), style["cell"])]
        + [Paragraph(escape(text), style["cell_right"]) for text in row[1:]]
        for row in table.rows
    ]
    grid = boxed_table([head, *body], [label_width] + [figure_width] * figures, repeatRows=1)
    stripes = [
        ("BACKGROUND", (0, index), (-1, index), STRIPE) for index in range(2, len(body) + 1, 2)
    ]
    grid.setStyle(table_style(stripes))
    return grid
