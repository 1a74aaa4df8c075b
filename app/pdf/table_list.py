"""A printed list: a title, the filters it was made with, and a table of text rows.

Any list the window shows can be printed through it (the candidates as listed, the summary of
agreements). It has the look of the other documents (app/pdf/layout.py: header with the
organisation and "page n / N", footer with the printed date, embedded fonts); the header row
is repeated on every page, rows are striped, long cells wrap, and the number of rows closes
the list ("31 candidats"). Wide lists go landscape.

Cells are plain text: what a user typed prints literally. A cell that fits its column is
drawn as a plain string (fast: a season's list has thousands of cells); a longer one becomes
an escaped Paragraph that wraps.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer, Table

from app.pdf.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from app.pdf.layout import (
    ACCENT,
    INK,
    MARGIN_X,
    RULE,
    PageFurniture,
    build_pdf,
    french_date,
    styles,
    table_style,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph

__all__ = [
    "PORTRAIT_WIDTH",
    "ListColumn",
    "ListDocument",
    "ListIssuer",
    "TableLayout",
    "count_text",
    "render_table_list",
    "table_layout",
    "table_list_pdf",
]

PORTRAIT_WIDTH = A4[0] - 2 * MARGIN_X
LANDSCAPE_WIDTH = A4[1] - 2 * MARGIN_X
# A list with more than this share of its rows on two lines or more in portrait goes landscape
# (a portrait page holds half as many rows again, a wrapped row takes two).
WRAPPED_SHARE = 0.15
LANDSCAPE_FROM_COLUMNS = 9
# The text size of the cells and headings: the first that lets every column keep its least
# width (see _least_widths); a list of many columns prints smaller.
SIZES = (8.5, 7.5, 6.5)
CELL_PADDING = 4  # points, left and right of a cell's text
LEADING = 2.0  # points between lines of a cell, over the text size
SLACK = 1.0  # points: rounding never wraps a text measured to fit
LONG_WORD = 26 * mm  # a longer word (an e-mail) may be cut to wrap
MEASURED_ROWS = 2000  # a longer list's widths follow its first rows
STRIPE = colors.HexColor("#f2f6f8")

Align = Literal["LEFT", "RIGHT", "CENTER"]


@dataclass(frozen=True)
class ListColumn:
    """One column: its heading, how its cells align, whether they may wrap. Its width
    follows its texts (see _widths)."""

    title: str
    align: Align = "LEFT"
    wraps: bool = True  # False: kept on one line (a phone number, a date)


@dataclass(frozen=True)
class ListIssuer:
    """The organisation in the header of every page."""

    name: str
    address: str = ""
    logo_path: str = ""


@dataclass(frozen=True)
class ListDocument:
    """What a printed list shows. `filters`: one line each under the title ("Saison
    2026-2027 · Cobalt · recherche « martin »"); `counted`: the row count's noun, singular
    and plural ("candidat", "candidats")."""

    title: str
    columns: Sequence[ListColumn]
    rows: Sequence[Sequence[str]]
    counted: tuple[str, str]
    printed_on: date
    issuer: ListIssuer
    filters: Sequence[str] = field(default_factory=tuple)
    footer: str = ""  # left of the footer; the title when empty


@dataclass(frozen=True)
class TableLayout:
    """How the table is laid out: the page's orientation, the text size, the column widths
    (points, filling the page's width)."""

    landscape: bool
    size: float
    widths: tuple[float, ...]


def table_layout(document: ListDocument) -> TableLayout:
    """Portrait when the columns fit across a portrait page with few rows wrapping (at most
    WRAPPED_SHARE of them); else landscape. Then the largest text size at which no column is
    narrower than its least width (headings and words whole)."""
    register_fonts()  # the widths are measured in the document's fonts
    size = SIZES[0]
    wide = (
        len(document.columns) >= LANDSCAPE_FROM_COLUMNS
        or sum(_least_widths(document, size)) > PORTRAIT_WIDTH
        or _wrapped_share(document, _widths(document, PORTRAIT_WIDTH, size), size) > WRAPPED_SHARE
    )
    width = LANDSCAPE_WIDTH if wide else PORTRAIT_WIDTH
    size = next((s for s in SIZES if sum(_least_widths(document, s)) <= width), SIZES[-1])
    return TableLayout(wide, size, tuple(_widths(document, width, size)))


def _wrapped_share(document: ListDocument, widths: Sequence[float], size: float) -> float:
    """The share of the (first) rows with a cell on more than one line at these widths."""
    rows = document.rows[:MEASURED_ROWS]
    if not rows:
        return 0.0
    rooms = [w - 2 * CELL_PADDING for w in widths]
    wrapped = sum(
        1
        for row in rows
        if any(_text_width(text, size) > room for text, room in zip(row, rooms, strict=True))
    )
    return wrapped / len(rows)


def count_text(count: int, counted: tuple[str, str]) -> str:
    """ "0 candidat", "1 candidat", "31 candidats" (French: plural from 2)."""
    return f"{count} {counted[1] if count > 1 else counted[0]}"


def table_list_pdf(document: ListDocument) -> bytes:
    """The list as PDF bytes."""
    out = BytesIO()
    render_table_list(document, out)
    return out.getvalue()


def render_table_list(document: ListDocument, out: Path | BinaryIO) -> None:
    """Write the list as a PDF to `out` (a path, written atomically, or a binary file)."""
    if not document.columns:
        raise ValueError("a printed list has at least one column")
    register_fonts()
    write_pdf(out, lambda handle: _build(document, handle))


def _build(document: ListDocument, out: BinaryIO) -> None:
    style = styles()
    layout = table_layout(document)
    furniture = PageFurniture(
        organisation_name=document.issuer.name,
        organisation_address=document.issuer.address,
        logo_path=document.issuer.logo_path,
        label=document.title,
        footer_left=document.footer or document.title,
        printed_line=f"Imprimée le {french_date(document.printed_on)}",
        printed_on=document.printed_on,
        initials_box=False,
    )
    story: list[Flowable] = [
        Paragraph(escape(document.title), style["title"]),
        *(Paragraph(escape(line), style["subtitle"]) for line in _subtitle(document)),
        Spacer(1, 3 * mm),
        _table(document, layout),
        Spacer(1, 2.5 * mm),
        Paragraph(
            f"<b>{escape(count_text(len(document.rows), document.counted))}</b>", style["base"]
        ),
    ]
    build_pdf(
        out,
        furniture,
        story,
        title=document.title,
        subject=" · ".join(document.filters) or document.title,
        pagesize=landscape(A4) if layout.landscape else A4,
    )


def _subtitle(document: ListDocument) -> list[str]:
    """The filters, the last line followed by the printed date (a line of its own without
    filters): a summary list keeps its rows on one page."""
    printed = f"imprimée le {french_date(document.printed_on)}"
    lines = list(document.filters)
    if not lines:
        return [printed.capitalize()]
    lines[-1] = f"{lines[-1]} — {printed}"
    return lines


# ---------------------------------------------------------------- column widths


def _natural_widths(document: ListDocument, size: float) -> list[float]:
    """Each column as wide as its longest cell on one line, or its heading's longest word."""
    widths = []
    for index, heading in enumerate(_heading_widths(document, size)):
        longest = max(
            (_text_width(row[index], size) for row in document.rows[:MEASURED_ROWS]),
            default=0.0,
        )
        widths.append(max(heading, longest + 2 * CELL_PADDING + SLACK))
    return widths


def _heading_widths(document: ListDocument, size: float) -> list[float]:
    """Each column's heading's longest word (the heading wraps between its words only)."""
    widths = []
    for column in document.columns:
        words = column.title.split() or [""]
        longest = max(stringWidth(w, FONT_BOLD, size) for w in words)
        widths.append(longest + 2 * CELL_PADDING + SLACK)
    return widths


def _least_widths(document: ListDocument, size: float) -> list[float]:
    """The least width of each column: a column that does not wrap keeps its natural width;
    one that wraps is as wide as its heading's longest word and its cells' longest word (up
    to LONG_WORD: a longer one, an e-mail say, is cut)."""
    natural = _natural_widths(document, size)
    headings = _heading_widths(document, size)
    least = []
    for index, column in enumerate(document.columns):
        if not column.wraps:
            least.append(natural[index])
            continue
        rows = document.rows[:MEASURED_ROWS]
        words = {w for row in rows for w in _one_line(row[index]).split()}
        longest = max((stringWidth(w, FONT_REGULAR, size) for w in words), default=0.0)
        least.append(max(headings[index], min(longest, LONG_WORD) + 2 * CELL_PADDING + SLACK))
    return least


def _text_width(text: str, size: float) -> float:
    return stringWidth(_one_line(text), FONT_REGULAR, size)


def _widths(document: ListDocument, width: float, size: float) -> list[float]:
    """The columns' widths filling `width`: all at their natural width, the spare room shared
    in proportion. Short of room, the columns that do not wrap keep their natural width, and
    the others (long names, e-mails) share the rest in proportion to their natural width
    (each wraps on about as many lines) — none narrower than its least width, none wider
    than its natural width."""
    natural = _natural_widths(document, size)
    if sum(natural) <= width:
        # The spare room goes to the columns of words (names, filières), not to the dates.
        growing = [i for i, c in enumerate(document.columns) if c.wraps] or list(
            range(len(natural))
        )
        wanted = sum(natural[i] for i in growing)
        spare = width - sum(natural)
        return [w + (spare * w / wanted if i in growing else 0) for i, w in enumerate(natural)]
    least = _least_widths(document, size)
    if sum(least) >= width:
        return [w * width / sum(least) for w in least]  # too many columns: all shrink alike
    fixed = {i: w for i, w in enumerate(natural) if not document.columns[i].wraps}
    share: dict[int, float] = {}
    while len(fixed) < len(natural):
        shared = [i for i in range(len(natural)) if i not in fixed]
        room = width - sum(fixed.values())
        total = sum(natural[i] for i in shared)
        share = {i: room * natural[i] / total for i in shared}
        # Those wanting less than their share take what they want, leaving the rest to the
        # others; then those squeezed below their least width get it.
        settled = {i: natural[i] for i in shared if natural[i] <= share[i]}
        settled = settled or {i: least[i] for i in shared if share[i] < least[i]}
        if not settled:
            break
        fixed.update(settled)
    widths = [fixed[i] if i in fixed else share[i] for i in range(len(natural))]
    return [w * width / sum(widths) for w in widths]


# ---------------------------------------------------------------- the table


def _table(document: ListDocument, layout: TableLayout) -> Table:
    size = layout.size
    style = _cell_styles(size)
    head = [Paragraph(escape(column.title), style["head"]) for column in document.columns]
    body = [
        [
            _cell(text, column, width, size, style)
            for text, column, width in zip(row, document.columns, layout.widths, strict=True)
        ]
        for row in document.rows
    ]
    table = Table([head, *body], colWidths=list(layout.widths), repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTSIZE", (0, 1), (-1, -1), size),
        ("LEADING", (0, 1), (-1, -1), size + LEADING),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if body:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]))
    for index, column in enumerate(document.columns):
        commands.append(("ALIGN", (index, 1), (index, -1), column.align))
    table.setStyle(table_style(commands))
    return table


def _make_cell_styles(size: float) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        f"list_{size}", parent=styles()["cell"], fontSize=size, leading=size + LEADING
    )
    return {
        "LEFT": base,
        "RIGHT": ParagraphStyle(f"list_right_{size}", parent=base, alignment=TA_RIGHT),
        "CENTER": ParagraphStyle(f"list_center_{size}", parent=base, alignment=TA_CENTER),
        "head": ParagraphStyle(
            f"list_head_{size}",
            parent=styles()["head_center"],
            fontName=FONT_BOLD,
            fontSize=size,
            leading=size + LEADING,
        ),
    }


# Made once per size: the paragraph cache keeps parsed text per style object
# (app/pdf/paragraph.py).
_CELL_STYLES = {size: _make_cell_styles(size) for size in SIZES}


def _cell_styles(size: float) -> dict[str, ParagraphStyle]:
    return _CELL_STYLES[size]


def _cell(
    text: str, column: ListColumn, width: float, size: float, style: dict[str, ParagraphStyle]
) -> Any:
    """The text as a plain string when it fits on one line, else a Paragraph that wraps."""
    text = _one_line(text)
    if _text_width(text, size) <= width - 2 * CELL_PADDING:
        return text
    return Paragraph(escape(text), style[column.align])


def _one_line(text: str) -> str:
    """Line breaks and runs of spaces as single spaces: a cell is one line of text."""
    return " ".join(str(text).split())
