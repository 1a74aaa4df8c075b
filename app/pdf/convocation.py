"""Convocation letters to an information session or an interview: one A4 page per person,
with the name and postal address placed for a window envelope, then the date, the place,
what to bring and who to call, in short sentences (the public often has no diploma).

Every value typed by a user is escaped before it reaches a Paragraph.
"""

from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table

from app.pdf.appointment_data import ConvocationData, Recipient
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

__all__ = ["DOCUMENT_TITLE", "render_convocations"]

DOCUMENT_TITLE = "Convocation"
# The address block sits where a French window envelope (DL, window on the right) shows it:
# about 100 mm from the page's left edge and 45 mm from its top.
ADDRESS_LEFT = 82 * mm  # from the content's left edge (18 mm margin)
ADDRESS_TOP_GAP = 17 * mm  # under the 28 mm of the header
ADDRESS_HEIGHT = 30 * mm
WORDS = {"F": ("invitée", "attendue"), "M": ("invité", "attendu")}
WORDS_UNKNOWN = ("invité·e", "attendu·e")
Styles = dict[str, ParagraphStyle]


def render_convocations(data: ConvocationData, out: Path | BinaryIO) -> None:
    """Write one convocation page per recipient of `data` to `out` (a path, written
    atomically, or a binary file object)."""
    register_fonts()
    write_pdf(out, lambda handle: _build(data, handle))


# --------------------------------------------------------------------------- styles


def _letter_styles() -> Styles:
    """The shared styles, a size larger: a letter is read by people who may find reading hard."""
    shared = styles()

    def larger(name: str, **changes: object) -> ParagraphStyle:
        return ParagraphStyle(f"letter_{name}", parent=shared["base"], **changes)

    return {
        "text": larger("text", fontSize=10.5, leading=14.5, spaceAfter=5),
        "address": larger("address", fontSize=10.5, leading=14),
        "date": larger("date", fontSize=10.5, leading=14, alignment=TA_RIGHT),
        "object": larger("object", fontName=FONT_BOLD, fontSize=11, leading=15),
        "heading": larger(
            "heading", fontName=FONT_BOLD, fontSize=11, leading=15, textColor=ACCENT, spaceBefore=6
        ),
        "bullet": larger(
            "bullet",
            fontSize=10.5,
            leading=14,
            leftIndent=7 * mm,
            bulletIndent=2 * mm,
            bulletFontName=FONT_REGULAR,
            spaceAfter=1,
        ),
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


# --------------------------------------------------------------------------- the letter


def _build(data: ConvocationData, out: BinaryIO) -> None:
    style = _styles()
    what = "entretien" if data.is_interview else "information collective"
    furniture = PageFurniture(
        organisation_name=data.letterhead.name,
        organisation_address=data.letterhead.address,
        logo_path=data.letterhead.logo_path,
        label=f"{DOCUMENT_TITLE} — {what}",
        footer_left=data.footer,
        printed_line=f"Imprimée le {french_date(data.issued_on)}",
        printed_on=data.issued_on,
        initials_box=False,
        page_numbers=False,
    )
    story: list[Flowable] = []
    for number, recipient in enumerate(data.recipients):
        if number:
            story.append(PageBreak())
        story += _letter(data, recipient, style)
    build_pdf(
        out,
        furniture,
        story,
        title=f"{DOCUMENT_TITLE} — {what}",
        subject=f"Convocation : {data.when}",
    )


def _letter(data: ConvocationData, recipient: Recipient, style: Styles) -> list[Flowable]:
    invited, expected = WORDS.get(recipient.sex, WORDS_UNKNOWN)
    subject = "à un entretien" if data.is_interview else "à une information collective"
    return [
        Spacer(1, ADDRESS_TOP_GAP),
        _address_block(recipient, style),
        Spacer(1, 4 * mm),
        Paragraph(_issued(data), style["date"]),
        Spacer(1, 5 * mm),
        Paragraph(f"Objet : convocation {subject}", style["object"]),
        Spacer(1, 5 * mm),
        Paragraph("Bonjour,", style["text"]),
        Paragraph(_invitation(data, invited), style["text"]),
        Spacer(1, 1 * mm),
        _when_and_where(data, style),
        Spacer(1, 2 * mm),
        Paragraph(
            f"Merci d'arriver 10 minutes avant l'heure. Vous êtes {expected} à l'accueil.",
            style["text"],
        ),
        KeepTogether(_to_bring(data, style)),
        KeepTogether(_cannot_come(data, style)),
        Spacer(1, 4 * mm),
        KeepTogether(_signature(data, style)),
    ]


def _address_block(recipient: Recipient, style: Styles) -> Table:
    lines = [f"<b>{escape_text(recipient.name)}</b>"]
    lines += [escape_text(line) for line in recipient.address_lines]
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


def _issued(data: ConvocationData) -> str:
    place = f"{escape_text(data.issued_at)}, le " if data.issued_at.strip() else "Le "
    return place + escape(data.issued_on_text)


def _invitation(data: ConvocationData, invited: str) -> str:
    organisation = escape_text(data.letterhead.name)
    if data.is_interview:
        return (
            f"Vous avez rendez-vous pour un entretien avec {organisation}. "
            "Nous allons parler ensemble de votre projet et de la formation."
        )
    return (
        f"Vous êtes {invited} à une information collective de {organisation}. "
        "Nous allons vous présenter la formation et les métiers. "
        "Vous pourrez poser toutes vos questions."
    )


def _when_and_where(data: ConvocationData, style: Styles) -> Table:
    venue = data.venue
    place = "<br/>".join(
        [f"<b>{escape_text(venue.site_name)}</b>"]
        + [escape_text(line) for line in venue.address_lines]
    )
    rows = [
        ("Quand", f"<b>{escape(data.when)}</b>"),
        ("Durée", f"environ {escape(data.duration)}"),
        ("Où", place),
    ]
    if venue.room.strip():
        room = venue.room.strip()
        rows.append(("Salle", escape_text(room[:1].upper() + room[1:])))
    if data.is_interview and data.interviewer.strip():
        rows.append(("Avec", escape_text(data.interviewer)))
    return summary_box(rows, style, label_width=28 * mm)


def _to_bring(data: ConvocationData, style: Styles) -> list[Flowable]:
    story: list[Flowable] = [Paragraph("À apporter", style["heading"])]
    story += [Paragraph(escape_text(item), style["bullet"], bulletText="•") for item in data.items]
    return story


def _cannot_come(data: ConvocationData, style: Styles) -> list[Flowable]:
    phone, email = data.contact.phone.strip(), data.contact.email.strip()
    if phone and email:
        how = f"appelez le <b>{escape(phone)}</b> ou écrivez à <b>{escape(email)}</b>"
    elif phone:
        how = f"appelez le <b>{escape(phone)}</b>"
    elif email:
        how = f"écrivez à <b>{escape(email)}</b>"
    else:
        venue = data.venue
        where = ", ".join([venue.site_name, *venue.address_lines])
        how = f"passez à l'accueil ({escape_text(where)})"
    return [
        Paragraph("Vous ne pouvez pas venir ?", style["heading"]),
        Paragraph(
            f"Prévenez-nous le plus tôt possible : {how}. "
            "Nous vous donnerons un autre rendez-vous.",
            style["text"],
        ),
    ]


def _signature(data: ConvocationData, style: Styles) -> list[Flowable]:
    team = f"Pour l'équipe d'accueil de {escape_text(data.letterhead.name)},"
    name = escape_text(data.signatory) if data.signatory.strip() else ""
    return [
        Paragraph("À bientôt !", style["text"]),
        Spacer(1, 3 * mm),
        Paragraph(team, style["sign"]),
        Paragraph(f"<b>{name}</b>" if name else "", style["sign"]),
        Spacer(1, 14 * mm),
    ]
