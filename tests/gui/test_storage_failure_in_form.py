"""A locked database refuses the save with a French message; the candidate form and the
agreement form keep every keystroke, and save once the other desk lets go."""

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton

from app.domain import Agreement, Candidate
from app.errors import StorageError
from app.storage import database
from app.ui.main_window import MainWindow
from tests.encrypted import raw_connect
from tests.gui.conftest import type_text
from tests.gui.test_agreements_view import _click, _draft, _view, _world


def test_locked_database_keeps_the_form_and_says_why(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "locked.sqlite"
    window = MainWindow.open("sqlite:///" + str(path), username="test")
    qtbot.addWidget(
        window, before_close_func=lambda _w: window.candidates_view.form.discard_changes()
    )
    window.show()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    form = window.candidates_view.form
    for name, text in (("nom", "Hébert"), ("prenom", "Loïc"), ("email", "loic@exemple.fr")):
        type_text(qtbot, form.findChild(QLineEdit, name), text)
    site = form.findChild(QComboBox, "site")
    site.setCurrentIndex(site.findData("du-guesclin"))

    other_desk = raw_connect(path)
    other_desk.execute("BEGIN EXCLUSIVE")
    try:
        qtbot.mouseClick(form.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    finally:
        other_desk.rollback()
        other_desk.close()

    assert len(warnings) == 1
    assert "occupée par un autre poste" in warnings[0]
    assert form.findChild(QLineEdit, "nom").text() == "Hébert"
    assert form.is_dirty()
    with window.context.database.session() as session:
        assert session.query(Candidate).count() == 0

    qtbot.mouseClick(form.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    with window.context.database.session() as session:
        assert [c.last_name for c in session.query(Candidate)] == ["Hébert"]
    window.context.database.dispose()


def test_session_turns_database_errors_into_french_storage_errors(tmp_path: Path) -> None:
    db = database.Database("sqlite:///" + str(tmp_path / "x.sqlite"))
    with pytest.raises(StorageError) as refused, db.session() as session:
        session.connection().exec_driver_sql("SELECT * FROM missing_table")
    assert "introuvable ou illisible" in str(refused.value)
    db.dispose()


def test_locked_database_keeps_the_agreement_form_and_says_why(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft_id = _draft(window, _world(window))
    view = _view(window)
    view.open_agreement(draft_id)
    activities = view.form.findChild(QPlainTextEdit, "activites")
    qtbot.keyClick(activities, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, activities, ", vente de vélos")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    window.context.database.engine.dispose()  # new connections wait 50 ms only

    other_desk = raw_connect(window.context.database.url.removeprefix("sqlite:///"))
    other_desk.execute("BEGIN EXCLUSIVE")
    try:
        _click(qtbot, view, "saveAgreementButton")
    finally:
        other_desk.rollback()
        other_desk.close()

    assert len(warnings) == 1
    assert "occupée par un autre poste" in warnings[0]
    assert activities.toPlainText() == "Accueil des usagers, vente de vélos"
    assert view.form.is_dirty()
    with window.context.database.session(commit=False) as session:
        assert session.get_one(Agreement, draft_id).activities == "Accueil des usagers"

    _click(qtbot, view, "saveAgreementButton")
    assert len(warnings) == 1
    with window.context.database.session(commit=False) as session:
        saved = session.get_one(Agreement, draft_id).activities
    assert saved == "Accueil des usagers, vente de vélos"
