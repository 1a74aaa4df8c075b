"""The database fails while a form is being saved (made read-only, disk full, file deleted or
moved): a French message says why, the form keeps every keystroke, nothing is written; once
the cause is gone, the same form saves."""

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton

from app.domain import Agreement, Candidate
from app.storage import Database
from app.ui.main_window import MainWindow
from tests.encrypted import raw_connect
from tests.gui.conftest import type_text
from tests.gui.test_agreements_view import _click, _draft, _view, _world

Failure = Callable[[Database], AbstractContextManager[None]]
# Pasted rather than typed: long enough to need new pages in the file.
LONG_NOTE = "Parcours détaillé, entretien du 12/11. " * 400


def _file(database: Database) -> Path:
    assert database.file is not None
    return database.file.path


@contextmanager
def read_only(database: Database) -> Iterator[None]:
    path = _file(database)
    path.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        yield
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)


@contextmanager
def disk_full(database: Database) -> Iterator[None]:
    """SQLite may not grow the file by a single page: the save fails with SQLITE_FULL.

    VACUUM first drops the free pages the migrations left, so a long text needs new pages.
    """
    database.engine.dispose()
    with closing(raw_connect(_file(database))) as connection:
        connection.execute("VACUUM")

    def no_more_pages(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(database.engine, "connect", no_more_pages)
    database.engine.dispose()
    try:
        yield
    finally:
        event.remove(database.engine, "connect", no_more_pages)
        database.engine.dispose()


@contextmanager
def deleted(database: Database) -> Iterator[None]:
    """The file is deleted (a hard link kept aside lets the test put the same file back)."""
    path = _file(database)
    kept = path.with_name("gardée.sqlite")
    os.link(path, kept)
    path.unlink()
    try:
        yield
    finally:
        os.link(kept, path)
        kept.unlink()


@contextmanager
def moved(database: Database) -> Iterator[None]:
    path = _file(database)
    elsewhere = path.parent / "archives.sqlite"
    path.rename(elsewhere)
    try:
        yield
    finally:
        elsewhere.rename(path)


FAILURES: list[tuple[Failure, str]] = [
    (read_only, "La base de données n'a pas pu enregistrer : elle est en lecture seule."),
    (disk_full, "La base de données n'a pas pu enregistrer : le disque est plein."),
    (deleted, "La base de données a été déplacée ou supprimée : « "),
    (moved, "La base de données a été déplacée ou supprimée : « "),
]
IDS = ["lecture-seule", "disque-plein", "supprimee", "deplacee"]


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: shown.append(text))
    return shown


@pytest.mark.parametrize(("failure", "message"), FAILURES, ids=IDS)
def test_candidate_form_keeps_what_was_typed(
    qtbot: QtBot, window: MainWindow, warnings: list[str], failure: Failure, message: str
) -> None:
    form = window.candidates_view.form
    for name, text in (("nom", "Hébert"), ("prenom", "Loïc"), ("email", "loic@exemple.fr")):
        type_text(qtbot, form.findChild(QLineEdit, name), text)
    site = form.findChild(QComboBox, "site")
    site.setCurrentIndex(site.findData("du-guesclin"))
    notes = form.findChild(QPlainTextEdit, "notes")
    notes.setPlainText(LONG_NOTE)
    save = form.findChild(QPushButton, "saveButton")
    database = window.context.database

    with failure(database):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    assert len(warnings) == 1 and warnings[0].startswith(message)
    assert "vos saisies restent à l'écran" in warnings[0]
    assert [form.findChild(QLineEdit, n).text() for n in ("nom", "prenom", "email")] == [
        "Hébert",
        "Loïc",
        "loic@exemple.fr",
    ]
    assert notes.toPlainText() == LONG_NOTE
    assert form.is_dirty()
    with database.session(commit=False) as s:
        assert s.scalar(select(func.count(Candidate.id))) == 0

    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert len(warnings) == 1
    assert not form.is_dirty()
    with database.session(commit=False) as s:
        assert list(s.scalars(select(Candidate.last_name))) == ["Hébert"]


@pytest.mark.parametrize(("failure", "message"), FAILURES, ids=IDS)
def test_agreement_form_keeps_what_was_typed(
    qtbot: QtBot, window: MainWindow, warnings: list[str], failure: Failure, message: str
) -> None:
    draft_id = _draft(window, _world(window))
    view = _view(window)
    view.open_agreement(draft_id)
    activities = view.form.findChild(QPlainTextEdit, "activites")
    qtbot.keyClick(activities, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, activities, ", vente de vélos")
    competences = view.form.findChild(QPlainTextEdit, "competences")
    competences.setPlainText(LONG_NOTE[:4900])
    database = window.context.database

    with failure(database):
        _click(qtbot, view, "saveAgreementButton")

    assert len(warnings) == 1 and warnings[0].startswith(message)
    assert activities.toPlainText() == "Accueil des usagers, vente de vélos"
    assert competences.toPlainText() == LONG_NOTE[:4900]
    assert view.form.is_dirty()
    with database.session(commit=False) as s:
        assert s.get_one(Agreement, draft_id).activities == "Accueil des usagers"

    _click(qtbot, view, "saveAgreementButton")
    assert len(warnings) == 1
    assert not view.form.is_dirty()
    with database.session(commit=False) as s:
        assert s.get_one(Agreement, draft_id).activities == "Accueil des usagers, vente de vélos"
