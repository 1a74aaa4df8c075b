"""Orientation view: a trainer fills a team's grid from the keyboard; the matrix shows it."""

import dataclasses
import threading
from datetime import date, datetime
from typing import Any

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QTableView

from app.services.candidates import records as cs
from app.services.errors import NotFoundError
from app.services.orientation import actions, activities, cohorts, progress
from app.services.orientation import criteria as orientation_criteria
from app.services.orientation import grid as orientation_grid
from app.services.orientation.activities import ActivityInput
from app.ui.main_window import MainWindow
from app.ui.orientation.models import GridModel, MatrixModel
from tests.conftest import make_actor

ENTRY_PATH = ("entretien", "admis", "entre_formation")
NAMES = ("Benali", "Da Silva", "Lefèvre", "N'Diaye", "Nguyen")
IN_SEASON = datetime(2025, 12, 3, 10, 0)


def _cohort_with_team(window: MainWindow) -> tuple[int, int, list[int]]:
    """Five learners of 2025-2026 at Cobalt in one team of one activity (created by a trainer
    during that season); the header shows that season."""
    ids = []
    with window.context.database.session() as session:
        for n, name in enumerate(NAMES):
            saved = cs.create_candidate(
                session,
                cs.CandidateInput(
                    nom=name,
                    prenom="Alex",
                    email=f"alex{n}@exemple.fr",
                    saison="2025-2026",
                    site="cobalt",
                ),
                now=datetime(2025, 10, 1, 9, 0),
                actor=make_actor("coordination", "test"),
            )
            for step, code in enumerate(ENTRY_PATH):
                cs.change_stage(
                    session,
                    saved.id,
                    code,
                    comment="",
                    now=datetime(2025, 11, 1 + step, 9, 0),
                    actor=make_actor("coordination", "t"),
                )
            ids.append(saved.id)
        cohort = next(c for c in cohorts.cohorts(session) if c.season == "2025-2026")
        activity = activities.create_activity(
            session,
            cohort.id,
            ActivityInput(day="03/12/2025", title="Atelier maquette", kind="atelier"),
            actor=make_actor("formateur"),
            now=IN_SEASON,
        )
        activities.set_teams(
            session,
            activity.id,
            [("Équipe 1", ids)],
            actor=make_actor("formateur"),
            now=IN_SEASON,
        )
    show_season(window, "2025-2026")
    return cohort.id, activity.id, ids


def show_season(window: MainWindow, label: str) -> None:
    """Choose the season in the header strip, as the user does."""
    window.header.reload_seasons()
    season = window.header.season_combo
    season.setCurrentIndex(season.findText(f"Saison {label}"))
    assert window.header.season_label() == label


def test_keyboard_fills_the_team_grid_and_the_matrix_follows(
    qtbot: QtBot, window: MainWindow
) -> None:
    cohort_id, activity_id, ids = _cohort_with_team(window)
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    picker = view.findChild(QComboBox, "cohortPicker")
    picker.setCurrentIndex(picker.findData(cohort_id))
    view.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    grid = view.findChild(QTableView, "evaluationGrid")
    assert grid.model().rowCount() == 5
    grid.setFocus()
    grid.setCurrentIndex(grid.model().index(0, 0))
    # Ten criteria per learner, five learners: 50 keystrokes, no mouse.
    typed = ["1231023102", "1111111111", "2222222222", "3333333333", "0000000000"]
    for row_keys in typed:
        qtbot.keyClicks(grid, row_keys)

    with window.context.database.session() as session:
        team_id = grid.model().team_id  # type: ignore[attr-defined]
        data = orientation_grid.grid(
            session, activity_id, team_id, actor=make_actor("coordination")
        )
        criteria = [c.id for c in data.criteria]
    expected = {"1": "acquis", "2": "en_cours", "3": "non_acquis", "0": "non_observe"}
    for learner, keys in zip(ids, typed, strict=True):
        stored = [data.levels.get((learner, c), "non_observe") for c in criteria]
        assert stored == [expected[k] for k in keys]
    assert grid.model().index(0, 0).data() == "A"
    assert grid.model().index(0, 1).data() == "EC"
    assert grid.model().index(0, 2).data() == "NA"

    view.tabs.setCurrentIndex(2)  # type: ignore[attr-defined]
    matrix = view.findChild(QTableView, "cohortMatrix")
    qtbot.waitUntil(lambda: matrix.model().rowCount() == 5)  # read off the window's thread
    first_row = [matrix.model().index(0, c).data() for c in range(10)]
    assert first_row == ["A", "EC", "NA", "A", "—", "EC", "NA", "A", "—", "EC"]


def test_a_correction_supersedes_and_shows_its_history(qtbot: QtBot, window: MainWindow) -> None:
    _cohort_id, activity_id, ids = _cohort_with_team(window)
    view = window.show_view("orientation")
    view.reload_cohorts()  # type: ignore[attr-defined]
    view.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    grid = view.findChild(QTableView, "evaluationGrid")
    grid.setFocus()
    grid.setCurrentIndex(grid.model().index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_2)
    grid.setCurrentIndex(grid.model().index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_1)
    with window.context.database.session() as session:
        criterion = orientation_criteria.criteria(session)[0]
        history = orientation_grid.level_history(
            session, activity_id, ids[0], criterion.id, actor=make_actor("coordination")
        )
    assert [(h.from_label, h.to_label) for h in history] == [
        ("Non observé", "En cours d'acquisition"),
        ("En cours d'acquisition", "Acquis"),
    ]
    grid.setCurrentIndex(grid.model().index(0, 0))
    assert "En cours d'acquisition → Acquis" in view.grid_history.text()  # type: ignore[attr-defined]


def test_grid_and_matrix_models_pass_qt_checks(
    qtmodeltester: ModelTester, window: MainWindow
) -> None:
    cohort_id, activity_id, _ids = _cohort_with_team(window)
    with window.context.database.session() as session:
        team_id = activities.activities(session, cohort_id)[0].teams[0].id
        grid_data = orientation_grid.grid(
            session, activity_id, team_id, actor=make_actor("coordination")
        )
        matrix_data = progress.cohort_matrix(
            session, cohort_id, date(2025, 12, 5), actor=make_actor("coordination")
        )
    grid_model, matrix_model = GridModel(), MatrixModel()
    grid_model.set_grid(grid_data)
    matrix_model.set_matrix(matrix_data)
    qtmodeltester.check(grid_model, force_py=True)
    qtmodeltester.check(matrix_model, force_py=True)
    assert matrix_model.headerData(10, Qt.Orientation.Horizontal) == "Observé(e) en S1"


def test_header_site_filters_the_cohorts(window: MainWindow) -> None:
    _cohort_with_team(window)
    view = window.show_view("orientation")
    picker = view.findChild(QComboBox, "cohortPicker")
    assert picker.count() == 1
    assert picker.itemText(0) == "Saison 2025-2026 — Cobalt"
    site = window.header.site_combo
    site.setCurrentIndex(site.findText("Centre Du Guesclin (Niort)"))
    assert picker.count() == 0
    site.setCurrentIndex(0)
    assert picker.count() == 1


def test_comment_typed_in_the_grid_is_saved(qtbot: QtBot, window: MainWindow) -> None:
    _cohort_id, activity_id, ids = _cohort_with_team(window)
    view = window.show_view("orientation")
    view.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    grid = view.findChild(QTableView, "evaluationGrid")
    model = grid.model()
    grid.setFocus()
    grid.setCurrentIndex(model.index(1, model.comment_column))  # type: ignore[attr-defined]
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    editor = grid.findChild(QLineEdit)
    assert editor is not None
    qtbot.keyClicks(editor, "Aide un camarade sur Git")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # The delegate commits on the next turn of the event loop.
    qtbot.waitUntil(lambda: grid.state() != QAbstractItemView.State.EditingState)
    with window.context.database.session() as session:
        team_id = model.team_id  # type: ignore[attr-defined]
        notes = orientation_grid.grid(
            session, activity_id, team_id, actor=make_actor("coordination")
        ).notes
    assert notes == {ids[1]: "Aide un camarade sur Git"}
    assert model.index(1, model.comment_column).data() == "Aide un camarade sur Git"  # type: ignore[attr-defined]


def test_the_matrix_shown_is_the_latest_one_read(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read off the window's thread: a read overtaken by a newer one is never shown."""
    _cohort_with_team(window)
    real = actions.cohort_matrix
    first_call, release = threading.Event(), threading.Event()

    def slow_then_fast(*args: Any, **kwargs: Any) -> Any:
        data = real(*args, **kwargs)
        if not first_call.is_set():
            first_call.set()
            release.wait(5)
            return dataclasses.replace(data, learners=())  # stale: must never show
        return data

    monkeypatch.setattr(actions, "cohort_matrix", slow_then_fast)
    view = window.show_view("orientation")
    view.tabs.setCurrentIndex(2)  # type: ignore[attr-defined]
    assert first_call.wait(5)
    view.refresh()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: view.matrix_model.rowCount() == 5)  # type: ignore[attr-defined]
    release.set()
    assert view.matrix_reader.wait()  # type: ignore[attr-defined]
    qtbot.wait(50)
    assert view.matrix_model.rowCount() == 5  # type: ignore[attr-defined]
    assert view.matrix_summary.text().startswith("5 apprenants ·")  # type: ignore[attr-defined]


def test_a_matrix_that_cannot_be_read_says_why(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cohort_with_team(window)

    def gone(*_args: Any, **_kwargs: Any) -> Any:
        raise NotFoundError("Cette promotion n'existe plus.")

    monkeypatch.setattr(actions, "cohort_matrix", gone)
    view = window.show_view("orientation")
    view.tabs.setCurrentIndex(2)  # type: ignore[attr-defined]
    summary = view.matrix_summary  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: summary.text() == "Cette promotion n'existe plus.")
    assert view.matrix_model.rowCount() == 0  # type: ignore[attr-defined]
