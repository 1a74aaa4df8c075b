"""Attestation de stage, issued by the training organisation at the end of the placement:
the trainee, the training, the host, the dates actually done, the hours planned, the hours of
recorded absence and the hours done (and how they were computed), the activities the
agreement planned, the director's signature and the host's stamp. Its first print is the
original (its number and date); a reprint says "Duplicata" and bears the original's date.
Same look as the convention; the fixed texts come from resources/clauses/attestation.md."""

from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table

from app.pdf import layout
from app.pdf.clauses import fill_placeholders, load_template, template_sections
from app.pdf.convention import placeholder_values
from app.pdf.document_data import AttestationData, PresenceFigures
from app.pdf.fonts import FONT_BOLD, register_fonts
from app.pdf.layout import (
    ACCENT,
    BLANK,
    CONTENT_WIDTH,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    WATERMARK,
    SignatureBox,
    agreement_furniture,
    escape_text,
    format_days,
    format_hours,
    french_date,
    key_values,
    or_blank,
    signature_grid,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph
from app.pdf.quantities import format_euros, format_workdays

__all__ = [
    "DEFAULT_TITLE",
    "DUPLICATE",
    "SECTION_TITLES",
    "attestation_label",
    "render_attestation",
]

TEMPLATE = "attestation"
DEFAULT_TITLE = "Attestation de stage"
DUPLICATE = "DUPLICATA"
SECTION_TITLES: dict[int, str] = {
    0: "",
    1: "Le stagiaire",
    2: "La structure d'accueil",
    3: "Le stage effectué",
    4: "Activités prévues par la convention",
    5: "",
}
_KEPT_WHOLE = frozenset({1, 2, 3, 5})


def attestation_label(data: AttestationData) -> str:
    """The header's label: "Attestation n° ATT-2026-0005", "— DUPLICATA" added on a reprint;
    "Attestation de stage — convention n° FAB-2026-0005" for one printed without a number."""
    if not data.number:
        return f"{DEFAULT_TITLE} — convention n° {data.agreement.number or '…'}"
    label = f"Attestation n° {data.number}"
    return f"{label} — {DUPLICATE}" if data.duplicate else label


def render_attestation(
    data: AttestationData, out: Path | BinaryIO, template: Path | None = None
) -> None:
    """Write the attestation as a PDF to `out` (a path, written atomically, or a binary
    file object); the fixed texts are read from `template` (default: the resource file)."""
    register_fonts()
    texts = load_template(TEMPLATE, template, SECTION_TITLES)
    values = _values(data)
    title = fill_placeholders(texts.title or DEFAULT_TITLE, values)

    def build(handle: BinaryIO) -> None:
        style = layout.styles()
        blocks = {
            1: _trainee(data, style),
            2: _host(data, style),
            3: _period(data, style),
            4: [Paragraph(or_blank(data.agreement.activities), style["clause"])],
            5: _signatures(data, style),
        }
        story: list[Flowable] = [
            Paragraph(title, style["title"]),
            Spacer(1, 1 * mm),
            Paragraph(
                "Période de formation en milieu professionnel — formation professionnelle continue",
                style["subtitle"],
            ),
            Spacer(1, 4 * mm),
        ]
        story += _issue(data, style)
        story += template_sections(
            texts,
            SECTION_TITLES,
            blocks,
            values,
            style,
            heading=lambda rank, markup: markup,
            keep_whole=_KEPT_WHOLE,
        )
        layout.build_pdf(
            handle,
            agreement_furniture(data.agreement, attestation_label(data), initials_box=False),
            story,
            title=(
                f"{attestation_label(data)} — convention n° {data.agreement.number or '…'} — "
                f"{data.agreement.trainee.name}"
            ),
            subject=DEFAULT_TITLE,
            on_page=_watermark(data),
        )

    write_pdf(out, build)


def _watermark(data: AttestationData) -> Callable[[Canvas, Any], None]:
    """Drawn before the page content: a reprint says "DUPLICATA" across every page."""

    def draw(canvas: Canvas, _doc: Any) -> None:
        if not data.duplicate:
            return
        canvas.saveState()
        canvas.setFillColor(WATERMARK)
        canvas.setFont(FONT_BOLD, 72)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, 0, DUPLICATE)
        canvas.restoreState()

    return draw


def _issue(data: AttestationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Under the title: the attestation's number and date, or that this is a duplicate."""
    if not data.number:
        return []
    issued = french_date(data.issued_on, BLANK)
    if data.duplicate:
        text = (
            f"<b>{DUPLICATE}</b> de l'attestation n° <b>{escape_text(data.number)}</b> "
            f"délivrée le <b>{issued}</b>"
        )
    else:
        text = f"Attestation n° <b>{escape_text(data.number)}</b> délivrée le <b>{issued}</b>"
    box = Table([[Paragraph(text, style["cell"])]], colWidths=[CONTENT_WIDTH])
    box.setStyle(
        layout.table_style(
            [
                ("BOX", (0, 0), (-1, -1), 1.2 if data.duplicate else 0.6, ACCENT),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return [box, Spacer(1, 4 * mm)]


def _values(data: AttestationData) -> dict[str, str]:
    values = placeholder_values(data.agreement)
    presence = data.presence
    values.update(
        {
            "stage.date_debut": french_date(data.start),
            "stage.date_fin_effective": french_date(data.end),
            "stage.heures_effectives": format_hours(data.hours),
            "stage.jours_effectifs": format_days(data.days),
            "stage.heures_prevues": format_hours(
                presence.planned_hours if presence else data.hours
            ),
            "stage.heures_absence": format_hours(presence.absent_hours if presence else 0),
            "attestation.numero": data.number,
            "attestation.date": french_date(data.issued_on, ""),
        }
    )
    return values


def _table(rows: list[tuple[str, str]], style: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [key_values(rows, style), Spacer(1, 1 * mm)]


def _trainee(data: AttestationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    agreement = data.agreement
    return _table(
        [
            ("Nom et prénom", f"<b>{or_blank(agreement.trainee.name)}</b>"),
            ("Date de naissance", or_blank(french_date(agreement.trainee.birth_date, ""))),
            (
                "Formation",
                f"<b>La Fabrique du Numérique</b> — filière {or_blank(agreement.filiere)}, "
                f"site : {or_blank(agreement.site)}, saison {or_blank(agreement.season)}",
            ),
        ],
        style,
    )


def _host(data: AttestationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    host = data.agreement.host
    return _table(
        [
            ("Raison sociale", f"<b>{or_blank(host.name)}</b>"),
            ("Adresse", or_blank(host.address)),
            (host.identifier_label or "SIRET / RNA", or_blank(host.identifier)),
        ],
        style,
    )


def _period(data: AttestationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    agreement = data.agreement
    period = f"du <b>{french_date(data.start)}</b> au <b>{french_date(data.end)}</b> inclus"
    if data.ended_early:
        period += (
            f"<br/>fin anticipée le {french_date(data.end)} "
            f"(fin prévue par la convention : {french_date(agreement.end)})"
        )
    rows = [("Période", period)]
    if data.presence is not None:
        rows += _presence_rows(data, data.presence)
    else:
        total = (
            f"<b>{format_hours(data.hours)}</b> de présence effective, soit "
            f"<b>{format_days(data.days)}</b> (base 7 h = 1 jour)"
        )
        if abs(data.days - data.presence_days) > 1e-9:
            total += f", répartis sur {data.presence_days} jours de présence"
        rows.append(("Durée", total))
    inside = [(a, b) for a, b in agreement.interruptions if a <= data.end]
    if inside:
        rows.append(
            (
                "Interruptions",
                "<br/>".join(f"du {french_date(a)} au {french_date(b)}" for a, b in inside),
            )
        )
    if data.indemnity_rule:
        rows.append(("Indemnité forfaitaire", _indemnity(data)))
    rows.append(("Tuteur", or_blank(_tutor(data))))
    return _table(rows, style)


def _presence_rows(data: AttestationData, presence: PresenceFigures) -> list[tuple[str, str]]:
    if presence.absences or presence.lates:
        absences = f"{format_hours(presence.absent_hours)} : {presence.counts_text}"
    else:
        absences = "aucune absence relevée"
    return [
        ("Heures prévues", escape_text(presence.planned_text)),
        ("Absences relevées", absences),
        (
            "Heures effectuées",
            f"<b>{format_hours(presence.done_hours)}</b>, soit <b>{format_workdays(data.days)}</b>",
        ),
        ("Mode de calcul", escape_text(presence.explanation)),
    ]


def _indemnity(data: AttestationData) -> str:
    amount = data.agreement.indemnity_amount
    flat = f"{format_euros(amount)} pour l'ensemble du stage" if amount else "forfait"
    return f"{flat} ; stage rompu : indemnité {escape_text(data.indemnity_rule)}"


def _tutor(data: AttestationData) -> str:
    agreement = data.agreement
    if agreement.tutor_function.strip() and agreement.tutor_name.strip():
        return f"{agreement.tutor_name}, {agreement.tutor_function}"
    return agreement.tutor_name


def _signatures(data: AttestationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    org, host = data.agreement.organisation, data.agreement.host
    city = org.signing_city.strip()
    # The attestation bears the date of its first issue, reprinted or not.
    made = (
        f"Fait à {escape_text(city) if city else BLANK}, "
        f"le {french_date(data.issued_on or data.agreement.printed_on)}."
    )
    boxes = [
        SignatureBox(
            "Pour l'organisme de formation",
            org.director_name,
            ", ".join(part for part in (org.director_function, org.name) if part.strip()),
            "Signature et cachet",
        ),
        SignatureBox("Cachet de la structure d'accueil", host.name, host.address, ""),
    ]
    return [
        Paragraph(made, style["clause"]),
        Spacer(1, 2 * mm),
        signature_grid(boxes, style, height=30 * mm),
    ]
