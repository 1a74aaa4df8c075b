"""Another workstation saved the file open here: saving is refused with who and when, what was
typed stays until the user chooses to reload, and reloading shows the other desk's version."""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QWidget

from app.services.agreements import details, life_cycle
from app.services.candidates.records import CandidateInput, create_candidate, update_candidate
from app.services.hosts import directory as host_service
from app.storage import Database
from app.ui.agreements.view import AgreementsView
from app.ui.candidates.view import CandidatesView
from app.ui.main_window import MainWindow
from app.ui.partners.view import PartnersView
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text
from tests.gui.test_agreements_view import _click, _draft, _view, _world

COORD = "coordination"
PAUL_SAVES = datetime(2026, 11, 29, 10, 42)


@pytest.fixture
def other_desk(window: MainWindow) -> Iterator[Database]:
    """A second workstation on the window's database file."""
    desk = Database(window.context.database.url)
    yield desk
    desk.dispose()


def _answer(button: QMessageBox.StandardButton, seen: list[str]) -> Callable[[QWidget], None]:
    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QMessageBox)
        seen.append(dialog.text())
        dialog.button(button).click()

    return act


def _save(qtbot: QtBot, widget: QWidget, name: str) -> None:
    qtbot.mouseClick(widget.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def _candidate_entry(**values: str) -> CandidateInput:
    fields = {"nom": "Hébert", "prenom": "Loïc", "email": "loic@exemple.fr"}
    return CandidateInput(saison="2026-2027", site="cobalt", **(fields | values))


def test_candidate_saved_elsewhere_is_not_overwritten_and_can_be_reloaded(
    qtbot: QtBot, window: MainWindow, other_desk: Database
) -> None:
    with window.context.database.session() as s:
        candidate_id = create_candidate(
            s, _candidate_entry(), actor=make_actor(COORD, "Nadia Belkacem")
        ).id
    view = window.show_view("candidates")
    assert isinstance(view, CandidatesView)
    view.open_candidate(candidate_id)
    form = view.form
    type_text(qtbot, form.findChild(QLineEdit, "telephone"), "06 12 34 56 78")
    with other_desk.session() as s:
        update_candidate(
            s,
            candidate_id,
            _candidate_entry(prenom="Loïck"),
            expected_version=1,
            actor=make_actor(COORD, "Paul Girard"),
            now=PAUL_SAVES,
        )

    seen: list[str] = []
    answer_next_dialog(qtbot, _answer(QMessageBox.StandardButton.No, seen))
    _save(qtbot, form, "saveButton")

    assert seen[0].startswith(
        "Ce dossier a été modifié par Paul Girard le 29/11/2026 à 10:42, depuis que vous "
        "l'avez ouvert."
    )
    assert form.findChild(QLineEdit, "telephone").text() == "06 12 34 56 78"
    assert form.findChild(QLineEdit, "prenom").text() == "Loïc"
    assert form.is_dirty()

    answer_next_dialog(qtbot, _answer(QMessageBox.StandardButton.Yes, seen))
    _save(qtbot, form, "saveButton")

    assert len(seen) == 2
    assert form.findChild(QLineEdit, "prenom").text() == "Loïck"
    assert form.findChild(QLineEdit, "telephone").text() == ""
    assert not form.is_dirty()


def test_agreement_saved_elsewhere_is_not_overwritten_and_can_be_reloaded(
    qtbot: QtBot, window: MainWindow, other_desk: Database
) -> None:
    world = _world(window)
    draft_id = _draft(window, world)
    view = _view(window)
    assert isinstance(view, AgreementsView)
    view.open_agreement(draft_id)
    activities = view.form.findChild(QPlainTextEdit, "activites")
    qtbot.keyClick(activities, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, activities, ", vente")
    with other_desk.session() as s:
        info = details.get_agreement(s, draft_id)
        life_cycle.update_draft(
            s,
            draft_id,
            replace(info.values, formateur_referent="Inès Roy"),
            expected_version=info.version,
            actor=make_actor(COORD, "Paul Girard"),
            now=PAUL_SAVES,
        )

    seen: list[str] = []
    answer_next_dialog(qtbot, _answer(QMessageBox.StandardButton.No, seen))
    _click(qtbot, view, "saveAgreementButton")

    assert seen[0].startswith(
        "Cette convention a été modifiée par Paul Girard le 29/11/2026 à 10:42, depuis que "
        "vous l'avez ouverte."
    )
    assert activities.toPlainText() == "Accueil des usagers, vente"
    assert view.form.is_dirty()

    answer_next_dialog(qtbot, _answer(QMessageBox.StandardButton.Yes, seen))
    _click(qtbot, view, "saveAgreementButton")

    assert activities.toPlainText() == "Accueil des usagers"
    assert view.form.findChild(QLineEdit, "formateur_referent").text() == "Inès Roy"
    assert not view.form.is_dirty()


def test_host_saved_elsewhere_is_not_overwritten_and_can_be_reloaded(
    qtbot: QtBot, window: MainWindow, other_desk: Database
) -> None:
    data = host_service.HostInput(nom="Atelier Vélo", forme_juridique="autre")
    with window.context.database.session() as s:
        host_id = host_service.create_host(s, data, actor=make_actor(COORD, "Nadia Belkacem")).id
    view = window.show_view("partners")
    assert isinstance(view, PartnersView)
    view.refresh_list()
    view.open_host(host_id)
    type_text(qtbot, view.form.findChild(QLineEdit, "commune"), "Poitiers")
    with other_desk.session() as s:
        host_service.update_host(
            s,
            host_id,
            host_service.HostInput(nom="Atelier Vélo", forme_juridique="autre", commune="Niort"),
            actor=make_actor(COORD, "Paul Girard"),
            expected_version=1,
        )

    seen: list[str] = []
    answer_next_dialog(qtbot, _answer(QMessageBox.StandardButton.No, seen))
    _save(qtbot, view.form, "saveHostButton")

    assert seen[0].startswith("Cette structure a été modifiée par Paul Girard le ")
    assert view.form.findChild(QLineEdit, "commune").text() == "Poitiers"
    assert view.form.is_dirty()

    answer_next_dialog(qtbot, _answer(QMessageBox.StandardButton.Yes, seen))
    _save(qtbot, view.form, "saveHostButton")

    assert view.form.findChild(QLineEdit, "commune").text() == "Niort"
    assert not view.form.is_dirty()
    # Saved again from here, on top of the reloaded version: accepted.
    commune = view.form.findChild(QLineEdit, "commune")
    qtbot.keyClick(commune, Qt.Key.Key_End)
    type_text(qtbot, commune, " Sud")
    _save(qtbot, view.form, "saveHostButton")
    with window.context.database.session() as s:
        assert host_service.get_host(s, host_id).city == "Niort Sud"
