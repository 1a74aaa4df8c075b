"""Projets view: a project driven from its submission to its closing, from the keyboard and
the mouse — the eligibility warning, two reviewers' scores and the ranking, the decision, a
team of a cohort, an observation on its real-case activity, milestones, delivery,
satisfaction, closing; what a formateur may and may not do; the models under Qt's tester."""

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from app.domain.projects import SATISFACTION_QUESTIONS
from app.services import reference
from app.services.accounts import management as accounts
from app.services.accounts.management import AccountInput
from app.services.base_access.opening import open_app_database
from app.services.candidates import records as cs
from app.services.hosts import actions as hosts
from app.services.hosts.directory import HostInput
from app.services.orientation import actions as orientation
from app.services.orientation import cohorts as orientation_cohorts
from app.services.projects import actions as projects
from app.services.projects.submissions import ProjectInput
from app.services.unit_of_work import Database
from app.ui.main_window import MainWindow
from app.ui.printing.preview import PdfPreviewDialog
from app.ui.projects import view as project_view
from app.ui.projects.dialogs import MilestoneDialog, RankingDialog, TeamDialog
from app.ui.projects.form import HostPicker, ProjectForm
from app.ui.projects.models import (
    HistoryLine,
    HistoryTableModel,
    MilestonesTableModel,
    ProjectsTableModel,
    RankingTableModel,
    ReviewsTableModel,
)
from app.ui.projects.selection import ScoreBox, SelectionTab
from app.ui.projects.view import ProjectsView
from tests.conftest import make_actor
from tests.gui.conftest import answer_next_dialog, type_text

PASSWORD = "phrase de passe longue"
SEASON = reference.current_season_label()
FIRST_YEAR = int(SEASON[:4])
LEARNERS = ("Benali", "Da Silva", "Nguyen")
ENTRY_PATH = ("entretien", "admis", "entre_formation")


# ---------------------------------------------------------------- the base


@pytest.fixture
def url(tmp_path: Path) -> str:
    """nadia (coordination) and samir (formateur); two structures of the directory, one
    without SIRET; three learners of the current season who entered training at Cobalt."""
    address = "sqlite:///" + str(tmp_path / "projects.sqlite")
    database = open_app_database(address)
    with database.session() as session:
        accounts.create_first_account(
            session, AccountInput("Nadia Belkacem", "nadia"), PASSWORD, PASSWORD
        )
        accounts.create_account(
            session,
            AccountInput("Samir Haddad", "samir", "formateur"),
            PASSWORD,
            PASSWORD,
            actor=make_actor("coordination"),
        )
    coordination = make_actor("coordination", "nadia")
    hosts.save_host(
        database,
        None,
        HostInput(nom="Association Dynamob", forme_juridique="autre", commune="Loudun"),
        actor=coordination,
    )
    hosts.save_host(
        database,
        None,
        HostInput(
            nom="Compagnie du Si",
            forme_juridique="association",
            identifiant="W863001234",
            effectif="1 à 9",
            commune="Poitiers",
        ),
        actor=coordination,
    )
    _learners(database)
    database.dispose()
    return address


def _learners(database: Database) -> None:
    with database.session() as session:
        for n, name in enumerate(LEARNERS):
            saved = cs.create_candidate(
                session,
                cs.CandidateInput(
                    nom=name,
                    prenom="Alex",
                    email=f"alex{n}@exemple.fr",
                    saison=SEASON,
                    site="cobalt",
                ),
                now=datetime(FIRST_YEAR, 10, 1, 9, 0),
                actor=make_actor("coordination", "nadia"),
            )
            for step, code in enumerate(ENTRY_PATH):
                cs.change_stage(
                    session,
                    saved.id,
                    code,
                    comment="",
                    now=datetime(FIRST_YEAR, 11, 1 + step, 9, 0),
                    actor=make_actor("coordination", "nadia"),
                )
        orientation_cohorts.cohorts(session)  # the season's cohort, made for its learners


@pytest.fixture
def window(qtbot: QtBot, url: str) -> Iterator[MainWindow]:
    main = MainWindow.open(url, username="nadia")
    qtbot.addWidget(main, before_close_func=_discard)
    main.show()
    yield main
    main.context.database.dispose()


def _discard(window: MainWindow) -> None:
    view = window._views.get("projects")
    if isinstance(view, ProjectsView):
        view.discard_changes()


def _unlock(qtbot: QtBot, window: MainWindow, username: str) -> None:
    panel = window.lock_screen.panel
    panel.username.setText(username)
    panel.password.clear()
    type_text(qtbot, panel.password, PASSWORD)
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert window.context.username == username


def _switch_to(qtbot: QtBot, window: MainWindow, username: str) -> ProjectsView:
    window.switch_action.trigger()
    _unlock(qtbot, window, username)
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    return view


# ---------------------------------------------------------------- helpers


def _click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None, name
    assert button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot: QtBot, form: ProjectForm, name: str, text: str) -> None:
    """Select what the field holds and type over it, as one does."""
    field = form.field(name)
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, field, text)


def _error(parent: QWidget, name: str) -> str:
    label = parent.findChild(QLabel, name)
    assert label is not None, name
    return label.text() if label.isVisible() else ""


def _choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def _move_to(qtbot: QtBot, view: ProjectsView, state: str, reason: str = "") -> None:
    view.tabs.setCurrentWidget(view.selection)
    _choose(view.selection.next_state, state)
    view.selection.reason.setText(reason)
    _click(qtbot, view.selection, "changeStateButton")


def _score(selection: SelectionTab, scores: list[int]) -> None:
    boxes = list(selection.score_boxes.values())
    assert len(boxes) == len(scores)
    for box, score in zip(boxes, scores, strict=True):
        box.set_score(score)


def _row_texts(table: QTableView, row: int) -> list[str]:
    model = table.model()
    return [model.index(row, c).data() for c in range(model.columnCount())]


# ---------------------------------------------------------------- submission to closing


# The structure picker's completion list pops up while typing: offscreen, Qt says it cannot
# raise it or grab the keyboard for it.
@pytest.mark.qt_log_ignore(
    "does not support raise", "does not support grabbing the keyboard", extend=True
)
def test_a_project_from_its_submission_to_its_closing(qtbot: QtBot, window: MainWindow) -> None:
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    assert view.call_label.text() == (
        f"Appel à projets {SEASON} : ouvert du 01/10/{FIRST_YEAR} au 31/01/{FIRST_YEAR + 1}"
    )
    form = view.form
    assert form.objectName() == "projectForm"

    # Submission, from the keyboard: Ctrl+N, the fields, Ctrl+S.
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert view.title.text() == "Nouveau projet"
    assert form.field("submitted_on").value() == date.today().strftime("%d/%m/%Y")
    _type(qtbot, form, "title", "Site web de l'association")
    picker = form.host_picker
    assert isinstance(picker, HostPicker)
    picker.setFocus()
    type_text(qtbot, picker.lineEdit(), "Association Dynamob (Loudun)")
    picker.lineEdit().editingFinished.emit()
    assert picker.value() != ""
    _type(qtbot, form, "headcount", "25")
    _type(qtbot, form, "submitted_on", f"15/12/{FIRST_YEAR}")
    _type(qtbot, form, "contact_name", "Inès Morel")
    _type(qtbot, form, "contact_email", "ines.morel@dynamob.fr")
    form.filieres.boxes["web"].setChecked(True)
    qtbot.keyClick(form.field("title"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # The need is required: said under its field, nothing saved.
    assert _error(form, "needError") != ""
    assert view.model.rowCount() == 0
    _type(qtbot, form, "need", "Un site pour présenter nos ateliers mobilité aux habitants.")
    qtbot.keyClick(form.field("need"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _error(form, "needError") == ""
    assert view.model.rowCount() == 1
    reference_text = f"AAP-{FIRST_YEAR}-001"
    assert view.title.text() == f"{reference_text} — Site web de l'association"
    assert view.state_badge.text() == "Reçu"
    assert not form.is_dirty()

    # Eligibility: a warning with its reasons, in the banner and on the list's row.
    assert form.banner.isVisible()
    assert "20 salariés ou plus (effectif déclaré : 25)" in form.banner.text()
    assert "ni SIRET ni RNA" in form.banner.text()
    row = _row_texts(view.table, 0)
    assert row[0] == f"{reference_text}\n15/12/{FIRST_YEAR}" and row[3] == "⚠"
    assert row[1] == "Site web de l'association\nAssociation Dynamob"
    tooltip = view.model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert "effectif déclaré : 25" in tooltip

    # Selection: complet, then under review.
    _move_to(qtbot, view, "complet")
    assert view.state_badge.text() == "Complet"
    _move_to(qtbot, view, "en_instruction")
    assert view.state_badge.text() == "En instruction"
    first_id = view.form.project_id
    assert first_id is not None

    # A second project of the call, for the ranking (submitted through the service).
    second_id = _second_project(window)

    # Coordination's review.
    selection = view.selection
    _score(selection, [4, 4, 5, 3, 4])
    _click(qtbot, selection, "saveReviewButton")
    assert selection.average_label.text().startswith("Moyenne : 4,00 / 5 (1 avis compté)")

    # A trainer signs in: the file is read-only, the state cannot be changed, the review can.
    view = _switch_to(qtbot, window, "samir")
    view.open_project(first_id)
    assert not view.form.save_button.isVisible()
    assert view.form.field("title").isReadOnly()
    assert not view.new_button.isVisible()
    assert not view.selection.state_editor.isVisible()
    assert view.selection.review_status.text() == "Vous n'avez pas encore donné votre avis."
    _score(view.selection, [3, 3, 3, 3, 3])
    _click(qtbot, view.selection, "saveReviewButton")
    assert view.selection.average_label.text().startswith("Moyenne : 3,50 / 5 (2 avis comptés)")
    assert view.selection.reviews_model.rowCount() == 2
    view.open_project(second_id)
    _score(view.selection, [2, 2, 2, 2, 2])
    _click(qtbot, view.selection, "saveReviewButton")

    # Back to coordination: the ranking puts the first project first.
    view = _switch_to(qtbot, window, "nadia")
    seen: list[list[str]] = []

    def read_ranking(dialog: QWidget) -> None:
        assert isinstance(dialog, RankingDialog)
        model = dialog.model
        seen.extend(
            [model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())
        )
        dialog.accept()

    answer_next_dialog(qtbot, read_ranking)
    _click(qtbot, view, "rankingButton")
    assert [(line[0], line[1], line[5]) for line in seen] == [
        ("1", reference_text, "3,50"),
        ("2", f"AAP-{FIRST_YEAR}-002", "2,00"),
    ]

    # Not retained needs a reason; the first one is retained.
    view.open_project(second_id)
    _move_to(qtbot, view, "non_retenu")
    assert "motif" in _error(view.selection, "reasonError").lower()
    assert view.state_badge.text() == "En instruction"
    view.open_project(first_id)
    _move_to(qtbot, view, "retenu")
    assert view.state_badge.text() == "Retenu"
    # Realisation starts with a team (Réalisation tab), not from the state list.
    offered = view.selection.next_state
    assert [offered.itemData(i) for i in range(offered.count())] == ["retire"]
    assert "Confier à une équipe" in view.selection.realisation_hint.text()
    # Decided: the jury's scores stay as they were.
    assert not view.selection.save_review_button.isEnabled()
    assert not any(box.isEnabled() for box in view.selection.score_boxes.values())
    assert "en instruction ou en liste d'attente" in view.selection.review_status.text()

    # Given to a team of the season's cohort: the project is being realised.
    view.tabs.setCurrentWidget(view.realisation)

    def form_team(dialog: QWidget) -> None:
        assert isinstance(dialog, TeamDialog)
        team = dialog.holders["team_name"].field
        team.set_value("Les Hiboux")
        dialog.check_learners(["BENALI Alex", "DA SILVA Alex", "Benali Alex", "Da Silva Alex"])
        assert len(dialog.chosen_learners()) == 2, [
            dialog.learners.item(i).text() for i in range(dialog.learners.count())
        ]
        dialog.submit()

    answer_next_dialog(qtbot, form_team)
    _click(qtbot, view.realisation, "giveToTeamButton")
    assert view.state_badge.text() == "En réalisation"
    assert "Les Hiboux" in view.realisation.teams_label.text()
    assert view.details is not None
    activity_id = view.details.teams[0].activity_id

    # An observation on its real-case activity, typed in the Orientation view's grid.
    _observe(qtbot, window, activity_id)

    # A milestone, then the delivery.
    def milestone(dialog: QWidget) -> None:
        assert isinstance(dialog, MilestoneDialog)
        dialog.holders["title"].field.set_value("Maquette validée par l'association")
        dialog.holders["due_on"].field.set_value(f"15/01/{FIRST_YEAR + 1}")
        dialog.submit()

    answer_next_dialog(qtbot, milestone)
    _click(qtbot, view.realisation, "addMilestoneButton")
    assert view.realisation.milestones_model.rowCount() == 1
    assert _row_texts(view.realisation.milestones_table, 0)[:3] == [
        f"15/01/{FIRST_YEAR + 1}",
        "Maquette validée par l'association",
        "Prévu",
    ]
    # Entrée on the milestone opens it: done.
    opened: list[QWidget] = []

    def mark_done(dialog: QWidget) -> None:
        assert isinstance(dialog, MilestoneDialog)
        opened.append(dialog)
        dialog.holders["state"].field.set_value("fait")
        dialog.holders["done_on"].field.set_value(f"14/01/{FIRST_YEAR + 1}")
        dialog.submit()

    answer_next_dialog(qtbot, mark_done)
    table = view.realisation.milestones_table
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 1))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert len(opened) == 1
    assert _row_texts(table, 0)[2:] == ["Fait", f"14/01/{FIRST_YEAR + 1}"]
    delivered = view.realisation.delivered_on
    delivered.setText(f"20/03/{FIRST_YEAR + 1}")
    view.realisation.delivery_notes.setText("Site en ligne, hébergé par l'association")
    _click(qtbot, view.realisation, "deliverButton")
    assert view.state_badge.text() == "Livré"
    assert view.realisation.delivery_status.text().startswith(f"Livré le 20/03/{FIRST_YEAR + 1}")

    # The structure's satisfaction.
    structure = view.realisation.satisfaction["structure"]
    for box in structure.boxes.values():
        assert isinstance(box, ScoreBox)
        box.set_score(4)
    structure.boxes[SATISFACTION_QUESTIONS[0][0]].set_score(5)
    structure.comment.setPlainText("Très contents du site.")
    _click(qtbot, structure, "structureSaveButton")
    assert structure.status.text().startswith("Moyenne 4,25 / 5")

    # Closed: nothing further; the history tells the whole way.
    _move_to(qtbot, view, "clos")
    assert view.state_badge.text() == "Clos"
    assert not view.selection.state_editor.isVisible()
    states = [view.history_model.index(r, 1).data() for r in range(view.history_model.rowCount())]
    assert states == [
        "Reçu",
        "Complet",
        "En instruction",
        "Retenu",
        "En réalisation",
        "Livré",
        "Clos",
    ]
    assert _row_texts(view.table, view.model.row_of(first_id) or 0)[2] == "Clos"


def _second_project(window: MainWindow) -> int:
    database = window.context.database
    actor = make_actor("coordination", "nadia")
    host = next(h for h in hosts.search_hosts(database, "Compagnie") if h.name == "Compagnie du Si")
    project_id = projects.submit(
        database,
        SEASON,
        ProjectInput(
            host_id=host.id,
            title="Billetterie en ligne",
            submitted_on=f"20/12/{FIRST_YEAR}",
            need="Vendre les places des spectacles en ligne.",
            headcount="4",
        ),
        actor=actor,
    )
    version = projects.details(database, project_id, actor=actor).version
    for state in ("complet", "en_instruction"):
        version = projects.change_state(database, project_id, state, "", version, actor=actor)
    return project_id


def _observe(qtbot: QtBot, window: MainWindow, activity_id: int) -> None:
    """In the Orientation view: the real-case activity is listed; the team's grid takes a
    level typed on the first learner, as for any activity."""
    orientation_view = window.show_view("orientation")
    activities = orientation_view.findChild(QTableView, "activitiesTable")
    titles = [activities.model().index(r, 2).data() for r in range(activities.model().rowCount())]
    assert "Projet réel : Site web de l'association (Association Dynamob)" in titles
    orientation_view.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    chosen = orientation_view.findChild(QComboBox, "gridActivity")
    _choose(chosen, activity_id)
    team = orientation_view.findChild(QComboBox, "gridTeam")
    assert team.currentText().startswith("Les Hiboux")
    grid = orientation_view.findChild(QTableView, "evaluationGrid")
    grid.setFocus()
    grid.setCurrentIndex(grid.model().index(0, 0))
    qtbot.keyClicks(grid, "1")
    data = orientation.grid(
        window.context.database,
        activity_id,
        team.currentData(),
        actor=make_actor("coordination", "nadia"),
    )
    assert "acquis" in data.levels.values()
    window.show_view("projects")


# ---------------------------------------------------------------- the models


def test_the_models_pass_the_model_tester(qtmodeltester, qtbot: QtBot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    database = window.context.database
    actor = make_actor("coordination", "nadia")
    project_id = _second_project(window)
    criteria = projects.criteria(database, actor=actor)
    projects.record_review(
        database, project_id, {c.id: 3 for c in criteria}, False, "Bien", actor=actor
    )
    details = projects.details(database, project_id, actor=actor)

    listed = ProjectsTableModel()
    qtmodeltester.check(listed, force_py=True)
    listed.set_rows(projects.projects(database, SEASON, actor=actor))
    qtmodeltester.check(listed, force_py=True)
    assert listed.rowCount() == 1 and listed.index(0, 4).data() == "3,00 (1)"

    ranking = RankingTableModel()
    ranking.set_rows(projects.ranking(database, SEASON, actor=actor))
    qtmodeltester.check(ranking, force_py=True)
    assert ranking.index(0, 0).data() == "1"

    reviews = ReviewsTableModel()
    qtmodeltester.check(reviews, force_py=True)
    reviews.set_reviews(criteria, details.reviews)
    qtmodeltester.check(reviews, force_py=True)
    assert reviews.columnCount() == len(criteria) + 4
    assert reviews.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        criteria[0].label
    )

    version = details.version
    version = projects.change_state(database, project_id, "retenu", "", version, actor=actor)
    projects.save_milestone(
        database, project_id, None, "Maquette", f"10/01/{FIRST_YEAR + 1}", "prevu", "", actor=actor
    )
    details = projects.details(database, project_id, actor=actor)
    milestones = MilestonesTableModel()
    milestones.set_rows(details.milestones)
    qtmodeltester.check(milestones, force_py=True)
    assert milestones.index(0, 1).data() == "Maquette"

    history = HistoryTableModel()
    history.set_rows([HistoryLine(*line) for line in details.history])
    qtmodeltester.check(history, force_py=True)
    assert history.index(history.rowCount() - 1, 1).data() == "Retenu"


# ---------------------------------------------------------------- rights and guards


def test_a_trainer_reads_and_reviews_but_the_desk_has_no_projects_view(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window._allowed("projects")
    view = _switch_to(qtbot, window, "samir")
    assert not view.call_button.isVisible()
    assert not view.import_button.isVisible()
    assert view.ranking_button.isVisible()
    assert view.form.read_only_note.isVisible()


def test_unsaved_edits_are_asked_about_before_another_project_shows(
    qtbot: QtBot, window: MainWindow
) -> None:
    first = _second_project(window)
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    view.reload()
    view.open_project(first)
    form = view.form
    form.field("title").setFocus()
    type_text(qtbot, form.field("title"), " (bis)")
    assert form.is_dirty() and form.dirty_label.isVisible()

    def cancel(box: QWidget) -> None:
        assert box.objectName() == "unsavedChangesBox"
        assert isinstance(box, QDialog)
        box.reject()

    answer_next_dialog(qtbot, cancel)
    view.new_project()
    assert view.form.project_id == first  # still the project being edited
    view.discard_changes()
    assert not form.is_dirty()


def test_the_print_menu_saves_the_document_and_previews_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_id = _second_project(window)
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    view.open_project(project_id)
    decision = view.findChild(QAction, "printDecisionLetter")
    assert decision is not None and not decision.isEnabled()  # no decision yet
    suggested: list[str] = []

    def chosen(_parent: QWidget, _title: str, name: str, _filters: str) -> Path:
        suggested.append(name)
        return tmp_path / name

    monkeypatch.setattr(project_view, "save_file", chosen)
    previews: list[str] = []

    def close_preview(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        previews.append(dialog.windowTitle())
        dialog.reject()

    answer_next_dialog(qtbot, close_preview)
    view.findChild(QAction, "printAcknowledgement").trigger()
    assert suggested == [f"AAP-{FIRST_YEAR}-001 - Accusé de réception - Compagnie du Si.pdf"]
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / suggested[0]).pages)
    assert "Billetterie en ligne" in text
    assert previews == [f"Accusé de réception — AAP-{FIRST_YEAR}-001"]

    view = _switch_to(qtbot, window, "samir")
    assert not view.findChild(QAction, "printAcknowledgement").isVisible()
    assert view.findChild(QAction, "printProjectSheet").isVisible()
    assert not view.export_button.isVisible()


def test_a_structure_added_from_a_new_project_is_offered_and_the_typing_kept(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    view.new_project()
    _type(qtbot, view.form, "title", "Jardin numérique")
    _click(qtbot, view.form, "newStructureButton")
    partners = window.show_view("partners")
    assert window.centralWidget() is not None and partners.isVisible()
    hosts.save_host(
        window.context.database,
        None,
        HostInput(nom="Les Usines Nouvelles", forme_juridique="autre", commune="Ligugé"),
        actor=make_actor("coordination", "nadia"),
    )
    window.show_view("projects")
    picker = view.form.host_picker
    assert picker.findText("Les Usines Nouvelles (Ligugé)") >= 0
    assert view.form.field("title").value() == "Jardin numérique"
    view.discard_changes()


def test_the_list_follows_the_header_the_search_and_the_state_filter(
    qtbot: QtBot, window: MainWindow
) -> None:
    _second_project(window)
    actor = make_actor("coordination", "nadia")
    dynamob = next(h for h in hosts.search_hosts(window.context.database, "Dynamob"))
    projects.submit(
        window.context.database,
        SEASON,
        ProjectInput(
            host_id=dynamob.id, title="Cartographie", submitted_on=f"02/12/{FIRST_YEAR}", need="x"
        ),
        actor=actor,
    )
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    assert view.model.rowCount() == 2 and view.count_label.text() == "2 projets"

    view.search.setFocus()
    type_text(qtbot, view.search, "billet")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.record(0).title == "Billetterie en ligne"
    view.search.clear()
    view.refresh_list()
    _choose(view.state_filter, "recu")
    assert [view.model.record(r).title for r in range(view.model.rowCount())] == ["Cartographie"]
    _choose(view.state_filter, None)

    # Another season in the header: its own call, empty; back, the projects again.
    previous = f"{FIRST_YEAR - 1}-{FIRST_YEAR}"
    season = window.header.season_combo
    window.header.reload_seasons()
    index = season.findText(f"Saison {previous}")
    if index < 0:
        with window.context.database.session() as session:
            reference.ensure_season(session, previous)
        window.header.reload_seasons()
        index = season.findText(f"Saison {previous}")
    season.setCurrentIndex(index)
    assert view.call_label.text().startswith(f"Appel à projets {previous} :")
    assert view.model.rowCount() == 0 and view.count_label.text() == "Aucun projet"
    season.setCurrentIndex(season.findText(f"Saison {SEASON}"))
    assert view.model.rowCount() == 2


def test_the_closing_date_moved_earlier_makes_a_late_project_a_warning(
    qtbot: QtBot, window: MainWindow
) -> None:
    project_id = _second_project(window)  # submitted on 20/12
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    view.open_project(project_id)
    assert not view.form.banner.isVisible()

    def move_closing(dialog: QWidget) -> None:
        closes = dialog.findChild(QWidget, "closes_on")
        closes.set_value("01/10/2025")  # before the opening: refused under its field
        dialog.submit()
        assert "ouverture" in _error(dialog, "closes_onError")
        closes.set_value(f"15/12/{FIRST_YEAR}")
        dialog.submit()

    answer_next_dialog(qtbot, move_closing)
    _click(qtbot, view, "callDatesButton")
    assert view.call_label.text().endswith(f"au 15/12/{FIRST_YEAR}")
    assert "après la clôture de l'appel (15/12/" in view.form.banner.text()
    assert view.model.record(0).warnings


def test_a_conflict_of_interest_leaves_the_scores_out(qtbot: QtBot, window: MainWindow) -> None:
    project_id = _second_project(window)
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    view.open_project(project_id)
    view.tabs.setCurrentWidget(view.selection)
    selection = view.selection
    _score(selection, [5, 5, 5, 5, 5])
    selection.conflict.setFocus()
    qtbot.keyClick(selection.conflict, Qt.Key.Key_Space)
    assert selection.conflict.isChecked()
    assert not any(box.isEnabled() for box in selection.score_boxes.values())
    _click(qtbot, selection, "saveReviewButton")
    assert selection.average_label.text() == "Moyenne : aucun avis compté pour l'instant"
    assert selection.reviews_model.index(0, 7).data() == "oui (non compté)"


def test_every_input_of_the_view_has_a_french_accessible_name(window: MainWindow) -> None:
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    inputs = (QLineEdit, QComboBox, QPlainTextEdit, QCheckBox, QTableView)
    unnamed = [
        widget.objectName() or type(widget).__name__
        for kind in inputs
        for widget in view.findChildren(kind)
        if not widget.accessibleName()
        and not (isinstance(widget, QCheckBox) and widget.text())
        and not isinstance(widget.parent(), QComboBox)  # a combo's own line edit
    ]
    assert unnamed == []


def test_the_wheel_over_a_score_does_not_change_it(qtbot: QtBot, window: MainWindow) -> None:
    project_id = _second_project(window)
    view = window.show_view("projects")
    assert isinstance(view, ProjectsView)
    view.open_project(project_id)
    view.tabs.setCurrentWidget(view.selection)
    box = next(iter(view.selection.score_boxes.values()))
    box.set_score(3)
    view.search.setFocus()
    center = box.rect().center()
    wheel = QWheelEvent(
        QPointF(center),
        QPointF(box.mapToGlobal(center)),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(box, wheel)
    assert box.score() == 3
