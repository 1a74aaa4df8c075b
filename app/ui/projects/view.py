"""Projets: the header's season's call for projects — its projects on the left, the chosen
project on the right in tabs (Dossier · Sélection · Réalisation · Historique).

Coordination runs the call; a formateur reads everything and records their own review; the
desk (accueil) does not see the view. The services check the same rights.
"""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.projects import ProjectState
from app.services import lists, reference
from app.services.errors import UserFacingError
from app.services.hosts import actions as hosts
from app.services.permissions import can_edit_projects
from app.services.projects import actions as projects
from app.services.projects import documents
from app.services.projects import import_actions as project_files
from app.services.projects.calls import CallInfo
from app.services.projects.listing import ProjectDetails
from app.services.validation import format_date
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.printing.preview import PdfPreviewDialog
from app.ui.projects.dialogs import CallDialog, CriteriaDialog, RankingDialog
from app.ui.projects.form import NEW_TITLE, ProjectForm
from app.ui.projects.import_dialog import ProjectImportDialog
from app.ui.projects.models import (
    HistoryLine,
    HistoryTableModel,
    ProjectsTableModel,
)
from app.ui.projects.realisation import RealisationTab
from app.ui.projects.selection import SelectionTab
from app.ui.theme import icon
from app.ui.widgets.file_dialogs import save_file
from app.ui.widgets.form_fields import show_status
from app.ui.widgets.naming import named
from app.ui.widgets.selection import select_row_quietly

if TYPE_CHECKING:
    from app.ui.main_window import HeaderStrip

SEARCH_DELAY_MS = 150
HOSTS_LIMIT = 5000
READ_ONLY_NOTE = (
    "Lecture seule : la coordination instruit les projets. Vous pouvez donner votre avis "
    "dans l'onglet Sélection."
)
# The documents of a project: (menu text, document, object name of its action).
DOCUMENTS: tuple[tuple[str, str, str], ...] = (
    ("Accusé de réception", documents.ACKNOWLEDGEMENT, "printAcknowledgement"),
    ("Lettre de décision", documents.DECISION, "printDecisionLetter"),
    ("Fiche projet (pour l'équipe)", documents.PROJECT_SHEET, "printProjectSheet"),
)
PRINTERS: dict[str, Callable[..., None]] = {
    documents.ACKNOWLEDGEMENT: documents.print_acknowledgement,
    documents.DECISION: documents.print_decision_letter,
    documents.PROJECT_SHEET: documents.print_project_sheet,
}
DECIDED = frozenset(
    {
        ProjectState.RETAINED.value,
        ProjectState.WAITING_LIST.value,
        ProjectState.NOT_RETAINED.value,
        ProjectState.IN_PROGRESS.value,
        ProjectState.DELIVERED.value,
        ProjectState.CLOSED.value,
    }
)


class ProjectsView(QWidget):
    """The call's projects; `new_structure_requested` asks the window for the Structures view."""

    new_structure_requested = Signal()

    def __init__(self, context: AppContext, header: "HeaderStrip | None" = None) -> None:
        super().__init__()
        self.setObjectName("projectsView")
        self.context = context
        self.header = header
        self.call: CallInfo | None = None
        self.details: ProjectDetails | None = None
        self.model = ProjectsTableModel()
        self.history_model = HistoryTableModel()
        self.form = ProjectForm(context)
        self.selection = SelectionTab(context)
        self.realisation = RealisationTab(context)
        self._build_top()
        self._build_list()
        self._build_project()
        self._layout()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh_list)
        self.search.textEdited.connect(lambda _text: self._search_timer.start())
        self.state_filter.currentIndexChanged.connect(lambda _i: self.refresh_list())
        self.form.saved.connect(self._saved)
        self.form.reload_requested.connect(self._show)
        self.form.new_structure_requested.connect(self.new_structure_requested)
        self.selection.changed.connect(self._changed)
        self.realisation.changed.connect(self._changed)
        if header is not None:
            header.scope_changed.connect(self._scope_changed)
        self._shortcuts()
        # Read when the view shows (`showEvent`), not when it is built.

    # ---- building

    def _build_top(self) -> None:
        self.call_label = named(QLabel(), "callLabel")
        self.call_label.setProperty("role", "title")
        self.call_button = named(QPushButton(icon("calendar-time"), "Dates…"), "callDatesButton")
        self.call_button.setToolTip("Modifier les dates d'ouverture et de clôture de l'appel")
        self.call_button.clicked.connect(self.edit_call)
        self.criteria_button = named(QPushButton(icon("settings"), "Critères…"), "criteriaButton")
        self.criteria_button.setToolTip("Les critères de la grille de sélection (coordination)")
        self.criteria_button.clicked.connect(self.edit_criteria)
        self.ranking_button = named(QPushButton(icon("chart-bar"), "Classement…"), "rankingButton")
        self.ranking_button.setToolTip("Les projets de l'appel par moyenne du jury")
        self.ranking_button.clicked.connect(self.show_ranking)
        self.import_button = named(
            QPushButton(icon("file-import"), "Importer…"), "importProjectsButton"
        )
        self.import_button.setToolTip(
            "Importer des projets déposés (CSV du formulaire en ligne), avec un aperçu"
        )
        self.import_button.clicked.connect(self.import_projects)
        self.export_button = named(
            QPushButton(icon("file-export"), "Exporter…"), "exportProjectsButton"
        )
        self.export_button.setToolTip("Exporter les projets de l'appel (CSV)")
        self.export_button.clicked.connect(self.export_projects)

    def _build_list(self) -> None:
        self.new_button = named(
            QPushButton(icon("file-plus", "#ffffff"), "Nouveau projet"), "newProjectButton"
        )
        self.new_button.setProperty("accent", "true")
        self.new_button.setToolTip("Saisir un projet déposé (Ctrl+N)")
        self.new_button.clicked.connect(self.new_project)
        self.search = named(QLineEdit(), "projectSearch")
        self.search.setPlaceholderText("Rechercher : projet, structure, référence (Ctrl+F)")
        self.search.setAccessibleName("Rechercher un projet")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.state_filter = named(QComboBox(), "projectStateFilter")
        self.state_filter.setAccessibleName("Filtrer par état")
        self.state_filter.addItem("Tous les états", None)
        for state in ProjectState:
            self.state_filter.addItem(state.label, state.value)
        self.table = named(QTableView(), "projectsTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Projets de l'appel")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)  # two lines a row
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(36)
        for column, width in enumerate((96, 0, 100, 42, 78, 84)):
            if width:
                self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.count_label = named(QLabel(), "projectCount")
        self.count_label.setProperty("role", "muted")

    def _build_project(self) -> None:
        self.title = named(QLabel(NEW_TITLE), "projectTitle")
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.subtitle = named(QLabel(), "projectSubtitle")
        self.subtitle.setProperty("role", "muted")
        self.state_badge = named(QLabel(), "projectStateBadge")
        self.state_badge.setProperty("role", "badge")
        self.print_button = named(QToolButton(), "printProjectButton")
        self.print_button.setIcon(icon("printer"))
        self.print_button.setText("Imprimer")
        self.print_button.setToolTip("Accusé de réception, lettre de décision, fiche projet")
        self.print_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_menu = QMenu(self.print_button)
        self.print_actions: dict[str, QAction] = {}
        for text, document, name in DOCUMENTS:
            action = QAction(text, self.print_menu)
            action.setObjectName(name)
            action.triggered.connect(lambda _=False, d=document: self.print_document(d))
            self.print_menu.addAction(action)
            self.print_actions[document] = action
        self.print_button.setMenu(self.print_menu)
        self.history_table = named(QTableView(), "historyTable")
        self.history_table.setModel(self.history_model)
        self.history_table.setAccessibleName("Historique des états du projet")
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_table.verticalHeader().hide()
        # A long reason shows whole, wrapped in its row.
        self.history_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.history_table.setWordWrap(True)
        history_header = self.history_table.horizontalHeader()
        history_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        history_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tabs = named(QTabWidget(), "projectTabs")
        self.tabs.addTab(self.form, icon("file-text"), "Dossier")
        self.tabs.addTab(self.selection, icon("clipboard-check"), "Sélection")
        self.tabs.addTab(self.realisation, icon("users"), "Réalisation")
        self.tabs.addTab(self.history_table, icon("history"), "Historique")

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.call_label)
        top.addWidget(self.call_button)
        top.addStretch(1)
        for button in (
            self.ranking_button,
            self.criteria_button,
            self.import_button,
            self.export_button,
        ):
            top.addWidget(button)
        tools = QHBoxLayout()
        tools.addWidget(self.new_button)
        tools.addWidget(self.search, 1)
        tools.addWidget(self.state_filter)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(tools)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        title_row = QHBoxLayout()
        title_row.addLayout(heading, 1)
        title_row.addWidget(self.state_badge, 0, Qt.AlignmentFlag.AlignTop)
        title_row.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        right_layout.addLayout(title_row)
        right_layout.addWidget(self.tabs, 1)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([600, 570])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.New, self, self.new_project, context=context)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search, context=context)
        QShortcut(QKeySequence.StandardKey.Save, self, self.form.save, context=context)

    # ---- season and rights

    def season_label(self) -> str:
        """The header's season; with "Toutes les saisons", the current one."""
        chosen = self.header.season_label() if self.header is not None else None
        return chosen or reference.current_season_label()

    def _scope_changed(self) -> None:
        """A hidden view waits: it reads the call again each time it shows."""
        if self.isVisibleTo(self.window()) and self.confirm_leave():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.reload()

    def reload(self) -> None:
        """The season's call, its projects, the directory's structures, the role's rights."""
        self.apply_role()
        database = self.context.database
        try:
            actor = self.context.actor
            self.call = projects.call(database, self.season_label(), actor=actor)
            criteria = projects.criteria(database, actor=actor)
        except UserFacingError as error:
            self.call_label.setText(str(error))
            return
        self.call_label.setText(_call_text(self.call))
        self.selection.set_criteria(criteria)
        self.form.set_choices(
            hosts.search_hosts(database, "", limit=HOSTS_LIMIT), lists.filieres(database)
        )
        self.refresh_list()
        if self.form.season_label != self.call.season_label:
            self._start_new()  # another season: its call starts on a new project
        elif self.form.is_dirty():
            pass  # back from adding its structure (Structures view): the typing is kept
        elif self.form.project_id is None:
            self._start_new()
        else:
            self._show(self.form.project_id)

    def apply_role(self) -> None:
        editor = can_edit_projects(self.context.role)
        for widget in (
            self.call_button,
            self.criteria_button,
            self.import_button,
            self.export_button,
            self.new_button,
        ):
            widget.setVisible(editor)
        self.form.set_read_only(not editor, "" if editor else READ_ONLY_NOTE)
        for document in (documents.ACKNOWLEDGEMENT, documents.DECISION):
            self.print_actions[document].setVisible(editor)

    # ---- the list

    def refresh_list(self) -> None:
        self._search_timer.stop()
        if self.call is None:
            return
        state = self.state_filter.currentData()
        try:
            rows = projects.projects(
                self.context.database,
                self.call.season_label,
                text=self.search.text(),
                states=frozenset({state}) if state else frozenset(),
                actor=self.context.actor,
            )
        except UserFacingError as error:
            self.count_label.setText(f"Liste illisible : {error}")
            return
        self.model.set_rows(rows)
        self.count_label.setText(_count_text(len(rows)))
        self._select(self.form.project_id)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        project_id = self.model.record_id(current.row())
        if project_id is None or project_id == self.form.project_id:
            return
        if not self.form.confirm_leave():
            QTimer.singleShot(0, lambda: self._select(self.form.project_id))
            return
        self._show(project_id)

    def _select(self, project_id: int | None) -> None:
        select_row_quietly(
            self.table, self.model.row_of(project_id) if project_id is not None else None
        )

    # ---- one project

    def open_project(self, project_id: int) -> None:
        """Show a project (after asking about unsaved edits) and select its row."""
        if self.form.confirm_leave():
            self._show(project_id)
            self._select(project_id)

    def _show(self, project_id: int) -> None:
        try:
            details = projects.details(self.context.database, project_id, actor=self.context.actor)
        except UserFacingError as error:
            QMessageBox.warning(self, "Projet introuvable", str(error))
            return
        self.details = details
        self.form.load(details)
        self.title.setText(f"{details.reference} — {details.title}")
        self.subtitle.setText(
            f"{details.structure} · déposé le {format_date(details.submitted_on)}"
        )
        self.state_badge.setText(details.state_label)
        self.state_badge.show()
        self.print_button.setEnabled(True)
        self.print_actions[documents.DECISION].setEnabled(details.state in DECIDED)
        self.selection.show_project(details)
        self.realisation.show_project(details)
        self.history_model.set_rows(
            [HistoryLine(when, state, reason, who) for when, state, reason, who in details.history]
        )

    def _start_new(self) -> None:
        self.details = None
        self.form.start_new(self.call.season_label if self.call else None)
        editor = can_edit_projects(self.context.role)
        self.title.setText(NEW_TITLE if editor else "Choisissez un projet dans la liste")
        self.subtitle.setText(
            f"Appel à projets {self.call.season_label}" if self.call is not None else ""
        )
        self.state_badge.hide()
        self.print_button.setEnabled(False)
        self.selection.show_project(None)
        self.realisation.show_project(None)
        self.history_model.set_rows(())
        self._select(None)

    def new_project(self) -> None:
        if not can_edit_projects(self.context.role) or not self.form.confirm_leave():
            return
        self._start_new()
        self.tabs.setCurrentWidget(self.form)
        self.form.field("title").setFocus()

    def _saved(self, project_id: int) -> None:
        self.refresh_list()
        self._show(project_id)
        self._select(project_id)
        show_status(self, "Projet enregistré.")

    def _changed(self, project_id: int) -> None:
        self.refresh_list()
        self._show(project_id)
        self._select(project_id)

    # ---- leaving

    def confirm_leave(self) -> bool:
        return self.form.confirm_leave()

    def discard_changes(self) -> None:
        self.form.discard_changes()

    # ---- the call, its criteria and ranking

    def edit_call(self) -> None:
        if self.call is None:
            return
        dialog = CallDialog(self.context, self.call, self)
        if dialog.exec() == CallDialog.DialogCode.Accepted and dialog.saved is not None:
            self.call = dialog.saved
            self.call_label.setText(_call_text(dialog.saved))
            self.refresh_list()  # the eligibility depends on the closing date
            if self.form.project_id is not None and not self.form.is_dirty():
                self._show(self.form.project_id)

    def edit_criteria(self) -> None:
        dialog = CriteriaDialog(self.context, self)
        dialog.exec()
        database, actor = self.context.database, self.context.actor
        self.selection.set_criteria(projects.criteria(database, actor=actor))
        if self.form.project_id is not None:
            self._show(self.form.project_id)

    def show_ranking(self) -> None:
        if self.call is None:
            return
        try:
            dialog = RankingDialog(self.context, self.call.season_label, self)
        except UserFacingError as error:
            show_error(self, str(error), "Classement illisible")
            return
        dialog.open_requested.connect(self.open_project)
        dialog.exec()

    # ---- files: import, export, documents

    def import_projects(self) -> None:
        """Helper I's import dialog (preview, French errors, all or nothing)."""
        dialog = ProjectImportDialog(self.context, self.season_label(), self)
        dialog.exec()
        self.refresh_list()

    def export_projects(self) -> None:
        if self.call is None:
            return
        path = save_file(
            self,
            "Exporter les projets",
            f"projets-{self.call.season_label}.csv",
            "Fichiers CSV (*.csv);;Tous les fichiers (*)",
        )
        if path is None:
            return
        try:
            count = project_files.export_projects(
                self.context.database, path, season=self.call.season_label, actor=self.context.actor
            )
        except UserFacingError as error:
            show_error(self, str(error), "Export impossible")
            return
        show_status(self, f"{count} projet{'s' if count != 1 else ''} exporté(s) : {path.name}")

    def print_document(self, document: str) -> None:
        """Save one of the project's documents where the user chooses, then preview it."""
        details = self.details
        if details is None:
            return
        database, actor = self.context.database, self.context.actor
        try:
            suggested = documents.document_filename(database, details.id, document, actor=actor)
        except UserFacingError as error:
            show_error(self, str(error), "Impression impossible")
            return
        path = save_file(self, document, suggested, "Documents PDF (*.pdf)")
        if path is None:
            return
        try:
            PRINTERS[document](database, details.id, path, actor=actor)
        except UserFacingError as error:
            show_error(self, str(error), "Impression impossible")
            return
        show_status(self, f"{document} enregistré(e) : {path}")
        self._preview(path, f"{document} — {details.reference}")

    def _preview(self, path: Path, title: str) -> None:
        PdfPreviewDialog(
            path.read_bytes(), title=title, suggested_filename=path.name, parent=self
        ).exec()


def _call_text(call: CallInfo) -> str:
    return f"Appel à projets {call.season_label} : ouvert {call.period}"


def _count_text(count: int) -> str:
    if count == 0:
        return "Aucun projet"
    return f"{count} projet{'s' if count > 1 else ''}"
