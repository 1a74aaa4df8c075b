"""Fiche d'évaluation du stage, filled in by hand by the tutor: identification, tick grids
(professional behaviour, then the competences of the agreement), free-text boxes, the
professional project question, the absences recorded so far (and lines for more while the
internship runs) and signatures. Same look as the convention; the
fixed texts and the criteria come from resources/clauses/evaluation.md."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from app.domain.plural import plural
from app.pdf import layout
from app.pdf.clauses import Template, fill_placeholders, load_template, template_sections
from app.pdf.convention import placeholder_values
from app.pdf.document_data import AbsenceLine, EvaluationData
from app.pdf.fonts import register_fonts
from app.pdf.layout import (
    BLANK,
    CONTENT_WIDTH,
    SignatureBox,
    agreement_furniture,
    boxed_table,
    escape_text,
    format_days,
    format_hours,
    french_date,
    key_values,
    or_blank,
    signature_grid,
    write_in_box,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph

__all__ = [
    "CRITERIA",
    "DEFAULT_TITLE",
    "SCALE",
    "SECTION_TITLES",
    "evaluation_label",
    "render_evaluation",
]

TEMPLATE = "evaluation"
DEFAULT_TITLE = "Fiche d'évaluation du stage"
SECTION_TITLES: dict[int, str] = {
    0: "",
    1: "Identification",
    2: "Savoir-être professionnels",
    3: "Compétences techniques visées",
    4: "Points forts",
    5: "Axes de progrès",
    6: "Appréciation générale",
    7: "Projet professionnel",
    8: "Absences",
    10: "Signatures",
}
# Used when the template's sections lack their bullets.
CRITERIA = (
    "Assiduité et ponctualité",
    "Respect des consignes et du règlement intérieur",
    "Intégration dans l'équipe",
    "Communication",
    "Autonomie",
    "Qualité du travail",
    "Curiosité et initiative",
)
SCALE = ("Très satisfaisant", "Satisfaisant", "À améliorer", "Insuffisant", "Non observé")
ANSWERS = ("oui", "non", "en partie")
SCALE_SECTION, CRITERIA_SECTION, PROJECT_SECTION = 9, 2, 7
_KEPT_WHOLE = frozenset({1, 7, 8, 10})
ROW_PADDING = 4  # points above and below each line: room to tick
TICK_WIDTH = 20 * mm
BOX = "☐"


def evaluation_label(data: EvaluationData) -> str:
    return f"Fiche d'évaluation — convention n° {data.agreement.number or '…'}"


def _bullets(texts: Template, number: int, default: Sequence[str]) -> tuple[str, ...]:
    clause = texts.clauses.get(number)
    return (clause.bullets if clause else ()) or tuple(default)


def render_evaluation(
    data: EvaluationData, out: Path | BinaryIO, template: Path | None = None
) -> None:
    """Write the evaluation sheet as a PDF to `out` (a path, written atomically, or a
    binary file object); texts and criteria are read from `template` (default: the
    resource file)."""
    register_fonts()
    texts = load_template(TEMPLATE, template, SECTION_TITLES)
    values = placeholder_values(data.agreement)
    title = fill_placeholders(texts.title or DEFAULT_TITLE, values)
    scale = _bullets(texts, SCALE_SECTION, SCALE)
    criteria = _bullets(texts, CRITERIA_SECTION, CRITERIA)
    answers = _bullets(texts, PROJECT_SECTION, ANSWERS)

    def build(handle: BinaryIO) -> None:
        style = layout.styles()
        blocks = {
            1: _identification(data, style),
            2: _grid("Critère", [fill_placeholders(c, values) for c in criteria], scale, style),
            3: _competences(data, scale, style),
            4: [write_in_box(20 * mm, style)],
            5: [write_in_box(20 * mm, style)],
            6: [write_in_box(24 * mm, style)],
            7: _project(answers, values, style),
            8: _absences(data, style),
            10: _signatures(data, style),
        }
        story: list[Flowable] = [
            Paragraph(title, style["title"]),
            Spacer(1, 1 * mm),
            Paragraph(
                "Période de formation en milieu professionnel — à remplir par le tuteur",
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
            heading=lambda rank, markup: f"{rank}. {markup}",
            hidden={SCALE_SECTION},
            keep_whole=_KEPT_WHOLE,
            table_bullets={CRITERIA_SECTION, PROJECT_SECTION},
        )
        layout.build_pdf(
            handle,
            agreement_furniture(data.agreement, evaluation_label(data), initials_box=False),
            story,
            title=f"{evaluation_label(data)} — {data.agreement.trainee.name}",
            subject=DEFAULT_TITLE,
        )

    write_pdf(out, build)


def _identification(data: EvaluationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    agreement = data.agreement
    tutor = ", ".join(
        part for part in (agreement.tutor_name, agreement.tutor_function) if part.strip()
    )
    period = f"du {french_date(data.start)} au {french_date(data.end)} inclus"
    if data.ended_early:
        period += f" (fin anticipée le {french_date(data.end)})"
    hours = f"{format_hours(data.hours)} ({format_days(data.days)}, base 7 h = 1 jour)"
    presence = data.presence
    if data.finished and presence is not None and (presence.absences or presence.lates):
        hours += (
            f" : {format_hours(presence.planned_hours)} prévues, moins "
            f"{format_hours(presence.absent_hours)} d'absence relevée"
        )
    rows = [
        ("Stagiaire", f"<b>{or_blank(agreement.trainee.name)}</b>"),
        (
            "Formation",
            f"La Fabrique du Numérique — filière {or_blank(agreement.filiere)}, "
            f"site : {or_blank(agreement.site)}",
        ),
        ("Structure d'accueil", f"<b>{or_blank(agreement.host.name)}</b>"),
        ("Tuteur", or_blank(tutor)),
        ("Formateur référent", or_blank(agreement.referent)),
        ("Période", period),
        (
            "Présence effective" if data.finished else "Présence prévue",
            hours,
        ),
    ]
    return [key_values(rows, style), Spacer(1, 1 * mm)]


def _grid(
    heading: str,
    rows: Sequence[str],
    scale: Sequence[str],
    style: dict[str, ParagraphStyle],
    *,
    blank_rows: int = 0,
) -> list[Flowable]:
    """One line per row (markup, already escaped), one empty tick cell per column of the
    scale; `blank_rows` lines to write in."""
    head_style = ParagraphStyle("tick_head", parent=style["head_center"], fontSize=7, leading=8.5)
    table_rows: list[list[Any]] = [
        [Paragraph(escape(heading), style["party"])]
        + [Paragraph(escape(label), head_style) for label in scale]
    ]
    for row in rows:
        table_rows.append([Paragraph(row, style["cell"])] + [""] * len(scale))
    for _ in range(blank_rows):
        table_rows.append([Paragraph(BLANK, style["cell"])] + [""] * len(scale))
    label_width = CONTENT_WIDTH - TICK_WIDTH * len(scale)
    table = boxed_table(
        table_rows,
        [label_width] + [TICK_WIDTH] * len(scale),
        repeatRows=1,
    )
    # Narrow tick columns: little padding, so that "satisfaisant" fits on one line.
    table.setStyle(
        layout.table_style(
            [
                ("LEFTPADDING", (1, 0), (-1, -1), 2),
                ("RIGHTPADDING", (1, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 1), (-1, -1), ROW_PADDING),
                ("BOTTOMPADDING", (0, 1), (-1, -1), ROW_PADDING),
            ]
        )
    )
    return [table, Spacer(1, 1 * mm)]


def _competences(
    data: EvaluationData, scale: Sequence[str], style: dict[str, ParagraphStyle]
) -> list[Flowable]:
    rows = [escape_text(row) for row in data.competences]
    flow = _grid("Compétence", rows, scale, style, blank_rows=0 if rows else 3)
    if data.more_competences:
        flow.append(
            Paragraph(
                f"+ {plural(data.more_competences, 'autre compétence')} : voir l'annexe "
                "pédagogique de la convention.",
                style["note"],
            )
        )
    return flow


def _project(
    answers: Sequence[str], values: dict[str, str], style: dict[str, ParagraphStyle]
) -> list[Flowable]:
    choices = "&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;".join(
        f"{BOX} {fill_placeholders(answer, values)}" for answer in answers
    )
    choice_style = ParagraphStyle("choices", parent=style["cell"], fontSize=10, leading=14)
    return [
        Paragraph(choices, choice_style),
        Spacer(1, 2 * mm),
        write_in_box(16 * mm, style, "Commentaire"),
    ]


def _absences(data: EvaluationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The absences recorded from the weekly sheets; while the internship runs, lines to
    write those still to come."""
    flow: list[Flowable] = []
    if data.absences:
        flow += [_absence_table(data.absences, style), Spacer(1, 1.5 * mm)]
    elif data.finished:
        flow.append(
            Paragraph("Aucune absence relevée sur les feuilles de présence.", style["cell"])
        )
    if data.finished:  # the tutor comments in "Appréciation générale"
        return [*flow, Spacer(1, 1 * mm)]
    more = " autres" if data.absences else ""
    rows = [
        ("Absences" + more, f"{BLANK} demi-journée(s), dont {BLANK} justifiée(s)"),
        ("Retards" + more, f"{BLANK} fois"),
        ("Observations", "<br/><br/>"),
    ]
    return [*flow, key_values(rows, style), Spacer(1, 1 * mm)]


def _absence_table(absences: Sequence[AbsenceLine], style: dict[str, ParagraphStyle]) -> Table:
    head = ("Date", "Demi-journée", "Nature", "Justifiée", "Heures")
    rows: list[list[Any]] = [[Paragraph(escape(text), style["head_center"]) for text in head]]
    for line in absences:
        cells = (
            french_date(line.day),
            line.half_day,
            line.description,
            "oui" if line.justified else "non",
            format_hours(line.hours),
        )
        rows.append([Paragraph(escape(text), style["cell_center"]) for text in cells])
    widths = [30 * mm, 30 * mm, 50 * mm, 25 * mm]
    widths.append(CONTENT_WIDTH - sum(widths))
    table = boxed_table(rows, widths, repeatRows=1)
    # Compact lines: a few absences keep the signatures on the same page.
    table.setStyle(
        layout.table_style(
            [("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
        )
    )
    return table


def _signatures(data: EvaluationData, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    agreement = data.agreement
    made = f"Fait à {BLANK}, le {BLANK}."
    hint = "Date et signature"
    boxes = [
        SignatureBox("Le tuteur", agreement.tutor_name, agreement.tutor_function, hint),
        SignatureBox("Le stagiaire", agreement.trainee.name, "", hint),
        SignatureBox(
            "Le formateur référent", agreement.referent, agreement.organisation.name, hint
        ),
    ]
    return [
        Paragraph(made, style["clause"]),
        Spacer(1, 2 * mm),
        signature_grid(boxes, style, height=24 * mm),
    ]
