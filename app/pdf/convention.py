"""The internship agreement (convention de stage en milieu professionnel) as an A4 PDF.

The article texts come from an editable resource file (resources/clauses/convention.md); the
parties, dates, supervision, insurance, indemnity and signature blocks are built from
`ConventionData`. Every piece of user text, clause templates included, is escaped before it
reaches a Paragraph, so markup prints literally. The same data gives the same bytes.

What the sheet is, is printed on it: a draft says "PROJET" on every page; a reprint of a
signed agreement says "Copie — ne vaut pas original" and shows the recorded signature dates
instead of blank boxes; the consolidated text of an amended agreement says which amendment
it integrates and prints the weekly schedule period by period. The total is the service's
wording (`hours_text`), printed as it is, never recomputed here.
"""

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
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
from app.pdf.convention_data import ConventionData, SchedulePeriod
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
    PageFurniture,
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
from app.pdf.quantities import format_euros

__all__ = [
    "ANNEX_TITLE",
    "CANCELLED_MENTION",
    "CLAUSES_PATH",
    "COPY_MENTION",
    "DEFAULT_COURT",
    "DOCUMENT_TITLE",
    "DRAFT_MENTION",
    "SECTION_TITLES",
    "Clause",
    "consolidated_mention",
    "fill_placeholders",
    "format_hours",
    "is_copy",
    "parse_clauses",
    "period_heading",
    "placeholder_values",
    "render_convention",
    "signature_boxes",
]

CLAUSES_PATH = templates.CLAUSES_DIR / "convention.md"
DOCUMENT_TITLE = "Convention de stage en milieu professionnel"
ANNEX_TITLE = "Annexe pédagogique"
DRAFT_MENTION = "PROJET — non numérotée"
COPY_MENTION = "Copie — ne vaut pas original"
CANCELLED_MENTION = "Convention annulée — sans effet"
DEFAULT_COURT = "le tribunal judiciaire dans le ressort duquel se trouve l'organisme de formation"
COPIES = 3
# Statuses of an agreement whose originals were signed: any print of it is a copy.
SIGNED_STATUSES = frozenset({"signee", "en_cours", "terminee", "rompue"})
CANCELLED_STATUS = "annulee"
OUTSIDE_APP = "hors application"

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
_BREAK_RULES = {
    "prorata": "au prorata des heures effectuées",
    "convenu": "versée en totalité, comme convenu",
}
# Signature boxes by signatory, found in the recorded label ("Formateur référent"…).
_SIGNATORY_WORDS = (
    ("organisme", "organisme"),
    ("structure", "structure"),
    ("stagiaire", "stagiaire"),
    ("tuteur", "tuteur"),
    ("referent", "referent"),
)


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
        "organisme.tribunal": _court(org.competent_court),
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
        "stage.duree": total_text(data),
        "stage.heures": format_hours(data.hours_total),
        "stage.jours": format_days(data.days_total),
        "stage.heures_semaine": format_hours(data.hours_per_week),
        "stage.lieu": data.place or host.address,
        "tuteur.nom": data.tutor_name,
        "referent.nom": data.referent,
        "referent.telephone": data.referent_phone,
        "referent.courriel": data.referent_email,
        "remuneration": data.payer,
        "remuneration.payeur": data.payer_label if data.payer else "à préciser",
        "teletravail.jours": _weekdays(data.remote_days),
        "convention.numero": data.number or DRAFT_MENTION,
    }


# --------------------------------------------------------------------------- text helpers


def _yes_no(value: bool) -> str:
    return "autorisée" if value else "non"


def _court(court: str) -> str:
    """The court as the article writes it after "devant": "le tribunal judiciaire de …"."""
    text = " ".join(court.split())
    if not text:
        return DEFAULT_COURT
    if text.lower().startswith(("le ", "la ", "l'", "l’", "les ")):
        return text
    if text.split()[0].lower() == "tribunal":
        text = "t" + text[1:]
    return f"le {text}"


def _weekdays(days: Sequence[str]) -> str:
    """("mardi", "jeudi") -> "mardi et jeudi"."""
    names = [day.strip() for day in days if day.strip()]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} et {names[-1]}"


def total_text(data: ConventionData) -> str:
    """The one wording of the total hours, as the service wrote it."""
    if data.hours_text.strip():
        return data.hours_text
    return f"{format_hours(data.hours_total)} ({format_days(data.days_total)})"


def is_copy(data: ConventionData) -> bool:
    """A print of an agreement whose originals were signed."""
    return data.status in SIGNED_STATUSES


def consolidated_mention(data: ConventionData) -> str:
    """ "Version consolidée intégrant l'avenant n° 2", or "" for the agreement as signed."""
    if data.consolidated_rank is None:
        return ""
    return f"Version consolidée intégrant l'avenant n° {data.consolidated_rank}"


def _number_label(data: ConventionData) -> str:
    if data.number:
        return f"Convention de stage n° {data.number}"
    return f"Convention de stage — {DRAFT_MENTION}"


def _watermark_text(data: ConventionData) -> str:
    if not data.number:
        return DRAFT_MENTION
    if data.status == CANCELLED_STATUS:
        return CANCELLED_MENTION
    if is_copy(data):
        return COPY_MENTION
    return ""


# --------------------------------------------------------------------------- page furniture


def _watermark(data: ConventionData) -> Callable[[Canvas, Any], None]:
    """Drawn before the page content: a draft, a copy or a cancelled agreement says so
    across every page."""
    text = _watermark_text(data)

    def draw(canvas: Canvas, _doc: Any) -> None:
        if not text:
            return
        canvas.saveState()
        canvas.setFillColor(WATERMARK)
        canvas.setFont(FONT_BOLD, 54 if len(text) <= 24 else 44)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, 0, text)
        canvas.restoreState()

    return draw


def _furniture(data: ConventionData) -> PageFurniture:
    """Header and footer; the footer of a copy says on every page that it is one."""
    furniture = agreement_furniture(data, _number_label(data))
    if is_copy(data):
        printed = f"Copie imprimée le {french_date(data.printed_on)} — ne vaut pas original"
        furniture = replace(furniture, printed_line=printed)
    return furniture


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


def _week_table(
    schedule: Sequence[tuple[str, float]],
    remote_days: Sequence[str],
    styles: dict[str, ParagraphStyle],
) -> Table:
    """The seven days side by side with the hours of presence; a day worked remotely says so."""
    remote = {day.strip().lower() for day in remote_days}
    head = [Paragraph(escape(day.capitalize()), styles["head_center"]) for day, _ in schedule]
    hours = []
    for day, h in schedule:
        text = format_hours(h) if h > 0 else "—"
        if h > 0 and day.strip().lower() in remote:
            text += '<br/><font size="7">à distance</font>'
        hours.append(Paragraph(text, styles["cell_center"]))
    width = CONTENT_WIDTH / max(1, len(schedule))
    table = Table([head, hours], colWidths=[width] * len(schedule), hAlign="LEFT")
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


def _weekly(schedule: Sequence[tuple[str, float]]) -> str:
    """ "31,5 h sur 5 jours": the hours and days of presence of one week."""
    days = sum(1 for _, hours in schedule if hours > 0)
    hours = sum(hours for _, hours in schedule)
    return f"{format_hours(hours)} sur {days} jour{'s' if days > 1 else ''}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def period_heading(periods: Sequence[SchedulePeriod], index: int) -> str:
    """ "Du 01/06/2026 au 17/06/2026 (convention initiale)", the last of several
    "À partir du 18/06/2026 (avenant n° 1)"."""
    period = periods[index]
    terms = (
        "convention initiale"
        if period.amendment_rank is None
        else f"avenant n° {period.amendment_rank}"
    )
    if index and index == len(periods) - 1:
        return f"À partir du {french_date(period.start)} ({terms})"
    return f"Du {french_date(period.start)} au {french_date(period.end)} ({terms})"


def _period_tables(
    data: ConventionData, styles: dict[str, ParagraphStyle], label: Flowable
) -> list[Flowable]:
    """One weekly table per period, each headed by its dates and the terms in force, with
    its own hours and days of presence; `label` stays with the first one."""
    flow: list[Flowable] = []
    for index, period in enumerate(data.periods):
        detail = (
            f"{_weekly(period.schedule)} par semaine — {format_hours(period.hours)} "
            f"sur {_plural(period.presence_days, 'jour')} de présence"
        )
        flow.append(
            KeepTogether(
                [
                    *([label, Spacer(1, 1 * mm)] if index == 0 else []),
                    Paragraph(
                        f"<b>{escape(period_heading(data.periods, index))}</b> · {detail}",
                        styles["cell"],
                    ),
                    Spacer(1, 1 * mm),
                    _week_table(period.schedule, period.remote_days, styles),
                    Spacer(1, 2.5 * mm),
                ]
            )
        )
    return flow


def _dates(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    by_period = len(data.periods) > 1
    rows = [
        (
            "Période",
            f"du <b>{french_date(data.start)}</b> au <b>{french_date(data.end)}</b> inclus",
        ),
        ("Interruptions", _interruptions(data)),
        ("Durée totale", f"<b>{escape_text(total_text(data))}</b>"),
        (
            "Durée hebdomadaire",
            "selon la période, voir ci-dessous"
            if by_period
            else f"{format_hours(data.hours_per_week)} sur {data.days_per_week} "
            f"jour{'s' if data.days_per_week > 1 else ''}",
        ),
        (
            "Présence exceptionnelle",
            f"de nuit : {_yes_no(data.night_allowed)} · le dimanche : "
            f"{_yes_no(data.sunday_allowed)} · les jours fériés : {_yes_no(data.holiday_allowed)}",
        ),
    ]
    if by_period:
        # Not kept whole (see _kept_whole): the tables of the periods may start a new page.
        label = Paragraph(
            "Horaires de présence hebdomadaires, période par période", styles["label"]
        )
        return [key_values(rows, styles), Spacer(1, 2.5 * mm), *_period_tables(data, styles, label)]
    return [
        key_values(rows, styles),
        Spacer(1, 2.5 * mm),
        Paragraph("Horaires de présence hebdomadaires", styles["label"]),
        Spacer(1, 1 * mm),
        _week_table(data.schedule, data.remote_days, styles),
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
            ("Téléphone", or_blank(data.referent_phone)),
            ("Courriel", or_blank(data.referent_email)),
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
            f"<b>{format_euros(amount)}</b> {unit}, soumise aux cotisations sociales dès le "
            f"premier euro ; mode de versement : {or_blank(data.indemnity_payment_mode)}"
        )
    rows = [("Indemnité", paid)]
    rule = _BREAK_RULES.get(data.indemnity_break_rule)
    if rule and amount is not None and amount > 0 and data.indemnity_unit == "forfait":
        rows.append(("En cas de rupture anticipée", f"indemnité forfaitaire {rule}"))
    rows.append(
        (
            "Avantages (repas, transport, autres)",
            escape_text(data.benefits) if data.benefits.strip() else "aucun",
        )
    )
    return [key_values(rows, styles), Spacer(1, 3 * mm)]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _signed_dates(data: ConventionData) -> dict[str, str]:
    """What each signature box of a copy shows, by signatory: the recorded date, or for an
    agreement signed outside the application the date recorded for it."""
    shown: dict[str, str] = {}
    for record in data.signatures:
        label = _fold(record.label)
        if OUTSIDE_APP in label:
            text = f"Signée hors application le {french_date(record.signed_on)}"
            for _word, key in _SIGNATORY_WORDS:
                shown.setdefault(key, text)
            continue
        for word, key in _SIGNATORY_WORDS:
            if word in label:
                shown[key] = f"Signé le {french_date(record.signed_on)}"
                break
    return shown


def signature_boxes(data: ConventionData) -> list[SignatureBox]:
    """Every signatory of the agreement, in the printed order; on a copy each box shows
    the recorded signature date instead of a place to sign."""
    org, host, trainee = data.organisation, data.host, data.trainee
    people: list[tuple[str, SignatureBox]] = [
        (
            "organisme",
            SignatureBox("Pour l'organisme de formation", org.director_name, org.director_function),
        ),
        (
            "structure",
            SignatureBox(
                "Pour la structure d'accueil",
                host.representative_name,
                host.representative_function,
            ),
        ),
        ("stagiaire", SignatureBox("Le stagiaire", trainee.name)),
    ]
    if trainee.is_minor or trainee.legal_representative.strip():
        people.append(
            (
                "representant",
                SignatureBox("Le représentant légal du stagiaire", trainee.legal_representative),
            )
        )
    people += [
        ("tuteur", SignatureBox("Le tuteur", data.tutor_name, data.tutor_function)),
        ("referent", SignatureBox("Le formateur référent", data.referent, org.name)),
    ]
    if not is_copy(data):
        return [box for _key, box in people]
    dates = _signed_dates(data)
    return [
        replace(box, hint="", signed=dates.get(key, "Date de signature non enregistrée"))
        for key, box in people
    ]


def _signatures(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    city = data.organisation.signing_city.strip()
    place = escape_text(city) if city else BLANK
    if is_copy(data):
        made = (
            f"<b>{COPY_MENTION}.</b> Convention faite à {place} et signée par les parties aux "
            "dates enregistrées ci-dessous ; chaque partie détient son exemplaire original "
            "signé."
        )
        table = signature_grid(signature_boxes(data), styles, height=19 * mm)
    else:
        made = (
            f"Fait à {place}, le {BLANK}, en {COPIES} exemplaires originaux, un pour chacune "
            "des parties."
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


def _kept_whole(number: int, data: ConventionData) -> bool:
    """The dates of an amended agreement (a table per period) may split between periods."""
    if number == 4 and len(data.periods) > 1:
        return False
    return number in _KEPT_WHOLE


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
    if consolidated_mention(data):
        flow.append(Paragraph(escape(consolidated_mention(data)), styles["number"]))
    for line in data.amendments:
        flow.append(Paragraph(escape_text(line), styles["subtitle"]))
    if data.number and data.status == CANCELLED_STATUS:
        flow.append(Paragraph(CANCELLED_MENTION, styles["draft"]))
    elif is_copy(data):
        flow.append(Paragraph(COPY_MENTION, styles["draft"]))
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
                f"{escape_text(total_text(data))}",
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
        keep_whole=_kept_whole(number, data),
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
    flow.append(KeepTogether(_annex_schedule(data, styles)))
    return flow


def _annex_schedule(data: ConventionData, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The week day by day; for an amended agreement one column per period."""
    periods = data.periods if len(data.periods) > 1 else ()
    schedules = [p.schedule for p in periods] or [data.schedule]
    remote = [p.remote_days for p in periods] or [data.remote_days]
    if periods:
        heads = [
            Paragraph(
                escape(period_heading(periods, i)).replace(" (", "<br/>("), styles["head_center"]
            )
            for i in range(len(periods))
        ]
    else:
        heads = [Paragraph("Présence", styles["party"]), Paragraph("Heures", styles["head_center"])]
    rows: list[list[Any]] = [[Paragraph("Jour", styles["party"]), *heads]]
    for index, (day, hours) in enumerate(schedules[0]):
        row: list[Any] = [Paragraph(escape(day.capitalize()), styles["cell_bold"])]
        for schedule, remote_days in zip(schedules, remote, strict=True):
            worked = schedule[index][1]
            text = format_hours(worked) if worked > 0 else "—"
            if worked > 0 and day in remote_days:
                text += " (à distance)"
            if not periods:
                row.append(Paragraph("oui" if hours > 0 else "non", styles["cell"]))
            row.append(Paragraph(text, styles["cell_center"]))
        rows.append(row)
    totals: list[Any] = [Paragraph("Total hebdomadaire", styles["cell_bold"])]
    if periods:
        totals += [
            Paragraph(f"<b>{_weekly(p.schedule)}</b>", styles["cell_center"]) for p in periods
        ]
        widths = [40 * mm] + [(CONTENT_WIDTH - 40 * mm) / len(periods)] * len(periods)
    else:
        totals += [
            Paragraph(
                f"{data.days_per_week} jour{'s' if data.days_per_week > 1 else ''}",
                styles["cell_bold"],
            ),
            Paragraph(f"<b>{format_hours(data.hours_per_week)}</b>", styles["cell_center"]),
        ]
        widths = [60 * mm, 60 * mm, 30 * mm]
    rows.append(totals)
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1)
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
    return [
        Paragraph("Emploi du temps hebdomadaire", styles["h1"]),
        table,
        Spacer(1, 2 * mm),
        Paragraph(
            f"Période : du {french_date(data.start)} au {french_date(data.end)} inclus · "
            f"interruptions : {_interruptions(data).replace('<br/>', ' ; ')} · "
            f"durée totale : {escape_text(total_text(data))}.",
            styles["note"],
        ),
    ]


def _story(data: ConventionData, clauses: Mapping[int, Clause]) -> list[Flowable]:
    styles = layout.styles()
    values = placeholder_values(data)
    story = _title(data, styles)
    for number in SECTION_TITLES:
        story += _section(number, clauses.get(number), data, values, styles)
    story += _annex(data, styles)
    return story


def _build(data: ConventionData, clauses: Mapping[int, Clause], out: BinaryIO) -> None:
    consolidated = consolidated_mention(data)
    layout.build_pdf(
        out,
        _furniture(data),
        _story(data, clauses),
        title=f"{_number_label(data)}{f' ({consolidated})' if consolidated else ''} — "
        f"{data.trainee.name}",
        subject=DOCUMENT_TITLE,
        on_page=_watermark(data),
    )
