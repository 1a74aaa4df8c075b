"""Candidate files: every text a user can type is stored exactly as trimmed, or refused with
French messages under its field; search and duplicate lookup never fail."""

import re
from dataclasses import replace

from hypothesis import assume, example, given
from hypothesis import strategies as st

from app.services.candidates import records as c
from app.services.candidates.records import CandidateInput, CandidateQuery
from app.services.errors import ValidationError
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.properties.strategies import (
    assert_french_errors,
    expected_text,
    hostile_fields,
    hostile_text,
    service_settings,
)
from tests.unit.properties.worlds import COORDINATION as ROLE
from tests.unit.properties.worlds import NOW, candidate_input

# Free-text fields: form field -> (model attribute, max length, French label).
TEXT_FIELDS = c._TEXT_FIELDS
REQUIRED = {"nom", "prenom"}


def read_back(session: object, candidate_id: int) -> CandidateInput:
    """The file as read from the database again, not from the session's memory."""
    session.expire_all()  # type: ignore[attr-defined]
    return c.get_candidate(session, candidate_id, actor=make_actor(ROLE)).values  # type: ignore[arg-type]


def check_stored_or_refused(attempt: object, field: str, typed: str, read: object) -> None:
    expected = expected_text(
        typed, TEXT_FIELDS[field][1], one_line=field not in c._MULTI_LINE_FIELDS
    )
    try:
        candidate_id = attempt()  # type: ignore[operator]
    except ValidationError as error:
        assert_french_errors(error.errors, {field})
        assert expected is None or (expected == "" and field in REQUIRED), expected
        return
    assert expected is not None, "refusable text was saved"
    assert getattr(read(candidate_id), field) == expected  # type: ignore[operator]


@service_settings(80)
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), typed=hostile_text)
def test_created_file_keeps_the_text_or_refuses_it(db: Database, field: str, typed: str) -> None:
    data = replace(candidate_input(), **{field: typed})
    with db.session(commit=False) as s:
        check_stored_or_refused(
            lambda: c.create_candidate(s, data, actor=make_actor(ROLE, "accueil"), now=NOW).id,
            field,
            typed,
            lambda candidate_id: read_back(s, candidate_id),
        )


@service_settings(50)
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), typed=hostile_text)
def test_updated_file_keeps_the_text_or_refuses_it(db: Database, field: str, typed: str) -> None:
    with db.session(commit=False) as s:
        saved = c.create_candidate(s, candidate_input(), actor=make_actor(ROLE, "accueil"), now=NOW)
        data = replace(
            c.get_candidate(s, saved.id, actor=make_actor(ROLE)).values, **{field: typed}
        )

        def update() -> int:
            return c.update_candidate(
                s,
                saved.id,
                data,
                expected_version=saved.version,
                actor=make_actor(ROLE, "accueil"),
                now=NOW,
            ).id

        check_stored_or_refused(update, field, typed, lambda i: read_back(s, i))


@service_settings(80)
@given(changes=hostile_fields(CandidateInput.field_names()))
@example(changes={"saison": "٢٠٢٦-٢٠٢٧"})  # Arabic-Indic digits: the same season, not another
def test_any_form_is_saved_or_refused_field_by_field(db: Database, changes: dict[str, str]) -> None:
    data = replace(candidate_input(), **changes)
    with db.session(commit=False) as s:
        c.find_duplicates(s, data)
        try:
            c.validate_candidate(s, data, NOW.date())
        except ValidationError as error:
            assert_french_errors(error.errors, set(changes) | {"telephone", "email"})
        try:
            saved = c.create_candidate(s, data, actor=make_actor(ROLE, "accueil"), now=NOW)
        except ValidationError as error:
            assert_french_errors(error.errors, set(changes) | {"telephone", "email"})
            return
        stored = read_back(s, saved.id)
        for field in TEXT_FIELDS:
            assert getattr(stored, field) == getattr(data, field).strip()
        assert re.fullmatch(r"[0-9]{4}-[0-9]{4}", stored.saison), stored.saison


@service_settings(60)
@given(typed=hostile_text)
def test_stage_change_comment_is_kept_or_refused(db: Database, typed: str) -> None:
    with db.session(commit=False) as s:
        saved = c.create_candidate(s, candidate_input(), actor=make_actor(ROLE, "accueil"), now=NOW)
        expected = expected_text(typed, 2000)
        try:
            entry = c.change_stage(
                s, saved.id, "non_retenu", comment=typed, actor=make_actor(ROLE, "accueil")
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {"commentaire"})
            assert expected in (None, "")  # a reason is required for « non retenu »
            return
        assert expected
        assert entry.comment == expected
        s.expire_all()
        assert c.stage_history(s, saved.id)[-1].comment == expected


@service_settings(80)
@given(typed=hostile_text)
def test_search_never_fails(db: Database, typed: str) -> None:
    with db.session(commit=False) as s:
        c.create_candidate(s, candidate_input(), actor=make_actor(ROLE, "accueil"), now=NOW)
        query = CandidateQuery(text=typed)
        ids = c.search_ids(s, query)
        assert c.count(s, query) == len(ids)
        c.rows(s, ids)


name_text = st.text(
    st.characters(categories=("L", "M", "Zs"), include_characters="-'’", codec="utf-8"),
    min_size=1,
    max_size=40,
)


@service_settings(40)
@given(name=name_text)
def test_a_stored_name_finds_its_file(db: Database, name: str) -> None:
    assume(name.strip() and any(ch.isalpha() for ch in name))
    data = replace(candidate_input(), nom=name)
    with db.session(commit=False) as s:
        saved = c.create_candidate(s, data, actor=make_actor(ROLE, "accueil"), now=NOW)
        assert saved.id in c.search_ids(s, CandidateQuery(text=name))
