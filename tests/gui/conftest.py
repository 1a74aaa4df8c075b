"""GUI fixtures: a main window on a fresh database, and a helper to answer modal dialogs."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QProgressDialog, QWidget

from app.ui.app import configure_application
from app.ui.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def configured_app(qapp: QApplication) -> QApplication:
    configure_application(qapp)
    return qapp


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    main = MainWindow.open("sqlite:///" + str(tmp_path / "gui.sqlite"), username="Nadia Belkacem")
    # No "save changes?" box when the test ends with a form still being edited.
    qtbot.addWidget(
        main,
        before_close_func=lambda _w: (
            main.candidates_view.form.discard_changes(),
            main.agreements_view.form.discard_changes(),
            main.partners_view.discard_changes(),
            main.settings_view.discard_changes(),
        ),
    )
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


_test_generation = [0]


@pytest.fixture(autouse=True)
def expire_dialog_answers() -> Iterator[None]:
    """An answer whose dialog never opened must not act on a later test's dialog."""
    yield
    _test_generation[0] += 1
    _claimed.clear()


_claimed: list[QWidget] = []


def answer_next_dialog(qtbot: QtBot, act: Callable[[QWidget], None]) -> list[QWidget]:
    """Run `act` on the next modal dialog or message box as soon as it opens (in this test)."""
    seen: list[QWidget] = []
    generation = _test_generation[0]

    def poll() -> None:
        if _test_generation[0] != generation:
            return
        widget = QApplication.activeModalWidget()
        # A busy dialog (run_busy's, when an action lasts) is waited for, never answered.
        answerable = (
            isinstance(widget, QDialog | QMessageBox)
            and not isinstance(widget, QProgressDialog)
            and widget.isVisible()
        )
        if answerable and not any(widget is claimed for claimed in _claimed):
            # One answer per dialog: answers registered together take the dialogs in turn.
            _claimed.append(widget)
            seen.append(widget)
            act(widget)
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen
