"""GUI fixtures: a main window on a fresh database, and a helper to answer modal dialogs."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app.ui.app import configure_application
from app.ui.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def configured_app(qapp: QApplication) -> QApplication:
    configure_application(qapp)
    return qapp


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    main = MainWindow.open("sqlite:///" + str(tmp_path / "gui.sqlite"), username="Nadia Belkacem")
    qtbot.addWidget(main)
    main.show()
    yield main
    main.context.database.dispose()


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a keyboard; QTest only knows ASCII keys, so accents go as key events with text."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


def answer_next_dialog(qtbot: QtBot, act: Callable[[QWidget], None]) -> list[QWidget]:
    """Run `act` on the next modal dialog or message box as soon as it opens."""
    seen: list[QWidget] = []

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, QDialog | QMessageBox) and widget.isVisible() and widget not in seen:
            seen.append(widget)
            act(widget)
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen
