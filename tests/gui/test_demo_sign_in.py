"""A demo base opens without a password as its demo coordinator (CONTRACT.md, *Who acts*); a
real base still asks who is there."""

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.cli import main
from app.services.accounts.command_line import DEMO_COORDINATOR
from app.ui.main_window import MainWindow


def test_a_demo_base_opens_as_its_coordinator(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    assert main(["seed-demo", "--db", str(path)]) == 0
    window = MainWindow.open("sqlite:///" + str(path))
    qtbot.addWidget(window)
    try:
        assert window.context.username == DEMO_COORDINATOR
        assert window.user_label.text() == "Connecté : Claire Vasseur (Coordination)"
    finally:
        window.context.database.dispose()


def test_a_real_base_asks_who_is_there(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[bool] = []

    def nobody(_database: object) -> None:
        asked.append(True)
        return None

    monkeypatch.setattr("app.ui.main_window.sign_in_at_start", nobody)
    from app.ui.sign_in import SignInCancelled

    with pytest.raises(SignInCancelled):
        MainWindow.open("sqlite:///" + str(tmp_path / "vraie.sqlite"))
    assert asked == [True]
