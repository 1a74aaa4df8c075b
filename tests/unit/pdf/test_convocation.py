"""Convocation letters: one page per person with the window-envelope address, the date in
full French, the place, what to bring and who to call; refusals; the journal."""

import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from app.domain import AuditAction
from app.errors import UserFacingError
from app.pdf.appointment_data import Contact, ConvocationData, Letterhead, Recipient, Venue
from app.pdf.convocation import render_convocations
from app.services.appointments.documents import (
    CANCELLED,
    NOBODY,
    NOT_REGISTERED,
    convocation_pdf,
    french_clock,
    french_day,
    french_duration,
)
from app.services.errors import PermissionDenied
from app.services.settings import actions as settings
from app.storage import Database
from tests.conftest import TODAY
from tests.unit.pdf.appointments_world import (
    COORDINATION,
    DESK,
    SITE_EMAIL,
    SITE_PHONE,
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

LEA = {
    "civilite": "Mme",
    "sexe": "F",
    "adresse": "12 rue des Lilas\nRésidence les Tilleuls",
    "code_postal": "86000",
    "commune": "Poitiers",
}


@pytest.fixture
def booked(db: Database) -> tuple[int, int, int]:
    """An information session on Tuesday 8 December 2026 with Léa (address known) and Karim
    (no address)."""
    set_site_contact(db)
    lea = candidate(db, "Dupont", "Léa", **LEA)
    karim = candidate(db, "Benali", "Karim", civilite="M.", sexe="M")
    collective = session_on(db)
    register(db, collective, lea, karim)
    return collective, lea, karim


def test_french_wording_of_dates_and_durations() -> None:
    assert french_day(date(2026, 12, 8)) == "mardi 8 décembre 2026"
    assert french_day(date(2026, 12, 1)) == "mardi 1er décembre 2026"
    assert french_clock(datetime(2026, 12, 8, 14, 0)) == "14 h 00"
    assert french_clock(datetime(2026, 12, 8, 9, 5)) == "9 h 05"
    assert [french_duration(m) for m in (45, 60, 90, 120)] == ["45 minutes", "1 h", "1 h 30", "2 h"]


def test_one_letter_per_registered_person_in_list_order(
    db: Database, booked: tuple[int, int, int]
) -> None:
    collective, _, _ = booked
    document = convocation_pdf(db, collective, actor=DESK, today=TODAY)

    assert document.filename == "Convocation - information collective 2026-12-08 Cobalt.pdf"
    karim, lea = (one_line(text) for text in page_texts(document.data))
    assert "Monsieur Karim BENALI" in karim
    assert "Madame Léa DUPONT 12 rue des Lilas Résidence les Tilleuls 86000 Poitiers" in lea
    for text in (lea, karim):
        assert "Objet : convocation à une information collective" in text
        assert "mardi 8 décembre 2026 à 14 h 00" in text
        assert "environ 1 h 30" in text
        assert "Cobalt 5 rue Victor Hugo 86000 Poitiers" in text
        assert "Salle Turing" in text
        assert "Poitiers, le 28 novembre 2026" in text
        assert "une pièce d'identité" in text
        assert "de quoi noter" in text
        assert f"appelez le {SITE_PHONE} ou écrivez à {SITE_EMAIL}" in text
        assert "Pour l'équipe d'accueil de La Fabrique du Numérique, Nadia Belkacem" in text
        assert "page 1 /" not in text  # letters in series carry no page count
    assert "Vous êtes invitée" in lea
    assert "Vous êtes invité à" in karim
    assert_fonts_embedded(document.data)


def test_one_person_of_the_session_gets_only_their_letter(
    db: Database, booked: tuple[int, int, int]
) -> None:
    collective, lea, _ = booked
    document = convocation_pdf(db, collective, [lea], actor=DESK, today=TODAY)
    (text,) = page_texts(document.data)
    assert "Léa DUPONT" in text
    assert "BENALI" not in text


def test_an_interview_names_the_interviewer_and_the_time_in_its_file_name(db: Database) -> None:
    set_site_contact(db)
    lea = candidate(db, "Dupont", "Léa")
    interview = interview_with(db, lea)
    document = convocation_pdf(db, interview, actor=COORDINATION, today=TODAY)

    assert document.filename == "Convocation - entretien 2026-12-09 09h30 Cobalt.pdf"
    (text,) = (one_line(t) for t in page_texts(document.data))
    assert "Objet : convocation à un entretien" in text
    assert "mercredi 9 décembre 2026 à 9 h 30" in text
    assert "environ 45 minutes" in text
    assert "Avec Thomas Rigaud" in text
    assert "Bureau 2" in text
    assert "Vous êtes attendu·e" in text  # sex unknown
    assert "Claire Vasseur" in text


def test_the_organisations_list_of_what_to_bring_replaces_the_default(
    db: Database, booked: tuple[int, int, int]
) -> None:
    collective, lea, _ = booked
    form = settings.organisation_form(db).values
    form.a_apporter = "- votre carte Vitale\n\n• un stylo\n"
    settings.save_organisation(db, form, actor=COORDINATION)

    text = one_line(page_texts(convocation_pdf(db, collective, [lea], actor=DESK).data)[0])
    assert "• votre carte Vitale • un stylo" in text
    assert "pièce d'identité" not in text


def test_without_a_phone_or_e_mail_the_letter_says_to_come_to_the_desk(db: Database) -> None:
    set_site_contact(db, phone="", email="")
    lea = candidate(db, "Dupont", "Léa")
    collective = session_on(db)
    register(db, collective, lea)
    text = one_line(page_texts(convocation_pdf(db, collective, actor=DESK).data)[0])
    assert "passez à l'accueil (Cobalt, 5 rue Victor Hugo, 86000 Poitiers)" in text
    assert "appelez" not in text


def test_only_a_phone_is_given_when_there_is_no_e_mail(db: Database) -> None:
    set_site_contact(db, email="")
    lea = candidate(db, "Dupont", "Léa")
    collective = session_on(db)
    register(db, collective, lea)
    text = one_line(page_texts(convocation_pdf(db, collective, actor=DESK).data)[0])
    assert f"appelez le {SITE_PHONE}. Nous vous donnerons un autre rendez-vous." in text


def test_each_letter_is_journaled_on_the_persons_file(
    db: Database, booked: tuple[int, int, int]
) -> None:
    collective, _, _ = booked
    before = len(journal(db))
    convocation_pdf(db, collective, actor=DESK, today=TODAY)
    printed = journal(db)[before:]
    assert [e.action for e in printed] == [AuditAction.IMPRESSION.value] * 2
    assert len({e.candidate_uuid for e in printed}) == 2
    assert {e.summary for e in printed} == {
        "Convocation imprimée : information collective du 08/12/2026 à 14:00 (Cobalt) "
        "(série de 2 personnes)"
    }
    assert {e.author for e in printed} == {"nadia"}


def test_a_trainer_is_refused_and_nothing_is_journaled(
    db: Database, booked: tuple[int, int, int]
) -> None:
    collective, lea, _ = booked
    before = len(journal(db))
    with pytest.raises(PermissionDenied):
        convocation_pdf(db, collective, actor=TRAINER)
    with pytest.raises(PermissionDenied):
        convocation_pdf(db, collective, [lea], actor=TRAINER)
    assert len(journal(db)) == before


def test_a_cancelled_appointment_is_refused(db: Database, booked: tuple[int, int, int]) -> None:
    collective, _, _ = booked
    cancel(db, collective)
    with pytest.raises(UserFacingError, match="annulé"):
        convocation_pdf(db, collective, actor=DESK)
    assert CANCELLED.startswith("Ce rendez-vous est annulé")


def test_nobody_registered_or_someone_else_is_refused_in_french(
    db: Database, booked: tuple[int, int, int]
) -> None:
    empty = session_on(db, "10/12/2026")
    with pytest.raises(UserFacingError) as nobody:
        convocation_pdf(db, empty, actor=DESK)
    assert str(nobody.value) == NOBODY
    stranger = candidate(db, "Martin", "Paul")
    collective, lea, _ = booked
    with pytest.raises(UserFacingError) as outsider:
        convocation_pdf(db, collective, [lea, stranger], actor=DESK)
    assert str(outsider.value) == NOT_REGISTERED


def letter(**changes: object) -> ConvocationData:
    values: dict[str, object] = {
        "letterhead": Letterhead("Fabrique <b>&</b> Cie", "1 rue du Port, 17000 La Rochelle"),
        "is_interview": False,
        "when": "mardi 8 décembre 2026 à 14 h 00",
        "duration": "1 h",
        "venue": Venue("Site <i>A</i>", ("1 rue du Port", "17000 La Rochelle"), "salle <Ada>"),
        "interviewer": "",
        "items": ("<b>rien</b> & tout",),
        "contact": Contact("05 46 00 00 00", "a&b@exemple.fr"),
        "issued_at": "La Rochelle",
        "issued_on": date(2026, 12, 1),
        "issued_on_text": "1er décembre 2026",
        "signatory": "Anne <Marie>",
        "recipients": (Recipient("Madame Zoé <b>ROUX</b>", ()),),
        "footer": "Information collective du 08/12/2026 — Site A",
    }
    values.update(changes)
    return ConvocationData(**values)  # type: ignore[arg-type]


def test_typed_markup_prints_literally_and_an_unknown_address_leaves_the_name_alone() -> None:
    out = io.BytesIO()
    render_convocations(letter(), out)
    text = one_line(page_texts(out.getvalue())[0])
    assert "Madame Zoé <b>ROUX</b> La Rochelle, le 1er décembre 2026" in text
    assert "Fabrique <b>&</b> Cie" in text
    assert "Site <i>A</i>" in text
    assert "Salle <Ada>" in text
    assert "<b>rien</b> & tout" in text
    assert "a&b@exemple.fr" in text
    assert "Anne <Marie>" in text


def test_the_same_letters_give_the_same_bytes() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    render_convocations(letter(), first)
    render_convocations(letter(), second)
    assert first.getvalue() == second.getvalue()
    assert len(PdfReader(first).pages) == 1
