"""Issue 12.1: no command writes over the base, its -wal / -shm / -journal or its backups.

Each refusal: exit 1, a French message on stderr, the base's bytes unchanged (and still a
readable base), nothing created next to it. Each test fails when the guard is removed.
"""

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.cli import EXIT_OK, EXIT_REFUSED, main
from app.config import backup_dir
from app.demo.seed import seed_demo
from app.services.base_access.opening import open_app_database
from app.storage import cipher
from app.storage.backup import BackupReason, backup_database
from app.storage.key_file import key_file_path
from tests.conftest import TODAY
from tests.encrypted import base_key

COMPANIONS = ("-wal", "-shm", "-journal")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo base per module (seeding takes a while), copied for each test."""
    folder = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("DATA", "LOG", "SETTINGS"):
            patch.setenv(f"FABRIQUE_{name}_DIR", str(folder / name.lower()))
        path = folder / "demo.sqlite"
        database = open_app_database("sqlite:///" + str(path), today=TODAY)
        with database.session() as session:
            seed_demo(session, today=TODAY)
        database.dispose()
    return path


@pytest.fixture
def base(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "fabrique.sqlite"
    shutil.copyfile(demo_template, path)
    shutil.copyfile(str(demo_template) + ".cles", str(path) + ".cles")  # its key file
    assert not any(path.with_name(path.name + s).exists() for s in COMPANIONS)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def assert_refused(capsys: pytest.CaptureFixture[str], base: Path, *argv: str, says: str) -> str:
    """Run `argv`: refused in French, the base byte-for-byte as it was and still a base."""
    before = digest(base)
    code, out, err = run(capsys, *argv)
    assert code == EXIT_REFUSED, out + err
    assert err.startswith("Erreur : Refusé : "), err
    assert says in err, err
    assert digest(base) == before
    for suffix in COMPANIONS:  # nothing was even opened
        assert not base.with_name(base.name + suffix).exists()
    assert_readable_base(base)
    return err


def read_only(path: Path) -> sqlite3.Connection:
    """Reads without writing anything, not even a -wal or -shm next to the file."""
    return cipher.connect(f"{path.as_uri()}?mode=ro&immutable=1", base_key(path), uri=True)


def assert_readable_base(path: Path) -> None:
    connection = read_only(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT count(*) FROM candidate").fetchone()[0] > 0
    finally:
        connection.close()


def agreement_number(path: Path) -> str:
    connection = read_only(path)
    try:
        row = connection.execute(
            "SELECT number FROM agreement WHERE number IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    assert row is not None
    return str(row[0])


# ---------------------------------------------------------------- exports and PDFs


@pytest.mark.parametrize("what", ["candidates", "agreements"])
def test_export_over_the_base_is_refused(
    what: str, base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_refused(
        capsys,
        base,
        *("export", what, "--db", str(base), "--out", str(base)),
        says="est la base de données elle-même",
    )


@pytest.mark.parametrize("suffix", COMPANIONS)
def test_export_over_a_companion_of_the_base_is_refused(
    suffix: str, base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    companion = base.with_name(base.name + suffix)
    assert_refused(
        capsys,
        base,
        *("export", "candidates", "--db", str(base), "--out", str(companion)),
        says="l'écraser abîmerait la base",
    )


def test_export_over_the_base_through_a_relative_path_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ailleurs").mkdir()
    monkeypatch.chdir(tmp_path / "ailleurs")
    assert_refused(
        capsys,
        base,
        *("export", "candidates", "--db", "../fabrique.sqlite"),
        *("--out", "../ailleurs/./../fabrique.sqlite"),
        says="est la base de données elle-même",
    )


def test_export_over_the_base_through_a_symlink_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "candidats.csv"
    try:
        link.symlink_to(base)
    except OSError:
        pytest.skip("no symbolic links here")
    assert_refused(
        capsys,
        base,
        *("export", "candidates", "--db", str(base), "--out", str(link)),
        says="est la base de données elle-même",
    )
    assert link.is_symlink()


def test_convention_pdf_over_the_base_is_refused(
    base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = agreement_number(base)
    assert_refused(
        capsys,
        base,
        *("convention-pdf", number, "--db", str(base), "--out", str(base)),
        says="est la base de données elle-même",
    )


def test_export_over_another_sqlite_file_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "autre-base.csv"  # a SQLite file, whatever its name
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (texte TEXT)")
    connection.execute("INSERT INTO notes VALUES ('à garder')")
    connection.commit()
    connection.close()
    kept = digest(other)
    assert_refused(
        capsys,
        base,
        *("export", "candidates", "--db", str(base), "--out", str(other)),
        says="c'est une base de données SQLite",
    )
    assert digest(other) == kept


def test_export_into_the_backup_folder_is_refused(
    base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = backup_dir()
    copy = backup_database(base, folder, reason=BackupReason.MANUAL)
    kept = digest(copy)
    for target in (folder / "candidats.csv", copy):
        assert_refused(
            capsys,
            base,
            *("export", "candidates", "--db", str(base), "--out", str(target)),
            says="dans le dossier des sauvegardes",
        )
    assert digest(copy) == kept
    assert sorted(p.name for p in folder.iterdir()) == [copy.name, copy.name + ".cles"]


# ---------------------------------------------------------------- --db and --out swapped


def test_swapped_db_and_out_is_refused_and_creates_no_base(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tmp_path / "candidats.csv"
    assert_refused(
        capsys,
        base,
        *("export", "candidates", "--db", str(document), "--out", str(base)),
        says="ne sont pas inversés",
    )
    assert not document.exists()


def test_an_existing_document_given_as_db_is_not_opened(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tmp_path / "candidats.csv"
    document.write_text("nom;prenom\nDupont;Léa\n", encoding="utf-8")
    kept = digest(document)
    assert_refused(
        capsys,
        base,
        *("export", "candidates", "--db", str(document), "--out", str(base)),
        says="ne sont pas inversés",
    )
    assert digest(document) == kept
    assert not any(document.with_name(document.name + s).exists() for s in COMPANIONS)


def test_a_document_name_never_becomes_a_new_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("candidats.csv", "convention.PDF", "tableau.xlsx", "notes.txt"):
        code, _out, err = run(capsys, "seed-demo", "--db", str(tmp_path / name))
        assert code == EXIT_REFUSED
        assert err.startswith("Erreur : Refusé : ") and "aucune base n'a été créée" in err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- backup and restore


def test_backup_to_the_base_is_refused(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(
        capsys,
        base,
        *("backup", "--db", str(base), "--to", str(base)),
        says="est la base de données elle-même",
    )


def test_backup_to_a_companion_name_of_the_base_is_refused(
    base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without the guard a folder named fabrique.sqlite-wal would appear and block the base.
    assert_refused(
        capsys,
        base,
        *("backup", "--db", str(base), "--to", str(base) + "-wal"),
        says="un fichier de la base",
    )


def test_backup_to_a_file_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "rapport.csv"
    other.write_text("à garder\n", encoding="utf-8")
    assert_refused(
        capsys,
        base,
        *("backup", "--db", str(base), "--to", str(other)),
        says="est un fichier, pas un dossier",
    )
    assert other.read_text(encoding="utf-8") == "à garder\n"


def test_restoring_the_base_onto_itself_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert_refused(
        capsys, base, *("restore", str(base), "--db", str(base)), says="la base elle-même"
    )
    alias = tmp_path / "lien.sqlite"
    try:
        os.link(base, alias)
    except OSError:
        pytest.skip("no hard links here")
    assert_refused(
        capsys, base, *("restore", str(alias), "--db", str(base)), says="la base elle-même"
    )
    assert list_backup_folder() == []


def test_restoring_over_a_backup_is_refused(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = backup_database(base, backup_dir(), reason=BackupReason.MANUAL)
    other = backup_database(base, tmp_path / "cle", reason=BackupReason.MANUAL)
    kept = digest(copy)
    assert_refused(
        capsys,
        base,
        *("restore", str(other), "--db", str(copy)),
        says="une sauvegarde n'est jamais écrasée",
    )
    assert digest(copy) == kept
    assert list_backup_folder() == [copy.name, copy.name + ".cles"]


def list_backup_folder() -> list[str]:
    folder = backup_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---------------------------------------------------------------- what still works


def test_a_normal_export_and_pdf_still_work(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export" / "candidats.csv"
    out.parent.mkdir()
    out.write_text("ancien export\n", encoding="utf-8")  # an old CSV is replaced, as before
    code, said, _err = run(capsys, "export", "candidates", "--db", str(base), "--out", str(out))
    assert code == EXIT_OK
    assert "exporté(s)" in said
    assert out.read_text(encoding="utf-8-sig").startswith("identifiant;civilite;nom;")

    pdf = tmp_path / "export" / "convention.pdf"
    number = agreement_number(base)
    code, _said, _err = run(capsys, "convention-pdf", number, "--db", str(base), "--out", str(pdf))
    assert code == EXIT_OK
    assert pdf.read_bytes().startswith(b"%PDF")

    code, said, _err = run(capsys, "backup", "--db", str(base), "--to", str(tmp_path / "cle"))
    assert code == EXIT_OK
    assert Path(said.strip()).parent == tmp_path / "cle"
    assert_readable_base(base)


def test_a_missing_base_with_a_base_name_is_still_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nouvelle" / "fabrique.sqlite"
    out = tmp_path / "candidats.csv"
    code, _said, _err = run(capsys, "export", "candidates", "--db", str(path), "--out", str(out))
    assert code == EXIT_OK
    assert key_file_path(path).exists()  # a new base, encrypted from its first byte
    assert not path.read_bytes().startswith(b"SQLite format 3\x00")
    reader = cipher.connect(path, base_key(path))
    assert reader.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    reader.close()
