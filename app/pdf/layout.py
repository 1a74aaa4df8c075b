"""The look shared by the agreement documents (convention, avenant, attestation, fiche
d'évaluation): colours, margins, paragraph styles, the page header and footer, and the
building blocks every one of them prints (key/value tables, party blocks, signature boxes).

Every helper that takes user text escapes it, so markup typed by a user prints literally.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from app.pdf.canvas import DeferredPagesCanvas, a4_document
from app.pdf.convention_data import ConventionData
from app.pdf.fonts import FONT_BOLD, FONT_FAMILY, FONT_ITALIC, FONT_REGULAR
from app.pdf.images import ImageFile, draw_image, read_image
from app.pdf.paragraph import Paragraph
from app.pdf.quantities import format_days, format_hours

__all__ = [
    "ACCENT",
    "ACCENT_TINT",
    "BLANK",
    "CONTENT_WIDTH",
    "INK",
    "MUTED",
    "RULE",
    "WATERMARK",
    "PageFurniture",
    "SignatureBox",
    "agreement_furniture",
    "boxed_table",
    "build_pdf",
    "escape_text",
    "fit_text",
    "format_days",
    "format_hours",
    "french_date",
    "key_values",
    "or_blank",
    "party_block",
    "section_heading",
    "signature_grid",
    "styles",
    "summary_box",
    "table_style",
    "write_in_box",
]

ACCENT = colors.HexColor("#1f6f8b")
ACCENT_TINT = colors.HexColor("#e8f1f4")
INK = colors.HexColor("#1d2327")
MUTED = colors.HexColor("#5f6b72")
RULE = colors.HexColor("#c3ced3")
WATERMARK = colors.HexColor("#eef1f3")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 28 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LABEL_WIDTH = 46 * mm
LOGO_HEIGHT = 11 * mm
LOGO_MAX_WIDTH = 30 * mm

BLANK = "…………………"
SIGNATURE_HINT = "Date et signature, précédées de « Lu et approuvé »"


# --------------------------------------------------------------------------- text helpers


def french_date(day: date | None, missing: str = "non renseignée") -> str:
    """JJ/MM/AAAA, independent of the locale."""
    if day is None:
        return missing
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def escape_text(value: str) -> str:
    """User text made safe for Paragraph markup; line breaks are kept."""
    lines = value.strip().replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(escape(line) for line in lines)


def or_blank(value: str) -> str:
    """The escaped text, or a grey blank to fill in by hand."""
    if value.strip():
        return escape_text(value)
    return f'<font color="#5f6b72">{BLANK}</font>'


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with an ellipsis so that it fits `width` points (plain canvas text, on one
    line: line breaks and tabs typed in it become spaces)."""
    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --------------------------------------------------------------------------- styles


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the agreement documents, by name. The styles are shared by
    every document (a parsed paragraph is kept per style object): never change one, derive a
    new ParagraphStyle from it."""
    return dict(_STYLES)


def _make_styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=FONT_REGULAR, fontSize=9, leading=12.5, textColor=INK, alignment=TA_LEFT
    )

    def derive(name: str, **kwargs: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kwargs)

    return {
        "base": base,
        # Justified; a paragraph split by a page never leaves its last line alone on the next.
        "clause": derive("clause", alignment=4, spaceAfter=4, allowWidows=0),
        "bullet": derive(
            "bullet",
            alignment=4,
            leftIndent=5 * mm,
            bulletIndent=1.5 * mm,
            bulletFontName=FONT_REGULAR,
            allowWidows=0,
        ),
        "title": derive(
            "title",
            fontName=FONT_BOLD,
            fontSize=17,
            leading=21,
            textColor=ACCENT,
            alignment=TA_CENTER,
        ),
        "subtitle": derive("subtitle", fontSize=9, textColor=MUTED, alignment=TA_CENTER),
        "number": derive(
            "number", fontName=FONT_BOLD, fontSize=11, leading=15, alignment=TA_CENTER
        ),
        "draft": derive(
            "draft",
            fontName=FONT_BOLD,
            fontSize=11,
            leading=15,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#b3261e"),
        ),
        "h1": derive(
            "h1",
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=1,
            keepWithNext=1,
        ),
        "h2": derive("h2", fontName=FONT_BOLD, fontSize=9.5, spaceBefore=6, spaceAfter=2),
        "annex_title": derive(
            "annex_title", fontName=FONT_BOLD, fontSize=16, leading=20, textColor=ACCENT
        ),
        "label": derive("label", fontSize=8, leading=11, textColor=MUTED),
        "cell": derive("cell", fontSize=8.5, leading=11),
        "cell_bold": derive("cell_bold", fontName=FONT_BOLD, fontSize=8.5, leading=11),
        "cell_center": derive("cell_center", fontSize=8.5, leading=11, alignment=TA_CENTER),
        "party": derive(
            "party", fontName=FONT_BOLD, fontSize=9, leading=12, textColor=colors.white
        ),
        "head_center": derive(
            "head_center",
            fontName=FONT_BOLD,
            fontSize=8.5,
            leading=11,
            textColor=colors.white,
            alignment=TA_CENTER,
        ),
        "note": derive("note", fontName=FONT_ITALIC, fontSize=8, leading=10.5, textColor=MUTED),
        "sign_role": derive("sign_role", fontName=FONT_BOLD, fontSize=8.5, leading=11),
        "sign_name": derive("sign_name", fontSize=8.5, leading=11),
        "sign_hint": derive("sign_hint", fontSize=7, leading=9, textColor=MUTED),
    }


_STYLES = _make_styles()


def table_style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """reportlab's TableStyle, always with the embedded font (never Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR), *commands])


# --------------------------------------------------------------------------- page furniture


@dataclass(frozen=True)
class PageFurniture:
    """What the header and the footer of every page show."""

    organisation_name: str
    organisation_address: str
    logo_path: str  # "" or a missing file: no logo
    label: str  # right of the header: "Convention de stage n° FAB-2026-0003"
    footer_left: str  # "Mme Léa DUPONT — Atelier Vélo Solidaire"
    printed_line: str  # "Imprimée le 28/11/2026"
    printed_on: date
    initials_box: bool = True  # "Paraphes :" box, for documents signed by several parties
    # False for letters printed in series (one page per person): no "page 3 / 12" on them.
    page_numbers: bool = True


def agreement_furniture(
    data: ConventionData, label: str, *, printed: str = "Imprimée", initials_box: bool = True
) -> PageFurniture:
    """Header and footer of every page of a document about this agreement; `printed` agrees
    with the document ("Imprimé" for an avenant)."""
    org = data.organisation
    return PageFurniture(
        organisation_name=org.name,
        organisation_address=org.address,
        logo_path=org.logo_path,
        label=label,
        footer_left=f"{data.trainee.name} — {data.host.name}",
        printed_line=f"{printed} le {french_date(data.printed_on)}",
        printed_on=data.printed_on,
        initials_box=initials_box,
    )


def _logo(path: str) -> ImageFile | None:
    """The logo file's bytes, read once for the document; None without a readable file."""
    logo = Path(path) if path.strip() else None
    return read_image(logo) if logo is not None and logo.is_file() else None


def _drawn_width(pixels: tuple[float, float]) -> float:
    """The width of an image of this size once fitted in the logo's box."""
    width, height = pixels
    if width <= 0 or height <= 0:
        return LOGO_MAX_WIDTH
    return min(LOGO_MAX_WIDTH, LOGO_HEIGHT * width / height)


def _furniture_canvas(
    furniture: PageFurniture, pagesize: tuple[float, float] = A4
) -> Callable[..., Canvas]:
    """A canvas that delays every page until the end, so the header knows the page count."""
    logo = _logo(furniture.logo_path)
    page_width, page_height = pagesize
    content_width = page_width - 2 * MARGIN_X

    class FurnishedCanvas(DeferredPagesCanvas):
        printed_on = furniture.printed_on

        def draw_furniture(self, total: int) -> None:
            self.saveState()
            self._draw_header(total)
            self._draw_footer()
            self.restoreState()

        def _draw_logo(self, top: float) -> float:
            """The logo left of the organisation's name; the x where the name starts."""
            if logo is None:
                return MARGIN_X
            try:
                pixels = draw_image(
                    self,
                    logo,
                    MARGIN_X,
                    top - LOGO_HEIGHT + 3.5 * mm,
                    width=LOGO_MAX_WIDTH,
                    height=LOGO_HEIGHT,
                    anchor="w",
                )
            except Exception:  # an unreadable logo must never prevent printing
                return MARGIN_X
            return MARGIN_X + _drawn_width(pixels) + 3 * mm

        def _draw_header(self, total: int) -> None:
            top = page_height - 13 * mm
            right = page_width - MARGIN_X
            x = self._draw_logo(top)
            half = right - x - 75 * mm
            self.setFillColor(ACCENT)
            self.setFont(FONT_BOLD, 9.5)
            self.drawString(x, top, fit_text(furniture.organisation_name, FONT_BOLD, 9.5, half))
            self.setFillColor(MUTED)
            self.setFont(FONT_REGULAR, 7.5)
            address = fit_text(furniture.organisation_address, FONT_REGULAR, 7.5, half)
            self.drawString(x, top - 4 * mm, address)
            self.setFillColor(INK)
            self.setFont(FONT_BOLD, 9)
            self.drawRightString(right, top, furniture.label)
            self.setFillColor(MUTED)
            self.setFont(FONT_REGULAR, 8)
            if furniture.page_numbers:
                self.drawRightString(right, top - 4 * mm, f"page {self._pageNumber} / {total}")
            self.setStrokeColor(ACCENT)
            self.setLineWidth(1.2)
            rule_y = top - 7 * mm
            self.line(MARGIN_X, rule_y, right, rule_y)

        def _draw_footer(self) -> None:
            """What the page belongs to, and room for the initials of the parties."""
            right = page_width - MARGIN_X
            y = MARGIN_BOTTOM - 10 * mm
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 4.5 * mm, right, y + 4.5 * mm)
            self.setFont(FONT_REGULAR, 7.5)
            self.setFillColor(MUTED)
            left = fit_text(furniture.footer_left, FONT_REGULAR, 7.5, content_width / 2)
            self.drawString(MARGIN_X, y, left)
            self.drawString(MARGIN_X, y - 3.5 * mm, furniture.printed_line)
            if furniture.initials_box:
                self.drawRightString(right - 42 * mm, y, "Paraphes :")
                self.rect(right - 40 * mm, y - 4 * mm, 40 * mm, 7.5 * mm, stroke=1, fill=0)

    return FurnishedCanvas


def build_pdf(
    out: BinaryIO,
    furniture: PageFurniture,
    story: list[Flowable],
    *,
    title: str,
    subject: str,
    on_page: Callable[[Canvas, Any], None] | None = None,
    pagesize: tuple[float, float] = A4,
) -> None:
    """Lay `story` out on A4 pages (portrait unless `pagesize` is landscape(A4)) with the
    shared margins, header and footer."""
    doc = a4_document(
        out,
        margins=(MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM),
        on_page=on_page or (lambda _canvas, _doc: None),
        title=title,
        author=furniture.organisation_name,
        subject=subject,
        font=FONT_FAMILY,
        pagesize=pagesize,
    )
    doc.build(story, canvasmaker=_furniture_canvas(furniture, pagesize))


# --------------------------------------------------------------------------- building blocks


def section_heading(title_markup: str, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    """A page break if little room is left, then the heading and its rule (kept together
    with what follows by the caller)."""
    return [
        CondPageBreak(35 * mm),
        Paragraph(title_markup, style["h1"]),
        HRFlowable(width="100%", thickness=0.6, color=ACCENT, spaceBefore=0, spaceAfter=4),
    ]


def key_values(
    rows: Sequence[tuple[str, str]],
    style: dict[str, ParagraphStyle],
    label_width: float = LABEL_WIDTH,
    width: float = CONTENT_WIDTH,
) -> Table:
    """Label (plain text, escaped here) and value (markup, escaped by the caller) rows."""
    table = Table(
        [[Paragraph(escape(k), style["label"]), Paragraph(v, style["cell"])] for k, v in rows],
        colWidths=[label_width, width - label_width],
        hAlign="LEFT",
    )
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("TOPPADDING", (0, 0), (0, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def summary_box(
    rows: Sequence[tuple[str, str]], style: dict[str, ParagraphStyle], label_width: float = 36 * mm
) -> Table:
    """The tinted summary under a document's title (who, where, when)."""
    summary = key_values(rows, style, label_width=label_width)
    summary.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT_TINT),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, ACCENT),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.white),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return summary


def party_block(
    heading: str,
    rows: Sequence[tuple[str, str]],
    style: dict[str, ParagraphStyle],
    called: str = "",
) -> list[Flowable]:
    """A coloured heading over a tinted key/value table; `called` is the "ci-après" name."""
    head = Table([[Paragraph(escape(heading), style["party"])]], colWidths=[CONTENT_WIDTH])
    head.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    body = key_values(rows, style)
    body.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT_TINT),
                ("BOX", (0, 0), (-1, -1), 0.6, ACCENT),
            ]
        )
    )
    flow: list[Flowable] = [head, body]
    if called:
        flow.append(Paragraph(f"ci-après dénommé(e) « {escape(called)} »", style["note"]))
    flow.append(Spacer(1, 3 * mm))
    return [KeepTogether(flow)]


def boxed_table(rows: list[list[Any]], col_widths: Sequence[float], **kwargs: Any) -> Table:
    """A table with a coloured head row, a light grid and the accent border."""
    table = Table(rows, colWidths=list(col_widths), hAlign="LEFT", **kwargs)
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def write_in_box(height: float, style: dict[str, ParagraphStyle], hint: str = "") -> Table:
    """An empty framed area to write in by hand, with an optional grey hint at its top."""
    content: Any = Paragraph(escape(hint), style["sign_hint"]) if hint else ""
    table = Table([[content]], colWidths=[CONTENT_WIDTH], rowHeights=[height], hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, MUTED),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


@dataclass(frozen=True)
class SignatureBox:
    role: str  # "Pour l'organisme de formation"
    name: str  # "" prints a blank to fill in
    detail: str = ""  # function, or the organisation of a referent
    hint: str = SIGNATURE_HINT
    signed: str = ""  # on a copy: "Signé le 04/05/2026", printed instead of a place to sign


def signature_grid(
    boxes: Sequence[SignatureBox], style: dict[str, ParagraphStyle], height: float = 36 * mm
) -> Table:
    """Signature boxes two by two, in the given order."""
    gap = 6 * mm
    box_w = (CONTENT_WIDTH - gap) / 2
    rows: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
    ]
    for start in range(0, len(boxes), 2):
        r = len(rows)
        row: list[Any] = []
        for i, box in enumerate(boxes[start : start + 2]):
            if i:
                row.append("")
            cell: list[Flowable] = [
                Paragraph(escape(box.role), style["sign_role"]),
                Paragraph(or_blank(box.name), style["sign_name"]),
            ]
            if box.detail.strip():
                cell.append(Paragraph(escape_text(box.detail), style["sign_hint"]))
            if box.signed:
                cell.append(Spacer(1, 1.5 * mm))
                cell.append(Paragraph(f"<b>{escape(box.signed)}</b>", style["sign_name"]))
            if box.hint:
                cell.append(Spacer(1, 1 * mm))
                cell.append(Paragraph(escape(box.hint), style["sign_hint"]))
            row.append(cell)
            commands.append(("BOX", (2 * i, r), (2 * i, r), 0.6, MUTED))
        row += [""] * (3 - len(row))
        rows.append(row)
        rows.append(["", "", ""])
    heights = [height if i % 2 == 0 else 4 * mm for i in range(len(rows))]
    table = Table(rows, colWidths=[box_w, gap, box_w], rowHeights=heights, hAlign="LEFT")
    table.setStyle(table_style(commands))
    return table
