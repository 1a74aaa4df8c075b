"""Avenant n° k to a convention de stage, as an A4 PDF with the convention's look.

Short parties, the reason, the table "Ce qui change" (before / after), the unchanged-clauses
sentence and the signature blocks. The fixed texts come from resources/clauses/avenant.md.
"""

from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.pdf import layout
from app.pdf.clauses import fill_placeholders, load_template, template_sections
from app.pdf.convention import COPIES, placeholder_values, signature_boxes
from app.pdf.document_data import AvenantData
from app.pdf.fonts import register_fonts
from app.pdf.layout import (
    ACCENT_TINT,
    BLANK,
    CONTENT_WIDTH,
    agreement_furniture,
    boxed_table,
    escape_text,
    french_date,
    key_values,
    or_blank,
    signature_grid,
    summary_box,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph

__all__ = ["DEFAULT_TITLE", "SECTION_TITLES", "UNCHANGED", "avenant_label", "render_avenant"]

TEMPLATE = "avenant"
DEFAULT_TITLE = "Avenant n° {avenant.numero} à la convention de stage"
UNCHANGED = "Les autres clauses de la convention restent inchangées."
SECTION_TITLES: dict[int, str] = {
    1: "Parties",
    2: "Motif",
    3: "Ce qui change",
    4: "Prise d'effet",
    5: "Signatures",
}
_KEPT_WHOLE = frozenset({1, 2, 5})


def avenant_label(data: AvenantData) -> str:
    """ "Avenant n° 1 — convention n° FAB-2026-0005": the header of every page."""
    return f"Avenant n° {data.rank} — convention n° {data.agreement.number or '…'}"


def render_avenant(data: AvenantData, out: Path | BinaryIO, template: Path | None = None) -> None:
    """Write the avenant as a PDF to `out` (a path, written atomically, or a binary file
    object); the fixed texts are read from `template` (default: the resource file)."""
    register_fonts()
    texts = load_template(TEMPLATE, template, SECTION_TITLES)
    values = _values(data)
    title = fill_placeholders(texts.title or DEFAULT_TITLE, values)

    def build(handle: BinaryIO) -> None:
        style = layout.styles()
        blocks = {
            1: _parties(data, style),
            2: _reason(data, style),
            3: _changes(data, style),
            5: _signatures(data, style),
        }
        story = _heading(data, title, style) + template_sections(
            texts,
            SECTION_TITLES,
            blocks,
            values,
            style,
            heading=lambda rank, markup: f"Article {rank} — {markup}",
            keep_whole=_KEPT_WHOLE,
        )
        layout.build_pdf(
            handle,
            agreement_furniture(data.agreement, avenant_label(data), printed="Imprimé"),
            story,
            title=f"{avenant_label(data)} — {data.agreement.trainee.name}",
            subject=f"Avenant n° {data.rank} à une convention de stage",
        )

    write_pdf(out, build)


def _values(data: AvenantData) -> dict[str, str]:
    values = placeholder_values(data.agreement)
    values.update(
        {
            "avenant.numero": str(data.rank),
            "tuteur.nom": data.tutor_name,
            "referent.nom": data.referent,
        }
    )
    return values


def _heading(data: AvenantData, title: str, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    agreement = data.agreement
    flow: list[Flowable] = [
        Paragraph(title, style["title"]),
        Spacer(1, 1 * mm),
        Paragraph(
            "Stagiaire de la formation professionnelle continue — "
            "articles L6342-1 et L6343-1 du Code du travail",
            style["subtitle"],
        ),
        Spacer(1, 2 * mm),
        Paragraph(f"Convention n° {escape(agreement.number or '…')}", style["number"]),
    ]
    if data.signed_on is not None:
        flow.append(Paragraph(f"Avenant signé le {french_date(data.signed_on)}", style["subtitle"]))
    flow += [
        Spacer(1, 3 * mm),
        summary_box(
            [
                ("Stagiaire", f"<b>{or_blank(agreement.trainee.name)}</b>"),
                ("Structure d'accueil", f"<b>{or_blank(agreement.host.name)}</b>"),
                (
                    "Formation",
                    f"La Fabrique du Numérique — filière {or_blank(agreement.filiere)}, "
                    f"site : {or_blank(agreement.site)}, saison {or_blank(agreement.season)}",
                ),
            ],
            style,
        ),
    ]
    return flow


def _represented(name: str, function: str, verb: str) -> str:
    who = ", ".join(escape_text(part) for part in (name, function) if part.strip())
    return f"{verb} par {who}" if who else f"{verb} par {BLANK}"


def _parties(data: AvenantData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    org, host, trainee = data.agreement.organisation, data.agreement.host, data.agreement.trainee
    identifier = (
        f" — {escape(host.identifier_label)} {escape_text(host.identifier)}"
        if host.identifier.strip()
        else ""
    )
    born = f", né(e) le {french_date(trainee.birth_date)}" if trainee.birth_date is not None else ""
    rows = [
        (
            "L'organisme de formation",
            f"<b>{or_blank(org.name)}</b>, {or_blank(org.address)}<br/>"
            + _represented(org.director_name, org.director_function, "représenté"),
        ),
        (
            "La structure d'accueil",
            f"<b>{or_blank(host.name)}</b>{identifier}, {or_blank(host.address)}<br/>"
            + _represented(host.representative_name, host.representative_function, "représentée"),
        ),
        (
            "Le stagiaire",
            f"<b>{or_blank(trainee.name)}</b>{born}, stagiaire de la formation professionnelle "
            "continue",
        ),
    ]
    table = key_values(rows, style, label_width=40 * mm)
    table.setStyle(layout.table_style([("BACKGROUND", (0, 0), (-1, -1), ACCENT_TINT)]))
    return [table, Spacer(1, 2 * mm)]


def _reason(data: AvenantData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [Paragraph(or_blank(data.reason), style["clause"])]


def _changes(data: AvenantData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    rows: list[list[Any]] = [
        [
            Paragraph("Ce qui change", style["party"]),
            Paragraph("Avant l'avenant", style["party"]),
            Paragraph("Après l'avenant", style["party"]),
        ]
    ]
    for change in data.changes:
        rows.append(
            [
                Paragraph(escape(change.label), style["cell_bold"]),
                Paragraph(or_blank(change.before), style["cell"]),
                Paragraph(_after_markup(change.before, change.after), style["cell"]),
            ]
        )
    value_width = (CONTENT_WIDTH - 48 * mm) / 2
    table = boxed_table(rows, [48 * mm, value_width, value_width], repeatRows=1)
    table.setStyle(layout.table_style([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [table, Spacer(1, 3 * mm)]


def _after_markup(before: str, after: str) -> str:
    """The new value, its lines that were not there before in bold (on a schedule, the days
    that change stand out)."""
    if not after.strip():
        return or_blank(after)
    old = {line.strip() for line in before.splitlines()}
    lines = [line.strip() for line in after.strip().splitlines()]
    return "<br/>".join(
        f"<b>{escape(line)}</b>" if line not in old else escape(line) for line in lines
    )


def _signatures(data: AvenantData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    city = data.agreement.organisation.signing_city.strip()
    made = (
        f"Fait à {escape_text(city) if city else BLANK}, le {BLANK}, en {COPIES} exemplaires "
        "originaux, un pour chacune des parties."
    )
    signers = replace(
        data.agreement,
        tutor_name=data.tutor_name,
        tutor_function=data.tutor_function,
        referent=data.referent,
    )
    table = signature_grid(signature_boxes(signers), style)
    return [Paragraph(made, style["clause"]), Spacer(1, 3 * mm), table]
