"""Attestation de stage, issued by the training organisation at the end of the placement:
the trainee, the training, the host, the dates actually done and the effective hours, the
activities, the director's signature and the host's stamp. Same look as the convention; the
fixed texts come from resources/clauses/attestation.md."""

from pathlib import Path
from typing import BinaryIO

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.pdf import layout
from app.pdf.clauses import fill_placeholders, load_template, template_sections
from app.pdf.convention import placeholder_values
from app.pdf.document_data import AttestationData
from app.pdf.fonts import register_fonts
from app.pdf.layout import (
    BLANK,
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

__all__ = ["DEFAULT_TITLE", "SECTION_TITLES", "attestation_label", "render_attestation"]

TEMPLATE = "attestation"
DEFAULT_TITLE = "Attestation de stage"
SECTION_TITLES: dict[int, str] = {
    0: "",
    1: "Le stagiaire",
    2: "La structure d'accueil",
    3: "Le stage effectué",
    4: "Activités réalisées",
    5: "",
}
_KEPT_WHOLE = frozenset({1, 2, 3, 5})


def attestation_label(data: AttestationData) -> str:
    return f"Attestation de stage — convention n° {data.agreement.number or '…'}"


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
            title=f"{attestation_label(data)} — {data.agreement.trainee.name}",
            subject=DEFAULT_TITLE,
        )

    write_pdf(out, build)


def _values(data: AttestationData) -> dict[str, str]:
    values = placeholder_values(data.agreement)
    values.update(
        {
            "stage.date_debut": french_date(data.start),
            "stage.date_fin_effective": french_date(data.end),
            "stage.heures_effectives": format_hours(data.hours),
            "stage.jours_effectifs": format_days(data.days),
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
    total = (
        f"<b>{format_hours(data.hours)}</b> de présence effective, soit "
        f"<b>{format_days(data.days)}</b> (base 7 h = 1 jour)"
    )
    if abs(data.days - data.presence_days) > 1e-9:
        total += f", répartis sur {data.presence_days} jours de présence"
    rows = [("Période", period), ("Durée", total)]
    inside = [(a, b) for a, b in agreement.interruptions if a <= data.end]
    if inside:
        rows.append(
            (
                "Interruptions",
                "<br/>".join(f"du {french_date(a)} au {french_date(b)}" for a, b in inside),
            )
        )
    rows.append(("Tuteur", or_blank(_tutor(data))))
    return _table(rows, style)


def _tutor(data: AttestationData) -> str:
    agreement = data.agreement
    if agreement.tutor_function.strip() and agreement.tutor_name.strip():
        return f"{agreement.tutor_name}, {agreement.tutor_function}"
    return agreement.tutor_name


def _signatures(data: AttestationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    org, host = data.agreement.organisation, data.agreement.host
    city = org.signing_city.strip()
    made = (
        f"Fait à {escape_text(city) if city else BLANK}, "
        f"le {french_date(data.agreement.printed_on)}."
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
