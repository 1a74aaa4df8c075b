"""The facts every indicator is computed from (`reports.scope.facts`), one application at a
time: the steps reached from the history and the current stage, the entry and the exit dates —
a file without history, a corrected entry, a move back from a follow-up stage."""

from datetime import datetime

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Stage, StageChange
from app.services.candidates.records import CandidateInput, change_stage, create_candidate
from app.services.reports import indicators
from app.services.reports.scope import REACHED, ReportScope, facts
from app.storage import Database
from tests.conftest import make_actor

COORD = make_actor("coordination", "claire.vasseur", "Claire Vasseur")
APPLIED = datetime(2025, 10, 1, 9, 0)


def _apply(s: Session, name: str) -> int:
    data = CandidateInput(
        nom=name, prenom="Test", saison="2025-2026", site="cobalt", email=f"{name}@exemple.fr"
    )
    return create_candidate(s, data, actor=COORD, now=APPLIED).id


def _move(s: Session, cid: int, stage: str, at: datetime, **exit: str) -> None:
    change_stage(s, cid, stage, comment="motif noté", actor=COORD, now=at, **exit)


def _facts_of(s: Session, cid: int) -> dict[str, object]:
    f = facts(s, ReportScope("2025-2026"))
    row = s.execute(select(f).where(f.c.id == cid)).mappings().one()
    return dict(row)


def _reached(row: dict[str, object]) -> set[str]:
    return {key for key in REACHED if row[f"reached_{key}"] == 1}


def _day(value: object) -> str:
    return str(value)[:16]


@pytest.fixture
def session(db: Database) -> Session:
    with db.session() as s:
        yield s


def test_a_file_without_history_counts_where_it_is(session: Session) -> None:
    """Imported at *sortie* with no stage change: through every step up to the entry, entered
    and left on its stage's date; the orientation or the internship are not assumed."""
    cid = _apply(session, "sanshistorique")
    session.execute(delete(StageChange).where(StageChange.candidate_id == cid))
    candidate = session.get(Candidate, cid)
    assert candidate is not None
    candidate.stage_id = session.scalar(select(Stage.id).where(Stage.code == "sortie"))
    candidate.stage_changed_at = datetime(2026, 3, 2, 10, 0)
    session.flush()
    row = _facts_of(session, cid)
    assert _reached(row) == {"information_collective", "entretien", "admis", "entres", "sortis"}
    assert row["stage_code"] == "sortie"
    assert _day(row["entry_at"]) == _day(row["exit_at"]) == "2026-03-02 10:00"


def test_the_history_gives_the_steps_the_first_entry_and_the_exit(session: Session) -> None:
    cid = _apply(session, "parcours")
    _move(session, cid, "entretien", datetime(2025, 10, 10, 9))
    _move(session, cid, "admis", datetime(2025, 10, 20, 9))
    _move(session, cid, "entre_formation", datetime(2025, 12, 1, 9))
    _move(session, cid, "orientation_validee", datetime(2026, 1, 15, 9))
    _move(session, cid, "sortie", datetime(2026, 4, 30, 9), exit_type="cdi", pathway_end="complet")
    # The follow-up stage and back: the stage is corrected, the exit keeps its date.
    _move(session, cid, "suivi_6_mois", datetime(2026, 11, 2, 9))
    _move(session, cid, "sortie", datetime(2026, 11, 3, 9), exit_type="cdi")
    row = _facts_of(session, cid)
    assert _reached(row) == {
        "information_collective",
        "entretien",
        "admis",
        "entres",
        "orientation_validee",
        "sortis",
    }
    assert _day(row["entry_at"]) == "2025-12-01 09:00"
    assert _day(row["exit_at"]) == "2026-04-30 09:00"


def test_an_entry_taken_back_is_no_entry(session: Session) -> None:
    """Moved back from *entré en formation* to *admis* (a correction): admitted, not entered;
    the history still says the entry date it once had."""
    cid = _apply(session, "corrige")
    _move(session, cid, "entretien", datetime(2025, 10, 10, 9))
    _move(session, cid, "admis", datetime(2025, 10, 20, 9))
    _move(session, cid, "entre_formation", datetime(2025, 12, 1, 9))
    _move(session, cid, "admis", datetime(2025, 12, 2, 9))
    row = _facts_of(session, cid)
    assert _reached(row) == {"information_collective", "entretien", "admis"}
    assert row["exit_at"] is None


def test_a_learner_who_left_during_orientation(session: Session) -> None:
    cid = _apply(session, "orientation")
    _move(session, cid, "admis", datetime(2025, 10, 20, 9))
    _move(session, cid, "entre_formation", datetime(2025, 12, 1, 9))
    _move(session, cid, "sortie", datetime(2025, 12, 20, 9), exit_type="sans_solution")
    row = _facts_of(session, cid)
    assert "orientation_validee" not in _reached(row)
    assert {"entres", "sortis", "admis"} <= _reached(row)
    assert _day(row["exit_at"]) == "2025-12-20 09:00"


def test_the_facts_kept_for_several_tables_twice_in_one_session(session: Session) -> None:
    """The dashboard's tables read the facts from a temporary table; asking twice in one
    session (the same connection) builds it again on either engine."""
    cid = _apply(session, "deuxfois")
    _move(session, cid, "admis", datetime(2025, 10, 20, 9))
    _move(session, cid, "entre_formation", datetime(2025, 12, 1, 9))
    first = indicators.indicator_tables(session, ReportScope("2025-2026"))
    second = indicators.indicator_tables(session, ReportScope("2025-2026"))
    assert [t.rows for t in first] == [t.rows for t in second]
    funnel = next(t for t in first if t.key == "funnel")
    entered = next(row for row in funnel.rows if row.label == "Entrés en formation")
    assert entered.cells[0].value == 1
