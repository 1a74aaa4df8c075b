"""Erasure is one service call: the deletion, the search index merged, the database file
rebuilt, the write-ahead log emptied after other readers (retried, reported when it could not),
and the backups still holding the person listed (issue 12, point 8)."""

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.config import backup_dir
from app.domain import Candidate
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.rgpd import person_data as rgpd
from app.storage import Database, scrub
from app.storage.backup import backup_database
from tests.conftest import make_actor
from tests.encrypted import decrypted_files, raw_connect

COORDINATION = "coordination"
RARE = "Qzxwvkjbyh"  # found only where this person's data is
TRACE = b"wvkjbyh"  # the end of the name: what stays readable in a page or the index


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scrub, "WAIT_FOR_READERS_MS", 200)
    monkeypatch.setattr(scrub, "PAUSE_S", 0.05)


def add(db: Database, nom: str = RARE, email: str = "qzxwvkjbyh@exemple.fr") -> int:
    with db.session() as session:
        return create_candidate(
            session,
            CandidateInput(nom=nom, prenom="Zoé", email=email, saison="2026-2027", site="cobalt"),
            actor=make_actor(COORDINATION, "Nadia"),
        ).id


def files_holding(db_path: Path, trace: bytes = TRACE) -> list[str]:
    """The base's files (main, -wal, -shm, -journal) in which `trace` can be read by whoever
    has the base's key: the base and its write-ahead log decrypted page by page, free pages
    and old frames included (`tests.encrypted`), the others as they are."""
    contents = {
        path.name: path.read_bytes()
        for path in db_path.parent.glob(db_path.name + "*")
        if path.name != db_path.name + ".cles"
    }
    contents.update(decrypted_files(db_path))
    return sorted(name for name, content in contents.items() if trace in content.lower())


def raw_files_holding(db_path: Path, trace: bytes = TRACE) -> list[str]:
    """The same files read as they are on the disk, without the key."""
    return sorted(
        path.name
        for path in db_path.parent.glob(db_path.name + "*")
        if trace in path.read_bytes().lower()
    )


def erase(db: Database, candidate_id: int, **options: object) -> rgpd.ErasureReport:
    return rgpd.erase(
        db,
        candidate_id,
        actor=make_actor(COORDINATION, "Claire"),
        reason="consentement",
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def reader(db_path: Path) -> Iterator[Any]:
    """Another window (or workstation) in the middle of reading the base."""
    connection = raw_connect(db_path, isolation_level=None, check_same_thread=False)
    connection.execute("BEGIN")
    connection.execute("SELECT count(*) FROM candidate").fetchone()
    yield connection
    if connection.in_transaction:
        connection.execute("COMMIT")
    connection.close()


def test_one_call_leaves_no_trace_in_the_files_nor_the_index(db: Database, db_path: Path) -> None:
    candidate_id = add(db)
    other = add(db, nom="Martin", email="martin@exemple.fr")
    assert files_holding(db_path)
    assert raw_files_holding(db_path) == []  # encrypted on the disk

    report = erase(db, candidate_id)

    assert report.applications == 1 and report.files_cleaned and report.complete
    assert report.backups == () and report.details() is None
    assert report.notice() == "Les données de la personne ont été effacées de la base (1 dossier)."
    assert files_holding(db_path) == []
    assert (
        not Path(str(db_path) + "-wal").exists() or Path(str(db_path) + "-wal").stat().st_size == 0
    )
    with db.session(commit=False) as session:
        assert session.get(Candidate, candidate_id) is None
        assert session.scalar(select(Candidate.id).where(Candidate.id == other)) == other


def test_the_session_step_alone_already_merges_the_search_index(
    db: Database, db_path: Path
) -> None:
    candidate_id = add(db)
    add(db, nom="Martin", email="martin@exemple.fr")
    with db.session() as session:
        rgpd.erase_person(
            session, candidate_id, actor=make_actor(COORDINATION, "Claire"), reason="demande"
        )
    connection = raw_connect(db_path)
    try:
        blocks = b"".join(
            row[0] for row in connection.execute("SELECT block FROM candidate_fts_data")
        )
    finally:
        connection.close()
    assert TRACE not in blocks.lower()


def test_a_reader_that_finishes_meanwhile_is_waited_for(
    db: Database, db_path: Path, reader: Any
) -> None:
    candidate_id = add(db)
    finished = threading.Timer(0.3, lambda: reader.execute("COMMIT"))
    finished.start()
    try:
        report = erase(db, candidate_id)
    finally:
        finished.join()
    assert report.files_cleaned, report.details()
    assert files_holding(db_path) == []


def test_a_reader_that_stays_is_reported_and_the_traces_go_later(
    db: Database, db_path: Path, reader: Any
) -> None:
    candidate_id = add(db)

    report = erase(db, candidate_id)

    assert not report.files_cleaned and not report.complete
    [problem] = report.problems
    assert problem.startswith(
        f"après {scrub.ATTEMPTS} essais, le journal d'écriture de la base (fichier « -wal ») "
        "garde encore des traces des données effacées, car une autre fenêtre ou un autre poste "
        "lisait la base"
    )
    assert report.details() == (
        f"Le fichier de la base n'a pas pu être entièrement nettoyé : {problem}."
    )
    assert f"{db_path.name}-wal" in files_holding(db_path)  # what the report says

    reader.execute("COMMIT")
    assert scrub.rebuild_file(db.engine)
    assert files_holding(db_path) == []


def test_the_backups_still_holding_the_person_are_listed(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    folder = backup_dir()
    now = datetime.now().replace(second=0, microsecond=0)
    before_the_person = backup_database(
        db.url, folder, reason="demarrage", now=now - timedelta(days=3)
    )
    candidate_id = add(db)
    holding = backup_database(db.url, folder, reason="manuelle", now=now - timedelta(minutes=2))
    shared = backup_database(  # another workstation's copy, in the same shared folder
        db.url, folder, reason="fermeture", now=now - timedelta(minutes=1), workstation="salle-b"
    )
    other_base = tmp_path / "autre" / "autre.sqlite"
    other_base.parent.mkdir()
    other_base.write_bytes(holding.read_bytes())
    Path(f"{other_base}.cles").write_bytes(Path(f"{holding}.cles").read_bytes())
    backup_database(other_base, folder, reason="manuelle", now=now)
    unreadable = folder / f"fabrique@salle-b-{now:%Y-%m-%d_%H%M}-migration.sqlite"
    unreadable.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4096)

    report = erase(db, candidate_id)

    assert report.backup_folder == folder
    assert [(held.path, held.certain) for held in report.backups] == [
        (unreadable, False),
        (shared, True),
        (holding, True),
    ]
    assert before_the_person.exists()
    details = report.details()
    assert details is not None
    assert details.startswith(
        f"Ces sauvegardes du dossier « {folder} », prises avant l'effacement, contiennent encore "
        f"la personne :\n• {unreadable.name} (du {now:%d/%m/%Y à %H:%M} (avant une mise à jour "
        "de la base)) — illisible, peut la contenir\n"
    )
    taken = now - timedelta(minutes=2)
    assert f"• {holding.name} (du {taken:%d/%m/%Y à %H:%M} (manuelle))\n" in details
    assert details.endswith(
        "Supprimez-les si elles ne doivent pas être gardées ; sinon elles disparaîtront avec la "
        "rotation des sauvegardes. Les copies faites ailleurs (clé USB, autre dossier) ne sont "
        "pas listées ici."
    )


def test_a_refused_erasure_changes_nothing(db: Database, db_path: Path) -> None:
    candidate_id = add(db)
    with pytest.raises(rgpd.ValidationError):
        rgpd.erase(db, candidate_id, actor=make_actor(COORDINATION, "Claire"), reason="parce que")
    with pytest.raises(rgpd.PermissionDenied):
        rgpd.erase(db, candidate_id, actor=make_actor("accueil", "Nadia"), reason="demande")
    with db.session(commit=False) as session:
        assert session.get(Candidate, candidate_id) is not None
