"""`main.py backup` and `main.py restore`: exit 0 done, 1 refused with a French message."""

from pathlib import Path

import pytest

from app.cli import EXIT_OK, EXIT_REFUSED, main
from app.config import backup_dir
from app.services.base_access.opening import open_app_database
from app.storage.backup import list_backups
from tests.encrypted import raw_connect


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def set_site_name(path: Path, name: str) -> None:
    connection = raw_connect(path)
    connection.execute("UPDATE site SET name = ? WHERE code = 'cobalt'", (name,))
    connection.commit()
    connection.close()


def site_name(path: Path) -> str:
    connection = raw_connect(path)
    try:
        return str(connection.execute("SELECT name FROM site WHERE code = 'cobalt'").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture
def base(tmp_path: Path) -> Path:
    path = tmp_path / "fabrique.sqlite"
    open_app_database("sqlite:///" + str(path)).dispose()
    set_site_name(path, "Version A")
    return path


def test_backup_prints_the_path_of_the_copy(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "backup", "--db", str(base))
    assert code == EXIT_OK
    copy = Path(out.strip())
    assert copy.parent == backup_dir() and copy.name.endswith("-manuelle.sqlite")
    assert site_name(copy) == "Version A"
    assert [b.reason.value for b in list_backups(backup_dir())] == ["manuelle"]


def test_backup_to_another_folder(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "--db", str(base), "backup", "--to", str(tmp_path / "cle"))
    assert code == EXIT_OK
    assert Path(out.strip()).parent == tmp_path / "cle"


def test_backup_of_a_postgresql_base_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "backup", "--db", "postgresql+psycopg://u:motdepasse@h/f")
    assert code == EXIT_REFUSED
    assert "pg_dump" in err and "motdepasse" not in err


def test_backup_of_a_missing_base_is_refused_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "backup", "--db", str(tmp_path / "absente.sqlite"))
    assert code == EXIT_REFUSED
    assert "n'existe pas" in err
    assert not (tmp_path / "absente.sqlite").exists()


def test_other_commands_make_no_backup(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "check", "--db", str(base))
    run(capsys, "export", "candidates", "--db", str(base), "--out", str(base.with_suffix(".csv")))
    assert list_backups(backup_dir()) == []


def test_restore_replaces_the_base_and_says_where_the_old_one_is(
    base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _code, out, _err = run(capsys, "backup", "--db", str(base))
    copy = Path(out.strip())
    set_site_name(base, "Version B")
    code, out, _err = run(capsys, "restore", str(copy), "--db", str(base))
    assert code == EXIT_OK
    assert site_name(base) == "Version A"
    kept = Path(out.strip().splitlines()[-1].split(" : ", 1)[1])
    assert kept.name.endswith("-avant-restauration.sqlite")
    assert site_name(kept) == "Version B"
    assert f"Base « {base} » restaurée depuis la sauvegarde du " in out


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        ("damage", "endommagée"),
        ("text", "n'est pas une base SQLite"),
        ("foreign", "n'est pas une sauvegarde de Fabrique Accueil"),
        ("newer", "version plus récente"),
    ],
)
def test_restore_refuses_a_bad_copy_and_leaves_the_base(
    base: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    spoil: str,
    expected: str,
) -> None:
    _code, out, _err = run(capsys, "backup", "--db", str(base), "--to", str(tmp_path / "b"))
    copy = Path(out.strip())
    if spoil == "damage":
        data = bytearray(copy.read_bytes())
        data[4096:] = b"\x00\xff" * ((len(data) - 4096) // 2)
        copy.write_bytes(bytes(data))
    elif spoil == "text":
        copy.write_text("ceci n'est pas une base", encoding="utf-8")
    else:
        connection = raw_connect(copy)
        if spoil == "foreign":
            connection.execute("DROP TABLE alembic_version")
        else:
            connection.execute("UPDATE alembic_version SET version_num = '0099'")
        connection.commit()
        connection.close()
    set_site_name(base, "Version B")
    code, _out, err = run(capsys, "restore", str(copy), "--db", str(base))
    assert code == EXIT_REFUSED
    assert err.startswith("Erreur : ") and expected in err
    assert site_name(base) == "Version B"
    assert list_backups(backup_dir()) == []


def test_restore_help_is_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["restore", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "la sauvegarde à restaurer" in out and "l'ancienne base est conservée" in out
