"""The fiche projet: what a team of learners needs to work on a real case — the need, the
people it serves, the structure's contact, the deliverable, constraints, calendar and
milestones, who maintains it after delivery, the teams and their learners.

Same letterhead and fonts as the other documents (app/pdf/layout.py). Every value typed by a
user is escaped before it reaches a Paragraph.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.pdf.fonts import FONT_BOLD, FONT_ITALIC, register_fonts
from app.pdf.layout import (
    ACCENT,
    CONTENT_WIDTH,
    MUTED,
    PageFurniture,
    boxed_table,
    build_pdf,
    escape_text,
    french_date,
    key_values,
    section_heading,
    styles,
    summary_box,
    table_style,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph
from app.pdf.project_data import MilestoneLine, ProjectSheetData, TeamLine

__all__ = ["DOCUMENT_TITLE", "render_project_sheet"]

DOCUMENT_TITLE = "Fiche projet"
MISSING = "Non renseigné"
NO_MILESTONE = (
    "Aucun jalon n'est encore fixé : à convenir avec la structure lors de la première rencontre."
)
NO_TEAM = "Aucune équipe n'est encore désignée."
LABEL_WIDTH = 48 * mm
Styles = dict[str, ParagraphStyle]


def render_project_sheet(data: ProjectSheetData, out: Path | BinaryIO) -> None:
    """Write the fiche projet of `data` to `out` (a path, written atomically, or a binary
    file object)."""
    register_fonts()
    write_pdf(out, lambda handle: _build(data, handle))


# --------------------------------------------------------------------------- styles


def _sheet_styles() -> Styles:
    shared = styles()

    def derive(name: str, parent: str = "base", **changes: object) -> ParagraphStyle:
        return ParagraphStyle(f"project_sheet_{name}", parent=shared[parent], **changes)

    return shared | {
        "heading": derive("heading", fontName=FONT_BOLD, fontSize=18, leading=22, textColor=ACCENT),
        "project": derive("project", fontName=FONT_BOLD, fontSize=13.5, leading=17.5),
        "reference": derive("reference", fontSize=10, leading=13, textColor=MUTED),
        "text": derive("text", fontSize=9.5, leading=13.5, spaceAfter=3),
        "cell": derive("cell", fontSize=9, leading=12.5),
        "label": derive("label", fontSize=8.5, leading=12.5, textColor=MUTED),
        "missing": derive(
            "missing", fontName=FONT_ITALIC, fontSize=9, leading=12.5, textColor=MUTED
        ),
        "head": derive("head", "head_center", fontSize=8.5, leading=11, alignment=0),
        "h2": derive("h2", "h2", fontSize=9.5, spaceBefore=5, spaceAfter=1, keepWithNext=1),
    }


_STYLES: Styles | None = None


def _styles() -> Styles:
    """Made once: the parsed paragraphs are kept per style object (app/pdf/paragraph.py)."""
    global _STYLES
    if _STYLES is None:
        _STYLES = _sheet_styles()
    return _STYLES


def _or_missing(value: str, missing: str = MISSING) -> str:
    if value.strip():
        return escape_text(value)
    return f'<font color="#5f6b72"><i>{escape(missing)}</i></font>'


# --------------------------------------------------------------------------- the sheet


def _build(data: ProjectSheetData, out: BinaryIO) -> None:
    style = _styles()
    furniture = PageFurniture(
        organisation_name=data.letterhead.name,
        organisation_address=data.letterhead.address,
        logo_path=data.letterhead.logo_path,
        label=f"{DOCUMENT_TITLE} — {data.reference}",
        footer_left=f"{data.reference} — {data.structure}",
        printed_line=f"Imprimée le {french_date(data.printed_on)}",
        printed_on=data.printed_on,
        initials_box=False,
    )
    story: list[Flowable] = [
        *_title(data, style),
        *_need(data, style),
        *_contact(data, style),
        *_deliverable(data, style),
        *_constraints(data, style),
        *_calendar(data, style),
        *_after(data, style),
        *_teams(data.teams, style),
    ]
    build_pdf(
        out,
        furniture,
        story,
        title=f"{DOCUMENT_TITLE} — {data.reference}",
        subject=f"{data.title} ({data.structure})",
    )


def _title(data: ProjectSheetData, style: Styles) -> list[Flowable]:
    structure = f"<b>{escape_text(data.structure)}</b>"
    if data.structure_identifier.strip():
        structure += f" — {escape(data.structure_identifier)}"
    if data.structure_address:
        structure += "<br/>" + escape_text(", ".join(data.structure_address))
    filieres = ", ".join(data.filieres)
    rows = [
        ("Structure", structure),
        ("Appel à projets", escape(f"Saison {data.season_label}")),
        ("État du projet", f"<b>{escape(data.state_label)}</b>"),
        ("Livrable", escape(data.deliverable_kind_label)),
        ("Filière(s)", _or_missing(filieres, "Non précisée")),
    ]
    return [
        Paragraph(DOCUMENT_TITLE, style["heading"]),
        Paragraph(escape(data.reference), style["reference"]),
        Spacer(1, 1.5 * mm),
        Paragraph(escape_text(data.title), style["project"]),
        Spacer(1, 4 * mm),
        summary_box(rows, style, label_width=LABEL_WIDTH - 8 * mm),
    ]


def _section(title: str, style: Styles) -> list[Flowable]:
    return section_heading(escape(title), style)


def _table(rows: Sequence[tuple[str, str]], style: Styles) -> Any:
    return key_values(rows, style, label_width=LABEL_WIDTH)


def _need(data: ProjectSheetData, style: Styles) -> list[Flowable]:
    return [
        *_section("Le besoin", style),
        Paragraph(_or_missing(data.need), style["text"]),
        Paragraph("Les personnes concernées", style["h2"]),
        Paragraph(_or_missing(data.audience, "Non précisées"), style["text"]),
    ]


def _contact(data: ProjectSheetData, style: Styles) -> list[Flowable]:
    email = data.contact_email.strip()
    rows = [
        ("Nom", f"<b>{_or_missing(data.contact_name)}</b>"),
        ("Fonction", _or_missing(data.contact_function, "Non renseignée")),
        ("Téléphone", _or_missing(data.contact_phone)),
        ("E-mail", escape(email) if email else _or_missing("")),
        ("Disponibilités", _or_missing(data.contact_availability, "Non renseignées")),
    ]
    return [*_section("Le contact dans la structure", style), KeepTogether(_table(rows, style))]


def _deliverable(data: ProjectSheetData, style: Styles) -> list[Flowable]:
    rows = [
        ("Type de livrable", f"<b>{escape(data.deliverable_kind_label)}</b>"),
        ("Ce qui est attendu", _or_missing(data.deliverable)),
        ("Ce qui existe aujourd'hui", _or_missing(data.existing)),
        ("Contenus fournis par la structure", _or_missing(data.provided_content)),
    ]
    return [*_section("Le livrable", style), _table(rows, style)]


def _constraints(data: ProjectSheetData, style: Styles) -> list[Flowable]:
    rows = [
        ("Données personnelles", _or_missing(data.data_constraints, "Aucune contrainte indiquée")),
        (
            "Accessibilité",
            _or_missing(data.accessibility_constraints, "Aucune contrainte indiquée"),
        ),
    ]
    return [*_section("Les contraintes", style), _table(rows, style)]


def _calendar(data: ProjectSheetData, style: Styles) -> list[Flowable]:
    milestones: Flowable = (
        _milestone_table(data.milestones, style)
        if data.milestones
        else Paragraph(escape(NO_MILESTONE), style["missing"])
    )
    # The heading stays with the calendar and the start of the milestones.
    return [
        KeepTogether(
            [
                *_section("Calendrier et jalons", style),
                Paragraph("Calendrier souhaité par la structure", style["h2"]),
                Paragraph(_or_missing(data.calendar, "Non précisé"), style["text"]),
                Paragraph("Jalons", style["h2"]),
                milestones,
            ]
        ),
    ]


def _milestone_table(milestones: Sequence[MilestoneLine], style: Styles) -> Any:
    head = ["Jalon", "Échéance", "État", "Fait le"]
    rows: list[list[Any]] = [[Paragraph(escape(text), style["head"]) for text in head]]
    for line in milestones:
        rows.append(
            [
                Paragraph(escape_text(line.title), style["cell"]),
                Paragraph(escape(line.due_on), style["cell"]),
                Paragraph(escape(line.state_label), style["cell"]),
                Paragraph(escape(line.done_on) if line.done_on else "—", style["cell"]),
            ]
        )
    date_w, state_w = 25 * mm, 27 * mm
    widths = [CONTENT_WIDTH - 2 * date_w - state_w, date_w, state_w, date_w]
    return boxed_table(rows, widths, repeatRows=1)


def _after(data: ProjectSheetData, style: Styles) -> list[Flowable]:
    licence = (
        "Acceptées par la structure"
        if data.licence_accepted
        else '<font color="#b3261e"><b>Non acceptées</b></font> : à régler avec la '
        "coordination avant de commencer"
    )
    rows = [
        ("Qui le fait vivre après la livraison", _or_missing(data.maintainer, "Non précisé")),
        ("Licence et propriété intellectuelle", licence),
    ]
    if data.delivered_on:
        rows.append(("Livré le", escape(data.delivered_on)))
    return [*_section("Après la livraison", style), KeepTogether(_table(rows, style))]


def _teams(teams: Sequence[TeamLine], style: Styles) -> list[Flowable]:
    story = _section("Les équipes", style)
    if not teams:
        return [*story, Paragraph(escape(NO_TEAM), style["missing"])]
    head = ["Promotion", "Équipe", "Apprenants"]
    rows: list[list[Any]] = [[Paragraph(escape(text), style["head"]) for text in head]]
    for team in teams:
        learners = "<br/>".join(escape(name) for name in team.learners) or "—"
        rows.append(
            [
                Paragraph(escape(team.cohort_label), style["cell"]),
                Paragraph(f"<b>{escape(team.team_name)}</b>", style["cell"]),
                Paragraph(learners, style["cell"]),
            ]
        )
    widths = [60 * mm, 40 * mm, CONTENT_WIDTH - 100 * mm]
    table = boxed_table(rows, widths, repeatRows=1)
    table.setStyle(table_style([("VALIGN", (0, 1), (-1, -1), "TOP")]))
    return [*story, table]
