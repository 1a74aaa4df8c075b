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
    "content_width",
    "is_landscape",
    "render_table_list",
    "table_list_pdf",
]

PORTRAIT_WIDTH = A4[0] - 2 * MARGIN_X
LANDSCAPE_WIDTH = A4[1] - 2 * MARGIN_X
# A list whose columns want more than this share of the portrait width goes landscape:
# narrowed below it, the names would wrap on most rows.
LANDSCAPE_ABOVE = 1.08
LANDSCAPE_FROM_COLUMNS = 9
CELL_SIZE = 8.5
HEAD_SIZE = 8.5
CELL_PADDING = 4  # points, left and right of a cell's text
MIN_WRAPPED = 18 * mm  # below this, every column shrinks alike
MEASURED_ROWS = 2000  # a longer list's widths follow its first rows
STRIPE = colors.HexColor("#f2f6f8")

Align = Literal["LEFT", "RIGHT", "CENTER"]


@dataclass(frozen=True)
class ListColumn:
    """One column: its heading, and its weight when the columns must share less room than
    their texts want (`width_mm`, relative)."""

    title: str
    width_mm: float
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


def is_landscape(document: "ListDocument") -> bool:
    """Landscape when the columns, each as wide as its longest text, would be squeezed on a
    portrait page (or there are many of them)."""
    if len(document.columns) >= LANDSCAPE_FROM_COLUMNS:
        return True
    return sum(_natural_widths(document)) > PORTRAIT_WIDTH * LANDSCAPE_ABOVE


def content_width(document: "ListDocument") -> float:
    """The width the table fills, in points."""
    return LANDSCAPE_WIDTH if is_landscape(document) else PORTRAIT_WIDTH


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
    wide = is_landscape(document)
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
        *(Paragraph(escape(line), style["subtitle"]) for line in document.filters),
        Paragraph(f"Imprimée le {french_date(document.printed_on)}", style["subtitle"]),
        Spacer(1, 4 * mm),
        _table(document, content_width(document)),
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
        pagesize=landscape(A4) if wide else A4,
    )


def _natural_widths(document: ListDocument) -> list[float]:
    """Each column as wide as its longest cell on one line, or its heading's longest word."""
    widths = []
    for index, column in enumerate(document.columns):
        words = column.title.split() or [""]
        heading = max(stringWidth(word, FONT_BOLD, HEAD_SIZE) for word in words)
        longest = max(
            (_text_width(row[index]) for row in document.rows[:MEASURED_ROWS]), default=0.0
        )
        widths.append(max(heading, longest) + 2 * CELL_PADDING)
    return widths


def _text_width(text: str) -> float:
    return stringWidth(_one_line(text), FONT_REGULAR, CELL_SIZE)


def _widths(document: ListDocument, width: float) -> list[float]:
    """The columns' widths filling `width`: all at their natural width, the spare room shared
    in proportion; short of room, the columns that do not wrap and those that fit their share
    keep their natural width, and the others (long names, e-mails) share the rest by their
    `width_mm`, and wrap."""
    natural = _natural_widths(document)
    if sum(natural) <= width:
        spare = width - sum(natural)
        return [w + spare * w / sum(natural) for w in natural]
    weights = [max(column.width_mm, 1.0) for column in document.columns]
    squeezed = {i for i, column in enumerate(document.columns) if column.wraps}
    fixed = sum(w for i, w in enumerate(natural) if i not in squeezed)
    if not squeezed or width - fixed < len(squeezed) * MIN_WRAPPED:
        return [w * width / sum(natural) for w in natural]
    while True:
        room = width - sum(natural[i] for i in range(len(natural)) if i not in squeezed)
        total = sum(weights[i] for i in squeezed)
        share = {i: room * weights[i] / total for i in squeezed}
        fitting = {i for i in squeezed if natural[i] <= share[i]}
        if not fitting or fitting == squeezed:
            break
        squeezed -= fitting
    return [share[i] if i in squeezed else natural[i] for i in range(len(natural))]


def _table(document: ListDocument, width: float) -> Table:
    widths = _widths(document, width)
    cell = _CELL_STYLES
    head = [_head_cell(column, cell) for column in document.columns]
    body = [
        [
            _cell(text, column, column_width, cell)
            for text, column, column_width in zip(row, document.columns, widths, strict=True)
        ]
        for row in document.rows
    ]
    table = Table([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTSIZE", (0, 1), (-1, -1), CELL_SIZE),
        ("LEADING", (0, 1), (-1, -1), CELL_SIZE + 2.5),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if body:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]))
    for index, column in enumerate(document.columns):
        commands.append(("ALIGN", (index, 1), (index, -1), column.align))
    table.setStyle(table_style(commands))
    return table


def _make_cell_styles() -> dict[str, ParagraphStyle]:
    base = styles()["cell"]
    head = styles()["head_center"]
    return {
        "LEFT": base,
        "RIGHT": ParagraphStyle("list_right", parent=base, alignment=TA_RIGHT),
        "CENTER": ParagraphStyle("list_center", parent=base, alignment=TA_CENTER),
        "head": ParagraphStyle("list_head", parent=head, fontName=FONT_BOLD, fontSize=HEAD_SIZE),
    }


# Made once: the paragraph cache keeps parsed text per style object (app/pdf/paragraph.py).
_CELL_STYLES = _make_cell_styles()


def _head_cell(column: ListColumn, style: dict[str, ParagraphStyle]) -> Paragraph:
    return Paragraph(escape(column.title), style["head"])


def _cell(text: str, column: ListColumn, width: float, style: dict[str, ParagraphStyle]) -> Any:
    """The text as a plain string when it fits on one line, else a Paragraph that wraps."""
    text = _one_line(text)
    room = width - 2 * CELL_PADDING
    if stringWidth(text, FONT_REGULAR, CELL_SIZE) <= room:
        return text
    return Paragraph(escape(text), style[column.align])


def _one_line(text: str) -> str:
    """Line breaks and runs of spaces as single spaces: a cell is one line of text."""
    return " ".join(str(text).split())
