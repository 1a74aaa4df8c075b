"""Orientation view: what a trainer may no longer change (a decided learner, a season over),
coordination's reopening, the promotion picker following the header, the matrix's names."""

from datetime import datetime

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from app.domain import AuditEntry, Candidate
from app.services.orientation import actions, locks
from app.ui.main_window import MainWindow
from app.ui.orientation.models import MatrixModel
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text
from tests.gui.test_orientation_view import IN_SEASON, _cohort_with_team, show_season

COORDINATION = make_actor("coordination", "Claire Morel")
TRAINER = make_actor("formateur", "samir")
DURING_ORIENTATION = datetime(2025, 12, 20, 10, 0)


def _decide(window: MainWindow, candidate_id: int) -> None:
    actions.decide(
        window.context.database,
        candidate_id,
        outcome="validee",
        filiere="Développement web",
        reason="",
        actor=COORDINATION,
        now=datetime(2026, 1, 12, 17, 0),
    )


def _as_trainer(window: MainWindow) -> QWidget:
    window.context.signed_in = TRAINER
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    return view


def _grid(view: QWidget) -> QTableView:
    view.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    grid = view.findChild(QTableView, "evaluationGrid")
    grid.setFocus()
    return grid


def _stored_level(window: MainWindow, activity_id: int, candidate_id: int, view: QWidget) -> str:
    team_id = view.grid_model.team_id  # type: ignore[attr-defined]
    data = actions.grid(window.context.database, activity_id, team_id, actor=COORDINATION)
    first = data.criteria[0].id
    return data.levels.get((candidate_id, first), "non_observe")


def test_a_trainer_cannot_change_a_decided_learner_and_reads_the_decision(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: ModelTester,
) -> None:
    monkeypatch.setattr(locks, "clock", lambda: DURING_ORIENTATION)
    _cohort_id, activity_id, ids = _cohort_with_team(window)  # Benali is ids[0], row 0
    _decide(window, ids[0])
    view = _as_trainer(window)
    grid = _grid(view)
    model = grid.model()
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsEditable
    qtmodeltester.check(model, force_py=True)  # with a locked row
    lock = view.findChild(QLabel, "gridLock")
    assert lock.isVisible()
    assert lock.text().startswith("Observations verrouillées pour BENALI Alex")
    assert str(
        model.headerData(0, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    ).startswith("Décision enregistrée le 12/01/2026 : observations verrouillées")

    grid.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_1)
    assert _stored_level(window, activity_id, ids[0], view) == "non_observe"
    assert grid.currentIndex().column() == 0  # the cursor did not move on
    assert "verrouillées" in view.findChild(QLabel, "gridHistory").text()
    grid.setCurrentIndex(model.index(1, 0))
    qtbot.keyClick(grid, Qt.Key.Key_1)
    assert _stored_level(window, activity_id, ids[1], view) == "acquis"

    view.tabs.setCurrentIndex(3)  # type: ignore[attr-defined]
    page = view.findChild(QWidget, "learnerPage")
    picker = page.findChild(QComboBox, "learnerPicker")
    picker.setCurrentIndex(picker.findData(ids[0]))
    outcome = page.findChild(QComboBox, "decisionOutcome")
    assert outcome.currentData() == "validee"
    assert not outcome.isEnabled()
    assert not page.findChild(QComboBox, "decisionFiliere").isEnabled()
    assert page.findChild(QPlainTextEdit, "decisionMotif").isReadOnly()
    assert outcome.toolTip().startswith("Réservé à la coordination")
    assert not page.findChild(QPushButton, "decideButton").isVisible()
    assert not page.findChild(QPushButton, "reopenDecisionButton").isVisible()
    banner = page.findChild(QLabel, "learnerLock")
    assert banner.isVisible()
    assert banner.text().startswith("Décision enregistrée le 12/01/2026")
    # An undecided learner: the trainer still reads the decision fields, read-only.
    picker.setCurrentIndex(picker.findData(ids[1]))
    assert not outcome.isEnabled() and not banner.isVisible()


def test_coordination_reopens_a_decision_and_the_grid_opens_again(
    qtbot: QtBot, window: MainWindow
) -> None:
    _cohort_id, activity_id, ids = _cohort_with_team(window)
    _decide(window, ids[0])
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    view.tabs.setCurrentIndex(3)  # type: ignore[attr-defined]
    page = view.findChild(QWidget, "learnerPage")
    picker = page.findChild(QComboBox, "learnerPicker")
    picker.setCurrentIndex(picker.findData(ids[0]))
    assert page.findChild(QComboBox, "decisionOutcome").isEnabled()  # coordination decides
    reopen = page.findChild(QPushButton, "reopenDecisionButton")
    assert reopen.isVisible()

    def refuse_then_give_a_reason(dialog: QWidget) -> None:
        accept = next(
            b for b in dialog.findChildren(QPushButton) if b.text() == "Rouvrir la décision"
        )
        accept.click()  # no reason: refused beside the field
        assert dialog.findChild(QLabel, "reopenReasonError").text() == (
            "Indiquer le motif de la réouverture."
        )
        type_text(qtbot, dialog.findChild(QPlainTextEdit, "reopenReason"), "Niveau E1 erroné")
        accept.click()

    answer_next_dialog(qtbot, refuse_then_give_a_reason)
    qtbot.mouseClick(reopen, Qt.MouseButton.LeftButton)
    state = page.findChild(QLabel, "decisionState").text()
    assert state.startswith("Décision rouverte par")
    assert "(Niveau E1 erroné)" in state
    assert page.findChild(QComboBox, "decisionOutcome").currentData() == ""
    assert not reopen.isVisible()
    assert not page.findChild(QLabel, "learnerLock").isVisible()

    grid = _grid(view)
    model = grid.model()
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    grid.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_3)
    assert _stored_level(window, activity_id, ids[0], view) == "non_acquis"
    with window.context.database.session(commit=False) as s:
        uuid = s.get(Candidate, ids[0]).uuid
        summaries = s.scalars(
            select(AuditEntry.summary).where(AuditEntry.candidate_uuid == uuid)
        ).all()
    assert "Décision de fin d'orientation enregistrée : décision rouverte" in summaries


def test_a_closed_season_is_read_only_for_a_trainer_and_says_why(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Today the 2025-2026 season (01/12/2025 + 8 months) is over."""
    _cohort_id, activity_id, ids = _cohort_with_team(window)
    view = _as_trainer(window)
    notice = view.findChild(QLabel, "orientationNotice")
    assert notice.isVisible()
    assert notice.text() == (
        "Saison 2025-2026 terminée le 01/08/2026 : ses promotions sont en lecture seule pour "
        "les formateurs (la coordination peut encore les corriger)."
    )
    assert not view.findChild(QPushButton, "newActivityButton").isEnabled()
    assert not view.findChild(QPushButton, "teamsButton").isEnabled()
    grid = _grid(view)
    model = grid.model()
    assert not model.flags(model.index(2, 0)) & Qt.ItemFlag.ItemIsEditable
    grid.setCurrentIndex(model.index(2, 0))
    qtbot.keyClick(grid, Qt.Key.Key_2)
    assert _stored_level(window, activity_id, ids[2], view) == "non_observe"
    assert not view.findChild(QLabel, "gridLock").isVisible()  # said once, above the tabs
    assert notice.isVisible()
    tooltip = model.data(model.index(2, 0), Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("Saison 2025-2026 terminée")

    window.context.signed_in = COORDINATION  # coordination may still correct it
    view.reload_cohorts()  # type: ignore[attr-defined]
    assert not notice.isVisible()
    assert view.findChild(QPushButton, "newActivityButton").isEnabled()


def test_the_promotion_picker_follows_the_header_season(window: MainWindow) -> None:
    cohort_id, _activity_id, _ids = _cohort_with_team(window)
    view = window.show_view("orientation")
    picker = view.findChild(QComboBox, "cohortPicker")
    notice = view.findChild(QLabel, "orientationNotice")
    assert [picker.itemData(i) for i in range(picker.count())] == [cohort_id]
    assert not notice.isVisible()

    show_season(window, "2026-2027")  # no learner of that season has entered training yet
    assert picker.count() == 0
    assert picker.placeholderText() == "Aucune promotion pour la saison 2026-2027"
    assert notice.isVisible()
    assert notice.text().startswith("Aucune promotion pour la saison 2026-2027 : ")
    site = window.header.site_combo
    site.setCurrentIndex(site.findText("Cobalt (Poitiers)"))
    assert notice.text().startswith(
        "Aucune promotion pour la saison 2026-2027 à Cobalt (Poitiers) : "
    )
    site.setCurrentIndex(0)  # Tous les sites

    show_season(window, "2025-2026")
    assert picker.currentData() == cohort_id
    assert not notice.isVisible()
    window.header.season_combo.setCurrentIndex(0)  # Toutes les saisons
    assert picker.count() == 1


def test_double_clicking_a_learners_name_in_the_matrix_opens_their_page(
    qtbot: QtBot, window: MainWindow
) -> None:
    _cohort_id, _activity_id, ids = _cohort_with_team(window)
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    view.tabs.setCurrentIndex(2)  # type: ignore[attr-defined]
    matrix = view.findChild(QTableView, "cohortMatrix")
    qtbot.waitUntil(lambda: matrix.model().rowCount() == 5)
    header = matrix.verticalHeader()
    row = 3  # N'DIAYE Alex
    assert matrix.model().headerData(row, Qt.Orientation.Vertical) == "N'DIAYE Alex"
    y = header.sectionViewportPosition(row) + header.sectionSize(row) // 2
    qtbot.mouseDClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(10, y))
    assert view.tabs.currentWidget() is view.learner_tab  # type: ignore[attr-defined]
    picker = view.findChild(QComboBox, "learnerPicker")
    assert picker.currentData() == ids[3]
    assert view.learner_tab.page.candidate_id == ids[3]  # type: ignore[attr-defined]


def test_this_week_is_only_shown_during_the_orientation_weeks(
    qtbot: QtBot, window: MainWindow, qtmodeltester: ModelTester
) -> None:
    """The 2025-2026 orientation (S1…S6 from 01/12/2025) is long over today."""
    cohort_id, _activity_id, _ids = _cohort_with_team(window)
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    view.tabs.setCurrentIndex(2)  # type: ignore[attr-defined]
    matrix = view.findChild(QTableView, "cohortMatrix")
    qtbot.waitUntil(lambda: matrix.model().rowCount() == 5)
    summary = view.findChild(QLabel, "matrixSummary").text()
    assert "cette semaine" not in summary
    assert summary == (
        "5 apprenants · orientation terminée (S1 à S6, du 01/12/2025 au 11/01/2026) · "
        "derniers niveaux observés"
    )
    model = matrix.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert not any(str(t).startswith("Observé(e) en") for t in titles)
    during = actions.cohort_matrix(
        window.context.database, cohort_id, IN_SEASON.date(), actor=COORDINATION
    )
    checked = MatrixModel()
    checked.set_matrix(during)
    qtmodeltester.check(checked, force_py=True)
    assert checked.headerData(checked.week_column, Qt.Orientation.Horizontal) == "Observé(e) en S1"
