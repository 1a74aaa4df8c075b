"""The feuille d'émargement of an information session: the registered people (names only),
blank lines for walk-ins filling the page, the speaker, page numbers; refusals; journal."""

import io
import re
from datetime import date

import pytest

from app.domain import AuditAction
from app.errors import UserFacingError
from app.pdf.appointment_data import Letterhead, SheetPerson, SignInSheetData, Venue
from app.pdf.sign_in_sheet import MIN_WALK_IN_LINES, render_sign_in_sheet
from app.services.appointments.documents import SHEET_FOR_SESSIONS, sign_in_sheet_pdf
from app.services.errors import PermissionDenied
from app.storage import Database
from tests.conftest import TODAY
from tests.unit.pdf.appointments_world import (
    DESK,
    TRAINER,
    assert_fonts_embedded,
    cancel,
    candidate,
    interview_with,
    journal,
    one_line,
    page_texts,
    register,
    session_on,
    set_site_contact,
)


def numbers_on(text: str) -> list[int]:
    """The line numbers of the tables (a number alone on its line)."""
    return [int(n) for n in re.findall(r"^ *(\d{1,3}) *$", text, flags=re.MULTILINE)]


@pytest.fixture
def collective(db: Database) -> int:
    set_site_contact(db)
    session_id = session_on(db, staff="Sophie Marchand")
    register(
        db,
        session_id,
        candidate(db, "Dupont", "Léa", telephone="06 12 34 56 78"),
        candidate(db, "Benali", "Karim", nom_usage="Martin"),
        candidate(db, "Zéphir", "Anaïs"),
    )
    return session_id


def test_the_sheet_lists_the_registered_people_without_their_contact_details(
    db: Database, collective: int
) -> None:
    document = sign_in_sheet_pdf(db, collective, actor=DESK, today=TODAY)

    assert document.filename == "Emargement - information collective 2026-12-08 Cobalt.pdf"
    (page,) = page_texts(document.data)
    text = one_line(page)
    assert "Feuille d'émargement" in text
    assert "mardi 8 décembre 2026, 14 h 00 – 15 h 30" in text
    assert "Cobalt, 5 rue Victor Hugo, 86000 Poitiers — salle Turing" in text
    assert "Intervenant·e Sophie Marchand" in text
    assert "3 personnes inscrites (15 places)" in text
    assert "N° Nom Prénom Signature 1 BENALI (MARTIN) Karim 2 DUPONT Léa 3 ZÉPHIR Anaïs" in text
    assert "page 1 / 1" in text
    # It goes round the room: no phone, no e-mail.
    assert "06 12 34 56 78" not in text
    assert "@" not in text
    assert_fonts_embedded(document.data)


def test_walk_in_lines_follow_the_registered_people_and_fill_the_page(
    db: Database, collective: int
) -> None:
    (page,) = page_texts(sign_in_sheet_pdf(db, collective, actor=DESK).data)
    text = one_line(page)
    assert "Personnes venues sans inscription" in text
    walk_ins = numbers_on(page.split("Personnes venues sans inscription")[1])
    assert walk_ins[0] == 4
    assert walk_ins == list(range(4, 4 + len(walk_ins)))
    assert len(walk_ins) > 2 * MIN_WALK_IN_LINES  # one page with few people: the page is filled
    assert "Nombre de personnes présentes" in text
    assert text.index("Sophie Marchand Signature") > text.index("Personnes venues")


def sheet(people: int, speaker: str = "Sophie Marchand") -> SignInSheetData:
    return SignInSheetData(
        letterhead=Letterhead("La Fabrique du Numérique", "12 rue de la Cathédrale"),
        day="mardi 8 décembre 2026",
        hours="14 h 00 – 15 h 30",
        venue=Venue("Cobalt", ("5 rue Victor Hugo", "86000 Poitiers"), "salle Turing"),
        speaker=speaker,
        people=tuple(SheetPerson(f"NOM{n:02d}", f"Prénom{n:02d}") for n in range(1, people + 1)),
        capacity=40,
        printed_on=date(2026, 12, 1),
        footer="Information collective du 08/12/2026 — Cobalt",
    )


def rendered(data: SignInSheetData) -> bytes:
    out = io.BytesIO()
    render_sign_in_sheet(data, out)
    return out.getvalue()


def test_forty_people_span_pages_numbered_with_the_header_on_each() -> None:
    pages = page_texts(rendered(sheet(40)))
    total = len(pages)
    assert total >= 2
    for number, page in enumerate(pages, start=1):
        assert f"page {number} / {total}" in page
        assert "Feuille d'émargement" in page
        assert "N° Nom Prénom Signature" in one_line(page)  # the table's head on every page
    everything = "\n".join(pages)
    assert [f"NOM{n:02d}" in everything for n in range(1, 41)] == [True] * 40
    assert "40 personnes inscrites (40 places)" in one_line(everything)
    walk_ins = numbers_on(everything.split("Personnes venues sans inscription")[1])
    assert walk_ins[:MIN_WALK_IN_LINES] == list(range(41, 41 + MIN_WALK_IN_LINES))
    assert "Sophie Marchand" in pages[-1]


@pytest.mark.parametrize("people", range(0, 30, 3))
def test_at_least_five_walk_in_lines_whatever_the_count(people: int) -> None:
    pages = page_texts(rendered(sheet(people)))
    everything = "\n".join(pages)
    walk_ins = numbers_on(everything.split("Personnes venues sans inscription")[1])
    assert walk_ins[0] == people + 1
    assert len(walk_ins) >= MIN_WALK_IN_LINES
    assert "Nombre de personnes présentes" in pages[-1]


def test_typed_markup_prints_literally() -> None:
    data = sheet(1, speaker="<b>Anne</b> & Paul")
    data = SignInSheetData(**{**data.__dict__, "people": (SheetPerson("<I>O'HARA</I>", "Zoé"),)})
    text = one_line(page_texts(rendered(data))[0])
    assert "<b>Anne</b> & Paul" in text
    assert "<I>O'HARA</I> Zoé" in text


def test_an_interview_has_no_sign_in_sheet(db: Database) -> None:
    interview = interview_with(db, candidate(db, "Dupont", "Léa"))
    with pytest.raises(UserFacingError) as refused:
        sign_in_sheet_pdf(db, interview, actor=DESK)
    assert str(refused.value) == SHEET_FOR_SESSIONS


def test_a_trainer_and_a_cancelled_session_are_refused(db: Database, collective: int) -> None:
    before = len(journal(db))
    with pytest.raises(PermissionDenied):
        sign_in_sheet_pdf(db, collective, actor=TRAINER)
    cancel(db, collective)
    with pytest.raises(UserFacingError, match="annulé"):
        sign_in_sheet_pdf(db, collective, actor=DESK)
    assert len(journal(db)) == before


def test_the_print_is_journaled_with_its_count(db: Database, collective: int) -> None:
    before = len(journal(db))
    sign_in_sheet_pdf(db, collective, actor=DESK)
    (entry,) = journal(db)[before:]
    assert entry.action == AuditAction.IMPRESSION.value
    assert entry.author == "nadia"
    assert entry.candidate_uuid is None
    assert entry.summary == (
        "Feuille d'émargement imprimée : information collective du 08/12/2026 à 14:00 "
        "(Cobalt), 3 personnes inscrites"
    )
