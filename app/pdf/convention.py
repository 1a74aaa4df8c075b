"""The internship agreement (convention de stage en milieu professionnel) as an A4 PDF.

The article texts come from an editable resource file (resources/clauses/convention.md); the
parties, dates, supervision, insurance, indemnity and signature blocks are built from
`ConventionData`. Every piece of user text, clause templates included, is escaped before it
reaches a Paragraph, so markup prints literally. The same data gives the same bytes.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
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
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from app.pdf.bilan import french_date
from app.pdf.canvas import DeferredPagesCanvas, a4_document, write_pdf
from app.pdf.convention_data import ConventionData
from app.pdf.fonts import FONT_BOLD, FONT_FAMILY, FONT_ITALIC, FONT_REGULAR, register_fonts

__all__ = [
    "ANNEX_TITLE",
    "CLAUSES_PATH",
    "DOCUMENT_TITLE",
    "DRAFT_MENTION",
    "SECTION_TITLES",
    "Clause",
    "fill_placeholders",
    "format_hours",
    "parse_clauses",
    "placeholder_values",
    "render_convention",
]

CLAUSES_PATH = Path(__file__).resolve().parents[2] / "resources" / "clauses" / "convention.md"
DOCUMENT_TITLE = "Convention de stage en milieu professionnel"
ANNEX_TITLE = "Annexe pédagogique"
DRAFT_MENTION = "PROJET — non numérotée"
DATA_MARKER = "{{donnees}}"
BLANK = "…………………"
COPIES = 3

# Titles used when the clause file lacks an article (the articles of agreements.md).
SECTION_TITLES: dict[int, str] = {
    1: "Parties",
    2: "Objet",
    3: "Objectifs, activités et compétences",
    4: "Dates et durée",
    5: "Lieu",
    6: "Encadrement",
    7: "Statut et protection sociale",
    8: "Responsabilité civile et assurance",
    9: "Indemnité et avantages",
    10: "Règlement intérieur et discipline",
    11: "Absences et congés",
    12: "Rupture",
    13: "Confidentialité et propriété intellectuelle",
    14: "Fin du stage",
    15: "Données personnelles",
    16: "Signatures",
}

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

_UNITS = {
    "heure": "par heure de présence effective",
    "mois": "par mois de stage",
    "forfait": "forfait pour l'ensemble du stage",
}


def render_convention(
    data: ConventionData, out: Path | BinaryIO, clauses_path: Path | None = None
) -> None:
    """Write the agreement of `data` as a PDF to `out` (a path, written atomically, or a
    binary file object); the article texts are read from `clauses_path` (default: the
    resource file)."""
    register_fonts()
    clauses = parse_clauses((clauses_path or CLAUSES_PATH).read_text(encoding="utf-8"))
    write_pdf(out, lambda handle: _build(data, clauses, handle))


# --------------------------------------------------------------------------- clauses


@dataclass(frozen=True)
class Clause:
    number: int
    title: str
    # ("p", text), ("li", text) or ("data", ""): raw template text, not yet escaped.
    blocks: tuple[tuple[str, str], ...]


_HEADING = re.compile(r"^##\s+(\d+)\s*[.)]?\s*(.*?)\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.]*)\}")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def parse_clauses(text: str) -> dict[int, Clause]:
    """Articles of the clause file: "## N. Titre" headings followed by paragraphs; a line
    starting with "- " is a bullet, "{{donnees}}" marks where the article's table goes."""
    text = _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    result: dict[int, Clause] = {}
    number: int | None = None
    title = ""
    blocks: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(("p", " ".join(paragraph)))
            paragraph.clear()

    def flush_clause() -> None:
        flush_paragraph()
        if number is not None and number not in result:
            result[number] = Clause(number, title or SECTION_TITLES.get(number, ""), tuple(blocks))
        blocks.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        heading = _HEADING.match(line)
        if heading:
            flush_clause()
            number, title = int(heading.group(1)), heading.group(2)
            continue
        if number is None:
            continue
        if not line:
            flush_paragraph()
        elif line == DATA_MARKER:
            flush_paragraph()
            blocks.append(("data", ""))
        elif line.startswith(("- ", "* ")):
            flush_paragraph()
            blocks.append(("li", line[2:].strip()))
        else:
            paragraph.append(line)
    flush_clause()
    return result


def fill_placeholders(template: str, values: Mapping[str, str]) -> str:
    """Paragraph markup for a clause template: the template and the values are escaped,
    **bold** becomes bold, an empty value prints as a blank to fill in by hand and an
    unknown placeholder stays visible between square brackets."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return f"[{name}]"
        value = values[name].strip()
        return _text(value) if value else BLANK

    filled = _PLACEHOLDER.sub(replace, escape(template))
    return _BOLD.sub(r"<b>\1</b>", filled)


def placeholder_values(data: ConventionData) -> dict[str, str]:
    org, host, trainee = data.organisation, data.host, data.trainee
    return {
        "organisme.nom": org.name,
        "organisme.adresse": org.address,
        "organisme.directeur": org.director_name,
        "organisme.fonction_directeur": org.director_function,
        "organisme.ville": org.signing_city,
        "structure.nom": host.name,
        "structure.adresse": host.address,
        "structure.representant": host.representative_name,
        "stagiaire.nom": trainee.name,
        "stage.filiere": data.filiere,
        "stage.site": data.site,
        "stage.saison": data.season,
        "stage.date_debut": french_date(data.start),
        "stage.date_fin": french_date(data.end),
        "stage.heures": format_hours(data.hours_total),
        "stage.jours": _days(data.days_total),
        "stage.heures_semaine": format_hours(data.hours_per_week),
        "stage.lieu": data.place or host.address,
        "tuteur.nom": data.tutor_name,
        "referent.nom": data.referent,
        "convention.numero": data.number or DRAFT_MENTION,
    }


# --------------------------------------------------------------------------- text helpers


def _text(value: str) -> str:
    """User text made safe for Paragraph markup; line breaks are kept."""
    lines = value.strip().replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br/>".join(escape(line) for line in lines)


def _or_blank(value: str) -> str:
    if value.strip():
        return _text(value)
    return f'<font color="#5f6b72">{BLANK}</font>'


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def format_hours(value: float) -> str:
    """308 → "308 h", 7.5 → "7,5 h"."""
    return f"{_number(value)} h"


def _days(value: float) -> str:
    return f"{_number(value)} jour" + ("s" if value >= 2 else "")


def _amount(value: Decimal) -> str:
    whole, _, cents = f"{value:.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{' '.join(groups)},{cents} €"


def _yes_no(value: bool) -> str:
    return "autorisée" if value else "non"


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _number_label(data: ConventionData) -> str:
    if data.number:
        return f"Convention de stage n° {data.number}"
    return f"Convention de stage — {DRAFT_MENTION}"


# --------------------------------------------------------------------------- styles


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=FONT_REGULAR, fontSize=9, leading=12.5, textColor=INK, alignment=TA_LEFT
    )

    def derive(name: str, **kwargs: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kwargs)

    return {
        "base": base,
        "clause": derive("clause", alignment=4, spaceAfter=4),  # justified
        "bullet": derive(
            "bullet",
            alignment=4,
            leftIndent=5 * mm,
            bulletIndent=1.5 * mm,
            bulletFontName=FONT_REGULAR,
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


# --------------------------------------------------------------------------- page furniture


def _canvas_maker(data: ConventionData) -> Callable[..., Canvas]:
    """A canvas that delays every page until the end, so the header knows the page count."""
    logo = Path(data.organisation.logo_path) if data.organisation.logo_path.strip() else None
    if logo is not None and not logo.is_file():
        logo = None
    number_label = _number_label(data)
    footer_left = f"{data.trainee.name} — {data.host.name}"
    printed = f"Imprimée le {french_date(data.printed_on)}"

    class NumberedCanvas(DeferredPagesCanvas):
        printed_on = data.printed_on

        def draw_furniture(self, total: int) -> None:
            self.saveState()
            top = PAGE_HEIGHT - 13 * mm
            right = PAGE_WIDTH - MARGIN_X
            x = MARGIN_X
            if logo is not None:
                try:
                    drawn = self.drawImage(
                        str(logo),
                        MARGIN_X,
                        top - LOGO_HEIGHT + 3.5 * mm,
                        width=LOGO_MAX_WIDTH,
                        height=LOGO_HEIGHT,
                        preserveAspectRatio=True,
                        anchor="w",
                        mask="auto",
                    )
                    x += (drawn[0] if drawn else LOGO_MAX_WIDTH) + 3 * mm
                except Exception:  # an unreadable logo must never prevent printing
                    x = MARGIN_X
            half = right - x - 75 * mm
            self.setFillColor(ACCENT)
            self.setFont(FONT_BOLD, 9.5)
            self.drawString(x, top, _fit(data.organisation.name, FONT_BOLD, 9.5, half))
            self.setFillColor(MUTED)
            self.setFont(FONT_REGULAR, 7.5)
            self.drawString(
                x, top - 4 * mm, _fit(data.organisation.address, FONT_REGULAR, 7.5, half)
            )
            self.setFillColor(INK)
            self.setFont(FONT_BOLD, 9)
            self.drawRightString(right, top, number_label)
            self.setFillColor(MUTED)
            self.setFont(FONT_REGULAR, 8)
            self.drawRightString(right, top - 4 * mm, f"page {self._pageNumber} / {total}")
            self.setStrokeColor(ACCENT)
            self.setLineWidth(1.2)
            rule_y = top - 7 * mm
            self.line(MARGIN_X, rule_y, right, rule_y)
            # Footer: what the page belongs to, and room for the initials of the parties.
            y = MARGIN_BOTTOM - 10 * mm
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 4.5 * mm, right, y + 4.5 * mm)
            self.setFont(FONT_REGULAR, 7.5)
            self.setFillColor(MUTED)
            self.drawString(MARGIN_X, y, _fit(footer_left, FONT_REGULAR, 7.5, CONTENT_WIDTH / 2))
            self.drawString(MARGIN_X, y - 3.5 * mm, printed)
            self.drawRightString(right - 42 * mm, y, "Paraphes :")
            self.rect(right - 40 * mm, y - 4 * mm, 40 * mm, 7.5 * mm, stroke=1, fill=0)
            self.restoreState()

    return NumberedCanvas


def _watermark(data: ConventionData) -> Callable[[Canvas, Any], None]:
    """Drawn before the page content: a draft says so across every page."""

    def draw(canvas: Canvas, _doc: Any) -> None:
        if data.number:
            return
        canvas.saveState()
        canvas.setFillColor(WATERMARK)
        canvas.setFont(FONT_BOLD, 54)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, 0, DRAFT_MENTION)
        canvas.restoreState()

    return draw


# --------------------------------------------------------------------------- building blocks


def _key_values(
    rows: Sequence[tuple[str, str]],
    styles: dict[str, ParagraphStyle],
    label_width: float = LABEL_WIDTH,
    width: float = CONTENT_WIDTH,
) -> Table:
    table = Table(
        [[Paragraph(escape(k), styles["label"]), Paragraph(v, styles["cell"])] for k, v in rows],
        colWidths=[label_width, width - label_width],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
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


def _party(
    heading: str, rows: Sequence[tuple[str, str]], called: str, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    head = Table([[Paragraph(escape(heading), styles["party"])]], colWidths=[CONTENT_WIDTH])
    head.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    body = _key_values(rows, styles)
    body.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT_TINT),
                ("BOX", (0, 0), (-1, -1), 0.6, ACCENT),
            ]
        )
    )
    return [
        KeepTogether(
            [
                head,
                body,
                Paragraph(f"ci-après dénommé(e) « {escape(called)} »", styles["note"]),
                Spacer(1, 3 * mm),
            ]
        )
    ]


def _parties(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    org, host, trainee = data.organisation, data.host, data.trainee
    flow = _party(
        "L'organisme de formation",
        [
            ("Raison sociale", f"<b>{_or_blank(org.name)}</b>"),
            ("Adresse", _or_blank(org.address)),
            ("SIRET", _or_blank(org.siret)),
            ("N° de déclaration d'activité", _or_blank(org.activity_declaration)),
            ("Représenté par", _signer(org.director_name, org.director_function)),
        ],
        "l'organisme de formation",
        styles,
    )
    flow += _party(
        "La structure d'accueil",
        [
            ("Raison sociale", f"<b>{_or_blank(host.name)}</b>"),
            ("Forme juridique", _or_blank(host.legal_form)),
            (host.identifier_label or "SIRET / RNA", _or_blank(host.identifier)),
            ("Code NAF", _or_blank(host.naf_code)),
            ("Effectif", _or_blank(host.headcount_band)),
            ("Adresse", _or_blank(host.address)),
            ("Représentée par", _signer(host.representative_name, host.representative_function)),
        ],
        "la structure d'accueil",
        styles,
    )
    trainee_rows = [
        ("Nom et prénom", f"<b>{_or_blank(trainee.name)}</b>"),
        ("Date de naissance", _or_blank(french_date(trainee.birth_date, ""))),
        ("Adresse", _or_blank(trainee.address)),
        ("Téléphone", _or_blank(trainee.phone)),
        ("Courriel", _or_blank(trainee.email)),
        (
            "Statut",
            "Stagiaire de la formation professionnelle continue (art. L6342-1 du Code du travail)",
        ),
    ]
    if trainee.is_minor or trainee.legal_representative.strip():
        trainee_rows.append(
            ("Représentant légal (stagiaire mineur)", _or_blank(trainee.legal_representative))
        )
    flow += _party("Le stagiaire", trainee_rows, "le stagiaire", styles)
    return flow


def _signer(name: str, function: str) -> str:
    if name.strip() and function.strip():
        return f"{_text(name)}, {_text(function)}"
    if name.strip():
        return _text(name)
    return f"{_or_blank('')}, en qualité de {_or_blank(function)}"


def _activities(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [
        Paragraph("Activités confiées", styles["h2"]),
        Paragraph(_or_blank(data.activities), styles["clause"]),
        Paragraph("Compétences à développer", styles["h2"]),
        Paragraph(_or_blank(data.competences), styles["clause"]),
    ]


def _interruptions(data: ConventionData) -> str:
    if not data.interruptions:
        return "aucune"
    return "<br/>".join(
        f"du {french_date(a)} au {french_date(b)} inclus" for a, b in data.interruptions
    )


def _week_table(data: ConventionData, styles: dict[str, ParagraphStyle]) -> Table:
    """The seven days side by side with the hours of presence."""
    head = [Paragraph(escape(day.capitalize()), styles["head_center"]) for day, _ in data.schedule]
    hours = [
        Paragraph(format_hours(h) if h > 0 else "—", styles["cell_center"])
        for _, h in data.schedule
    ]
    width = CONTENT_WIDTH / max(1, len(data.schedule))
    table = Table([head, hours], colWidths=[width] * len(data.schedule), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _dates(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    total = (
        f"<b>{format_hours(data.hours_total)}</b> de présence effective, "
        f"soit <b>{_days(data.days_total)}</b> (base 7 h = 1 jour)"
    )
    if abs(data.days_total - data.presence_days) > 1e-9:
        total += f", répartis sur {data.presence_days} jours de présence"
    rows = [
        (
            "Période",
            f"du <b>{french_date(data.start)}</b> au <b>{french_date(data.end)}</b> inclus",
        ),
        ("Interruptions", _interruptions(data)),
        ("Durée totale", total),
        (
            "Durée hebdomadaire",
            f"{format_hours(data.hours_per_week)} sur {data.days_per_week} "
            f"jour{'s' if data.days_per_week > 1 else ''}",
        ),
        (
            "Présence exceptionnelle",
            f"de nuit : {_yes_no(data.night_allowed)} · le dimanche : "
            f"{_yes_no(data.sunday_allowed)} · les jours fériés : {_yes_no(data.holiday_allowed)}",
        ),
    ]
    return [
        _key_values(rows, styles),
        Spacer(1, 2.5 * mm),
        Paragraph("Horaires de présence hebdomadaires", styles["label"]),
        Spacer(1, 1 * mm),
        _week_table(data, styles),
        Spacer(1, 3 * mm),
    ]


def _place(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if data.place.strip():
        text = f"Le stage se déroule à l'adresse suivante : <b>{_text(data.place)}</b>."
    else:
        text = (
            "Le stage se déroule dans les locaux de la structure d'accueil : "
            f"<b>{_or_blank(data.host.address)}</b>."
        )
    return [Paragraph(text, styles["clause"])]


def _supervision(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    half = (CONTENT_WIDTH - 4 * mm) / 2
    tutor = _key_values(
        [
            ("Nom", f"<b>{_or_blank(data.tutor_name)}</b>"),
            ("Fonction", _or_blank(data.tutor_function)),
            ("Téléphone", _or_blank(data.tutor_phone)),
            ("Courriel", _or_blank(data.tutor_email)),
        ],
        styles,
        label_width=20 * mm,
        width=half,
    )
    referent = _key_values(
        [
            ("Nom", f"<b>{_or_blank(data.referent)}</b>"),
            ("Organisme", _or_blank(data.organisation.name)),
            ("Suivi", "appels réguliers et visite sur le lieu du stage"),
        ],
        styles,
        label_width=20 * mm,
        width=half,
    )
    table = Table(
        [
            [
                Paragraph("Tuteur (structure d'accueil)", styles["party"]),
                "",
                Paragraph("Formateur référent (organisme de formation)", styles["party"]),
            ],
            [tutor, "", referent],
        ],
        colWidths=[half, 4 * mm, half],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (0, 0), (0, 0), ACCENT),
                ("BACKGROUND", (2, 0), (2, 0), ACCENT),
                ("BOX", (0, 0), (0, 1), 0.6, ACCENT),
                ("BOX", (2, 0), (2, 1), 0.6, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 1), (-1, 1), 0),
                ("RIGHTPADDING", (0, 1), (-1, 1), 0),
                ("LEFTPADDING", (0, 0), (-1, 0), 6),
                ("TOPPADDING", (0, 0), (-1, 0), 3),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
            ]
        )
    )
    return [table, Spacer(1, 3 * mm)]


def _insurance(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    org, host = data.organisation, data.host
    rows = [
        [
            Paragraph("", styles["cell"]),
            Paragraph("Assureur", styles["party"]),
            Paragraph("N° de police", styles["party"]),
        ],
        [
            Paragraph("Organisme de formation", styles["cell_bold"]),
            Paragraph(_or_blank(org.insurer), styles["cell"]),
            Paragraph(_or_blank(org.policy_number), styles["cell"]),
        ],
        [
            Paragraph("Structure d'accueil", styles["cell_bold"]),
            Paragraph(_or_blank(host.insurer), styles["cell"]),
            Paragraph(_or_blank(host.policy_number), styles["cell"]),
        ],
    ]
    table = Table(rows, colWidths=[50 * mm, 70 * mm, CONTENT_WIDTH - 120 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (1, 0), (-1, 0), ACCENT),
                ("GRID", (0, 1), (-1, -1), 0.4, RULE),
                ("BOX", (0, 1), (-1, -1), 0.8, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [table, Spacer(1, 3 * mm)]


def _indemnity(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    amount = data.indemnity_amount
    if amount is None or amount <= 0:
        paid = "<b>Aucune indemnité</b> n'est versée au stagiaire."
    else:
        unit = _UNITS.get(data.indemnity_unit.strip().lower(), _text(data.indemnity_unit))
        paid = (
            f"<b>{_amount(amount)}</b> {unit}, soumise aux cotisations sociales dès le premier "
            f"euro ; mode de versement : {_or_blank(data.indemnity_payment_mode)}"
        )
    rows = [
        ("Indemnité", paid),
        (
            "Avantages (repas, transport, autres)",
            _text(data.benefits) if data.benefits.strip() else "aucun",
        ),
    ]
    return [_key_values(rows, styles), Spacer(1, 3 * mm)]


def _signature_boxes(data: ConventionData) -> list[tuple[str, str, str]]:
    """(role, name, function) of every signatory, in the printed order."""
    org, host, trainee = data.organisation, data.host, data.trainee
    boxes = [
        ("Pour l'organisme de formation", org.director_name, org.director_function),
        ("Pour la structure d'accueil", host.representative_name, host.representative_function),
        ("Le stagiaire", trainee.name, ""),
    ]
    if trainee.is_minor or trainee.legal_representative.strip():
        boxes.append(("Le représentant légal du stagiaire", trainee.legal_representative, ""))
    boxes += [
        ("Le tuteur", data.tutor_name, data.tutor_function),
        ("Le formateur référent", data.referent, org.name),
    ]
    return boxes


def _signatures(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    city = data.organisation.signing_city.strip()
    made = (
        f"Fait à {_text(city) if city else BLANK}, le {BLANK}, en {COPIES} exemplaires "
        "originaux, un pour chacune des parties."
    )
    gap = 6 * mm
    box_w = (CONTENT_WIDTH - gap) / 2
    boxes = _signature_boxes(data)
    rows: list[list[Any]] = []
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
    ]
    for start in range(0, len(boxes), 2):
        r = len(rows)
        row: list[Any] = []
        for i, (role, name, function) in enumerate(boxes[start : start + 2]):
            if i:
                row.append("")
            cell: list[Flowable] = [
                Paragraph(escape(role), styles["sign_role"]),
                Paragraph(_or_blank(name), styles["sign_name"]),
            ]
            if function.strip():
                cell.append(Paragraph(_text(function), styles["sign_hint"]))
            cell.append(Spacer(1, 1 * mm))
            cell.append(
                Paragraph("Date et signature, précédées de « Lu et approuvé »", styles["sign_hint"])
            )
            row.append(cell)
            style.append(("BOX", (2 * i, r), (2 * i, r), 0.6, MUTED))
        row += [""] * (3 - len(row))
        rows.append(row)
        rows.append(["", "", ""])
    heights = [36 * mm if i % 2 == 0 else 4 * mm for i in range(len(rows))]
    table = Table(rows, colWidths=[box_w, gap, box_w], rowHeights=heights, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return [KeepTogether([Paragraph(made, styles["clause"]), Spacer(1, 3 * mm), table])]


_BLOCKS: dict[int, Callable[[ConventionData, dict[str, ParagraphStyle]], list[Flowable]]] = {
    1: _parties,
    3: _activities,
    4: _dates,
    5: _place,
    6: _supervision,
    8: _insurance,
    9: _indemnity,
    16: _signatures,
}


# Articles whose table never splits across pages.
_KEPT_WHOLE = frozenset({4, 6, 8, 9})


# --------------------------------------------------------------------------- story


def _title(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flow: list[Flowable] = [
        Paragraph(DOCUMENT_TITLE, styles["title"]),
        Spacer(1, 1 * mm),
        Paragraph(
            "Stagiaire de la formation professionnelle continue — "
            "articles L6342-1 et L6343-1 du Code du travail",
            styles["subtitle"],
        ),
        Spacer(1, 2 * mm),
    ]
    if data.number:
        flow.append(Paragraph(f"N° {escape(data.number)}", styles["number"]))
    else:
        flow.append(Paragraph(DRAFT_MENTION, styles["draft"]))
    for line in data.amendments:
        flow.append(Paragraph(_text(line), styles["subtitle"]))
    flow.append(Spacer(1, 3 * mm))
    summary = _key_values(
        [
            ("Stagiaire", f"<b>{_or_blank(data.trainee.name)}</b>"),
            ("Structure d'accueil", f"<b>{_or_blank(data.host.name)}</b>"),
            (
                "Formation",
                f"La Fabrique du Numérique — filière {_or_blank(data.filiere)}, "
                f"site : {_or_blank(data.site)}, saison {_or_blank(data.season)}",
            ),
            (
                "Période",
                f"du {french_date(data.start)} au {french_date(data.end)} — "
                f"{format_hours(data.hours_total)} ({_days(data.days_total)})",
            ),
        ],
        styles,
        label_width=36 * mm,
    )
    summary.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT_TINT),
                ("LINEBEFORE", (0, 0), (0, -1), 2.5, ACCENT),
                ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.white),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    flow.append(summary)
    return flow


def _clause_flow(
    clause: Clause, values: Mapping[str, str], styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    flow: list[Flowable] = []
    for kind, text in clause.blocks:
        if kind == "li":
            flow.append(
                Paragraph(fill_placeholders(text, values), styles["bullet"], bulletText="–")
            )
        elif kind == "p":
            flow.append(Paragraph(fill_placeholders(text, values), styles["clause"]))
        else:
            flow.append(Spacer(0, 0))  # replaced by the article's data block
    return flow


def _section(
    number: int,
    clause: Clause | None,
    data: ConventionData,
    values: Mapping[str, str],
    styles: dict[str, ParagraphStyle],
) -> list[Flowable]:
    title = (clause.title if clause else "") or SECTION_TITLES[number]
    heading: list[Flowable] = [
        CondPageBreak(35 * mm),
        Paragraph(f"Article {number} — {escape(title)}", styles["h1"]),
        HRFlowable(width="100%", thickness=0.6, color=ACCENT, spaceBefore=0, spaceAfter=4),
    ]
    block = _BLOCKS.get(number)
    data_flow = block(data, styles) if block else []
    if number in _KEPT_WHOLE and data_flow:
        data_flow = [KeepTogether(data_flow)]
    body: list[Flowable] = []
    placed = False
    for kind, text in clause.blocks if clause else ():
        if kind == "data":
            if not placed:
                body += data_flow
                placed = True
            continue
        body += _clause_flow(Clause(number, title, ((kind, text),)), values, styles)
    if not placed:
        body += data_flow
    # The heading never stays alone at the foot of a page.
    return [*heading[:1], KeepTogether([*heading[1:], *body[:1]]), *body[1:]]


def _annex(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    reference = (
        f"Annexe à la convention de stage {escape(data.number or DRAFT_MENTION)} — "
        f"{_or_blank(data.trainee.name)}, {_or_blank(data.host.name)}"
    )
    flow: list[Flowable] = [
        PageBreak(),
        Paragraph(ANNEX_TITLE, styles["annex_title"]),
        Paragraph(reference, styles["label"]),
        HRFlowable(width="100%", thickness=0.6, color=ACCENT, spaceBefore=3, spaceAfter=4),
        Paragraph("Activités confiées au stagiaire", styles["h1"]),
        Paragraph(_or_blank(data.activities), styles["clause"]),
        Paragraph("Compétences à développer", styles["h1"]),
        Paragraph(_or_blank(data.competences), styles["clause"]),
    ]
    rows: list[list[Any]] = [
        [
            Paragraph("Jour", styles["party"]),
            Paragraph("Présence", styles["party"]),
            Paragraph("Heures", styles["head_center"]),
        ]
    ]
    for day, hours in data.schedule:
        rows.append(
            [
                Paragraph(escape(day.capitalize()), styles["cell_bold"]),
                Paragraph("oui" if hours > 0 else "non", styles["cell"]),
                Paragraph(format_hours(hours) if hours > 0 else "—", styles["cell_center"]),
            ]
        )
    rows.append(
        [
            Paragraph("Total hebdomadaire", styles["cell_bold"]),
            Paragraph(
                f"{data.days_per_week} jour{'s' if data.days_per_week > 1 else ''}",
                styles["cell_bold"],
            ),
            Paragraph(f"<b>{format_hours(data.hours_per_week)}</b>", styles["cell_center"]),
        ]
    )
    table = Table(rows, colWidths=[60 * mm, 60 * mm, 30 * mm], hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("BACKGROUND", (0, -1), (-1, -1), ACCENT_TINT),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    flow += [
        KeepTogether(
            [
                Paragraph("Emploi du temps hebdomadaire", styles["h1"]),
                table,
                Spacer(1, 2 * mm),
                Paragraph(
                    f"Période : du {french_date(data.start)} au {french_date(data.end)} inclus · "
                    f"interruptions : {_interruptions(data).replace('<br/>', ' ; ')} · "
                    f"durée totale : {format_hours(data.hours_total)} "
                    f"({_days(data.days_total)}).",
                    styles["note"],
                ),
            ]
        ),
    ]
    return flow


def _story(data: ConventionData, clauses: Mapping[int, Clause]) -> list[Flowable]:
    styles = _styles()
    values = placeholder_values(data)
    story = _title(data, styles)
    for number in SECTION_TITLES:
        story += _section(number, clauses.get(number), data, values, styles)
    story += _annex(data, styles)
    return story


def _build(data: ConventionData, clauses: Mapping[int, Clause], out: BinaryIO) -> None:
    doc = a4_document(
        out,
        margins=(MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM),
        on_page=_watermark(data),
        title=f"{_number_label(data)} — {data.trainee.name}",
        author=data.organisation.name,
        subject=DOCUMENT_TITLE,
        font=FONT_FAMILY,
    )
    doc.build(_story(data, clauses), canvasmaker=_canvas_maker(data))
