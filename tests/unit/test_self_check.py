"""`--self-check` (app/self_check.py) runs on demo bases only; tests/smoke runs it in full
against an installed package and a standalone bundle."""

from pathlib import Path

import pytest

from app.cli import build_parser, main


def test_self_check_refuses_a_base_that_is_not_a_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--self-check", "--db", str(tmp_path / "accueil.sqlite")])
    err = capsys.readouterr().err
    assert code == 1
    assert "base de démonstration" in err
    assert "Traceback" not in err


def test_self_check_is_not_in_the_help() -> None:
    assert "self-check" not in build_parser().format_help()
