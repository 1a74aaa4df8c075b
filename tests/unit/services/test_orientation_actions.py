"""The orientation use cases the window calls: each its own unit of work; the bilan printed
and its print journaled together or not at all; roles checked in the use case."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.domain import AuditAction, AuditEntry, Candidate, Cohort
from app.services.errors import PermissionDenied
from app.services.journal import audit_log as audit
from app.services.orientation import actions
from app.storage import Database
from app.storage.targets import OverwriteRefused
from tests.conftest import make_actor
from tests.unit.services.test_orientation import World, _candidate, _world, during_the_season

COORDINATION = make_actor("coordination", "Claire Morel")
TRAINER = make_actor("formateur", "Samir Haddad")
RECEPTION = make_actor("accueil", "Karim")
TODAY = date(2025, 12, 20)
_ = during_the_season  # autouse here too: the world is built by a trainer during the season


@pytest.fixture
def attached(db: Database) -> Iterator[Database]:
    """The journal names who prints, as in the window."""
    audit.attach(db, lambda: "Claire Morel")
    yield db
    audit.detach(db)


@pytest.fixture
def world(attached: Database) -> World:
    with attached.session() as s:
        return _world(s)


def _printed(db: Database, candidate_id: int) -> list[str]:
    """The journal's print entries about this candidate."""
    with db.session(commit=False) as s:
        uuid = s.get(Candidate, candidate_id).uuid
        rows = s.scalars(
            select(AuditEntry.summary).where(
                AuditEntry.action == AuditAction.IMPRESSION.value,
                AuditEntry.candidate_uuid == uuid,
            )
        )
        return list(rows)


# ---------------------------------------------------------------- the bilan


def test_the_bilan_is_written_and_its_print_journaled(
    attached: Database, world: World, tmp_path: Path
) -> None:
    target = tmp_path / "bilan.pdf"
    actions.print_bilan(attached, world.lea, target, actor=TRAINER, today=TODAY)
    assert target.read_bytes().startswith(b"%PDF")
    assert _printed(attached, world.lea) == ["Bilan d'orientation imprimé"]


def test_a_journal_that_cannot_be_written_leaves_no_file(
    attached: Database, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_session: Session, _candidate_id: int) -> None:
        raise RuntimeError("journal unavailable")

    monkeypatch.setattr(actions.audit, "record_bilan_printed", broken)
    folder = tmp_path / "documents"
    folder.mkdir()
    with pytest.raises(RuntimeError):
        actions.print_bilan(attached, world.lea, folder / "bilan.pdf", actor=TRAINER, today=TODAY)
    assert list(folder.iterdir()) == []  # no file, not even a temporary one


def test_a_file_that_cannot_be_written_leaves_no_journal_entry(
    attached: Database, world: World, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "fichier"
    not_a_folder.write_text("")
    with pytest.raises(OSError):
        actions.print_bilan(
            attached, world.lea, not_a_folder / "bilan.pdf", actor=TRAINER, today=TODAY
        )
    assert _printed(attached, world.lea) == []


@pytest.fixture
def failing_commit() -> Iterator[None]:
    """The next commit fails, after everything the use case did."""

    def refuse(_session: Session) -> None:
        event.remove(Session, "before_commit", refuse)
        raise RuntimeError("disk full at commit")

    event.listen(Session, "before_commit", refuse)
    yield
    if event.contains(Session, "before_commit", refuse):
        event.remove(Session, "before_commit", refuse)


def test_a_file_written_before_a_failed_commit_is_removed(
    attached: Database, world: World, tmp_path: Path, failing_commit: Any
) -> None:
    target = tmp_path / "bilan.pdf"
    with pytest.raises(RuntimeError, match="disk full"):
        actions.print_bilan(attached, world.lea, target, actor=TRAINER, today=TODAY)
    assert not target.exists()
    assert _printed(attached, world.lea) == []


def test_reception_may_not_print_a_bilan(attached: Database, world: World, tmp_path: Path) -> None:
    target = tmp_path / "bilan.pdf"
    with pytest.raises(PermissionDenied):
        actions.print_bilan(attached, world.lea, target, actor=RECEPTION, today=TODAY)
    assert not target.exists()
    assert _printed(attached, world.lea) == []


@pytest.mark.sqlite_only  # the base's own file
def test_the_bilan_never_overwrites_the_base(
    attached: Database, world: World, db_path: Path
) -> None:
    before = db_path.read_bytes()[:100]
    with pytest.raises(OverwriteRefused, match="la base de données elle-même"):
        actions.print_bilan(attached, world.lea, db_path, actor=TRAINER, today=TODAY)
    assert db_path.read_bytes()[:100] == before
    assert _printed(attached, world.lea) == []


# ---------------------------------------------------------------- reads and roles


def _cohort_count(db: Database) -> int:
    with db.session(commit=False) as s:
        return s.scalar(select(func.count()).select_from(Cohort)) or 0


def test_reception_sees_no_cohort_and_creates_none(db: Database) -> None:
    with db.session() as s:
        _candidate(s, "Dupont", "Léa")
    assert actions.cohorts(db, actor=RECEPTION) == []
    assert _cohort_count(db) == 0
    listed = actions.cohorts(db, actor=TRAINER)
    assert [(c.season, c.site_name) for c in listed] == [("2025-2026", "Cobalt")]
    assert _cohort_count(db) == 1  # created and committed by the use case


def test_reads_of_a_cohort_are_refused_to_reception(db: Database, world: World) -> None:
    for read in (
        lambda: actions.activities(db, world.cohort, actor=RECEPTION),
        lambda: actions.cohort_learners(db, world.cohort, actor=RECEPTION),
        lambda: actions.criteria(db, actor=RECEPTION),
        lambda: actions.cohort_matrix(db, world.cohort, TODAY, actor=RECEPTION),
    ):
        with pytest.raises(PermissionDenied):
            read()
    assert [a.title for a in actions.activities(db, world.cohort, actor=TRAINER)] == [
        "Atelier affiche"
    ]
    learners = actions.cohort_learners(db, world.cohort, actor=TRAINER)
    assert {learner.candidate_id for learner in learners} == {world.lea, world.marc, world.nora}


def test_a_level_typed_is_committed_by_its_use_case(db: Database, world: World) -> None:
    criterion = world.criteria["E1"]
    written = actions.record_level(db, world.activity, world.lea, criterion, "1", actor=TRAINER)
    assert written
    grid = actions.grid(db, world.activity, world.team, actor=COORDINATION)
    assert grid.levels[(world.lea, criterion)] == "acquis"
    with pytest.raises(PermissionDenied):
        actions.record_level(db, world.activity, world.lea, criterion, "2", actor=RECEPTION)
    history = actions.level_history(db, world.activity, world.lea, criterion, actor=TRAINER)
    assert [change.to_label for change in history] == ["Acquis"]
