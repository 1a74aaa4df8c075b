"""Host directory and tutors: every text field is stored exactly as trimmed or refused in
French under its field; the directory search never fails."""

from dataclasses import replace

from hypothesis import assume, given
from hypothesis import strategies as st

from app.services.errors import ValidationError
from app.services.hosts import directory as hosts
from app.services.hosts.directory import HostInput, TutorInput
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.properties.strategies import (
    assert_french_errors,
    expected_text,
    hostile_fields,
    hostile_text,
    service_settings,
)
from tests.unit.properties.worlds import COORDINATION

# Form field -> (HostInfo / TutorInfo attribute, max length, French label)
HOST_TEXT = hosts._HOST_TEXT_FIELDS
TUTOR_TEXT = hosts._TUTOR_TEXT_FIELDS
INFO_ATTRIBUTE = {"name": "name", "function": "function"}


def host_input(**overrides: str) -> HostInput:
    return replace(HostInput(nom="Atelier Vélo Solidaire", forme_juridique="autre"), **overrides)


def tutor_input(**overrides: str) -> TutorInput:
    return replace(TutorInput(nom="Jeanne Petit", fonction="Responsable atelier"), **overrides)


@service_settings(60)
@given(field=st.sampled_from(sorted(HOST_TEXT)), typed=hostile_text, update=st.booleans())
def test_host_text_is_stored_exactly_or_refused(
    db: Database, field: str, typed: str, update: bool
) -> None:
    attribute, max_length, _ = HOST_TEXT[field]
    expected = expected_text(typed, max_length, one_line=field != "adresse")
    data = host_input(**{field: typed})
    with db.session(commit=False) as s:
        try:
            if update:
                existing = hosts.create_host(s, host_input(), actor=make_actor(COORDINATION))
                info = hosts.update_host(s, existing.id, data, actor=make_actor(COORDINATION))
            else:
                info = hosts.create_host(s, data, actor=make_actor(COORDINATION))
        except ValidationError as error:
            assert_french_errors(error.errors, {field})
            assert expected is None or (expected == "" and field == "nom"), expected
            return
        assert expected is not None
        s.expire_all()
        assert getattr(hosts.get_host(s, info.id), attribute) == expected


@service_settings(40)
@given(field=st.sampled_from(sorted(TUTOR_TEXT)), typed=hostile_text, update=st.booleans())
def test_tutor_text_is_stored_exactly_or_refused(
    db: Database, field: str, typed: str, update: bool
) -> None:
    attribute, max_length, _ = TUTOR_TEXT[field]
    expected = expected_text(typed, max_length, one_line=True)
    data = tutor_input(**{field: typed})
    with db.session(commit=False) as s:
        host = hosts.create_host(s, host_input(), actor=make_actor(COORDINATION))
        try:
            if update:
                existing = hosts.add_tutor(
                    s, host.id, tutor_input(), actor=make_actor(COORDINATION)
                )
                tutor = hosts.update_tutor(s, existing.id, data, actor=make_actor(COORDINATION))
            else:
                tutor = hosts.add_tutor(s, host.id, data, actor=make_actor(COORDINATION))
        except ValidationError as error:
            assert_french_errors(error.errors, {field})
            assert expected is None or (expected == "" and field == "nom"), expected
            return
        assert expected is not None
        s.expire_all()
        stored = next(t for t in hosts.get_host(s, host.id).tutors if t.id == tutor.id)
        assert getattr(stored, INFO_ATTRIBUTE[attribute]) == expected


@service_settings(60)
@given(
    host_changes=hostile_fields(HostInput.field_names()),
    tutor_changes=hostile_fields(TutorInput.field_names()),
)
def test_any_host_or_tutor_form_is_saved_or_refused_in_french(
    db: Database, host_changes: dict[str, str], tutor_changes: dict[str, str]
) -> None:
    with db.session(commit=False) as s:
        try:
            hosts.create_host(s, host_input(**host_changes), actor=make_actor(COORDINATION))
        except ValidationError as error:
            assert_french_errors(error.errors, set(host_changes) | {"identifiant"})
        host = hosts.create_host(s, host_input(), actor=make_actor(COORDINATION))
        try:
            hosts.add_tutor(
                s, host.id, tutor_input(**tutor_changes), actor=make_actor(COORDINATION)
            )
        except ValidationError as error:
            assert_french_errors(error.errors, set(tutor_changes))


@service_settings(60)
@given(typed=hostile_text)
def test_directory_search_never_fails(db: Database, typed: str) -> None:
    with db.session(commit=False) as s:
        hosts.create_host(s, host_input(), actor=make_actor(COORDINATION))
        hosts.search_hosts(s, typed)


name_text = st.text(
    st.characters(categories=("L", "M", "N", "P", "S", "Zs"), codec="utf-8"),
    min_size=1,
    max_size=60,
)


@service_settings(40)
@given(name=name_text)
def test_a_host_is_found_by_its_own_name(db: Database, name: str) -> None:
    assume(name.strip())
    with db.session(commit=False) as s:
        host = hosts.create_host(s, host_input(nom=name), actor=make_actor(COORDINATION))
        assert host.id in [row.id for row in hosts.search_hosts(s, name)]
