"""Internship agreements: every text of the form, the amendment's changes and the reasons of
a rupture, a cancellation or an amendment are stored exactly as trimmed or refused in French;
any text in any field (hours, amounts, dates, ids included) gives a French refusal at worst."""

from dataclasses import fields
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.domain.agreement import Signatory
from app.services.agreements import amendments, details, life_cycle, rules, terms_text
from app.services.agreements.documents import agreement_id_for_number
from app.services.agreements.terms import AgreementInput
from app.services.errors import NotFoundError, ValidationError
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
from tests.unit.properties.worlds import (
    AGREEMENT_NOW,
    COORDINATION,
    Placement,
    agreement_input,
    placement_world,
    signed_agreement,
)

NOW = AGREEMENT_NOW
ROLE = COORDINATION
# AgreementInput free-text field -> max length
TEXT_FIELDS = {
    "representant_legal": 300,
    "formateur_referent": 120,
    "lieu": 300,
    "activites": 5000,
    "competences": 5000,
    "mode_versement": 60,
    "avantages": 5000,
}
MULTI_LINE_FIELDS = {"activites", "competences", "avantages"}
REASON_LENGTH = 2000
LISTS = ("horaires", "interruptions")
PLAIN_FIELDS = [f.name for f in fields(AgreementInput) if f.name not in LISTS]


@pytest.fixture
def world(db: Database) -> Placement:
    with db.session() as s:
        return placement_world(s)


@service_settings(60)
@given(field=st.sampled_from(sorted(TEXT_FIELDS)), typed=hostile_text, update=st.booleans())
def test_form_text_is_stored_exactly_or_refused(
    db: Database, world: Placement, field: str, typed: str, update: bool
) -> None:
    expected = expected_text(typed, TEXT_FIELDS[field], one_line=field not in MULTI_LINE_FIELDS)
    data = agreement_input(world, **{field: typed})
    with db.session(commit=False) as s:
        try:
            if update:
                draft = life_cycle.create_draft(
                    s, agreement_input(world), actor=make_actor(ROLE, "C"), now=NOW
                )
                version = draft.version
                info = life_cycle.update_draft(
                    s,
                    draft.id,
                    data,
                    expected_version=version,
                    actor=make_actor(ROLE, "C"),
                    now=NOW,
                )
            else:
                info = life_cycle.create_draft(s, data, actor=make_actor(ROLE, "C"), now=NOW)
        except ValidationError as error:
            assert_french_errors(error.errors, {field})
            assert expected is None or expected == "", expected
            return
        assert expected is not None
        s.expire_all()
        assert getattr(details.get_agreement(s, info.id).values, field) == expected


day_hours = st.dictionaries(st.integers(-2, 8), st.one_of(hostile_text, st.just("7,5")), max_size=3)
breaks = st.lists(st.tuples(nasty_text, nasty_text), max_size=2)


@service_settings(100)
@given(
    changes=hostile_fields(PLAIN_FIELDS),
    hours=st.one_of(st.none(), day_hours),
    interruptions=st.one_of(st.none(), breaks),
)
@example(changes={"indemnite": "1e100"}, hours=None, interruptions=None)
@example(changes={"indemnite": "9" * 40}, hours=None, interruptions=None)
@example(changes={"candidat": "²"}, hours=None, interruptions=None)
@example(changes={"structure": "9" * 5000}, hours=None, interruptions=None)
@example(changes={"tuteur": "99999999999999999999"}, hours=None, interruptions=None)
@example(changes={}, hours={0: "inf"}, interruptions=None)
@example(changes={}, hours={0: "1e308", 1: "1e308"}, interruptions=None)
@example(changes={}, hours={9: "7"}, interruptions=None)
def test_any_form_is_checked_saved_or_refused_in_french(
    db: Database,
    world: Placement,
    changes: dict[str, str],
    hours: dict[int, str] | None,
    interruptions: list[tuple[str, str]] | None,
) -> None:
    extra: dict[str, object] = {}
    if hours is not None:
        extra["horaires"] = hours
    if interruptions is not None:
        extra["interruptions"] = interruptions
    data = agreement_input(world, **changes, **extra)
    keys = set(AgreementInput.field_names())
    with db.session(commit=False) as s:
        check = rules.validate_agreement(s, data, today=NOW.date())
        if check.errors:
            assert_french_errors(check.errors, keys)
        for warning in check.warnings:
            assert_french(warning)
        if check.hours is not None:
            assert_french(terms_text.describe_hours(check.hours, check.weekly_hours)[0].upper())
        try:
            info = life_cycle.create_draft(s, data, actor=make_actor(ROLE, "C"), now=NOW)
        except ValidationError as error:
            assert_french_errors(error.errors, keys)
            assert check.errors
            return
        assert not check.errors
        s.expire_all()
        details.get_agreement(s, info.id)


@service_settings(40)
@given(typed=hostile_text)
@example(typed="r" * REASON_LENGTH)
def test_reason_of_a_cancellation_is_kept_or_refused(
    db: Database, world: Placement, typed: str
) -> None:
    expected = expected_text(typed, REASON_LENGTH)
    with db.session(commit=False) as s:
        draft = life_cycle.create_draft(
            s, agreement_input(world), actor=make_actor(ROLE, "C"), now=NOW
        )
        try:
            life_cycle.cancel(s, draft.id, typed, actor=make_actor(ROLE, "C"), now=NOW)
        except ValidationError as error:
            assert_french_errors(error.errors, {"motif"})
            assert not expected
            return
        assert expected
        s.expire_all()
        info = details.get_agreement(s, draft.id)
        assert info.status == "annulee"
        assert info.end_reason == expected


@service_settings(30)
@given(typed=hostile_text)
@example(typed="r" * REASON_LENGTH)
def test_reason_of_a_rupture_is_kept_or_refused(db: Database, world: Placement, typed: str) -> None:
    expected = expected_text(typed, REASON_LENGTH)
    with db.session(commit=False) as s:
        agreement_id = signed_agreement(s, world)
        life_cycle.refresh_status(s, agreement_id, date(2026, 6, 2))
        try:
            life_cycle.break_off(
                s, agreement_id, date(2026, 6, 15), typed, actor=make_actor(ROLE, "C"), now=NOW
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {"motif"})
            assert not expected
            return
        assert expected
        s.expire_all()
        info = details.get_agreement(s, agreement_id)
        assert (info.status, info.end_reason) == ("rompue", expected)


@service_settings(40)
@given(
    field=st.sampled_from(sorted(TEXT_FIELDS)),
    typed=hostile_text,
    reason=st.one_of(st.just("Changement de missions"), hostile_text),
)
def test_amendment_keeps_before_after_and_reason_or_refuses(
    db: Database, world: Placement, field: str, typed: str, reason: str
) -> None:
    expected = expected_text(typed, TEXT_FIELDS[field], one_line=field not in MULTI_LINE_FIELDS)
    expected_reason = expected_text(reason, REASON_LENGTH)
    with db.session(commit=False) as s:
        agreement_id = signed_agreement(s, world)
        before_info = details.get_agreement(s, agreement_id)
        before = getattr(before_info.values, field)
        assert before_info.terms is not None
        before_text = terms_text.terms_field_text(s, before_info.terms, field)
        data = agreement_input(world, **{field: typed})
        try:
            amendment = amendments.create_amendment(
                s, agreement_id, data, reason, actor=make_actor(ROLE, "C"), now=NOW
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {field, "motif", "avenant"})
            assert expected in (None, "", before) or not expected_reason
            return
        assert expected is not None and expected_reason
        rank = amendment.rank
        amendments.sign_amendment(
            s, agreement_id, rank, NOW.date(), actor=make_actor(ROLE, "C"), now=NOW
        )
        s.expire_all()
        info = details.get_agreement(s, agreement_id)
        stored = info.amendments[-1]
        assert info.terms is not None
        # An amendment records each change as the documents print it.
        assert stored.changes[field] == (
            before_text,
            terms_text.terms_field_text(s, info.terms, field),
        )
        assert stored.reason == expected_reason
        assert getattr(info.values, field) == expected


@service_settings(40)
@given(
    signatory=st.one_of(st.sampled_from([s.value for s in Signatory]), nasty_text),
    scan=hostile_text,
)
@example(signatory="organisme", scan="a" * 5000)
@example(signatory="organisme", scan="\ud800/scan.pdf")
def test_signature_with_any_scan_path_is_recorded_or_refused(
    db: Database, world: Placement, signatory: str, scan: str
) -> None:
    with db.session(commit=False) as s:
        draft = life_cycle.create_draft(
            s, agreement_input(world), actor=make_actor(ROLE, "C"), now=NOW
        )
        life_cycle.mark_ready(s, draft.id, actor=make_actor(ROLE, "C"), now=NOW)
        try:
            life_cycle.record_signature(
                s,
                draft.id,
                signatory,
                NOW.date(),
                actor=make_actor(ROLE, "C"),
                outside_app=True,
                scan_path=scan,
                now=NOW,
            )
        except ValidationError as error:
            assert_french_errors(error.errors, {"signataire", "scan"})


@service_settings(60)
@given(number=hostile_text)
def test_any_agreement_number_is_found_or_refused_in_french(db: Database, number: str) -> None:
    with db.session(commit=False) as s:
        try:
            agreement_id_for_number(s, number)
        except NotFoundError as error:
            assert_french(str(error))
