"""One figure for an agreement's hours: random agreements and signed amendments, and every
screen, document and export shows what `agreement_hours_for` counts (issue 11)."""

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from app.domain.agreement import Signatory
from app.pdf.quantities import describe_total
from app.services.agreements import amendments as agreement_amendments
from app.services.agreements import details, life_cycle, rules, versions
from app.services.agreements import terms as agreement_terms
from app.services.agreements.csv_export import export_agreements
from app.services.agreements.documents import (
    HOURS_LABEL,
    attestation_data,
    avenant_data,
    convention_data,
    evaluation_data,
)
from app.services.errors import ValidationError
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.properties.strategies import service_settings
from tests.unit.properties.worlds import (
    AGREEMENT_NOW,
    COORDINATION,
    Placement,
    agreement_input,
    placement_world,
)

AMENDED_AT = datetime(2026, 9, 30, 9, 0)  # after every internship drawn below
FIRST_START = date(2026, 6, 1)


@dataclass(frozen=True)
class Terms:
    start: date
    end: date
    week: dict[int, str]
    interruption: tuple[date, date] | None


@st.composite
def weeks(draw: st.DrawFn) -> dict[int, str]:
    """A lawful week: Monday to Saturday, at most 10 h a day and 35 h a week."""
    hours = {day: draw(st.sampled_from([0, 0, 3.5, 4, 7, 7, 7.5, 10])) for day in range(6)}
    while sum(hours.values()) > 35:
        busiest = max(hours, key=lambda day: hours[day])
        hours[busiest] = 0
    if not any(hours.values()):
        hours[0] = 7
    return {day: f"{value:g}".replace(".", ",") for day, value in hours.items() if value}


@st.composite
def terms(draw: st.DrawFn, start: date) -> Terms:
    end = start + timedelta(days=draw(st.integers(10, 75)))
    interruption = None
    if draw(st.booleans()):
        first = start + timedelta(days=draw(st.integers(0, (end - start).days)))
        last = min(end, first + timedelta(days=draw(st.integers(0, 6))))
        interruption = (first, last)
    return Terms(start, end, draw(weeks()), interruption)


def _form(world: Placement, t: Terms) -> agreement_terms.AgreementInput:
    breaks = []
    if t.interruption is not None:
        first, last = t.interruption
        breaks.append((f"{first:%d/%m/%Y}", f"{last:%d/%m/%Y}"))
    return agreement_input(
        world,
        date_debut=f"{t.start:%d/%m/%Y}",
        date_fin=f"{t.end:%d/%m/%Y}",
        horaires=t.week,
        interruptions=breaks,
    )


@pytest.fixture
def world(db: Database) -> Placement:
    with db.session() as s:
        return placement_world(s)


@service_settings(25)
@given(
    base=terms(FIRST_START + timedelta(days=3)),
    amendments=st.lists(
        st.tuples(st.integers(-10, 80), terms(FIRST_START + timedelta(days=3))),
        max_size=2,
    ),
)
def test_every_screen_and_document_shows_the_one_total(
    db: Database, world: Placement, tmp_path: Path, base: Terms, amendments: list
) -> None:
    with db.session(commit=False) as s:
        info = life_cycle.create_draft(
            s, _form(world, base), actor=make_actor(COORDINATION, "C"), now=AGREEMENT_NOW
        )
        life_cycle.mark_ready(s, info.id, actor=make_actor(COORDINATION, "C"), now=AGREEMENT_NOW)
        for who in Signatory:
            life_cycle.record_signature(
                s,
                info.id,
                who.value,
                AGREEMENT_NOW.date(),
                actor=make_actor(COORDINATION, "C"),
                now=AGREEMENT_NOW,
            )
        signing_day = AGREEMENT_NOW.date()
        last_rank = None
        for offset, new in amendments:
            try:
                amendment = agreement_amendments.create_amendment(
                    s,
                    info.id,
                    _form(world, new),
                    "Changement",
                    actor=make_actor(COORDINATION, "C"),
                    now=AMENDED_AT,
                )
            except ValidationError:
                continue  # nothing changes, or an interruption falls outside the new dates
            signing_day = max(signing_day, FIRST_START + timedelta(days=offset))
            agreement_amendments.sign_amendment(
                s,
                info.id,
                amendment.rank,
                signing_day,
                actor=make_actor(COORDINATION, "C"),
                now=AMENDED_AT,
            )
            last_rank = amendment.rank

        total = versions.agreement_hours_for(s, info.id).total
        shown = details.get_agreement(s, info.id)
        assert shown.hours == total
        # The form's live total, on the agreement as it stands.
        check = rules.validate_agreement(
            s, shown.values, agreement_id=info.id, today=AMENDED_AT.date()
        )
        assert check.hours == total
        convention = convention_data(s, info.id, today=AMENDED_AT.date())
        assert convention.hours_total == total.hours
        assert convention.hours_text == describe_total(total)
        assert sum(p.hours for p in convention.periods) == pytest.approx(total.hours)
        assert evaluation_data(s, info.id, today=AMENDED_AT.date()).hours == total.hours
        if last_rank is not None:
            avenant = avenant_data(s, info.id, last_rank, today=AMENDED_AT.date())
            for change in avenant.changes:
                if change.label == HOURS_LABEL:
                    assert change.after.startswith(describe_total(total))
        out = tmp_path / f"conventions-{info.id}.csv"
        export_agreements(s, out, today=AMENDED_AT.date())
        with out.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        assert rows[-1]["heures_effectives"] == format_decimal(
            total.hours, format="0.##", locale="fr_FR"
        )
        # Once over, the attestation certifies the same planned hours (no absence recorded).
        life_cycle.refresh_status(s, info.id, shown.end + timedelta(days=1))
        attestation = attestation_data(s, info.id, today=AMENDED_AT.date())
        assert attestation.presence is not None
        assert attestation.presence.planned_text == describe_total(total)
        assert attestation.hours == pytest.approx(total.hours)
