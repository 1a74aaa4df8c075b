"""The "Données personnelles" button of a candidate's file: export of the person's data,
erasure on request (with its reason), refusal and anonymisation when an agreement is signed."""

import json
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QWidget

from app.config import backup_dir
from app.domain import Agreement, AuditAction, Candidate, Host
from app.domain.agreement import AgreementStatus
from app.services.candidates.records import CandidateInput, create_candidate
from app.services.journal import audit_log as audit
from app.services.rgpd import person_data as rgpd
from app.storage.backup import backup_database
from app.ui.candidates.view import CandidatesView
from app.ui.main_window import MainWindow
from app.ui.rgpd.person_data import ErasureDialog, PersonDataButton
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog

COORD = "coordination"


@pytest.fixture(autouse=True)
def signed_in_as_coordination(window: MainWindow) -> None:
    window.context.signed_in = make_actor(COORD, window.context.username)


def _candidate(window: MainWindow, nom: str = "Quetzal") -> int:
    with window.context.database.session() as session:
        return create_candidate(
            session,
            CandidateInput(
                nom=nom,
                prenom="Zéphyrine",
                email="zephyrine@exemple.fr",
                saison="2026-2027",
                site="cobalt",
            ),
            actor=make_actor(COORD, "test"),
        ).id


def _open(window: MainWindow, candidate_id: int) -> tuple[CandidatesView, PersonDataButton]:
    view = window.show_view("candidates")
    assert isinstance(view, CandidatesView)
    view.open_candidate(candidate_id)
    button = view.findChild(PersonDataButton, "personDataButton")
    assert button is not None and button.isVisible() and button.isEnabled()
    assert button.accessibleName() == "Données personnelles"
    return view, button


def test_the_button_is_for_coordination_only(window: MainWindow) -> None:
    candidate = _candidate(window)
    view, button = _open(window, candidate)
    window.context.signed_in = make_actor("accueil", window.context.username)
    view.open_candidate(candidate)
    assert not button.isVisible()


def test_export_writes_the_json_and_the_pdf_and_is_logged(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate = _candidate(window)
    _view, button = _open(window, candidate)
    target = tmp_path / "donnees.json"
    monkeypatch.setattr("app.ui.rgpd.person_data.save_file", lambda *_args, **_kwargs: target)
    told: list[str] = []

    def read(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        told.append(box.text())
        box.accept()

    answer_next_dialog(qtbot, read)
    button.export_action.trigger()
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["candidatures"][0]["dossier"]["Nom"] == "Quetzal"
    assert target.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert str(target) in told[0]
    with window.context.database.session(commit=False) as session:
        (entry,) = audit.list_entries(session, actor=make_actor(COORD), action=AuditAction.EXPORT)
    assert entry.author == window.context.username


def test_erasure_asks_a_reason_then_removes_the_file(qtbot: QtBot, window: MainWindow) -> None:
    candidate = _candidate(window)
    view, button = _open(window, candidate)

    def choose_reason(dialog: QWidget) -> None:
        assert isinstance(dialog, ErasureDialog)
        assert not dialog.ok_button.isEnabled()  # no reason yet
        assert any("QUETZAL Zéphyrine" in label.text() for label in dialog.findChildren(QLabel))
        reason = dialog.findChild(QComboBox, "erasureReason")
        reason.setCurrentIndex(reason.findData("consentement"))
        assert dialog.ok_button.isEnabled()
        dialog.ok_button.click()

    answer_next_dialog(qtbot, choose_reason)
    button.erase_action.trigger()
    with window.context.database.session(commit=False) as session:
        assert session.get(Candidate, candidate) is None
    assert view.form.candidate_id is None
    assert view.model.row_of(candidate) is None
    assert not button.isEnabled()


def test_erasure_shows_the_backups_that_still_hold_the_person(
    qtbot: QtBot, window: MainWindow
) -> None:
    candidate = _candidate(window)
    window.maintenance.wait_for_start_backup()
    copy = backup_database(window.context.database.url, backup_dir(), reason="manuelle")
    _view, button = _open(window, candidate)

    def choose_reason(dialog: QWidget) -> None:
        reason = dialog.findChild(QComboBox, "erasureReason")
        reason.setCurrentIndex(reason.findData("demande"))
        dialog.accept()  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, choose_reason)
    button.erase_action.trigger()
    box = button.report_box
    assert box is not None and box.isVisible() and box.objectName() == "erasureReport"
    assert box.text() == "Les données de la personne ont été effacées de la base (1 dossier)."
    assert "contiennent encore la personne" in box.informativeText()
    assert copy.name in box.informativeText()
    box.close()


def test_erasure_cancelled_changes_nothing(qtbot: QtBot, window: MainWindow) -> None:
    candidate = _candidate(window)
    _view, button = _open(window, candidate)
    answer_next_dialog(qtbot, lambda dialog: dialog.reject())  # type: ignore[attr-defined]
    button.erase_action.trigger()
    with window.context.database.session(commit=False) as session:
        assert session.get(Candidate, candidate) is not None


def test_signed_agreement_refuses_erasure_and_offers_anonymisation(
    qtbot: QtBot, window: MainWindow
) -> None:
    candidate = _candidate(window)
    with window.context.database.session() as session:
        host = Host(name="Atelier Vélo", legal_form="association")
        session.add(host)
        session.flush()
        session.add(
            Agreement(
                number="FAB-2027-0001",
                status=AgreementStatus.FINISHED.value,
                candidate_id=candidate,
                host_id=host.id,
                start_date=date(2027, 6, 1),
                end_date=date(2027, 7, 31),
            )
        )
    view, button = _open(window, candidate)
    told: list[str] = []

    def anonymise_instead(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        told.append(box.text())
        next(b for b in box.buttons() if b.text() == "Anonymiser").click()

    answer_next_dialog(qtbot, anonymise_instead)
    button.erase_action.trigger()
    assert "FAB-2027-0001" in told[0]
    with window.context.database.session(commit=False) as session:
        kept = session.get(Candidate, candidate)
        assert kept is not None and kept.last_name == rgpd.ANONYMOUS_NAME
    assert view.form.candidate_id == candidate
    assert view.form.values().nom == rgpd.ANONYMOUS_NAME
