"""The personal-data use cases the window calls: each its own unit of work; anonymising is all
or nothing and the file rebuilt after it; an export that would overwrite the base writes
nothing; roles checked in the use case, reads included."""

import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import backup_dir
from app.domain import AuditAction, AuditEntry, Candidate
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.errors import NotFoundError, PermissionDenied
from app.services.rgpd import actions
from app.services.rgpd import person_data as rgpd
from app.storage import Database
from app.storage.targets import OverwriteRefused
from tests.conftest import make_actor
from tests.encrypted import decrypted_files

COORDINATION = make_actor("coordination", "Claire Morel")
RECEPTION = make_actor("accueil", "Karim")
NAME = "Quetzalcoatl"


def _candidate(db: Database, nom: str = NAME, *, at: datetime | None = None) -> int:
    with db.session() as session:
        data = CandidateInput(
            nom=nom,
            prenom="Zéphyrine",
            email=f"{nom.lower()}@exemple.fr",
            saison="2026-2027",
            site="cobalt",
        )
        return create_candidate(session, data, actor=COORDINATION, now=at).id


def _last_name(db: Database, candidate_id: int) -> str:
    with db.session(commit=False) as session:
        candidate = session.get(Candidate, candidate_id)
        assert candidate is not None
        return candidate.last_name


def _entries(db: Database, action: AuditAction) -> int:
    with db.session(commit=False) as session:
        count = select(func.count(AuditEntry.id)).where(AuditEntry.action == action.value)
        return session.scalar(count) or 0


def test_reading_a_person_is_for_coordination(db: Database) -> None:
    candidate = _candidate(db)
    person = actions.person(db, candidate, actor=COORDINATION)
    assert person.name == f"{NAME.upper()} Zéphyrine"
    assert person.application_ids == (candidate,)
    for read in (actions.person, actions.erasure_check):
        with pytest.raises(PermissionDenied, match="Seule la coordination"):
            read(db, candidate, actor=RECEPTION)


def test_the_erasure_check_names_the_person_and_what_forbids_it(db: Database) -> None:
    candidate = _candidate(db)
    check = actions.erasure_check(db, candidate, actor=COORDINATION)
    assert check.person.application_ids == (candidate,)
    assert check.blockers == []


def test_anonymising_is_all_or_nothing(db: Database) -> None:
    candidate = _candidate(db)
    with pytest.raises(NotFoundError):
        actions.anonymise(db, [candidate, 999_999], actor=COORDINATION)
    assert _last_name(db, candidate) == NAME  # the first one was not kept either
    assert _entries(db, AuditAction.ANONYMISATION) == 0
    with pytest.raises(PermissionDenied):
        actions.anonymise(db, [candidate], actor=RECEPTION)
    assert _last_name(db, candidate) == NAME


def test_anonymising_leaves_no_trace_of_the_name_in_the_files(db: Database, db_path: Path) -> None:
    candidate = _candidate(db)
    assert actions.anonymise(db, [candidate], actor=COORDINATION) == 1
    assert _last_name(db, candidate) == rgpd.ANONYMOUS_NAME
    # The file was rebuilt after the transaction: no free page or log frame keeps the name.
    for name, content in decrypted_files(db_path).items():
        assert NAME.lower().encode() not in content.lower(), name


def test_the_export_writes_both_files_and_journals_it(db: Database, tmp_path: Path) -> None:
    candidate = _candidate(db)
    export = actions.export_person(db, candidate, tmp_path / "donnees.txt", actor=COORDINATION)
    assert export.json_path == tmp_path / "donnees.json"  # always .json, the PDF beside it
    assert export.pdf_path.read_bytes().startswith(b"%PDF")
    assert _entries(db, AuditAction.EXPORT) == 1


def test_an_export_that_would_overwrite_a_base_or_a_backup_writes_nothing(
    db: Database, tmp_path: Path
) -> None:
    candidate = _candidate(db)
    other_base = tmp_path / "copie.pdf"  # the PDF beside copie.json would overwrite it
    with closing(sqlite3.connect(other_base)) as connection:
        connection.execute("CREATE TABLE t (x)")
    for target in (other_base.with_suffix(".json"), backup_dir() / "p.json"):
        with pytest.raises(OverwriteRefused):
            actions.export_person(db, candidate, target, actor=COORDINATION)
        assert not target.exists()
    with pytest.raises(PermissionDenied):
        actions.export_person(db, candidate, tmp_path / "p.json", actor=RECEPTION)
    assert not (tmp_path / "p.json").exists()
    assert _entries(db, AuditAction.EXPORT) == 0


def test_the_retention_overview_reads_the_period_and_the_idle_files(db: Database) -> None:
    old = _candidate(db, "Ancien", at=datetime(2020, 1, 6, 9))
    _candidate(db, "Recent")
    overview = actions.retention_overview(db, date(2026, 11, 28), actor=COORDINATION)
    assert overview.months == rgpd.DEFAULT_RETENTION_MONTHS
    assert overview.idle_since == date(2024, 11, 28)
    assert [row.id for row in overview.rows] == [old]
    with pytest.raises(PermissionDenied):
        actions.retention_overview(db, date(2026, 11, 28), actor=RECEPTION)
    assert actions.set_retention_months(db, 36, actor=COORDINATION) == 36
    assert actions.retention_overview(db, date(2026, 11, 28), actor=COORDINATION).months == 36
