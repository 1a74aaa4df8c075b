"""Events: an activity of kind Événement with a date, a place and the learners who took part;
journaled; on the learner's page and in their bilan (parsed back from the PDF)."""

import io
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.domain import AuditEntry, Candidate
from app.pdf.bilan import render_bilan
from app.services.errors import PermissionDenied, ValidationError
from app.services.journal import audit_log as audit
from app.services.orientation import actions, bilan, events
from app.services.orientation.activities import ActivityInput
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_orientation import World, _candidate, _world, during_the_season

_ = during_the_season  # autouse here too: trainers write while the 2025-2026 season runs
TRAINER = make_actor("formateur", "Samir Haddad")
COORDINATION = make_actor("coordination", "Claire Morel")
NIORT_NUMERIC = ActivityInput(
    day="12/03/2026", title="Niort Numéric", kind="evenement", place="Niort, Pôle universitaire"
)
HACKATHON = ActivityInput(
    day="18/12/2025", title="Hackathon open data", kind="Événement", place="Poitiers, Cobalt"
)


@pytest.fixture
def attached(db: Database) -> Iterator[Database]:
    audit.attach(db, lambda: "Samir Haddad")
    yield db
    audit.detach(db)


@pytest.fixture
def world(attached: Database) -> World:
    with attached.session() as s:
        return _world(s)


def _entries(db: Database, candidate_id: int | None = None) -> list[str]:
    with db.session(commit=False) as s:
        query = select(AuditEntry.summary).where(AuditEntry.entity_type == "activity")
        if candidate_id is not None:
            uuid = s.get(Candidate, candidate_id).uuid
            query = query.where(AuditEntry.candidate_uuid == uuid)
        return list(s.scalars(query.order_by(AuditEntry.id)))


def test_an_event_has_a_place_and_its_participants_and_is_journaled(
    attached: Database, world: World
) -> None:
    info = actions.save_event(
        attached, world.cohort, NIORT_NUMERIC, [world.nora, world.lea], actor=TRAINER
    )
    assert (info.kind, info.kind_label, info.place) == (
        "evenement",
        "Événement",
        NIORT_NUMERIC.place,
    )
    assert [p.name for p in info.participants] == ["DUPONT Léa", "ZIANI Nora"]
    listed = next(
        a for a in actions.activities(attached, world.cohort, actor=TRAINER) if a.id == info.id
    )
    assert [p.candidate_id for p in listed.participants] == [world.lea, world.nora]
    assert _entries(attached, world.lea) == [
        "Participation à l'événement « Niort Numéric » du 12/03/2026 enregistrée"
    ]
    assert _entries(attached, world.marc) == []
    assert audit.entity_label(events.ACTIVITY_ENTITY) == "Événement"  # the journal's column
    assert "Événement « Niort Numéric » du 12/03/2026 à Niort, Pôle universitaire créé" in (
        _entries(attached)
    )

    # Léa did not come after all: her participation is withdrawn, and journaled.
    changed = actions.save_event(
        attached, world.cohort, NIORT_NUMERIC, [world.nora], activity_id=info.id, actor=TRAINER
    )
    assert [p.candidate_id for p in changed.participants] == [world.nora]
    assert _entries(attached, world.lea)[-1] == (
        "Participation à l'événement « Niort Numéric » du 12/03/2026 retirée"
    )
    # Nothing about the event itself changed: no second "modifié" entry.
    assert not any(e.endswith("modifié") for e in _entries(attached))


def test_participants_are_learners_of_the_cohort_and_only_for_events(
    attached: Database, world: World
) -> None:
    with pytest.raises(ValidationError) as outsider:
        actions.save_event(attached, world.cohort, HACKATHON, [world.outsider], actor=TRAINER)
    assert outsider.value.errors == {
        "participants": "Un des apprenants choisis ne fait pas partie de cette promotion."
    }
    with pytest.raises(ValidationError) as workshop:
        actions.set_participants(attached, world.activity, [world.lea], actor=TRAINER)
    assert workshop.value.errors["participants"].startswith("Seul un événement a des participants")
    with pytest.raises(ValidationError) as too_long:
        actions.save_event(
            attached,
            world.cohort,
            ActivityInput(day="18/12/2025", title="Hackathon", kind="evenement", place="x" * 201),
            [],
            actor=TRAINER,
        )
    assert "lieu" in too_long.value.errors
    # An event turned into a workshop loses its participants (teams are for workshops).
    info = actions.save_event(attached, world.cohort, HACKATHON, [world.lea], actor=TRAINER)
    workshop_input = ActivityInput(day="18/12/2025", title="Hackathon", kind="atelier")
    after = actions.save_event(
        attached, world.cohort, workshop_input, [world.lea], activity_id=info.id, actor=TRAINER
    )
    assert after.participants == ()
    with pytest.raises(PermissionDenied):
        actions.save_event(
            attached, world.cohort, HACKATHON, [], actor=make_actor("accueil", "Karim")
        )


def test_a_closed_season_refuses_a_trainers_participants(attached: Database, world: World) -> None:
    info = actions.save_event(attached, world.cohort, HACKATHON, [world.lea], actor=TRAINER)
    with pytest.raises(PermissionDenied, match="Saison 2025-2026 terminée le 01/08/2026"):
        actions.set_participants(
            attached, info.id, [world.marc], actor=TRAINER, now=datetime(2026, 9, 1, 9, 0)
        )


def test_the_learner_page_and_the_bilan_list_the_events_taken_part_in(
    attached: Database, world: World
) -> None:
    actions.save_event(attached, world.cohort, NIORT_NUMERIC, [world.lea], actor=TRAINER)
    actions.save_event(attached, world.cohort, HACKATHON, [world.lea, world.marc], actor=TRAINER)
    page = actions.learner_page(attached, world.lea, actor=TRAINER)
    assert [(e.day, e.title, e.place) for e in page.events] == [
        (date(2025, 12, 18), "Hackathon open data", "Poitiers, Cobalt"),
        (date(2026, 3, 12), "Niort Numéric", "Niort, Pôle universitaire"),
    ]
    assert [e.title for e in actions.learner_page(attached, world.nora, actor=TRAINER).events] == []

    with attached.session(commit=False) as s:
        data = bilan.bilan_data(s, world.lea, actor=TRAINER, today=date(2026, 3, 20))
        nora = bilan.bilan_data(s, world.nora, actor=TRAINER, today=date(2026, 3, 20))
    pdf = io.BytesIO()
    render_bilan(data, pdf)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    section = text[text.index("Événements") : text.index("Projet professionnel")]
    assert "18/12/2025" in section and "Hackathon open data" in section
    assert "Poitiers, Cobalt" in section
    assert "12/03/2026" in section and "Niort Numéric" in section
    assert section.index("Hackathon open data") < section.index("Niort Numéric")
    empty = io.BytesIO()
    render_bilan(nora, empty)
    nora_text = "\n".join(page.extract_text() for page in PdfReader(empty).pages)
    assert "Aucune participation à un événement enregistrée." in nora_text


def test_each_learner_sees_only_the_events_they_took_part_in(
    attached: Database, world: World
) -> None:
    other = _candidate_in(attached)
    actions.save_event(attached, world.cohort, HACKATHON, [world.lea, other], actor=TRAINER)
    with attached.session(commit=False) as s:
        assert [e.title for e in events.learner_events(s, other)] == ["Hackathon open data"]
        assert events.learner_events(s, world.marc) == ()
        assert events.participants(s, ()) == {}


def _candidate_in(db: Database) -> int:
    with db.session() as s:
        return _candidate(s, "Martin", "Inès")


def test_a_learner_in_a_team_of_an_event_took_part_in_it(attached: Database, world: World) -> None:
    info = actions.save_event(attached, world.cohort, HACKATHON, [world.nora], actor=TRAINER)
    actions.set_teams(attached, info.id, [("Équipe A", [world.lea])], actor=TRAINER)
    listed = next(
        a for a in actions.activities(attached, world.cohort, actor=TRAINER) if a.id == info.id
    )
    assert [p.candidate_id for p in listed.participants] == [world.lea, world.nora]
    assert [e.title for e in actions.learner_page(attached, world.lea, actor=TRAINER).events] == [
        "Hackathon open data"
    ]
    # Listing her again stores nothing more; the workshop's teams make no event.
    actions.set_participants(attached, info.id, [world.lea, world.nora], actor=TRAINER)
    assert _entries(attached, world.lea) == []
    assert actions.learner_page(attached, world.marc, actor=TRAINER).events == ()
