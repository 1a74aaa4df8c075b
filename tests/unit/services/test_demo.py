"""Demonstration data: the finished season, the season in recruitment, today's appointments."""

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.cli import main
from app.demo.seed import ALREADY_FILLED, DemoSummary, seed_demo
from app.domain import Appointment, Candidate, Season, Stage
from app.domain.values import ALLOWED_TRANSITIONS, EXIT_TYPES, POSITIVE_EXITS, STAGES
from app.services import reference
from app.services.appointments import booking as appointments
from app.services.base_access.opening import open_app_database
from app.services.candidates import records as candidates
from app.services.errors import UserFacingError
from app.services.validation import age_on
from app.storage import Database
from tests.conftest import TODAY

PAST, CURRENT = "2025-2026", "2026-2027"
CODE_BY_LABEL = {s.code: s.code for s in STAGES} | {s.label: s.code for s in STAGES}
RECRUITMENT = {
    "recue",
    "contacte",
    "sans_reponse",
    "information_collective",
    "entretien",
    "admis",
    "liste_attente",
    "non_retenu",
    "desiste",
}


def _open(path: Path, today: date = TODAY) -> Database:
    return open_app_database("sqlite:///" + str(path), today=today)


@pytest.fixture(scope="module")
def seeded_with_summary(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Database, DemoSummary]]:
    """One demo database shared by the tests of this module that leave it as it is."""
    database = _open(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    with database.session() as session:
        summary = seed_demo(session, today=TODAY)
    yield database, summary
    database.dispose()


@pytest.fixture
def seeded(seeded_with_summary: tuple[Database, DemoSummary]) -> Database:
    return seeded_with_summary[0]


def _candidates(session: Session, season: str | None = None) -> list[Candidate]:
    query = (
        select(Candidate)
        .join(Season, Season.id == Candidate.season_id)
        .options(joinedload(Candidate.stage), joinedload(Candidate.site))
        .order_by(Candidate.id)
    )
    if season:
        query = query.where(Season.label == season)
    return list(session.scalars(query))


def _signature(database: Database) -> list[tuple[str, ...]]:
    with database.session() as s:
        return [
            (c.last_name, c.usage_name or "", c.first_name, c.email or "", c.stage.code)
            for c in _candidates(s)
        ]


# ---------------------------------------------------------------- the finished season


def test_past_season_has_40_candidates_and_34_entries(seeded: Database) -> None:
    with seeded.session() as s:
        past = _candidates(s, PAST)
        sites = Counter(c.site.code for c in past)
        entered = [c for c in past if c.stage.counts_as_entry]
        others = Counter(c.stage.code for c in past if not c.stage.counts_as_entry)
    assert len(past) == 40
    assert len(entered) == 34
    assert set(sites) == {"cobalt", "du-guesclin"}
    assert min(sites.values()) >= 15
    assert set(others) <= {"non_retenu", "desiste", "liste_attente"}
    assert sum(others.values()) == 6


def test_past_season_exits_are_realistic(seeded: Database) -> None:
    with seeded.session() as s:
        past = _candidates(s, PAST)
        histories = {c.id: candidates.stage_history(s, c.id) for c in past}
    entered = [c for c in past if c.stage.counts_as_entry]
    exited = [c for c in entered if any(h.to_label == "sortie" for h in histories[c.id])]
    assert {c.stage.code for c in entered} <= {"sortie", "suivi_6_mois", "suivi_12_mois"}
    assert len(exited) == 34
    assert all(c.exit_type in EXIT_TYPES for c in exited)
    positive = [c for c in exited if c.exit_type in POSITIVE_EXITS]
    assert len(positive) > len(exited) / 2
    through_non_validated = [
        c
        for c in exited
        if any(h.to_label == "période d'orientation non validée" for h in histories[c.id])
    ]
    assert len(through_non_validated) == 2
    assert all(c.exit_type == "abandon" for c in through_non_validated)


def test_past_applications_come_in_the_autumn_before_the_start(seeded: Database) -> None:
    with seeded.session() as s:
        applied = [c.application_date for c in _candidates(s, PAST)]
    assert all(d is not None and date(2025, 9, 1) <= d <= date(2025, 11, 30) for d in applied)


# ---------------------------------------------------------------- the season in recruitment


def test_current_season_is_in_recruitment(seeded: Database) -> None:
    with seeded.session() as s:
        current = _candidates(s, CURRENT)
        stages = Counter(c.stage.code for c in current)
        applied = [c.application_date for c in current]
    assert 25 <= len(current) <= 35
    assert set(stages) <= RECRUITMENT
    assert {"recue", "contacte", "sans_reponse", "information_collective"} <= set(stages)
    assert {"entretien", "admis", "liste_attente"} <= set(stages)
    assert all(d is not None and 0 < (TODAY - d).days <= 45 for d in applied)


def test_every_candidate_passes_validation(seeded: Database) -> None:
    with seeded.session() as s:
        everyone = _candidates(s)
        for candidate in everyone:
            candidates.validate_candidate(s, candidates.candidate_input(candidate), TODAY)
        s.rollback()
    assert len(everyone) == 70


def test_people_look_real(seeded: Database) -> None:
    with seeded.session() as s:
        everyone = _candidates(s)
        referrers = {c.referrer.code for c in everyone if c.referrer}
    assert referrers == {o.code for o in _referrers(seeded)}
    assert len({c.email for c in everyone if c.email}) == sum(1 for c in everyone if c.email)
    domains = {c.email.split("@")[1] for c in everyone if c.email}
    assert domains <= {"exemple.fr", "exemple.com", "mail.exemple.org"}
    assert all(c.email is None or c.email.isascii() for c in everyone)
    ages = [
        age_on(c.birth_date, c.application_date)
        for c in everyone
        if c.birth_date and c.application_date
    ]
    assert len(ages) == 70 and min(ages) >= 18 and max(ages) <= 55
    assert any(age < 26 for age in ages) and any(age >= 50 for age in ages)
    assert all(c.phone is None or c.phone[:4] in ("+336", "+337") for c in everyone)
    assert all(c.consent_date and c.owner for c in everyone)
    for candidate in everyone:
        assert candidate.application_date is not None
        department = "86" if candidate.site.code == "cobalt" else "79"
        assert candidate.postal_code is not None and candidate.postal_code.startswith(department)
        expected = {"F": "Mme", "M": "M."}.get(candidate.sex or "")
        assert candidate.civility == expected
    assert any(c.usage_name for c in everyone)
    assert any(c.qpv and c.qpv_name for c in everyone)
    assert any(c.rqth for c in everyone)
    assert any("'" in c.last_name or "-" in c.last_name for c in everyone)


def _referrers(database: Database) -> list[reference.Option]:
    with database.session() as s:
        return reference.referrers(s)


# ---------------------------------------------------------------- histories


def test_histories_start_with_reception_and_follow_allowed_transitions(seeded: Database) -> None:
    midnight = datetime.combine(TODAY, datetime.min.time())
    with seeded.session() as s:
        files = [(c, candidates.stage_history(s, c.id)) for c in _candidates(s)]
    for candidate, history in files:
        assert history[0].from_label == "—"
        assert history[0].to_label == "candidature reçue"
        assert history[-1].to_label == candidate.stage.label
        for before, after in itertools.pairwise(history):
            assert after.from_label == before.to_label
            origin, target = CODE_BY_LABEL[after.from_label], CODE_BY_LABEL[after.to_label]
            assert target in ALLOWED_TRANSITIONS[origin], (candidate.last_name, origin, target)
            assert before.changed_at < after.changed_at
            assert after.comment and after.author
        assert history[-1].changed_at < midnight


def test_refusals_and_withdrawals_give_a_reason(seeded: Database) -> None:
    with seeded.session() as s:
        refused = [c for c in _candidates(s) if c.stage.reason_required]
        last = [candidates.stage_history(s, c.id)[-1] for c in refused]
    assert len(refused) >= 4
    assert all(len(entry.comment) > 10 for entry in last)


# ---------------------------------------------------------------- appointments


def test_there_are_appointments_today_at_each_site(seeded: Database) -> None:
    with seeded.session() as s:
        sites = reference.sites(s)
        today = appointments.appointments_on(s, TODAY)
        per_site = {o.code: appointments.appointments_on(s, TODAY, o.id) for o in sites}
        upcoming = appointments.upcoming_sessions(s, date(2026, 11, 29))
    assert sum(a.kind == "entretien" for a in today) >= 2
    for code, listed in per_site.items():
        sessions = [a for a in listed if a.kind == "information_collective"]
        assert sessions, code
        assert all(a.registered > 0 for a in sessions)
    assert [a.starts_at for a in today] == sorted(a.starts_at for a in today)
    assert upcoming


def test_past_appointments_have_their_attendance(seeded: Database) -> None:
    with seeded.session() as s:
        past_ids = s.scalars(
            select(Appointment.id).where(Appointment.starts_at < datetime(2025, 12, 1))
        ).all()
        infos = [appointments.get_appointment(s, i) for i in past_ids]
    assert sum(a.kind == "information_collective" for a in infos) >= 8
    assert sum(a.kind == "entretien" for a in infos) >= 30
    attendances = [a.attendance for info in infos for a in info.attendees]
    assert "inscrit" not in attendances
    assert attendances.count("present") > 0.8 * len(attendances)


def test_candidates_reached_an_interview_have_one(seeded: Database) -> None:
    with seeded.session() as s:
        admitted = [
            c
            for c in _candidates(s)
            if any(h.to_label == "admis" for h in candidates.stage_history(s, c.id))
        ]
        kinds = [{a.kind for a in appointments.for_candidate(s, c.id)} for c in admitted]
    assert admitted
    assert all(k == {"information_collective", "entretien"} for k in kinds)


# ---------------------------------------------------------------- summary, refusal, determinism


def test_summary_describes_what_was_created(
    seeded_with_summary: tuple[Database, DemoSummary],
) -> None:
    summary = seeded_with_summary[1]
    text = summary.describe()
    assert "saison 2025-2026 (terminée) : 40 candidats" in text
    assert "dont 34 entrés en formation (85 %)" in text
    assert "saison 2026-2027 (en recrutement) : 30 candidats" in text
    assert "Cobalt : " in text and "Centre Du Guesclin : " in text
    assert f"dont {summary.today_appointments} aujourd'hui" in text
    assert summary.today_appointments >= 4


def test_seeding_twice_is_refused(seeded: Database) -> None:
    with seeded.session() as s, pytest.raises(UserFacingError) as caught:
        seed_demo(s, today=TODAY)
    assert str(caught.value) == ALREADY_FILLED
    assert str(caught.value) == (
        "La base contient déjà des candidats : les données de démonstration ne sont ajoutées "
        "qu'à une base vide."
    )
    with seeded.session() as s:
        assert s.scalar(select(func.count(Candidate.id))) == 70


def test_same_seed_and_day_give_the_same_data(seeded: Database, tmp_path: Path) -> None:
    signatures = [_signature(seeded)]
    for name, seed in (("same", 2017), ("other", 2018)):
        database = _open(tmp_path / f"{name}.sqlite")
        with database.session() as s:
            seed_demo(s, today=TODAY, seed=seed)
        signatures.append(_signature(database))
        database.dispose()
    assert signatures[0] == signatures[1]
    assert signatures[0] != signatures[2]


@pytest.mark.parametrize("today", [date(2026, 8, 1), date(2027, 11, 30)])
def test_any_day_of_recruitment_gives_a_coherent_demo(tmp_path: Path, today: date) -> None:
    """From August to November; the rest of the year: test_demo_calendar.py."""
    database = _open(tmp_path / "any.sqlite", today)
    with database.session() as s:
        summary = seed_demo(s, today=today)
        last_change = s.scalar(select(func.max(Candidate.last_action_at)))
        entries = s.scalar(
            select(func.count(Candidate.id))
            .join(Stage, Stage.id == Candidate.stage_id)
            .where(Stage.counts_as_entry.is_(True))
        )
    database.dispose()
    past = summary.seasons[0]
    assert (past.candidates, past.entries, entries) == (40, 34, 34)
    assert last_change is not None and last_change.date() < today
    assert summary.today_appointments >= 4


def test_cli_seed_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.sqlite"
    assert main(["seed-demo", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Données de démonstration ajoutées" in out
    assert "40 candidats" in out and "34 entrés en formation" in out
    assert main(["seed-demo", "--db", str(path)]) == 1
    assert "ne sont ajoutées qu'à une base vide" in capsys.readouterr().err
