"""`check_database`: a French report, never an exception, and never a change to the file."""

import errno
import hashlib
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import app.services.maintenance.health_check as maintenance
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.maintenance.health_check import CheckReport, check_database
from app.storage import Database
from app.storage.migrate import head_revision
from tests.conftest import make_actor
from tests.encrypted import raw_connect

NOW = datetime(2026, 11, 28, 10, 0)


def url_of(path: Path) -> str:
    return "sqlite:///" + str(path)


def fingerprint(folder: Path) -> dict[str, str]:
    """Name and content hash of every file of the folder."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def problems(report: CheckReport) -> list[str]:
    return [line for line, passed in report.lines if not passed]


@pytest.fixture
def closed_db(db: Database, db_path: Path) -> Path:
    """A fresh migrated database, with no engine left open on it."""
    db.dispose()
    return db_path


def add_candidates(database: Database, count: int) -> None:
    with database.session() as session:
        for n in range(count):
            data = CandidateInput(
                nom=f"Martin{n}",
                prenom="Léa",
                saison="2026-2027",
                site="cobalt",
                email=f"lea{n}@exemple.fr",
            )
            create_candidate(session, data, now=NOW, actor=make_actor("coordination", "test"))


def raw_sqlite(path: Path, *statements: str) -> None:
    """Write behind the application's back (with the base's key), foreign keys off."""
    connection = raw_connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


# ---------------------------------------------------------------- a healthy base


def test_a_fresh_database_is_in_good_shape(closed_db: Path) -> None:
    report = check_database(url_of(closed_db))

    assert report.ok, report.describe()
    assert problems(report) == []
    text = report.describe()
    assert text.endswith("Base en bon état.")
    assert "PROBLÈME" not in text
    assert f"à jour (révision {head_revision()})" in text
    assert "Intégrité" in text
    assert "Clés étrangères" in text
    assert "Schéma conforme" in text
    assert str(closed_db) in text


def test_every_check_has_its_own_line_with_ok(closed_db: Path) -> None:
    lines = check_database(url_of(closed_db)).describe().splitlines()
    check_lines = [line for line in lines if line.startswith("OK")]
    assert len(check_lines) >= 5


def test_counts_the_candidates_and_appointments(db: Database, db_path: Path) -> None:
    add_candidates(db, 3)
    db.dispose()

    report = check_database(url_of(db_path))

    assert report.ok
    assert report.counts == {"candidate": 3, "appointment": 0}
    assert "3 candidats" in report.describe()
    assert "0 rendez-vous" in report.describe()


def test_the_check_changes_nothing(db: Database, db_path: Path) -> None:
    add_candidates(db, 2)
    db.dispose()
    before = fingerprint(db_path.parent)

    check_database(url_of(db_path))

    assert fingerprint(db_path.parent) == before


def test_a_database_open_elsewhere_can_be_checked(db: Database, db_path: Path) -> None:
    add_candidates(db, 1)
    with db.session(commit=False) as session:
        session.connection()  # the application holds a connection (and a read) meanwhile
        report = check_database(url_of(db_path))
    assert report.ok, report.describe()


# ---------------------------------------------------------------- missing or foreign files


def test_a_missing_file_is_reported_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "absent" / "fabrique.sqlite"

    report = check_database(url_of(path))

    assert not report.ok
    assert "n'existe pas" in report.describe()
    assert report.describe().endswith("Des problèmes ont été trouvés.")
    assert not path.exists()
    assert not path.parent.exists()


def test_a_file_moved_away_is_reported(closed_db: Path, tmp_path: Path) -> None:
    closed_db.rename(tmp_path / "ailleurs.sqlite")

    report = check_database(url_of(closed_db))

    assert not report.ok
    assert f"la base « {closed_db} » n'existe pas" in report.describe()


def test_a_garbage_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite"
    content = bytes(range(256)) * 40
    path.write_bytes(content)

    report = check_database(url_of(path))

    assert not report.ok
    assert "n'est pas une base SQLite" in report.describe()
    assert "Traceback" not in report.describe()
    assert path.read_bytes() == content


def test_a_text_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("nom;prenom\nMartin;Léa\n", encoding="utf-8")
    report = check_database(url_of(path))
    assert not report.ok
    assert "n'est pas une base SQLite" in report.describe()


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    report = check_database(url_of(tmp_path))
    assert not report.ok
    assert "dossier" in report.describe()


def test_a_damaged_database_is_reported(closed_db: Path) -> None:
    content = bytearray(closed_db.read_bytes())
    page = 4096
    assert len(content) > 3 * page
    content[page:] = bytes(len(content) - page)  # keep the header page, wipe the rest
    closed_db.write_bytes(bytes(content))

    report = check_database(url_of(closed_db))

    assert not report.ok
    assert "PROBLÈME" in report.describe()
    assert "Traceback" not in report.describe()


def test_an_empty_file_is_an_uninitialised_database(tmp_path: Path) -> None:
    path = tmp_path / "vide.sqlite"
    path.touch()

    report = check_database(url_of(path))

    assert not report.ok
    assert "base vide / non initialisée" in report.describe()
    assert path.stat().st_size == 0
    assert [p.name for p in tmp_path.iterdir()] == ["vide.sqlite"]


def test_a_read_only_file_is_a_problem_not_an_exception(closed_db: Path) -> None:
    closed_db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        report = check_database(url_of(closed_db))
    finally:
        closed_db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert not report.ok
    assert any("lecture seule" in line for line in problems(report))
    # The other checks still ran.
    assert "Intégrité du fichier : aucune anomalie" in report.describe()


def test_an_unreadable_file_is_reported(closed_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 0 does not stop root (CI runs as root): refuse the read the way the OS would.
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == closed_db:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    report = check_database(url_of(closed_db))
    assert not report.ok
    assert "accès refusé" in report.describe()


# ---------------------------------------------------------------- contents


def test_a_broken_reference_names_the_table(db: Database, db_path: Path) -> None:
    add_candidates(db, 1)
    db.dispose()
    raw_sqlite(db_path, "UPDATE candidate SET site_id = 999")

    report = check_database(url_of(db_path))

    assert not report.ok
    [line] = problems(report)
    assert line.startswith("Clés étrangères")
    assert "candidate" in line
    assert "site" in line


def test_a_search_index_out_of_step_with_the_files_is_reported(db: Database, db_path: Path) -> None:
    add_candidates(db, 2)
    db.dispose()
    # Written behind the triggers' back: the index still holds the old names.
    raw_sqlite(
        db_path,
        "DROP TRIGGER candidate_fts_after_update",
        "UPDATE candidate SET search_text = 'dupont lea'",
    )

    report = check_database(url_of(db_path))

    assert not report.ok
    [line] = problems(report)
    assert line.startswith("Index de recherche")
    assert "Restaurer une sauvegarde" in line


def test_the_search_index_is_checked_on_a_sound_base(db: Database, db_path: Path) -> None:
    add_candidates(db, 2)
    db.dispose()

    report = check_database(url_of(db_path))

    assert "Index de recherche : conforme aux dossiers." in report.describe()


def test_a_history_row_of_a_deleted_candidate_is_found(db: Database, db_path: Path) -> None:
    add_candidates(db, 1)
    db.dispose()
    raw_sqlite(db_path, "DELETE FROM candidate")

    report = check_database(url_of(db_path))

    assert not report.ok
    assert "stage_change" in report.describe()
    assert report.counts["candidate"] == 0


def test_a_database_behind_the_code_is_fine_and_will_be_upgraded(
    closed_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = head_revision()
    monkeypatch.setattr(maintenance, "head_revision", lambda: "9000")

    report = check_database(url_of(closed_db))

    assert report.ok, report.describe()
    assert (
        f"en retard : révision {current}, attendue 9000 — "
        "elle sera mise à jour au prochain démarrage"
    ) in report.describe()
    assert "Schéma conforme" not in report.describe()


def test_a_revision_unknown_to_this_version_is_a_problem(closed_db: Path) -> None:
    raw_sqlite(closed_db, "UPDATE alembic_version SET version_num = 'ffff'")

    report = check_database(url_of(closed_db))

    assert not report.ok
    assert "révision inconnue ffff" in report.describe()


def test_tables_without_a_revision_are_a_problem(closed_db: Path) -> None:
    raw_sqlite(closed_db, "DROP TABLE alembic_version")
    report = check_database(url_of(closed_db))
    assert not report.ok
    assert "aucune révision" in report.describe()


def test_a_schema_changed_behind_the_application_is_a_problem(closed_db: Path) -> None:
    raw_sqlite(
        closed_db,
        "ALTER TABLE candidate ADD COLUMN bricolage TEXT",
        "DROP INDEX ix_candidate_phone",
    )

    report = check_database(url_of(closed_db))

    assert not report.ok
    [line] = problems(report)
    assert line.startswith("Schéma conforme")
    assert "colonne en trop candidate.bricolage" in line
    assert "ix_candidate_phone" in line


# ---------------------------------------------------------------- other engines


def test_an_unknown_kind_of_database_is_a_french_problem() -> None:
    report = check_database("nosuchdb://serveur/base")
    assert not report.ok
    assert "adresse de base non reconnue" in report.describe()


def test_a_server_database_that_cannot_be_reached_is_a_french_problem() -> None:
    report = check_database("postgresql+psycopg://fabrique:secret@127.0.0.1:1/fabrique")
    assert not report.ok
    text = report.describe()
    assert "secret" not in text
    assert "Traceback" not in text
    assert text.endswith("Des problèmes ont été trouvés.")


# ---------------------------------------------------------------- the report itself


def test_describe_marks_each_line() -> None:
    report = CheckReport(ok=True)
    report.add("Première vérification : bien.", True)
    report.add("Seconde vérification : mal.", False)

    assert not report.ok
    lines = report.describe().splitlines()
    assert lines[0].startswith("OK") and "Première" in lines[0]
    assert lines[1].startswith("PROBLÈME") and "Seconde" in lines[1]
    assert lines[-1] == "Des problèmes ont été trouvés."


@pytest.fixture
def many_databases(tmp_path: Path) -> Iterator[list[Path]]:
    paths = []
    for n in range(2):
        path = tmp_path / f"base{n}.sqlite"
        open_app_database(url_of(path)).dispose()
        paths.append(path)
    yield paths


def test_checks_are_independent(many_databases: list[Path]) -> None:
    first, second = many_databases
    raw_sqlite(
        first,
        "INSERT INTO stage_change (candidate_id, changed_at, to_stage_id, "
        "author, uuid) VALUES (42, '2026-01-01', 1, 'x', 'u')",
    )
    assert not check_database(url_of(first)).ok
    assert check_database(url_of(second)).ok
