"""Application set-up: French Qt dialogs, the crash handler, remembered geometry."""

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from app.logs import LOG_FILE_NAME, setup_logging
from app.services.errors import ValidationError
from app.ui import errors
from app.ui.main_window import MainWindow


def test_application_has_its_icon() -> None:
    from PySide6.QtWidgets import QApplication

    assert not QApplication.windowIcon().isNull()


def test_qt_standard_dialogs_speak_french() -> None:
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Annuler"
    assert QCoreApplication.translate("QPlatformTheme", "Save") == "Enregistrer"


def test_unexpected_error_is_logged_and_shown_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text: shown.append((title, text))
    )
    setup_logging()
    try:
        raise KeyError("boom")
    except KeyError as error:
        errors._excepthook(type(error), error, error.__traceback__)
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert shown and shown[0][0] == "Erreur inattendue"
    assert "n'a pas été enregistrée" in shown[0][1]
    assert "Traceback" not in shown[0][1]
    files = [
        Path(h.baseFilename)
        for h in logging.getLogger().handlers
        if isinstance(h, logging.FileHandler) and h.baseFilename.endswith(LOG_FILE_NAME)
    ]
    assert files
    logged = files[0].read_text(encoding="utf-8")
    assert "KeyError: 'boom'" in logged


def test_refused_input_is_shown_as_a_warning_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warned.append(text))
    error = ValidationError({"nom": "Le nom est obligatoire."})
    errors._excepthook(ValidationError, error, None)
    assert warned and "Le nom est obligatoire." in warned[0]


def test_window_geometry_is_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "geometry.sqlite")
    first = MainWindow.open(url, username="test")
    qtbot.addWidget(first)
    first.show()
    first.resize(first.minimumSizeHint().width() + 21, first.minimumSizeHint().height() + 13)
    wanted = (first.width(), first.height())
    first.close()
    second = MainWindow.open(url, username="test")
    qtbot.addWidget(second)
    second.show()
    # The offscreen screen is narrower than the window's minimum width, so only the
    # height can show the restore.
    assert second.height() == wanted[1]
    second.close()


def test_status_bar_names_the_database(window: MainWindow) -> None:
    label = window.findChild(QWidget, "databaseLabel")
    assert str(window.context.database.display_name) in label.text()  # type: ignore[attr-defined]


def test_a_database_that_cannot_open_is_explained_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from app.ui import app as ui_app

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _title, text: shown.append(text))
    assert ui_app.run_gui("sqlite:///" + str(tmp_path)) == 1
    assert shown and "Impossible d'ouvrir la base" in shown[0]
