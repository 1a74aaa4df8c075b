"""Appointments: room, staff and notes are stored exactly as trimmed or refused in French;
any text in any field of the form gives a French refusal at worst."""

from dataclasses import fields, replace

from hypothesis import given
from hypothesis import strategies as st

from app.services.appointments import booking as ap
from app.services.appointments.booking import AppointmentInput
from app.services.errors import ValidationError
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.properties.strategies import (
    assert_french,
    assert_french_errors,
    expected_text,
    hostile_fields,
    hostile_text,
    nasty_text,
    service_settings,
)
from tests.unit.properties.worlds import add_candidate

ROLE = "accueil"
# Form field -> (info attribute, error key, max length, required for an information session)
TEXT_FIELDS = {
    "room": ("room", "salle", 80, True),
    "staff": ("staff", "intervenant", 120, True),
    "notes": ("notes", "notes", 2000, False),
}
ERROR_KEYS = {"type", "date", "heure", "duree", "site", "salle", "intervenant", "capacite", "notes"}


def session_input() -> AppointmentInput:
    return AppointmentInput(
        kind="information_collective",
        date="28/11/2026",
        time="14:00",
        site="cobalt",
        room="Turing",
        staff="Nadia Belkacem",
        capacity="12",
    )


@service_settings(60)
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), typed=hostile_text, update=st.booleans())
def test_text_is_stored_exactly_or_refused(
    db: Database, field: str, typed: str, update: bool
) -> None:
    attribute, key, max_length, required = TEXT_FIELDS[field]
    expected = expected_text(typed, max_length, one_line=field != "notes")
    data = replace(session_input(), **{field: typed})
    with db.session(commit=False) as s:
        try:
            if update:
                existing = ap.create_appointment(s, session_input(), actor=make_actor(ROLE))
                info = ap.update_appointment(s, existing.id, data, actor=make_actor(ROLE))
            else:
                info = ap.create_appointment(s, data, actor=make_actor(ROLE))
        except ValidationError as error:
            assert_french_errors(error.errors, {key})
            assert expected is None or (required and expected == ""), expected
            return
        assert expected is not None
        s.expire_all()
        assert getattr(ap.get_appointment(s, info.id), attribute) == expected


@service_settings(80)
@given(changes=hostile_fields(f.name for f in fields(AppointmentInput)))
def test_any_form_is_booked_or_refused_in_french(db: Database, changes: dict[str, str]) -> None:
    data = replace(session_input(), **changes)
    with db.session(commit=False) as s:
        try:
            ap.create_appointment(s, data, actor=make_actor(ROLE))
        except ValidationError as error:
            assert_french_errors(error.errors, ERROR_KEYS)


@service_settings(40)
@given(typed=nasty_text)
def test_attendance_is_recorded_or_refused_in_french(db: Database, typed: str) -> None:
    with db.session(commit=False) as s:
        candidate = add_candidate(s)
        info = ap.create_appointment(s, session_input(), [candidate], actor=make_actor(ROLE))
        try:
            ap.set_attendance(s, info.id, candidate, typed, actor=make_actor(ROLE))
        except ValidationError as error:
            assert_french(str(error))
            assert set(error.errors) == {"presence"}
