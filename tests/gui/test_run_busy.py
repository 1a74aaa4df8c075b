"""`run_busy`: an action the user waits for runs off the UI thread behind a window-modal busy
dialog, and gives back its result or a French message."""

import threading
import time

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.services.errors import UserFacingError
from app.ui import operations
from app.ui.operations import UNEXPECTED, Failed, run_busy


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_the_result_comes_back_from_another_thread(parent: QWidget) -> None:
    ui_thread = threading.get_ident()
    assert run_busy(parent, "Travail…", lambda: threading.get_ident() != ui_thread) is True


def test_a_refusal_comes_back_as_its_french_message(parent: QWidget) -> None:
    def refused() -> None:
        raise UserFacingError("La sauvegarde est illisible.")

    def broken() -> None:
        raise RuntimeError("bug")

    assert run_busy(parent, "Travail…", refused) == Failed("La sauvegarde est illisible.")
    assert run_busy(parent, "Travail…", broken) == Failed(UNEXPECTED)


def test_a_long_action_shows_a_window_modal_busy_dialog(
    parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(operations, "BUSY_DELAY_MS", 0)
    release = threading.Event()
    seen: list[tuple[str, Qt.WindowModality]] = []

    def look() -> None:
        dialogs = [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]
        seen.extend((d.labelText(), d.windowModality()) for d in dialogs)
        release.set()

    def work() -> str:
        assert release.wait(timeout=30), "the busy dialog never showed"
        time.sleep(0.01)
        return "fait"

    QTimer.singleShot(300, look)
    assert run_busy(parent, "Copie de la base…", work) == "fait"
    assert seen == [("Copie de la base…", Qt.WindowModality.WindowModal)]
    assert not [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]
