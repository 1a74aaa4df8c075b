"""Learner page: project, decision (moves the stage), bilan PDF; grid editing; activities."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QWidget,
)

from app.domain import AuditAction, AuditEntry, Candidate
from app.services.orientation import activities as orientation_activities
from app.services.orientation import criteria, progress
from app.ui.main_window import MainWindow
from app.ui.orientation.dialogs import ActivityDialog, CriteriaDialog
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text
from tests.gui.test_orientation_view import _cohort_with_team


def _learner_tab(window: MainWindow) -> QWidget:
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    view.tabs.setCurrentIndex(3)  # type: ignore[attr-defined]
    return view.findChild(QWidget, "learnerPage")


def test_decision_moves_the_stage_and_the_bilan_prints(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cohort_id, _activity_id, ids = _cohort_with_team(window)
    page = _learner_tab(window)
    picker = page.findChild(QComboBox, "learnerPicker")
    picker.setCurrentIndex(picker.findData(ids[3]))

    outcome = page.findChild(QComboBox, "decisionOutcome")
    outcome.setCurrentIndex(outcome.findData("reserves"))
    filiere = page.findChild(QComboBox, "decisionFiliere")
    filiere.setCurrentIndex(filiere.findText("Développement web"))
    qtbot.mouseClick(page.findChild(QPushButton, "decideButton"), Qt.MouseButton.LeftButton)
    assert "motif" in page.findChild(QLabel, "decisionMotifError").text().lower()

    type_text(qtbot, page.findChild(QPlainTextEdit, "decisionMotif"), "Assiduité à consolider")
    qtbot.mouseClick(page.findChild(QPushButton, "decideButton"), Qt.MouseButton.LeftButton)
    assert "Période validée avec réserves" in page.findChild(QLabel, "decisionState").text()
    with window.context.database.session() as session:
        assert session.get(Candidate, ids[3]).stage.code == "orientation_reserves"

    type_text(qtbot, page.findChild(QLineEdit, "projetMetier"), "Développeuse web")
    qtbot.mouseClick(page.findChild(QPushButton, "saveProjectButton"), Qt.MouseButton.LeftButton)
    with window.context.database.session() as session:
        assert (
            progress.learner_page(
                session, ids[3], actor=make_actor("coordination")
            ).project.target_job
            == "Développeuse web"
        )

    out = tmp_path / "bilan.pdf"
    opened: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(out), ""))
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    qtbot.mouseClick(page.findChild(QPushButton, "printBilanButton"), Qt.MouseButton.LeftButton)
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert "N'DIAYE" in text or "N'Diaye" in text
    assert "Période validée avec réserves" in text
    assert "Assiduité à consolider" in text
    assert opened == [str(out)]
    with window.context.database.session() as session:
        uuid = session.get(Candidate, ids[3]).uuid
        printed = session.scalars(
            select(AuditEntry.summary).where(
                AuditEntry.action == AuditAction.IMPRESSION.value,
                AuditEntry.candidate_uuid == uuid,
            )
        )
        assert list(printed) == ["Bilan d'orientation imprimé"]


def test_new_activity_dialog_refuses_a_bad_date_in_french(qtbot: QtBot, window: MainWindow) -> None:
    cohort_id, _activity_id, _ids = _cohort_with_team(window)
    messages: list[str] = []

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, ActivityDialog)
        date_field = dialog.findChild(QLineEdit, "date")
        date_field.clear()
        type_text(qtbot, date_field, "31/02/2025")
        type_text(qtbot, dialog.findChild(QLineEdit, "titre"), "Visite des Usines Nouvelles")
        dialog.submit()
        messages.append(dialog.findChild(QLabel, "dateError").text())
        date_field.clear()
        type_text(qtbot, date_field, "10/12/2025")
        dialog.submit()

    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    answer_next_dialog(qtbot, fill)
    answer_next_dialog(qtbot, lambda teams: teams.reject())  # type: ignore[attr-defined]
    qtbot.mouseClick(view.findChild(QPushButton, "newActivityButton"), Qt.MouseButton.LeftButton)
    assert messages and "n'existe pas" in messages[0]
    with window.context.database.session() as session:
        titles = [a.title for a in orientation_activities.activities(session, cohort_id)]
    assert titles == ["Atelier maquette", "Visite des Usines Nouvelles"]
    table = view.findChild(QTableWidget, "activitiesTable")
    assert table.rowCount() == 2
    assert table.item(1, 1).text() == "S2"


def test_coordination_adds_and_retires_a_criterion(qtbot: QtBot, window: MainWindow) -> None:
    dialog = CriteriaDialog(window.context, window)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.findChild(QLineEdit, "code"), "E7")
    type_text(qtbot, dialog.findChild(QLineEdit, "libelle"), "Respecte le matériel partagé")
    qtbot.mouseClick(dialog.findChild(QPushButton, "addCriterionButton"), Qt.MouseButton.LeftButton)
    table = dialog.findChild(QTableWidget, "criteriaTable")
    codes = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert "E7" in codes

    table.selectRow(codes.index("E7"))
    answer_next_dialog(qtbot, lambda box: box.button(QMessageBox.StandardButton.Yes).click())  # type: ignore[attr-defined]
    qtbot.mouseClick(
        dialog.findChild(QPushButton, "retireCriterionButton"), Qt.MouseButton.LeftButton
    )
    with window.context.database.session() as session:
        active = [c.code for c in criteria.criteria(session)]
        every = [c.code for c in criteria.criteria(session, include_retired=True)]
    assert "E7" not in active
    assert "E7" in every
    assert table.item(codes.index("E7"), 2).text() == "retiré"
