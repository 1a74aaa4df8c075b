"""`main.py backup` and `restore` on a PostgreSQL base: pg_dump / pg_restore (issue 17).

The tests that need a server exist only when FABRIQUE_TEST_DB names one (tests/engines.py);
the refusals that come before any connection (tools missing) and the reading of the tools'
messages run everywhere."""

import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from app.cli import EXIT_OK, EXIT_REFUSED, main
from app.config import backup_dir
from app.services.base_access.opening import open_app_database
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.errors import UserFacingError
from app.services.maintenance import actions as maintenance
from app.services.maintenance.health_check import check_database
from app.storage import pg_backup
from tests.conftest import TODAY, make_actor
from tests.engines import on_a_server, postgres_database

NOW = datetime(2026, 11, 28, 10, 0)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def add_candidate(url: str, last_name: str) -> None:
    database = open_app_database(url, today=TODAY)
    try:
        with database.session() as session:
            data = CandidateInput(
                nom=last_name,
                prenom="Léa",
                saison="2026-2027",
                site="cobalt",
                email=f"{last_name.lower()}@exemple.fr",
            )
            create_candidate(session, data, now=NOW, actor=make_actor("coordination", "test"))
    finally:
        database.dispose()


def last_names(url: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT last_name FROM candidate ORDER BY last_name"))
            return [str(row[0]) for row in rows]
    finally:
        engine.dispose()


def execute(url: str, *statements: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def tables_of(url: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
            return {str(row[0]) for row in rows}
    finally:
        engine.dispose()


def pg_dump_by_hand(url: str, archive: Path) -> None:
    """An archive made the way an administrator would, outside the application."""
    parsed = make_url(url)
    tool = pg_backup.find_tool("pg_dump")
    assert tool is not None
    where = ["-h", str(parsed.host), "-p", str(parsed.port), "-U", str(parsed.username)]
    subprocess.run(
        [str(tool), "-Fc", "-f", str(archive), *where, str(parsed.database)],
        env={"PGPASSWORD": str(parsed.password), "PATH": ""},
        check=True,
        capture_output=True,
    )


def listed_tables(archive: Path) -> set[str]:
    tool = pg_backup.find_tool("pg_restore")
    assert tool is not None
    listing = subprocess.run(
        [str(tool), "--list", str(archive)], check=True, capture_output=True, text=True
    ).stdout
    return {line.split()[5] for line in listing.splitlines() if " TABLE public " in line}


@pytest.fixture
def source(engine: str) -> Iterator[str]:
    """A base on the server with one candidate, Martin."""
    with postgres_database(TODAY) as url:
        add_candidate(url, "Martin")
        yield url


@pytest.fixture
def target(engine: str) -> Iterator[str]:
    """Another base on the server, with another candidate, Durand."""
    with postgres_database(TODAY) as url:
        add_candidate(url, "Durand")
        yield url


def back_up(capsys: pytest.CaptureFixture[str], url: str, *more: str) -> Path:
    code, out, err = run(capsys, "backup", "--db", url, *more)
    assert code == EXIT_OK, err
    return Path(out.strip())


# ---------------------------------------------------------------- backup


@on_a_server
def test_backup_writes_a_pg_dump_archive_of_every_table(
    source: str, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = back_up(capsys, source)

    assert archive.parent == backup_dir() and archive.name.endswith("-manuelle.dump")
    assert archive.stat().st_mode & 0o077 == 0
    assert listed_tables(archive) == tables_of(source)
    assert {"candidate", "alembic_version", "audit_entry"} <= listed_tables(archive)
    assert pg_backup.archive_row_counts(archive)["candidate"] == 1
    assert not list(archive.parent.glob(".*.partial"))
    password = str(make_url(source).password)
    assert password not in capsys.readouterr().err


@on_a_server
def test_backup_into_another_folder(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = back_up(capsys, source, "--to", str(tmp_path / "cle"))

    assert archive.parent == tmp_path / "cle"
    assert pg_backup.read_archive(archive).revision == pg_backup._live_tables(source)[1]


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_missing_client_tools_are_named_in_french(
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(pg_backup, "TOOL_FOLDER_PATTERNS", ())
    url = "postgresql+psycopg://fabrique:motdepasse@localhost:1/fabrique"
    argv = ["backup", "--db", url] if command == "backup" else ["restore", "x.dump", "--db", url]

    code, out, err = run(capsys, *argv)

    assert code == EXIT_REFUSED and out == ""
    assert err.startswith("Erreur : pg_dump est introuvable sur ce poste")
    assert "installez les outils clients de PostgreSQL" in err and "à la main" in err
    assert "motdepasse" not in err
    assert not list(tmp_path.rglob("*.dump"))


@on_a_server
def test_backup_of_a_server_that_refuses_the_connection(
    engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://fabrique:motdepasse@localhost:1/fabrique"

    code, _out, err = run(capsys, "backup", "--db", url)

    assert code == EXIT_REFUSED
    assert err.startswith("Erreur : La sauvegarde (pg_dump) n'a pas été faite : ")
    assert "motdepasse" not in err
    assert not backup_dir().exists() or not any(backup_dir().iterdir())


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        (
            "pg_dump: error: could not write to output file: No space left on device",
            "le disque est plein",
        ),
        (
            'pg_dump: error: connection to server at "localhost" (::1), port 1 failed: '
            "Connection refused\n\tIs the server running on that host and accepting TCP/IP "
            "connections?",
            "refuse la connexion",
        ),
        (
            'pg_dump: error: could not translate host name "h" to address: Name or service '
            "not known",
            "est inconnu",
        ),
        (
            'pg_dump: error: connection to server at "db" failed: FATAL:  password '
            'authentication failed for user "fabrique"',
            "identifiant ou le mot de passe",
        ),
        (
            "pg_dump: error: aborting because of server version mismatch",
            "plus ancien que le serveur",
        ),
        (
            "pg_restore: error: input file does not appear to be a valid archive",
            "n'est pas une archive pg_dump",
        ),
    ],
)
def test_the_tools_failures_are_told_in_french(stderr: str, expected: str) -> None:
    base = pg_backup.server_base("postgresql+psycopg://u:p@db:5432/fabrique")

    assert expected in pg_backup._tool_reason(stderr, base)


def test_the_password_goes_through_the_environment_only() -> None:
    base = pg_backup.server_base(
        "postgresql+psycopg://u:s3cr%27et@db:5433/fabrique?sslmode=require"
    )

    assert "s3cr" not in base.conninfo
    assert base.environment["PGPASSWORD"] == "s3cr'et"
    assert base.conninfo.startswith("dbname='fabrique' ")
    assert "host='db'" in base.conninfo and "port='5433'" in base.conninfo
    assert "sslmode='require'" in base.conninfo and "user='u'" in base.conninfo


# ---------------------------------------------------------------- restore


@on_a_server
def test_restore_into_another_base_brings_the_candidate_and_passes_the_check(
    source: str, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = back_up(capsys, source)

    code, out, err = run(capsys, "restore", str(archive), "--db", target)

    assert code == EXIT_OK, err
    assert last_names(target) == ["Martin"]
    assert "restaurée depuis la sauvegarde du " in out
    kept = Path(out.strip().splitlines()[-1].split(" : ", 1)[1])
    assert kept.name.endswith("-avant-restauration.dump")
    assert pg_backup.archive_row_counts(kept)["candidate"] == 1
    report = check_database(target)
    assert report.ok, report.describe()
    code, out, _err = run(capsys, "check", "--db", target)
    assert code == EXIT_OK and "Base en bon état." in out


@on_a_server
def test_the_kept_base_can_be_restored_back(
    source: str, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = back_up(capsys, source)
    _code, out, _err = run(capsys, "restore", str(archive), "--db", target)
    kept = Path(out.strip().splitlines()[-1].split(" : ", 1)[1])

    code, _out, err = run(capsys, "restore", str(kept), "--db", target)

    assert code == EXIT_OK, err
    assert last_names(target) == ["Durand"]


@on_a_server
def test_restore_into_an_empty_database(
    source: str, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = back_up(capsys, source)
    with postgres_database(TODAY, migrated=False) as empty:
        code, out, err = run(capsys, "restore", str(archive), "--db", empty)

        assert code == EXIT_OK, err
        assert last_names(empty) == ["Martin"]
        assert "rien à conserver" in out
        assert check_database(empty).ok


@on_a_server
def test_an_archive_of_a_newer_version_is_refused(
    source: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(source, "UPDATE alembic_version SET version_num = '9999'")
    archive = tmp_path / "nouvelle.dump"
    pg_dump_by_hand(source, archive)

    code, _out, err = run(capsys, "restore", str(archive), "--db", target)

    assert code == EXIT_REFUSED
    assert err.startswith("Erreur : La sauvegarde ")
    assert "vient d'une version plus récente de l'application (schéma 9999" in err
    assert "La base n'a pas été modifiée." in err
    assert last_names(target) == ["Durand"]
    assert not backup_dir().exists() or not list(backup_dir().glob("*.dump"))


@on_a_server
def test_a_file_that_is_not_an_archive_is_refused(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "texte.dump"
    archive.write_text("ceci n'est pas une sauvegarde", encoding="utf-8")

    code, _out, err = run(capsys, "restore", str(archive), "--db", target)

    assert code == EXIT_REFUSED
    assert "n'est pas une archive pg_dump" in err
    assert last_names(target) == ["Durand"]


@on_a_server
def test_an_archive_with_objects_the_application_does_not_make_is_refused(
    source: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(source, "CREATE POLICY everyone ON site USING (true)")
    archive = tmp_path / "modifiee.dump"
    pg_dump_by_hand(source, archive)

    code, _out, err = run(capsys, "restore", str(archive), "--db", target)

    assert code == EXIT_REFUSED
    assert "contient des objets que l'application ne crée pas (POLICY public site everyone" in err
    assert last_names(target) == ["Durand"]


@on_a_server
def test_restore_into_a_database_the_server_does_not_have(
    source: str, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = back_up(capsys, source)
    absent = make_url(source).set(database="fabrique_absente").render_as_string(False)

    code, _out, err = run(capsys, "restore", str(archive), "--db", absent)

    assert code == EXIT_REFUSED
    assert "la base « fabrique_absente » sur localhost" in err
    assert "n'existe pas sur le serveur (la créer d'abord" in err


@on_a_server
def test_an_extension_of_the_archive_is_made_in_the_restored_base(
    source: str, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The archive's extensions are left out of pg_restore (an administrator's may be there
    already, which the base's owner could not drop) and created first where missing."""
    execute(source, "CREATE EXTENSION IF NOT EXISTS pg_trgm")
    archive = back_up(capsys, source)
    execute(target, "DROP EXTENSION IF EXISTS pg_trgm CASCADE")

    code, _out, err = run(capsys, "restore", str(archive), "--db", target)

    assert code == EXIT_OK, err
    assert last_names(target) == ["Martin"]
    engine = create_engine(target, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            assert (
                connection.scalar(
                    text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
                )
                == 1
            )
    finally:
        engine.dispose()


@on_a_server
def test_restore_is_refused_while_another_desk_is_connected(
    source: str, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = back_up(capsys, source)
    desk = create_engine(target, poolclass=NullPool)
    try:
        with desk.connect():
            code, _out, err = run(capsys, "restore", str(archive), "--db", target)
    finally:
        desk.dispose()

    assert code == EXIT_REFUSED
    assert "1 autre connexion est ouverte" in err and "fermez-la sur les autres postes" in err
    assert last_names(target) == ["Durand"]


@on_a_server
def test_tables_of_a_newer_schema_go_with_the_restore(
    source: str, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The base was migrated after the archive was made: its newer tables would stay, and
    block the migration of the restored base."""
    archive = back_up(capsys, source)
    execute(target, "CREATE TABLE newer_feature (id integer PRIMARY KEY)")

    code, _out, err = run(capsys, "restore", str(archive), "--db", target)

    assert code == EXIT_OK, err
    assert "newer_feature" not in tables_of(target)
    assert check_database(target).ok


@on_a_server
def test_a_restored_base_that_fails_the_check_is_replaced_by_the_kept_one(
    source: str, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An archive whose journal was altered behind the application (its triggers disabled by
    the owner) restores, fails the check, and the base is put back as it was."""
    back_up(capsys, source)  # journaled in the source: one entry to alter
    execute(
        source,
        "ALTER TABLE audit_entry DISABLE TRIGGER USER",
        "UPDATE audit_entry SET summary = 'modifié'",
        "ALTER TABLE audit_entry ENABLE TRIGGER USER",
    )
    archive = back_up(capsys, source)

    code, _out, err = run(capsys, "restore", str(archive), "--db", target)

    assert code == EXIT_REFUSED
    assert "La restauration a été annulée" in err and "Journal" in err
    assert "remise dans son état d'avant" in err
    assert last_names(target) == ["Durand"]
    assert check_database(target).ok


# ---------------------------------------------------------------- the window


@on_a_server
def test_the_window_takes_no_automatic_copy_of_a_server_base_and_says_so(source: str) -> None:
    database = open_app_database(source, today=TODAY)
    notes: list[str] = []
    try:
        assert maintenance.take_start_copy(database, notes.append) is None
        assert maintenance.take_quit_copy(database) is None
    finally:
        database.dispose()

    assert notes == [maintenance.SERVER_BACKUPS_NOTE]
    assert "administrateur" in notes[0] and "pg_dump" in notes[0]
    assert not backup_dir().exists() or not list(backup_dir().iterdir())


@on_a_server
def test_back_up_now_in_the_window_writes_an_archive(source: str) -> None:
    database = open_app_database(source, today=TODAY)
    actor = make_actor("coordination", "test")
    try:
        archive = maintenance.back_up_now(database, actor=actor)
        with pytest.raises(UserFacingError, match="en ligne de commande"):
            maintenance.restorable_file(database, actor=actor)
    finally:
        database.dispose()

    assert archive.suffix == ".dump" and archive.parent == backup_dir()
    assert pg_backup.archive_row_counts(archive)["candidate"] == 1
