"""The internship agreement (convention de stage en milieu professionnel) as an A4 PDF.

The article texts come from an editable resource file (resources/clauses/convention.md); the
parties, dates, supervision, insurance, indemnity and signature blocks are built from
`ConventionData`. Every piece of user text, clause templates included, is escaped before it
reaches a Paragraph, so markup prints literally. The same data gives the same bytes.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from app.pdf import clauses as templates
from app.pdf import layout
from app.pdf.clauses import Clause, clause_section, fill_placeholders
from app.pdf.convention_data import ConventionData
from app.pdf.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from app.pdf.layout import (
    ACCENT,
    ACCENT_TINT,
    BLANK,
    CONTENT_WIDTH,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    WATERMARK,
    SignatureBox,
    agreement_furniture,
    escape_text,
    format_days,
    format_hours,
    french_date,
    key_values,
    or_blank,
    party_block,
    signature_grid,
    summary_box,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph

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
    "signature_boxes",
]

CLAUSES_PATH = templates.CLAUSES_DIR / "convention.md"
DOCUMENT_TITLE = "Convention de stage en milieu professionnel"
ANNEX_TITLE = "Annexe pédagogique"
DRAFT_MENTION = "PROJET — non numérotée"
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


def parse_clauses(text: str) -> dict[int, Clause]:
    """Articles of the clause file (see app.pdf.clauses); a heading without a title takes
    the article's default title."""
    return templates.parse_clauses(text, SECTION_TITLES)


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
        "stage.jours": format_days(data.days_total),
        "stage.heures_semaine": format_hours(data.hours_per_week),
        "stage.lieu": data.place or host.address,
        "tuteur.nom": data.tutor_name,
        "referent.nom": data.referent,
        "convention.numero": data.number or DRAFT_MENTION,
    }


# --------------------------------------------------------------------------- text helpers


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


def _number_label(data: ConventionData) -> str:
    if data.number:
        return f"Convention de stage n° {data.number}"
    return f"Convention de stage — {DRAFT_MENTION}"


# --------------------------------------------------------------------------- page furniture


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


def _parties(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    org, host, trainee = data.organisation, data.host, data.trainee
    flow = party_block(
        "L'organisme de formation",
        [
            ("Raison sociale", f"<b>{or_blank(org.name)}</b>"),
            ("Adresse", or_blank(org.address)),
            ("SIRET", or_blank(org.siret)),
            ("N° de déclaration d'activité", or_blank(org.activity_declaration)),
            ("Représenté par", _signer(org.director_name, org.director_function)),
        ],
        styles,
        called="l'organisme de formation",
    )
    flow += party_block(
        "La structure d'accueil",
        [
            ("Raison sociale", f"<b>{or_blank(host.name)}</b>"),
            ("Forme juridique", or_blank(host.legal_form)),
            (host.identifier_label or "SIRET / RNA", or_blank(host.identifier)),
            ("Code NAF", or_blank(host.naf_code)),
            ("Effectif", or_blank(host.headcount_band)),
            ("Adresse", or_blank(host.address)),
            ("Représentée par", _signer(host.representative_name, host.representative_function)),
        ],
        styles,
        called="la structure d'accueil",
    )
    trainee_rows = [
        ("Nom et prénom", f"<b>{or_blank(trainee.name)}</b>"),
        ("Date de naissance", or_blank(french_date(trainee.birth_date, ""))),
        ("Adresse", or_blank(trainee.address)),
        ("Téléphone", or_blank(trainee.phone)),
        ("Courriel", or_blank(trainee.email)),
        (
            "Statut",
            "Stagiaire de la formation professionnelle continue (art. L6342-1 du Code du travail)",
        ),
    ]
    if trainee.is_minor or trainee.legal_representative.strip():
        trainee_rows.append(
            ("Représentant légal (stagiaire mineur)", or_blank(trainee.legal_representative))
        )
    flow += party_block("Le stagiaire", trainee_rows, styles, called="le stagiaire")
    return flow


def _signer(name: str, function: str) -> str:
    if name.strip() and function.strip():
        return f"{escape_text(name)}, {escape_text(function)}"
    if name.strip():
        return escape_text(name)
    return f"{or_blank('')}, en qualité de {or_blank(function)}"


def _activities(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [
        Paragraph("Activités confiées", styles["h2"]),
        Paragraph(or_blank(data.activities), styles["clause"]),
        Paragraph("Compétences à développer", styles["h2"]),
        Paragraph(or_blank(data.competences), styles["clause"]),
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
        f"soit <b>{format_days(data.days_total)}</b> (base 7 h = 1 jour)"
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
        key_values(rows, styles),
        Spacer(1, 2.5 * mm),
        Paragraph("Horaires de présence hebdomadaires", styles["label"]),
        Spacer(1, 1 * mm),
        _week_table(data, styles),
        Spacer(1, 3 * mm),
    ]


def _place(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if data.place.strip():
        text = f"Le stage se déroule à l'adresse suivante : <b>{escape_text(data.place)}</b>."
    else:
        text = (
            "Le stage se déroule dans les locaux de la structure d'accueil : "
            f"<b>{or_blank(data.host.address)}</b>."
        )
    return [Paragraph(text, styles["clause"])]


def _supervision(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    half = (CONTENT_WIDTH - 4 * mm) / 2
    tutor = key_values(
        [
            ("Nom", f"<b>{or_blank(data.tutor_name)}</b>"),
            ("Fonction", or_blank(data.tutor_function)),
            ("Téléphone", or_blank(data.tutor_phone)),
            ("Courriel", or_blank(data.tutor_email)),
        ],
        styles,
        label_width=20 * mm,
        width=half,
    )
    referent = key_values(
        [
            ("Nom", f"<b>{or_blank(data.referent)}</b>"),
            ("Organisme", or_blank(data.organisation.name)),
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
            Paragraph(or_blank(org.insurer), styles["cell"]),
            Paragraph(or_blank(org.policy_number), styles["cell"]),
        ],
        [
            Paragraph("Structure d'accueil", styles["cell_bold"]),
            Paragraph(or_blank(host.insurer), styles["cell"]),
            Paragraph(or_blank(host.policy_number), styles["cell"]),
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
        unit = _UNITS.get(data.indemnity_unit.strip().lower(), escape_text(data.indemnity_unit))
        paid = (
            f"<b>{_amount(amount)}</b> {unit}, soumise aux cotisations sociales dès le premier "
            f"euro ; mode de versement : {or_blank(data.indemnity_payment_mode)}"
        )
    rows = [
        ("Indemnité", paid),
        (
            "Avantages (repas, transport, autres)",
            escape_text(data.benefits) if data.benefits.strip() else "aucun",
        ),
    ]
    return [key_values(rows, styles), Spacer(1, 3 * mm)]


def signature_boxes(data: ConventionData) -> list[SignatureBox]:
    """Every signatory of the agreement, in the printed order."""
    org, host, trainee = data.organisation, data.host, data.trainee
    boxes = [
        SignatureBox("Pour l'organisme de formation", org.director_name, org.director_function),
        SignatureBox(
            "Pour la structure d'accueil", host.representative_name, host.representative_function
        ),
        SignatureBox("Le stagiaire", trainee.name),
    ]
    if trainee.is_minor or trainee.legal_representative.strip():
        boxes.append(
            SignatureBox("Le représentant légal du stagiaire", trainee.legal_representative)
        )
    boxes += [
        SignatureBox("Le tuteur", data.tutor_name, data.tutor_function),
        SignatureBox("Le formateur référent", data.referent, org.name),
    ]
    return boxes


def _signatures(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    city = data.organisation.signing_city.strip()
    made = (
        f"Fait à {escape_text(city) if city else BLANK}, le {BLANK}, en {COPIES} exemplaires "
        "originaux, un pour chacune des parties."
    )
    table = signature_grid(signature_boxes(data), styles)
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
        flow.append(Paragraph(escape_text(line), styles["subtitle"]))
    flow.append(Spacer(1, 3 * mm))
    summary = summary_box(
        [
            ("Stagiaire", f"<b>{or_blank(data.trainee.name)}</b>"),
            ("Structure d'accueil", f"<b>{or_blank(data.host.name)}</b>"),
            (
                "Formation",
                f"La Fabrique du Numérique — filière {or_blank(data.filiere)}, "
                f"site : {or_blank(data.site)}, saison {or_blank(data.season)}",
            ),
            (
                "Période",
                f"du {french_date(data.start)} au {french_date(data.end)} — "
                f"{format_hours(data.hours_total)} ({format_days(data.days_total)})",
            ),
        ],
        styles,
    )
    flow.append(summary)
    return flow


def _section(
    number: int,
    clause: Clause | None,
    data: ConventionData,
    values: Mapping[str, str],
    styles: dict[str, ParagraphStyle],
) -> list[Flowable]:
    title = (clause.title if clause else "") or SECTION_TITLES[number]
    block = _BLOCKS.get(number)
    return clause_section(
        f"Article {number} — {escape(title)}",
        clause,
        block(data, styles) if block else [],
        values,
        styles,
        keep_whole=number in _KEPT_WHOLE,
    )


def _annex(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    reference = (
        f"Annexe à la convention de stage {escape(data.number or DRAFT_MENTION)} — "
        f"{or_blank(data.trainee.name)}, {or_blank(data.host.name)}"
    )
    flow: list[Flowable] = [
        PageBreak(),
        Paragraph(ANNEX_TITLE, styles["annex_title"]),
        Paragraph(reference, styles["label"]),
        HRFlowable(width="100%", thickness=0.6, color=ACCENT, spaceBefore=3, spaceAfter=4),
        Paragraph("Activités confiées au stagiaire", styles["h1"]),
        Paragraph(or_blank(data.activities), styles["clause"]),
        Paragraph("Compétences à développer", styles["h1"]),
        Paragraph(or_blank(data.competences), styles["clause"]),
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
                    f"({format_days(data.days_total)}).",
                    styles["note"],
                ),
            ]
        ),
    ]
    return flow


def _story(data: ConventionData, clauses: Mapping[int, Clause]) -> list[Flowable]:
    styles = layout.styles()
    values = placeholder_values(data)
    story = _title(data, styles)
    for number in SECTION_TITLES:
        story += _section(number, clauses.get(number), data, values, styles)
    story += _annex(data, styles)
    return story


def _build(data: ConventionData, clauses: Mapping[int, Clause], out: BinaryIO) -> None:
    layout.build_pdf(
        out,
        agreement_furniture(data, _number_label(data)),
        _story(data, clauses),
        title=f"{_number_label(data)} — {data.trainee.name}",
        subject=DOCUMENT_TITLE,
        on_page=_watermark(data),
    )
