"""The feuille d'émargement of an information session: the registered people with a wide
column to sign, then blank lines for people who come without registering (at least
MIN_WALK_IN_LINES, as many as fill the last page), the count and the speaker's signature.

It circulates in the room: names only, no phone or e-mail. Every value typed by a user is
escaped before it reaches a Paragraph.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from app.pdf.appointment_data import SheetPerson, SignInSheetData
from app.pdf.fonts import FONT_BOLD, register_fonts
from app.pdf.layout import (
    CONTENT_WIDTH,
    MUTED,
    PageFurniture,
    boxed_table,
    build_pdf,
    escape_text,
    french_date,
    styles,
    summary_box,
    table_style,
)
from app.pdf.output import write_pdf
from app.pdf.paragraph import Paragraph

__all__ = ["DOCUMENT_TITLE", "MIN_WALK_IN_LINES", "render_sign_in_sheet"]

DOCUMENT_TITLE = "Feuille d'émargement"
MIN_WALK_IN_LINES = 5
MAX_WALK_IN_LINES = 25
ROW_HEIGHT = 8 * mm  # room to sign by hand
# N°, Nom, Prénom, Signature (the rest of the width)
COLUMNS = (10 * mm, 52 * mm, 42 * mm)
SIGNATURE_BOX_HEIGHT = 20 * mm
PRIVACY_NOTE = (
    "Document contenant des données personnelles : il reste dans la salle pendant la séance, "
    "puis est rangé à l'accueil. À détruire une fois les présences saisies dans le logiciel."
)
Styles = dict[str, ParagraphStyle]


def render_sign_in_sheet(data: SignInSheetData, out: Path | BinaryIO) -> None:
    """Write the sign-in sheet of `data` to `out` (a path, written atomically, or a binary
    file object)."""
    register_fonts()
    write_pdf(out, lambda handle: _build(data, handle))


def _build(data: SignInSheetData, out: BinaryIO) -> None:
    style = styles()
    furniture = PageFurniture(
        organisation_name=data.letterhead.name,
        organisation_address=data.letterhead.address,
        logo_path=data.letterhead.logo_path,
        label=DOCUMENT_TITLE,
        footer_left=data.footer,
        printed_line=f"Imprimée le {french_date(data.printed_on)}",
        printed_on=data.printed_on,
        initials_box=False,
    )
    story: list[Flowable] = [
        Paragraph(DOCUMENT_TITLE, style["title"]),
        Paragraph("Information collective", style["subtitle"]),
        Spacer(1, 4 * mm),
        _summary(data, style),
        Spacer(1, 3 * mm),
        Paragraph(
            "Chaque personne présente signe en face de son nom. Une personne venue sans "
            "inscription écrit son nom et son prénom sur une ligne libre, en bas, puis signe.",
            style["clause"],
        ),
        Spacer(1, 2 * mm),
    ]
    if data.people:
        story.append(_people_table(data.people, style))
    story.append(_FillThePage(lambda lines: _walk_ins(data, lines, style)))
    build_pdf(
        out,
        furniture,
        story,
        title=f"{DOCUMENT_TITLE} — information collective du {data.day}",
        subject=f"{DOCUMENT_TITLE} : {data.day}, {data.venue.site_name}",
    )


def registered_text(count: int, capacity: int | None) -> str:
    """ "12 personnes inscrites (15 places)"."""
    text = f"{count} personne{'s' if count > 1 else ''} inscrite{'s' if count > 1 else ''}"
    if capacity is not None:
        text += f" ({capacity} place{'s' if capacity > 1 else ''})"
    return text


def _summary(data: SignInSheetData, style: Styles) -> Table:
    venue = data.venue
    place = escape_text(", ".join([venue.site_name, *venue.address_lines]))
    if venue.room.strip():
        place += f" — <b>{escape_text(venue.room)}</b>"
    rows = [
        ("Date", f"<b>{escape(data.day)}</b>, {escape(data.hours)}"),
        ("Lieu", place),
        ("Intervenant·e", escape_text(data.speaker) or "—"),
        ("Inscrits", escape(registered_text(len(data.people), data.capacity))),
    ]
    return summary_box(rows, style)


def _head(style: Styles) -> list[Any]:
    return [
        Paragraph(escape(label), style["head_center"])
        for label in ("N°", "Nom", "Prénom", "Signature")
    ]


def _widths() -> list[float]:
    return [*COLUMNS, CONTENT_WIDTH - sum(COLUMNS)]


def _people_table(people: tuple[SheetPerson, ...], style: Styles) -> Table:
    rows: list[list[Any]] = [_head(style)]
    rows += [
        [
            Paragraph(str(number), style["cell_center"]),
            Paragraph(f"<b>{escape_text(person.last_name)}</b>", style["cell"]),
            Paragraph(escape_text(person.first_name), style["cell"]),
            "",
        ]
        for number, person in enumerate(people, start=1)
    ]
    heights = [None] + [ROW_HEIGHT] * len(people)
    return boxed_table(rows, _widths(), repeatRows=1, rowHeights=heights)


def _walk_ins(data: SignInSheetData, lines: int, style: Styles) -> list[Flowable]:
    """The blank lines for walk-ins, the count and the speaker's signature."""
    first = len(data.people) + 1
    rows: list[list[Any]] = [_head(style)]
    rows += [
        [Paragraph(str(number), style["cell_center"]), "", "", ""]
        for number in range(first, first + lines)
    ]
    table = boxed_table(rows, _widths(), rowHeights=[None] + [ROW_HEIGHT] * lines)
    return [
        Spacer(1, 3 * mm),
        Paragraph("Personnes venues sans inscription", style["h2"]),
        Spacer(1, 1.5 * mm),
        table,
        Spacer(1, 4 * mm),
        _closing(data, style),
        Spacer(1, 2 * mm),
        Paragraph(escape(PRIVACY_NOTE), style["note"]),
    ]


def _closing(data: SignInSheetData, style: Styles) -> Table:
    """Left the count to fill in, right the speaker's signature box."""
    gap = 6 * mm
    half = (CONTENT_WIDTH - gap) / 2
    count = [
        Paragraph(escape(registered_text(len(data.people), data.capacity)), style["sign_name"]),
        Spacer(1, 3 * mm),
        Paragraph("Nombre de personnes présentes : ……………", style["sign_name"]),
    ]
    speaker = escape_text(data.speaker)
    signature = [
        Paragraph("L'intervenant·e", style["sign_role"]),
        Paragraph(speaker or '<font color="#5f6b72">……………………</font>', style["sign_name"]),
        Spacer(1, 1 * mm),
        Paragraph("Signature", style["sign_hint"]),
    ]
    table = Table(
        [[count, "", signature]],
        colWidths=[half, gap, half],
        rowHeights=[SIGNATURE_BOX_HEIGHT],
        hAlign="LEFT",
    )
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOX", (2, 0), (2, 0), 0.6, MUTED),
                ("FONTNAME", (0, 0), (-1, -1), FONT_BOLD),
            ]
        )
    )
    return table


class _FillThePage(Flowable):
    """The walk-in lines and what follows them, with as many lines as the room left on the
    page allows (MIN_WALK_IN_LINES at least: fewer than that goes whole to the next page)."""

    def __init__(self, make: Callable[[int], list[Flowable]]) -> None:
        super().__init__()
        self._make = make
        self._parts: list[Flowable] = []

    def _measure(self, parts: list[Flowable], width: float) -> float:
        return sum(part.wrap(width, 10_000)[1] for part in parts)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        fixed = self._measure(self._make(0), availWidth)
        fitting = int((availHeight - fixed) // ROW_HEIGHT)
        lines = max(MIN_WALK_IN_LINES, min(MAX_WALK_IN_LINES, fitting))
        self._parts = self._make(lines)
        self.width, self.height = availWidth, self._measure(self._parts, availWidth)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # never cut: the whole block moves to the next page

    def draw(self) -> None:
        top = self.height
        for part in self._parts:
            _width, height = part.wrap(self.width, 10_000)
            top -= height
            part.drawOn(self.canv, 0, top)
