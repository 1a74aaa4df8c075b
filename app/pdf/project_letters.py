"""The letters of the call for projects, addressed to the structure's contact: the
acknowledgement of receipt (accusé de réception) and the decision letter (retenu, liste
d'attente, non retenu with its reason). Same letterhead, fonts and envelope window as the
convocations (app/pdf/convocation.py).

Every value typed by a user is escaped before it reaches a Paragraph.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from app.pdf.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from app.pdf.layout import (
    ACCENT,
    CONTENT_WIDTH,
    MUTED,
    PageFurniture,
    build_pdf,
    escape_text,
    french_date,
    styles,
    summary_box,
    table_style,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph
from app.pdf.project_data import (
    DECISIONS,
    NOT_RETAINED,
    RETAINED,
    WAITING_LIST,
    AcknowledgementData,
    Addressee,
    DecisionLetterData,
    ProjectLetter,
)

__all__ = [
    "ACKNOWLEDGEMENT_TITLE",
    "DECISION_TITLE",
    "render_acknowledgement",
    "render_decision_letter",
]

ACKNOWLEDGEMENT_TITLE = "Accusé de réception"
DECISION_TITLE = "Décision"
DECISION_LABELS = {
    RETAINED: "Projet retenu",
    WAITING_LIST: "Projet placé sur liste d'attente",
    NOT_RETAINED: "Projet non retenu",
}
# The address block sits where a French window envelope (DL, window on the right) shows it,
# as on the convocations.
ADDRESS_LEFT = 82 * mm
ADDRESS_TOP_GAP = 12 * mm
ADDRESS_HEIGHT = 30 * mm
GREETING = "Madame, Monsieur,"
CLOSING = (
    "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."
)
Styles = dict[str, ParagraphStyle]


def render_acknowledgement(data: AcknowledgementData, out: Path | BinaryIO) -> None:
    """Write the acknowledgement of receipt of a project to `out` (a path, written
    atomically, or a binary file object)."""
    register_fonts()
    write_pdf(out, lambda handle: _build_acknowledgement(data, handle))


def render_decision_letter(data: DecisionLetterData, out: Path | BinaryIO) -> None:
    """Write the decision letter to `out`. A project not retained needs its reason."""
    if data.decision not in DECISIONS:
        raise ValueError(f"unknown decision {data.decision!r}")
    if data.decision == NOT_RETAINED and not data.reason.strip():
        raise ValueError("a project not retained needs its reason")
    register_fonts()
    write_pdf(out, lambda handle: _build_decision(data, handle))


# --------------------------------------------------------------------------- styles


def _letter_styles() -> Styles:
    """The shared styles, a size larger, as on the convocations."""
    shared = styles()

    def larger(name: str, **changes: object) -> ParagraphStyle:
        return ParagraphStyle(f"project_letter_{name}", parent=shared["base"], **changes)

    return {
        "text": larger("text", fontSize=10.5, leading=14.5, spaceAfter=5),
        "address": larger("address", fontSize=10.5, leading=14),
        "date": larger("date", fontSize=10.5, leading=14, alignment=TA_RIGHT),
        "object": larger("object", fontName=FONT_BOLD, fontSize=11, leading=15),
        "heading": larger(
            "heading",
            fontName=FONT_BOLD,
            fontSize=11,
            leading=15,
            textColor=ACCENT,
            spaceBefore=6,
            spaceAfter=2,
            keepWithNext=1,
        ),
        "bullet": larger(
            "bullet",
            fontSize=10.5,
            leading=14,
            leftIndent=7 * mm,
            bulletIndent=2 * mm,
            bulletFontName=FONT_REGULAR,
            spaceAfter=2,
        ),
        "note": larger("note", fontSize=9.5, leading=13, textColor=MUTED, spaceAfter=3),
        "label": larger("label", fontSize=9.5, leading=13.5, textColor=MUTED),
        "cell": larger("cell", fontSize=10.5, leading=14),
        "sign": larger("sign", fontSize=10.5, leading=14, leftIndent=ADDRESS_LEFT),
    }


_STYLES: Styles | None = None


def _styles() -> Styles:
    """Made once: the parsed paragraphs are kept per style object (app/pdf/paragraph.py)."""
    global _STYLES
    if _STYLES is None:
        _STYLES = _letter_styles()
    return _STYLES


# --------------------------------------------------------------------------- shared parts


def _furniture(letter: ProjectLetter, label: str) -> PageFurniture:
    return PageFurniture(
        organisation_name=letter.letterhead.name,
        organisation_address=letter.letterhead.address,
        logo_path=letter.letterhead.logo_path,
        label=f"{label} — {letter.reference}",
        footer_left=f"Appel à projets — {letter.reference} — {letter.addressee.structure}",
        printed_line=f"Imprimée le {french_date(letter.issued_on)}",
        printed_on=letter.issued_on,
        initials_box=False,
    )


def _opening(letter: ProjectLetter, subject: str, style: Styles) -> list[Flowable]:
    return [
        Spacer(1, ADDRESS_TOP_GAP),
        _address_block(letter.addressee, style),
        Spacer(1, 3 * mm),
        Paragraph(_issued(letter), style["date"]),
        Spacer(1, 5 * mm),
        Paragraph(f"Objet : {escape(subject)}", style["object"]),
        Paragraph(f"Référence à rappeler : <b>{escape(letter.reference)}</b>", style["note"]),
        Spacer(1, 4 * mm),
        Paragraph(GREETING, style["text"]),
    ]


def _address_block(addressee: Addressee, style: Styles) -> Table:
    lines = [f"<b>{escape_text(addressee.structure)}</b>"]
    contact = addressee.contact_name.strip()
    if contact:
        function = addressee.contact_function.strip()
        who = f"{contact}, {function}" if function else contact
        lines.append(f"À l'attention de {escape_text(who)}")
    lines += [escape_text(line) for line in addressee.address_lines]
    block = Table(
        [["", Paragraph("<br/>".join(lines), style["address"])]],
        colWidths=[ADDRESS_LEFT, CONTENT_WIDTH - ADDRESS_LEFT],
        rowHeights=[ADDRESS_HEIGHT],
        hAlign="LEFT",
    )
    block.setStyle(
        table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return block


def _issued(letter: ProjectLetter) -> str:
    place = f"{escape_text(letter.issued_at)}, le " if letter.issued_at.strip() else "Le "
    return place + escape(letter.issued_on_text)


def _quoted(title: str) -> str:
    """The title in French quotes that never part from it at the end of a line."""
    return f"«\u00a0{escape_text(title)}\u00a0»"


def _bullets(items: Sequence[str], style: Styles) -> list[Flowable]:
    """Items are markup: the caller escapes what a user typed."""
    return [Paragraph(item, style["bullet"], bulletText="•") for item in items]


def _signature(letter: ProjectLetter, style: Styles) -> list[Flowable]:
    organisation = escape_text(letter.letterhead.name)
    name = letter.signatory.strip()
    return [
        Paragraph(CLOSING, style["text"]),
        Spacer(1, 4 * mm),
        Paragraph(f"Pour la coordination de {organisation},", style["sign"]),
        Paragraph(f"<b>{escape_text(name)}</b>" if name else "", style["sign"]),
        Spacer(1, 12 * mm),
    ]


def _contact(letter: ProjectLetter) -> str:
    contact = letter.contact_line.strip()
    if not contact:
        return ""
    return f"Votre contact : <b>{escape_text(contact)}</b>, {escape_text(letter.letterhead.name)}"


# --------------------------------------------------------------------------- acknowledgement


def _build_acknowledgement(data: AcknowledgementData, out: BinaryIO) -> None:
    letter = data.letter
    style = _styles()
    story = _opening(letter, "accusé de réception de votre projet", style)
    story += [
        Paragraph(_received(data), style["text"]),
        Spacer(1, 1 * mm),
        summary_box(_ack_summary(data), style, label_width=40 * mm),
        Spacer(1, 2 * mm),
        KeepTogether(_next_steps(data, style)),
    ]
    if data.points_to_check:
        story.append(KeepTogether(_points_to_check(data, style)))
    contact = _contact(letter)
    if contact:
        story.append(Paragraph(contact, style["text"]))
    story.append(KeepTogether(_signature(letter, style)))
    build_pdf(
        out,
        _furniture(letter, ACKNOWLEDGEMENT_TITLE),
        story,
        title=f"{ACKNOWLEDGEMENT_TITLE} — {letter.reference}",
        subject=f"Appel à projets {data.season_label} : {letter.title}",
    )


def _received(data: AcknowledgementData) -> str:
    letter = data.letter
    return (
        f"Nous avons bien reçu votre projet {_quoted(letter.title)}, déposé le "
        f"{escape(data.submitted_on)} en réponse à notre appel à projets "
        f"{escape(data.season_label)}. Merci de votre confiance."
    )


def _ack_summary(data: AcknowledgementData) -> list[tuple[str, str]]:
    letter = data.letter
    return [
        ("Référence", f"<b>{escape(letter.reference)}</b>"),
        ("Projet", escape_text(letter.title)),
        ("Déposé le", escape(data.submitted_on)),
        ("Clôture de l'appel", escape(data.call_closes_on)),
    ]


def _next_steps(data: AcknowledgementData, style: Styles) -> list[Flowable]:
    closes = escape(data.call_closes_on)
    steps = [
        "<b>Instruction</b> : la coordination vérifie que le dossier est complet et répond "
        "aux conditions de l'appel (moins de 20 salariés, un SIRET ou un numéro RNA, dépôt "
        "avant la clôture). Nous pourrons vous appeler pour préciser votre besoin.",
        f"<b>Sélection</b> : après la clôture de l'appel, le {closes}, un jury de formateurs "
        "et de la coordination examine l'ensemble des projets.",
        f"<b>Décision</b> : nous vous l'écrirons ; elle est attendue "
        f"<b>{escape(data.decision_expected)}</b>.",
    ]
    return [Paragraph("La suite", style["heading"]), *_bullets(steps, style)]


def _points_to_check(data: AcknowledgementData, style: Styles) -> list[Flowable]:
    return [
        Paragraph("Points à vérifier", style["heading"]),
        Paragraph(
            "Ces points ne valent pas refus : nous les examinerons avec vous pendant "
            "l'instruction. Vous pouvez déjà nous envoyer les précisions utiles.",
            style["text"],
        ),
        *_bullets([escape_text(point) for point in data.points_to_check], style),
        Spacer(1, 1 * mm),
    ]


# --------------------------------------------------------------------------- decision


def _build_decision(data: DecisionLetterData, out: BinaryIO) -> None:
    letter = data.letter
    style = _styles()
    subject = f"votre projet «\u00a0{' '.join(letter.title.split())}\u00a0» — décision"
    story = _opening(letter, subject, style)
    story += [
        Paragraph(_announcement(data), style["text"]),
        Spacer(1, 1 * mm),
        summary_box(_decision_summary(data), style, label_width=40 * mm),
        Spacer(1, 2 * mm),
    ]
    story += _decision_body(data, style)
    story.append(KeepTogether(_signature(letter, style)))
    build_pdf(
        out,
        _furniture(letter, DECISION_TITLE),
        story,
        title=f"{DECISION_TITLE} — {letter.reference}",
        subject=f"{DECISION_LABELS[data.decision]} : {letter.title}",
    )


def _announcement(data: DecisionLetterData) -> str:
    letter = data.letter
    project = f"votre projet {_quoted(letter.title)}, déposé le {escape(data.submitted_on)}"
    if data.decision == RETAINED:
        return (
            f"Nous avons le plaisir de vous annoncer que {project}, est <b>retenu</b> : des "
            "apprenants de la formation le réaliseront avec vous."
        )
    if data.decision == WAITING_LIST:
        return (
            f"Le jury a examiné {project}. Il l'a placé sur <b>liste d'attente</b> : il pourra "
            "être retenu si une équipe d'apprenants se libère."
        )
    return (
        f"Le jury a examiné avec attention {project}. Nous sommes au regret de vous "
        "informer qu'il n'est <b>pas retenu</b> pour cette saison."
    )


def _decision_summary(data: DecisionLetterData) -> list[tuple[str, str]]:
    letter = data.letter
    rows = [
        ("Référence", f"<b>{escape(letter.reference)}</b>"),
        ("Projet", escape_text(letter.title)),
        ("Décision", f"<b>{escape(DECISION_LABELS[data.decision])}</b>"),
    ]
    if data.decided_on:
        rows.append(("Date de la décision", escape(data.decided_on)))
    if data.reason.strip():
        label = "Motif" if data.decision == NOT_RETAINED else "Avis du jury"
        rows.append((label, escape_text(data.reason)))
    if data.decision == RETAINED and data.calendar.strip():
        rows.append(("Calendrier souhaité", escape_text(data.calendar)))
    return rows


def _decision_body(data: DecisionLetterData, style: Styles) -> list[Flowable]:
    story: list[Flowable]
    if data.decision == RETAINED:
        story = [KeepTogether(_retained_steps(style))]
    else:
        story = [Paragraph(text, style["text"]) for text in _unretained_texts(data.decision)]
    contact = _contact(data.letter)
    if contact:
        story.append(Paragraph(contact, style["text"]))
    return story


def _unretained_texts(decision: str) -> list[str]:
    if decision == WAITING_LIST:
        return [
            "Nous vous écrirons dès qu'une place se libère, ou pour vous confirmer que le "
            "projet ne pourra pas être réalisé cette saison.",
        ]
    return [
        "Ce choix ne dit rien de l'intérêt de votre action : le nombre d'équipes est "
        "limité et chaque projet doit pouvoir être réalisé par des apprenants en quelques "
        "semaines.",
        "Vous pourrez présenter à nouveau ce projet, ou un autre, lors d'un prochain "
        "appel à projets. Nous restons à votre disposition pour en parler.",
    ]


def _retained_steps(style: Styles) -> list[Flowable]:
    steps = [
        "<b>Les équipes</b> : une ou plusieurs équipes d'apprenants, accompagnées par leurs "
        "formateurs, réaliseront le projet. Nous vous présenterons l'équipe avant son "
        "démarrage.",
        "<b>Le calendrier</b> : à la première rencontre, nous fixerons ensemble les jalons "
        "(maquette, version de test, livraison) en partant de votre calendrier.",
        "<b>Vos contenus</b> : préparez les textes, images et accès que vous vous êtes engagés "
        "à fournir ; l'équipe en aura besoin dès le début.",
    ]
    return [Paragraph("La suite", style["heading"]), *_bullets(steps, style), Spacer(1, 2 * mm)]
