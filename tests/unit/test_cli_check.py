"""`main.py check --db DB`: exit 0 on a healthy base, 1 with a French report otherwise."""

from pathlib import Path

import pytest

from app.cli import EXIT_OK, EXIT_REFUSED, main
from app.services.base_access.opening import open_app_database
from tests.encrypted import raw_connect


@pytest.fixture
def healthy(tmp_path: Path) -> Path:
    path = tmp_path / "fabrique.sqlite"
    open_app_database("sqlite:///" + str(path)).dispose()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output
    return code, output


def test_check_of_a_healthy_base_exits_0(healthy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(capsys, "check", "--db", str(healthy))
    assert code == EXIT_OK
    assert "Base en bon état." in output
    assert "PROBLÈME" not in output


def test_db_option_before_the_command_works_too(
    healthy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(capsys, "--db", str(healthy), "check")
    assert code == EXIT_OK
    assert "Base en bon état." in output


def test_check_uses_the_environment_variable(
    healthy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FABRIQUE_DB", str(healthy))
    code, output = run(capsys, "check")
    assert code == EXIT_OK
    assert str(healthy) in output


def test_check_of_a_garbage_file_exits_1_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "garbage.sqlite"
    path.write_bytes(b"\x00\xffnot a database at all" * 200)

    code, output = run(capsys, "check", "--db", str(path))

    assert code == EXIT_REFUSED
    assert "n'est pas une base SQLite" in output
    assert "Des problèmes ont été trouvés." in output


def test_check_of_a_missing_file_exits_1_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere" / "fabrique.sqlite"

    code, output = run(capsys, "check", "--db", str(path))

    assert code == EXIT_REFUSED
    assert "n'existe pas" in output
    assert not path.parent.exists()


def test_check_of_a_base_with_a_broken_reference_exits_1(
    healthy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connection = raw_connect(healthy)  # behind the application's back, with the key
    try:
        connection.execute(
            "INSERT INTO attendee (appointment_id, candidate_id, attendance, uuid) "
            "VALUES (7, 8, 'inscrit', 'u-1')"
        )
        connection.commit()
    finally:
        connection.close()

    code, output = run(capsys, "check", "--db", str(healthy))

    assert code == EXIT_REFUSED
    assert "attendee" in output
    assert "PROBLÈME" in output


def test_check_with_a_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--base", "x"])
    assert exit_info.value.code == 2
    assert "Erreur d'utilisation" in capsys.readouterr().err
