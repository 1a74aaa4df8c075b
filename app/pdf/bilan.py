"""The orientation summary (bilan d'orientation) as an A4 PDF, built with reportlab platypus.

Every piece of user text is escaped before it reaches a Paragraph, so markup typed in a
comment prints literally. The output is deterministic: the same data gives the same bytes.
"""

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from app.pdf.bilan_data import NO_DECISION, BilanData, CommentLine, CriterionSummary, EventLine
from app.pdf.canvas import DeferredPagesCanvas, a4_document
from app.pdf.fonts import FONT_BOLD, FONT_FAMILY, FONT_ITALIC, FONT_REGULAR, register_fonts
from app.pdf.layout import (
    ACCENT,
    ACCENT_TINT,
    CONTENT_WIDTH,
    INK,
    MARGIN_BOTTOM,
    MARGIN_X,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
)
from app.pdf.output import write_pdf

__all__ = ["DOCUMENT_TITLE", "NO_DECISION", "render_bilan"]

DOCUMENT_TITLE = "Bilan de la période d'orientation"
WEEKS = 6

MARGIN_TOP = 27 * mm  # the bilan's header is one millimetre shorter than the agreements'

# Level label (lower case, straight apostrophe) -> (abbreviation, background). The
# abbreviation carries the meaning; the colour is only a help for the eye.
_LEVELS: dict[str, tuple[str, colors.Color | None]] = {
    "acquis": ("A", colors.HexColor("#d7eedd")),
    "en cours d'acquisition": ("EC", colors.HexColor("#fbebc5")),
    "non acquis": ("NA", colors.HexColor("#f5d3cf")),
    "non observé": ("—", None),
    "": ("", None),
}
LEGEND = (
    "<b>A</b> : acquis · <b>EC</b> : en cours d'acquisition · <b>NA</b> : non acquis · "
    "<b>—</b> : non observé (ce n'est pas une note basse) · case vide : aucune observation "
    "cette semaine."
)
_TRENDS = {
    "en progrès": "↗",
    "stable": "→",
    "en recul": "↘",
    "non observé": "—",
}


def render_bilan(data: BilanData, out: Path | BinaryIO) -> None:
    """Write the bilan d'orientation of `data` as a PDF to `out` (a path, written atomically,
    or a binary file object)."""
    register_fonts()
    write_pdf(out, lambda handle: _build(data, handle))


# --------------------------------------------------------------------------- text helpers


def french_date(day: date | None, missing: str = "non renseignée") -> str:
    """JJ/MM/AAAA, independent of the locale."""
    if day is None:
        return missing
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _text(value: str) -> str:
    """User text made safe for Paragraph markup; line breaks are kept."""
    lines = value.strip().replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(escape(line) for line in lines)


def _or_missing(value: str, missing: str = "Non renseigné") -> str:
    if value.strip():
        return _text(value)
    return f'<font color="#5f6b72"><i>{escape(missing)}</i></font>'


def _level_key(label: str) -> str:
    return label.strip().lower().replace("’", "'")


def _level_cell(label: str) -> tuple[str, colors.Color | None]:
    known = _LEVELS.get(_level_key(label))
    if known is not None:
        return known
    return _text(label), None


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut `text` with an ellipsis so that it fits `width` points (plain canvas text, on one
    line: line breaks and tabs typed in it become spaces)."""
    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _city(cohort_label: str) -> str:
    """The town in brackets at the end of a cohort label: "… — Cobalt (Poitiers)"."""
    match = re.search(r"\(([^()]+)\)\s*$", cohort_label)
    return match.group(1).strip() if match else ""


# --------------------------------------------------------------------------- styles


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base",
        fontName=FONT_REGULAR,
        fontSize=9.5,
        leading=13,
        textColor=INK,
        alignment=TA_LEFT,
    )
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=25, textColor=ACCENT
        ),
        "learner": ParagraphStyle(
            "learner", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19, spaceBefore=2
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=14,
            spaceAfter=2,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=8,
            spaceAfter=2,
        ),
        "label": ParagraphStyle("label", parent=base, fontSize=8.5, leading=13, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=10.5
        ),
        "cell_center": ParagraphStyle(
            "cell_center", parent=base, fontSize=8.5, leading=10.5, alignment=TA_CENTER
        ),
        "head": ParagraphStyle(
            "head",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=8.5,
            leading=10.5,
            textColor=colors.white,
        ),
        "head_center": ParagraphStyle(
            "head_center",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=8.5,
            leading=10.5,
            textColor=colors.white,
            alignment=TA_CENTER,
        ),
        "legend": ParagraphStyle(
            "legend", parent=base, fontSize=8, leading=10.5, textColor=MUTED, spaceBefore=4
        ),
        "meta": ParagraphStyle(
            "meta",
            parent=base,
            fontSize=8.5,
            leading=11,
            textColor=MUTED,
            spaceBefore=7,
        ),
        "comment": ParagraphStyle("comment", parent=base, leftIndent=4 * mm),
        "muted": ParagraphStyle(
            "muted", parent=base, fontName=FONT_ITALIC, textColor=MUTED, spaceBefore=4
        ),
        "decision": ParagraphStyle(
            "decision",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=13,
            leading=17,
            textColor=ACCENT,
        ),
        "signature": ParagraphStyle(
            "signature", parent=base, fontName=FONT_BOLD, fontSize=9, leading=12
        ),
        "signature_hint": ParagraphStyle(
            "signature_hint", parent=base, fontSize=7.5, leading=9.5, textColor=MUTED
        ),
    }


# --------------------------------------------------------------------------- page furniture


def _canvas_maker(data: BilanData) -> Callable[..., Canvas]:
    """A canvas class that delays every page until the end, so the footer knows the total."""
    printed = french_date(data.printed_on)

    class NumberedCanvas(DeferredPagesCanvas):
        printed_on = data.printed_on

        def draw_furniture(self, total: int) -> None:
            self.saveState()
            y = MARGIN_BOTTOM - 9 * mm
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 4 * mm, PAGE_WIDTH - MARGIN_X, y + 4 * mm)
            self.setFont(FONT_REGULAR, 8)
            self.setFillColor(MUTED)
            self.drawString(MARGIN_X, y, f"Imprimé le {printed}")
            self.drawRightString(PAGE_WIDTH - MARGIN_X, y, f"page {self._pageNumber} / {total}")
            self.restoreState()

    return NumberedCanvas


def _header(data: BilanData) -> Callable[[Canvas, Any], None]:
    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - 12 * mm
        half = CONTENT_WIDTH / 2 - 3 * mm
        canvas.setFillColor(ACCENT)
        canvas.setFont(FONT_BOLD, 9)
        canvas.drawString(MARGIN_X, top, _fit(data.organisation, FONT_BOLD, 9, half))
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT_REGULAR, 8.5)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, DOCUMENT_TITLE)
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 8.5)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN_X,
            top - 4.2 * mm,
            _fit(data.learner_name, FONT_BOLD, 8.5, CONTENT_WIDTH),
        )
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        rule_y = top - 7 * mm
        canvas.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)
        canvas.restoreState()

    return draw


# --------------------------------------------------------------------------- sections


def _section(title: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [
        CondPageBreak(30 * mm),
        Paragraph(escape(title), styles["h1"]),
        HRFlowable(
            width="100%", thickness=0.6, color=ACCENT, spaceBefore=0, spaceAfter=6, hAlign="LEFT"
        ),
    ]


def _title_block(data: BilanData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    rows = [
        ("Date de naissance", _text(french_date(data.birth_date))),
        ("Promotion", _or_missing(data.cohort_label, "Non renseignée")),
        ("Période d'orientation", _or_missing(data.period, "Non renseignée")),
    ]
    table = Table(
        [[Paragraph(escape(k), styles["label"]), Paragraph(v, styles["base"])] for k, v in rows],
        colWidths=[42 * mm, CONTENT_WIDTH - 42 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT_TINT),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
                ("TOPPADDING", (0, 0), (-1, 0), 7),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
            ]
        )
    )
    return [
        Paragraph("Bilan d'orientation", styles["title"]),
        Paragraph(_text(data.learner_name), styles["learner"]),
        Spacer(1, 5 * mm),
        table,
    ]


def _criteria_table(
    criteria: Sequence[CriterionSummary], styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    if not criteria:
        return [Paragraph("Aucun critère n'a été évalué.", styles["muted"])]
    head = [
        Paragraph("Code", styles["head"]),
        Paragraph("Critère", styles["head"]),
        *(Paragraph(f"S{n}", styles["head_center"]) for n in range(1, WEEKS + 1)),
        Paragraph("Dernier niveau", styles["head"]),
        Paragraph("Tendance", styles["head"]),
    ]
    rows: list[list[Any]] = [head]
    cell_styles: list[tuple[Any, ...]] = []
    for r, crit in enumerate(criteria, start=1):
        weekly = list(crit.weekly_levels[:WEEKS]) + [""] * (WEEKS - len(crit.weekly_levels))
        week_cells = []
        for w, label in enumerate(weekly):
            text, background = _level_cell(label)
            week_cells.append(Paragraph(text, styles["cell_center"]))
            if background is not None:
                cell_styles.append(("BACKGROUND", (2 + w, r), (2 + w, r), background))
        latest_text = _text(crit.latest_level) if crit.latest_level.strip() else "—"
        _, latest_bg = _level_cell(crit.latest_level)
        if latest_bg is not None:
            cell_styles.append(("BACKGROUND", (2 + WEEKS, r), (2 + WEEKS, r), latest_bg))
        trend = crit.trend.strip()
        arrow = _TRENDS.get(trend.lower(), "")
        trend_text = f"{arrow} {_text(trend)}" if arrow and trend else _text(trend) or "—"
        rows.append(
            [
                Paragraph(_text(crit.code), styles["cell_bold"]),
                Paragraph(_text(crit.label), styles["cell"]),
                *week_cells,
                Paragraph(latest_text, styles["cell"]),
                Paragraph(trend_text, styles["cell"]),
            ]
        )
    week_w = 9 * mm
    code_w, latest_w, trend_w = 12.5 * mm, 25 * mm, 23 * mm
    label_w = CONTENT_WIDTH - code_w - WEEKS * week_w - latest_w - trend_w
    table = Table(
        rows,
        colWidths=[code_w, label_w, *([week_w] * WEEKS), latest_w, trend_w],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (2, 0), (1 + WEEKS, -1), 1),
                ("RIGHTPADDING", (2, 0), (1 + WEEKS, -1), 1),
                *cell_styles,
            ]
        )
    )
    return [table, Paragraph(LEGEND, styles["legend"])]


def _comments(comments: Sequence[CommentLine], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if not comments:
        return [Paragraph("Aucun commentaire pendant la période.", styles["muted"])]
    flow: list[Flowable] = []
    # sorted() is stable: comments of the same day keep the order the services gave.
    for line in sorted(comments, key=lambda c: c.day):
        parts = [f'<font name="{FONT_BOLD}" color="#1f6f8b">{french_date(line.day)}</font>']
        if line.activity.strip():
            parts.append(f'<font color="#1d2327">{_text(line.activity)}</font>')
        if line.author.strip():
            parts.append(_text(line.author))
        # Never leave a date line alone at the foot of a page; keepWithNext would push a
        # long comment whole to the next page instead of splitting it.
        flow.append(CondPageBreak(14 * mm))
        flow.append(Paragraph("  ·  ".join(parts), styles["meta"]))
        flow.append(Paragraph(_or_missing(line.text, "Sans commentaire"), styles["comment"]))
    return flow


def _events(events: Sequence[EventLine], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The events the learner took part in: date, event, place, in a light table."""
    if not events:
        return [Paragraph("Aucune participation à un événement enregistrée.", styles["muted"])]
    head = [Paragraph(text, styles["head"]) for text in ("Date", "Événement", "Lieu")]
    rows: list[list[Any]] = [head]
    for event in sorted(events, key=lambda e: e.day):
        rows.append(
            [
                Paragraph(french_date(event.day), styles["cell"]),
                Paragraph(_text(event.title), styles["cell_bold"]),
                Paragraph(_or_missing(event.place, "Non renseigné"), styles["cell"]),
            ]
        )
    date_w, place_w = 24 * mm, 55 * mm
    table = Table(
        rows,
        colWidths=[date_w, CONTENT_WIDTH - date_w - place_w, place_w],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 1), (-1, -2), 0.4, RULE),
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return [table]


def _key_values(
    rows: Sequence[tuple[str, str]], styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    table = Table(
        [[Paragraph(escape(k), styles["label"]), Paragraph(v, styles["base"])] for k, v in rows],
        colWidths=[42 * mm, CONTENT_WIDTH - 42 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                # The smaller label font sits on the same baseline as the value.
                ("TOPPADDING", (0, 0), (0, -1), 4.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ]
        )
    )
    return [table]


def _project(data: BilanData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flow = _key_values(
        [
            ("Filière visée", _or_missing(data.project_filiere, "Non renseignée")),
            ("Métier visé", _or_missing(data.project_job)),
            ("Statut", _or_missing(data.project_status)),
        ],
        styles,
    )
    flow.append(CondPageBreak(16 * mm))
    flow.append(Paragraph("Étapes réalisées", styles["h2"]))
    flow.append(
        Paragraph(_or_missing(data.project_steps, "Aucune étape renseignée"), styles["base"])
    )
    return flow


def _banner(content: Flowable) -> Flowable:
    """A tinted band with an accent bar on the left, for the decision."""
    table = Table([[content]], colWidths=[CONTENT_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT_TINT),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table


def _decision(data: BilanData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    label = data.decision.strip()
    if not label or _level_key(label) == _level_key(NO_DECISION):
        return [
            _banner(Paragraph(NO_DECISION, styles["decision"])),
            Paragraph(
                "La coordination statuera à l'issue de la période d'orientation, "
                "sur proposition de l'équipe de formation.",
                styles["muted"],
            ),
        ]
    who = data.decided_by.strip()
    when = french_date(data.decided_on, "")
    if who and when:
        decided = f"{_text(who)}, le {when}"
    elif who:
        decided = _text(who)
    elif when:
        decided = f"le {when}"
    else:
        decided = _or_missing("")
    flow: list[Flowable] = [_banner(Paragraph(_text(label), styles["decision"])), Spacer(1, 2 * mm)]
    if data.decision_reopened:
        rows = [
            ("Motif de la réouverture", _or_missing(data.decision_reason)),
            ("Rouverte par", decided),
        ]
    else:
        rows = [
            ("Filière attribuée", _or_missing(data.decision_filiere, "Non renseignée")),
            ("Motif", _or_missing(data.decision_reason)),
            ("Décision prise par", decided),
        ]
    flow += _key_values(rows, styles)
    return flow


def _signatures(data: BilanData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    city = _city(data.cohort_label) or "…………………………"
    flow: list[Flowable] = [
        Paragraph(f"Fait à {_text(city)}, le {french_date(data.printed_on)}", styles["base"]),
        Spacer(1, 4 * mm),
    ]
    names = list(data.signatories)
    if not names:
        return flow
    per_row = min(3, len(names))
    gap = 6 * mm
    box_w = (CONTENT_WIDTH - gap * (per_row - 1)) / per_row
    col_widths: list[float] = []
    for i in range(per_row):
        col_widths += [box_w] if i == 0 else [gap, box_w]
    rows: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
    ]
    for start in range(0, len(names), per_row):
        r = len(rows)
        row: list[Any] = []
        for i, name in enumerate(names[start : start + per_row]):
            if i:
                row.append("")
            col = 2 * i
            row.append(
                [
                    Paragraph(_text(name), styles["signature"]),
                    Paragraph("Signature", styles["signature_hint"]),
                ]
            )
            style.append(("BOX", (col, r), (col, r), 0.6, MUTED))
        row += [""] * (len(col_widths) - len(row))
        rows.append(row)
        if start + per_row < len(names):
            rows.append([""] * len(col_widths))
    heights = [28 * mm if i % 2 == 0 else gap for i in range(len(rows))]
    table = Table(rows, colWidths=col_widths, rowHeights=heights, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    flow.append(table)
    return flow


# --------------------------------------------------------------------------- build


def _story(data: BilanData) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = _title_block(data, styles)
    story += _section("Évaluation des critères, semaine par semaine", styles)
    story += _criteria_table(data.criteria, styles)
    story += _section("Observations des formateurs", styles)
    story += _comments(data.comments, styles)
    story += _section("Événements", styles)
    story += _events(data.events, styles)
    story += _section("Projet professionnel", styles)
    story += _project(data, styles)
    story += _section("Décision de fin d'orientation", styles)
    story += [KeepTogether(_decision(data, styles))]
    story += [Spacer(1, 4 * mm)]
    story += [KeepTogether([*_section("Signatures", styles), *_signatures(data, styles)])]
    return story


def _build(data: BilanData, out: BinaryIO) -> None:
    doc = a4_document(
        out,
        margins=(MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM),
        on_page=_header(data),
        title=f"Bilan d'orientation — {data.learner_name}",
        author=data.organisation,
        subject=DOCUMENT_TITLE,
        font=FONT_FAMILY,
    )
    doc.build(_story(data), canvasmaker=_canvas_maker(data))
