"""Orientation view: cohort picker; tabs Activités · Saisie · Vue d'ensemble · Apprenant."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.orientation import ActivityKind
from app.domain.plural import plural
from app.services.errors import PermissionDenied, UserFacingError
from app.services.orientation import actions as orientation
from app.services.orientation.activities import ActivityInfo
from app.services.orientation.cohorts import ORIENTATION_WEEKS, CohortInfo
from app.services.orientation.grid import GridData
from app.services.orientation.progress import MatrixData
from app.services.validation import format_date
from app.ui.context import AppContext

if TYPE_CHECKING:
    from app.ui.main_window import HeaderStrip
from app.ui.operations import LatestOnly
from app.ui.orientation.dialogs import ActivityDialog, CriteriaDialog, TeamsDialog
from app.ui.orientation.grid_view import GridView
from app.ui.orientation.learner_page import LearnerTab
from app.ui.orientation.models import LEGEND, GridModel, MatrixModel
from app.ui.theme import icon
from app.ui.widgets.naming import named

ACTIVITY_COLUMNS = (
    "Date",
    "Semaine",
    "Titre",
    "Type",
    "Lieu",
    "Formateurs",
    "Équipes / participants",
)
TEAMS_COLUMN_MAX = 330  # px: the title keeps the room; the whole list is in the tooltip


def matrix_summary(data: MatrixData, today: date) -> str:
    """How many learners; "cette semaine" only during the orientation weeks S1…S6."""
    learners = plural(len(data.learners), "apprenant")
    locked = len(data.locked)
    decided = f" · {plural(locked, 'décision enregistrée')}"
    decided = decided if locked else ""
    if data.week is not None:
        missing = plural(len(data.not_observed_this_week), "non observé")
        return f"{learners} · semaine S{data.week} · {missing} cette semaine{decided}"
    start, end = data.cohort.start_date, data.cohort.orientation_end
    if today < start:
        return f"{learners} · l'orientation commence le {format_date(start)}{decided}"
    last_day = format_date(end - timedelta(days=1))
    return (
        f"{learners} · orientation terminée (S1 à S6, du {format_date(start)} au {last_day}) · "
        f"derniers niveaux observés{decided}"
    )


NOT_LOADED = -1  # no cohort id: the learner tab has not listed any cohort yet


class OrientationView(QWidget):
    def __init__(self, context: AppContext, header: "HeaderStrip | None" = None) -> None:
        super().__init__()
        self.setObjectName("orientationView")
        self.context = context
        self.header = header
        self._cohorts: list[CohortInfo] = []
        self._no_cohort_text = ""  # why the picker is empty
        self._learners_of: int | None = NOT_LOADED  # the cohort the learner tab lists
        self._activities: list[ActivityInfo] = []
        self._read_only = ""  # why the chosen cohort is read-only for the signed-in user
        self.cohort_picker = named(QComboBox(), "cohortPicker")
        self.cohort_picker.setAccessibleName("Promotion")
        self.cohort_picker.setMinimumContentsLength(28)
        # Why the picker is empty, or why the cohort is read-only; hidden otherwise.
        self.notice = named(QLabel(), "orientationNotice")
        self.notice.setProperty("role", "notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.tabs = named(QTabWidget(), "orientationTabs")
        self.tabs.addTab(self._build_activities_tab(), icon("calendar-event"), "Activités")
        self.tabs.addTab(self._build_grid_tab(), icon("clipboard-check"), "Saisie")
        self.tabs.addTab(self._build_matrix_tab(), icon("chart-bar"), "Vue d'ensemble")
        self.learner_tab = LearnerTab(context)
        self.tabs.addTab(self.learner_tab, icon("school"), "Apprenant")
        top = QHBoxLayout()
        label = QLabel("Promotion :")
        label.setBuddy(self.cohort_picker)
        top.addWidget(label)
        top.addWidget(self.cohort_picker, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        self.cohort_picker.currentIndexChanged.connect(self.refresh)
        self.tabs.currentChanged.connect(self._tab_changed)
        if header is not None:
            header.scope_changed.connect(self._scope_changed)
        # The cohorts are read when the view shows (`showEvent`), not when it is built.

    # ---- building

    def _build_activities_tab(self) -> QWidget:
        self.activities_table = named(QTableWidget(0, len(ACTIVITY_COLUMNS)), "activitiesTable")
        self.activities_table.setHorizontalHeaderLabels(ACTIVITY_COLUMNS)
        self.activities_table.verticalHeader().hide()
        self.activities_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.activities_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.activities_table.horizontalHeader().setSectionResizeMode(
            2, QHeaderView.ResizeMode.Stretch
        )
        self.activities_table.doubleClicked.connect(self._enter_selected_activity)
        new = named(QPushButton(icon("calendar-plus"), "Nouvelle activité…"), "newActivityButton")
        edit = named(QPushButton(icon("file-text"), "Modifier…"), "editActivityButton")
        edit.setToolTip("Date, titre, type, lieu ; pour un événement, les participants")
        teams = named(QPushButton(icon("users"), "Équipes…"), "teamsButton")
        # The buttons that write, with their usual tooltip (the season's end replaces it).
        self.writing_buttons = {
            new: "Un atelier, un projet réel, une visite, un événement…",
            edit: edit.toolTip(),
            teams: "Répartir les apprenants en équipes pour cette activité",
        }
        enter = named(QPushButton(icon("clipboard-check"), "Saisir les niveaux"), "enterButton")
        new.clicked.connect(self.new_activity)
        edit.clicked.connect(self.edit_activity)
        teams.clicked.connect(self.edit_teams)
        enter.clicked.connect(self._enter_selected_activity)
        grid = named(QPushButton(icon("settings"), "Grille d'évaluation…"), "criteriaButton")
        grid.setToolTip("Ajouter, renommer ou retirer des critères (coordination)")
        grid.clicked.connect(self.edit_criteria)
        buttons = QHBoxLayout()
        for button in (new, edit, teams, enter):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(grid)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(buttons)
        layout.addWidget(self.activities_table, 1)
        return tab

    def _build_grid_tab(self) -> QWidget:
        self.grid_activity = named(QComboBox(), "gridActivity")
        self.grid_activity.setAccessibleName("Activité")
        self.grid_team = named(QComboBox(), "gridTeam")
        self.grid_team.setAccessibleName("Équipe")
        self.grid_model = GridModel()
        self.grid = GridView()
        self.grid.setModel(self.grid_model)
        self.grid.horizontalHeader().setDefaultSectionSize(48)
        self.grid.horizontalHeader().setStretchLastSection(True)
        self.grid_history = named(QLabel(), "gridHistory")
        self.grid_history.setProperty("role", "muted")
        self.grid_history.setWordWrap(True)
        self.grid_lock = named(QLabel(), "gridLock")
        self.grid_lock.setProperty("role", "notice")
        self.grid_lock.setWordWrap(True)
        self.grid_lock.hide()
        self.grid.refused.connect(self.grid_history.setText)
        self.grid_model.level_entered.connect(self._save_level)
        self.grid_model.note_entered.connect(self._save_note)
        self.grid.selectionModel().currentChanged.connect(self._show_cell_history)
        self.grid_activity.currentIndexChanged.connect(self._fill_teams)
        self.grid_team.currentIndexChanged.connect(self.load_grid)
        pickers = QHBoxLayout()
        for text, combo in (("Activité :", self.grid_activity), ("Équipe :", self.grid_team)):
            label = QLabel(text)
            label.setBuddy(combo)
            pickers.addWidget(label)
            pickers.addWidget(combo, 1)
        help_text = QLabel(
            "Tapez 1 Acquis · 2 En cours d'acquisition · 3 Non acquis · 0 Non observé ; "
            "la case suivante est sélectionnée. Flèches et Tab pour se déplacer, "
            "Entrée sur « Commentaire » pour écrire. Chaque saisie est enregistrée aussitôt."
        )
        help_text.setWordWrap(True)
        help_text.setProperty("role", "muted")
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(pickers)
        layout.addWidget(help_text)
        layout.addWidget(self.grid_lock)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.grid_history)
        return tab

    def _build_matrix_tab(self) -> QWidget:
        self.matrix_model = MatrixModel()
        self.matrix = named(QTableView(), "cohortMatrix")
        self.matrix.setAccessibleName("Vue d'ensemble de la promotion")
        self.matrix.setModel(self.matrix_model)
        self.matrix.horizontalHeader().setDefaultSectionSize(48)
        self.matrix.horizontalHeader().setStretchLastSection(True)
        self.matrix.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.matrix.doubleClicked.connect(lambda index: self._open_learner_at(index.row()))
        # The names are the row headers: double-clicking one opens the learner's page too.
        self.matrix.verticalHeader().sectionDoubleClicked.connect(self._open_learner_at)
        self.matrix_summary = named(QLabel(), "matrixSummary")
        # Read off the window's thread: a large cohort takes more than a frame to summarise.
        self.matrix_reader = LatestOnly(self)
        self.matrix_reader.loaded.connect(self._show_matrix)
        self.matrix_reader.failed.connect(self.matrix_summary.setText)
        legend = QLabel(LEGEND)
        legend.setProperty("role", "muted")
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.matrix_summary)
        layout.addWidget(self.matrix, 1)
        layout.addWidget(legend)
        return tab

    # ---- cohorts and activities

    def reload_cohorts(self) -> None:
        """The cohorts of the header's scope; none for a role that may not read observations."""
        try:
            self._cohorts = orientation.cohorts(self.context.database, actor=self.context.actor)
        except PermissionDenied:  # nobody signed in
            self._cohorts = []
        site_id = self.header.site_id() if self.header else None
        season = self.header.season_label() if self.header else None
        shown = [
            c
            for c in self._cohorts
            if (site_id is None or c.site_id == site_id) and (season is None or c.season == season)
        ]
        chosen = self.cohort_picker.currentData()
        blocked = self.cohort_picker.blockSignals(True)
        self.cohort_picker.clear()
        for cohort in shown:
            self.cohort_picker.addItem(cohort.label, cohort.id)
        self.cohort_picker.setCurrentIndex(max(self.cohort_picker.findData(chosen), 0))
        self.cohort_picker.setPlaceholderText(
            f"Aucune promotion pour la saison {season}" if season else "Aucune promotion"
        )
        self.cohort_picker.blockSignals(blocked)
        self._no_cohort_text = "" if shown else self._why_no_cohort(season)
        self.refresh()

    def _why_no_cohort(self, season: str | None) -> str:
        scope = f"la saison {season}" if season else "aucune saison"
        if self.header is not None and self.header.site_id() is not None:
            scope += f" à {self.header.site_combo.currentText()}"
        return (
            f"Aucune promotion pour {scope} : une promotion apparaît ici dès qu'un candidat "
            "de cette saison et de ce site est entré en formation. Changez la saison ou le "
            "site dans le bandeau pour voir une autre promotion."
        )

    def _scope_changed(self) -> None:
        """A hidden view waits: it reads the cohorts again each time it shows."""
        if self.isVisibleTo(self.window()):
            self.reload_cohorts()

    def showEvent(self, event: QShowEvent) -> None:
        """Each time the view shows (not when the window comes back from the task bar)."""
        super().showEvent(event)
        if not event.spontaneous():
            self.reload_cohorts()

    def cohort_id(self) -> int | None:
        value = self.cohort_picker.currentData()
        return int(value) if value is not None else None

    def refresh(self) -> None:
        """The cohort's activities now; the matrix and the learners when their tab shows
        (a cohort of a thousand learners takes seconds to summarise)."""
        cohort_id = self.cohort_id()
        self._activities = []
        self._read_only = ""
        if cohort_id is not None:
            database, actor = self.context.database, self.context.actor
            self._activities = orientation.activities(database, cohort_id, actor=actor)
            self._read_only = orientation.write_refusal(database, cohort_id, actor=actor)
        self._show_notice()
        self._fill_activities_table()
        self._fill_activity_picker()
        self._learners_of = NOT_LOADED
        self.matrix_reader.cancel()  # a matrix of the cohort picked before
        self.matrix_model.set_matrix(None)
        self.matrix_summary.setText("")
        self._load_current_tab()

    def _load_current_tab(self) -> None:
        page = self.tabs.currentWidget()
        if page is self.matrix.parentWidget():
            self.load_matrix()
        elif page is self.grid.parentWidget() and self.grid_model.rowCount():
            self._reload_grid_values()  # a decision recorded or reopened meanwhile
        elif page is self.learner_tab and self._learners_of != (cohort_id := self.cohort_id()):
            self._learners_of = cohort_id
            self.learner_tab.show_cohort(cohort_id)

    def _show_notice(self) -> None:
        """Say why the picker is empty, or why the cohort is read-only (a season over)."""
        text = self._read_only if self.cohort_id() is not None else self._no_cohort_text
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        for button, tip in self.writing_buttons.items():
            button.setEnabled(self.cohort_id() is not None and not self._read_only)
            button.setToolTip(self._read_only or tip)

    def _fill_activities_table(self) -> None:
        table = self.activities_table
        table.setRowCount(len(self._activities))
        for row, activity in enumerate(self._activities):
            teams = ", ".join(f"{t.name} ({len(t.learners)})" for t in activity.teams)
            if activity.kind == ActivityKind.EVENT.value:
                taken = plural(len(activity.participants), "participant")
                teams = f"{taken} · {teams}" if teams else taken
            cells = (
                activity.day.strftime("%d/%m/%Y"),
                f"S{activity.week}" if 1 <= activity.week <= ORIENTATION_WEEKS else "",
                activity.title,
                activity.kind_label,
                activity.place,
                activity.trainers,
                teams or "aucune équipe",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text if column == len(cells) - 1 else "")
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
        last = len(ACTIVITY_COLUMNS) - 1
        table.setColumnWidth(last, min(table.columnWidth(last), TEAMS_COLUMN_MAX))
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def _selected_activity(self) -> ActivityInfo | None:
        row = self.activities_table.currentRow()
        return self._activities[row] if 0 <= row < len(self._activities) else None

    def new_activity(self) -> None:
        cohort_id = self.cohort_id()
        if cohort_id is None or self._read_only:
            return
        learners = orientation.cohort_learners(
            self.context.database, cohort_id, actor=self.context.actor
        )
        dialog = ActivityDialog(self.context, cohort_id, self, learners=learners)
        if dialog.exec() and dialog.created is not None:
            self.refresh()
            self._select_activity_row(dialog.created.id)
            if dialog.created.kind != ActivityKind.EVENT.value:  # an event has its participants
                self.edit_teams()

    def edit_activity(self) -> None:
        activity = self._selected_activity()
        cohort_id = self.cohort_id()
        if activity is None or cohort_id is None or self._read_only:
            return
        learners = orientation.cohort_learners(
            self.context.database, cohort_id, actor=self.context.actor
        )
        dialog = ActivityDialog(self.context, cohort_id, self, learners=learners, activity=activity)
        if dialog.exec():
            self.refresh()
            self._select_activity_row(activity.id)

    def _select_activity_row(self, activity_id: int) -> None:
        for row, activity in enumerate(self._activities):
            if activity.id == activity_id:
                self.activities_table.selectRow(row)

    def edit_teams(self) -> None:
        activity = self._selected_activity()
        cohort_id = self.cohort_id()
        if activity is None or cohort_id is None or self._read_only:
            return
        learners = orientation.cohort_learners(
            self.context.database, cohort_id, actor=self.context.actor
        )
        if TeamsDialog(self.context, activity, learners, self).exec():
            self.refresh()
            self._select_activity_row(activity.id)

    def edit_criteria(self) -> None:
        CriteriaDialog(self.context, self).exec()
        self.refresh()

    def _enter_selected_activity(self) -> None:
        activity = self._selected_activity()
        if activity is None:
            return
        self.grid_activity.setCurrentIndex(max(self.grid_activity.findData(activity.id), 0))
        self.tabs.setCurrentIndex(1)
        self.grid.setFocus()

    # ---- grid

    def _fill_activity_picker(self) -> None:
        chosen = self.grid_activity.currentData()
        blocked = self.grid_activity.blockSignals(True)
        self.grid_activity.clear()
        for activity in self._activities:
            week = f" (S{activity.week})" if 1 <= activity.week <= ORIENTATION_WEEKS else ""
            text = f"{activity.day:%d/%m/%Y}{week} — {activity.title}"
            self.grid_activity.addItem(text, activity.id)
        self.grid_activity.setCurrentIndex(max(self.grid_activity.findData(chosen), 0))
        self.grid_activity.blockSignals(blocked)
        self._fill_teams()

    def _current_grid_activity(self) -> ActivityInfo | None:
        wanted = self.grid_activity.currentData()
        return next((a for a in self._activities if a.id == wanted), None)

    def _fill_teams(self) -> None:
        activity = self._current_grid_activity()
        chosen = self.grid_team.currentData()
        blocked = self.grid_team.blockSignals(True)
        self.grid_team.clear()
        for team in activity.teams if activity else ():
            self.grid_team.addItem(f"{team.name} ({len(team.learners)})", team.id)
        self.grid_team.setCurrentIndex(max(self.grid_team.findData(chosen), 0))
        self.grid_team.blockSignals(blocked)
        self.load_grid()

    def load_grid(self) -> None:
        activity_id, team_id = self.grid_activity.currentData(), self.grid_team.currentData()
        if activity_id is None or team_id is None:
            self.grid_model.set_grid(None)
            self._show_grid_locks(None)
            return
        data = orientation.grid(
            self.context.database, int(activity_id), int(team_id), actor=self.context.actor
        )
        self.grid_model.set_grid(data)
        self._show_grid_locks(data)
        self.grid.resizeColumnToContents(self.grid_model.comment_column)
        self.grid.setCurrentIndex(self.grid_model.index(0, 0))

    def _reload_grid_values(self) -> None:
        activity_id, team_id = self.grid_activity.currentData(), self.grid_team.currentData()
        if activity_id is None or team_id is None:
            return
        data = orientation.grid(
            self.context.database, int(activity_id), int(team_id), actor=self.context.actor
        )
        self.grid_model.refresh(data)
        self._show_grid_locks(data)

    def _show_grid_locks(self, data: GridData | None) -> None:
        """Which rows are read-only and why (their cells say it too, in a tooltip)."""
        text = ""  # a season over is said once, above the tabs
        if data is not None and data.locked and not data.read_only:
            names = [
                learner.name
                for learner in data.team.learners
                if learner.candidate_id in data.locked
            ]
            text = (
                f"Observations verrouillées pour {', '.join(names)} : décision de fin "
                "d'orientation enregistrée (la coordination peut la rouvrir, page Apprenant)."
            )
        self.grid_lock.setText(text)
        self.grid_lock.setVisible(bool(text))

    def _save_level(self, candidate_id: int, criterion_id: int, level: str) -> None:
        self._write(
            lambda: orientation.record_level(
                self.context.database,
                int(self.grid_activity.currentData()),
                candidate_id,
                criterion_id,
                level,
                actor=self.context.actor,
            )
        )

    def _save_note(self, candidate_id: int, text: str) -> None:
        self._write(
            lambda: orientation.record_note(
                self.context.database,
                int(self.grid_activity.currentData()),
                candidate_id,
                text,
                actor=self.context.actor,
            )
        )

    def _write(self, save: Callable[[], object]) -> None:
        try:
            save()
        except UserFacingError as error:
            QMessageBox.warning(self, "Saisie non enregistrée", str(error))
        self._reload_grid_values()
        self._show_cell_history()

    def _show_cell_history(self) -> None:
        index = self.grid.currentIndex()
        model = self.grid_model
        candidate_id = model.learner_id(index.row()) if index.isValid() else None
        activity_id = self.grid_activity.currentData()
        if candidate_id is None or activity_id is None or index.column() >= model.comment_column:
            self.grid_history.setText("")
            return
        criterion = model.criterion_at(index.column())
        if criterion is None:
            return
        changes = orientation.level_history(
            self.context.database,
            int(activity_id),
            candidate_id,
            criterion.id,
            actor=self.context.actor,
        )
        if not changes:
            self.grid_history.setText(f"{criterion.code} — {criterion.label} : pas encore observé.")
            return
        lines = [
            f"{c.recorded_at:%d/%m/%Y %H:%M} {c.author} : {c.from_label} → {c.to_label}"
            for c in changes
        ]
        self.grid_history.setText(f"{criterion.code} — {criterion.label} · " + " ; ".join(lines))

    # ---- matrix

    def load_matrix(self) -> None:
        cohort_id = self.cohort_id()
        if cohort_id is None:
            self.matrix_reader.cancel()
            self.matrix_model.set_matrix(None)
            self.matrix_summary.setText(
                "Aucune promotion : les apprenants entrés en formation apparaissent ici."
            )
            return
        database, actor, today = self.context.database, self.context.actor, date.today()
        self.matrix_reader.start(
            lambda: orientation.cohort_matrix(database, cohort_id, today, actor=actor)
        )

    def _show_matrix(self, data: MatrixData) -> None:
        self.matrix_model.set_matrix(data)
        self.matrix_summary.setText(matrix_summary(data, date.today()))
        if data.week is not None:
            self.matrix.resizeColumnToContents(self.matrix_model.week_column)

    def _open_learner_at(self, row: int) -> None:
        learner = self.matrix_model.learner_at(row)
        if learner is None:
            return
        self.tabs.setCurrentWidget(self.learner_tab)  # lists the cohort's learners first
        self.learner_tab.show_learner(learner.candidate_id)

    def _tab_changed(self, _index: int) -> None:
        """The matrix and the grid's values are read again each time (levels entered, decisions
        recorded meanwhile); the learners once per cohort."""
        self._load_current_tab()
