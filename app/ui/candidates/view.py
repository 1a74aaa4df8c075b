"""Candidats view: toolbar, search, filters, the table and the selected candidate's file."""

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import lists
from app.services.candidates import actions as candidate_actions
from app.services.candidates.records import CandidateQuery
from app.services.errors import UserFacingError
from app.services.permissions import can_export_personal_data
from app.ui.candidates.appointments import AppointmentsTab, TodayStrip
from app.ui.candidates.follow_ups import FollowUpsLauncher
from app.ui.candidates.form import CandidateForm
from app.ui.candidates.history import HistoryTab
from app.ui.candidates.import_dialog import ImportDialog
from app.ui.candidates.list_columns import (
    ListColumnsDialog,
    remember_columns,
    remembered_columns,
)
from app.ui.candidates.table_model import COLUMNS, CandidatesTableModel
from app.ui.context import AppContext
from app.ui.operations import Failed, run_busy
from app.ui.printing.preview import PdfPreviewDialog
from app.ui.rgpd.person_data import PersonDataButton
from app.ui.theme import icon
from app.ui.widgets.file_dialogs import open_file, save_file
from app.ui.widgets.naming import named

if TYPE_CHECKING:
    from app.ui.main_window import HeaderStrip

# The search runs once the keystrokes already queued are handled: typing or pasting faster than
# the search merges into one search, and a single keystroke gets its answer at once (the word
# index answers in a few milliseconds, see tests/benchmarks).
SEARCH_DELAY_MS = 0


class CandidatesView(QWidget):
    agreement_requested = Signal(int)  # a learner's id: show their internship agreement

    def __init__(self, context: AppContext, header: "HeaderStrip") -> None:
        super().__init__()
        self.setObjectName("candidatesView")
        self.context = context
        self.header = header
        self.model = CandidatesTableModel(context.database)
        self._applied: CandidateQuery | None = None  # what the list shows
        self._stale = False  # the header changed while the view was hidden
        self._build_toolbar()
        self._build_table()
        self._build_file_panel()
        self.today = TodayStrip(context)
        self.today.changed.connect(self._strip_changed)
        self._layout()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textEdited.connect(lambda _text: self._search_timer.start())
        for combo in (self.stage_filter, self.filiere_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
        header.scope_changed.connect(self._scope_changed)
        self._shortcuts()
        self.apply_role()
        self.apply_filters()

    # ---- building

    def _build_toolbar(self) -> None:
        self.new_button = QPushButton(icon("user-plus", "#ffffff"), "Nouveau")
        self.new_button.setObjectName("newCandidateButton")
        self.new_button.setProperty("accent", "true")
        self.new_button.setToolTip("Nouveau candidat (Ctrl+N)")
        self.import_button = QPushButton(icon("file-import"), "Importer…")
        self.import_button.setObjectName("importButton")
        self.export_button = named(
            QPushButton(icon("file-export"), "Exporter la liste…"), "exportButton"
        )
        self.export_button.setToolTip(
            "Exporter la liste affichée (CSV) : exactement les candidats de la recherche et "
            "des filtres en cours, au format d'import"
        )
        self.export_button.setAccessibleName("Exporter la liste affichée (CSV)")
        self.print_list_button = named(
            QPushButton(icon("printer"), "Imprimer la liste…"), "printListButton"
        )
        self.print_list_button.setToolTip(
            "Imprimer la liste affichée (PDF), avec les colonnes choisies"
        )
        self.search = named(QLineEdit(), "candidateSearch")
        self.search.setPlaceholderText("Rechercher : nom, e-mail, téléphone, commune (Ctrl+F)")
        self.search.setAccessibleName("Rechercher un candidat")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.stage_filter = named(QComboBox(), "stageFilter")
        self.stage_filter.setAccessibleName("Filtrer par étape")
        self.filiere_filter = named(QComboBox(), "filiereFilter")
        self.filiere_filter.setAccessibleName("Filtrer par filière")
        options = lists.every_list(self.context.database)
        self.stage_filter.addItem("Toutes les étapes", None)
        for option in options.stages:
            self.stage_filter.addItem(option.label, option.id)
        self.filiere_filter.addItem("Toutes les filières", None)
        for option in options.filieres:
            self.filiere_filter.addItem(option.label, option.id)
        for combo in (self.stage_filter, self.filiere_filter):
            combo.setMaximumWidth(220)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
        self.count_label = named(QLabel(), "candidateCount")
        self.count_label.setProperty("role", "muted")
        self.new_button.clicked.connect(self.new_candidate)
        self.import_button.clicked.connect(self.import_csv)
        self.export_button.clicked.connect(self.export_csv)
        self.print_list_button.clicked.connect(self.print_list)

    def _build_table(self) -> None:
        self.table = named(QTableView(), "candidatesTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAccessibleName("Liste des candidats")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((180, 40, 140, 100, 130, 75, 170, 100)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.model.modelReset.connect(lambda: self._select(self.form.candidate_id))
        self.model.load_failed.connect(self._show_load_error)

    def _build_file_panel(self) -> None:
        self.form = CandidateForm(self.context)
        self.history = HistoryTab(self.context)
        self.appointments = AppointmentsTab(self.context)
        self.tabs = named(QTabWidget(), "candidateTabs")
        self.tabs.addTab(self.form, icon("clipboard-check"), "Dossier")
        self.tabs.addTab(self.history, icon("arrows-exchange"), "Parcours")
        self.tabs.addTab(self.appointments, icon("calendar-event"), "Rendez-vous")
        self.agreement_button = named(
            QPushButton(icon("file-certificate"), "Convention"), "learnerAgreementButton"
        )
        self.agreement_button.setToolTip(
            "Ouvrir la convention de stage de ce stagiaire, ou en préparer une"
        )
        self.agreement_button.setEnabled(False)
        self.agreement_button.clicked.connect(self._request_agreement)
        self.person_data = PersonDataButton(self.context)
        self.person_data.before_action = self.form.confirm_leave
        self.person_data.erased.connect(self._person_erased)
        self.person_data.anonymised.connect(self._person_anonymised)
        self.follow_ups = FollowUpsLauncher(self, self.context, self._open_follow_up)
        corner = QWidget()
        corner_row = QHBoxLayout(corner)
        corner_row.setContentsMargins(0, 0, 0, 0)
        corner_row.addWidget(self.person_data)
        corner_row.addWidget(self.agreement_button)
        self.tabs.setCornerWidget(corner)
        self.form.saved.connect(self._saved)
        self.form.open_requested.connect(self.open_candidate)
        self.form.dirty_changed.connect(self._dirty_changed)
        self.history.stage_changed.connect(self._stage_changed)
        self.history.before_change = self.form.confirm_leave
        self.appointments.changed.connect(self._appointments_changed)

    def _layout(self) -> None:
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.new_button)
        toolbar.addWidget(self.import_button)
        toolbar.addWidget(self.export_button)
        toolbar.addWidget(self.print_list_button)
        toolbar.addWidget(self.follow_ups.button)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.search, 1)
        toolbar.addWidget(self.stage_filter)
        toolbar.addWidget(self.filiere_filter)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([740, 520])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addWidget(self.today)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.New, self, self.new_candidate, context=context)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search, context=context)
        QShortcut(QKeySequence.StandardKey.Save, self, self.form.save, context=context)

    # ---- filtering

    def query(self) -> CandidateQuery:
        return CandidateQuery(
            text=self.search.text(),
            season_id=self.header.season_id(),
            site_id=self.header.site_id(),
            stage_id=self.stage_filter.currentData(),
            filiere_id=self.filiere_filter.currentData(),
        )

    def apply_filters(self) -> None:
        selected = self.form.candidate_id
        self._search_timer.stop()
        self._stale = False
        self._applied = self.query()
        self.model.set_query(self._applied)
        self.table.setColumnHidden(self.model.column_of("site"), self.header.site_id() is not None)
        self.table.setColumnHidden(
            self.model.column_of("season"), self.header.season_id() is not None
        )
        count = self.model.total
        self.count_label.setText(f"{count} candidat{'s' if count > 1 else ''}")
        self.today.follow(self.header.site_id())
        if selected is not None:
            self._select(selected)

    def _scope_changed(self) -> None:
        """The header's season or site: the list follows now if shown, else when it shows."""
        if not self.isVisibleTo(self.window()):
            self._stale = True
        elif self.query() != self._applied:
            self.apply_filters()

    def showEvent(self, event: QShowEvent) -> None:
        # Shown again after a sign-in (the lock screen hid it): the new person's rights.
        self.apply_role()
        if self._stale:
            self.apply_filters()
        super().showEvent(event)

    def apply_role(self) -> None:
        """Exports and printed lists (personal data in bulk) for accueil and coordination:
        hidden from a trainer (the services refuse them anyway)."""
        allowed = can_export_personal_data(self.context.role)
        self.export_button.setVisible(allowed)
        self.print_list_button.setVisible(allowed)
        self.follow_ups.apply_role()

    def _open_follow_up(self, candidate_id: int) -> None:
        """A person of the follow-ups list: their file, on its Parcours tab."""
        self.open_candidate(candidate_id)
        self.tabs.setCurrentWidget(self.history)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # ---- opening files

    def _current_row_changed(self) -> None:
        candidate_id = self.model.candidate_id(self.table.currentIndex().row())
        if candidate_id is None or candidate_id == self.form.candidate_id:
            return
        if not self.form.confirm_leave():
            self._select(self.form.candidate_id)
            return
        self._show(candidate_id)
        self._select(candidate_id)

    def open_candidate(self, candidate_id: int) -> None:
        """Show a file, even one the current filters hide: the list shows it then."""
        if self.model.find_row(candidate_id) is None:
            self._reveal(candidate_id)
            self.model.find_row(candidate_id)
        self._show(candidate_id)
        self._select(candidate_id)

    def _reveal(self, candidate_id: int) -> None:
        """Clear the search and filters, and show the candidate's season (and their site if
        one is chosen) in the header: the list holds the candidate, yet stays one season long.
        """
        try:
            season_id, site_id = candidate_actions.season_and_site(
                self.context.database, candidate_id
            )
        except UserFacingError:
            return  # `_show` says the file is gone
        self.search.clear()
        for combo in (self.stage_filter, self.filiere_filter):
            blocked = combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(blocked)
        header = self.header
        if header.season_combo.findData(season_id) < 0:
            header.reload_seasons()  # a season imported since the window opened
        wanted = [(header.season_combo, season_id)]
        if header.site_id() is not None:
            wanted.append((header.site_combo, site_id))
        moved = False
        for combo, value in wanted:
            index = combo.findData(value)
            if index >= 0 and index != combo.currentIndex():
                blocked = combo.blockSignals(True)
                combo.setCurrentIndex(index)
                combo.blockSignals(blocked)
                moved = True
        self.apply_filters()
        if moved:
            header.scope_changed.emit()  # the other views follow the header (when shown)

    def _show(self, candidate_id: int) -> None:
        try:
            opened = candidate_actions.open_file(
                self.context.database, candidate_id, actor=self.context.actor
            )
        except UserFacingError as error:
            QMessageBox.warning(self, "Dossier introuvable", str(error))
            return
        file = opened.file
        self.form.load(file)
        self.history.show_file(file)
        self.appointments.show_candidate(file.id, file.values.site)
        self.agreement_button.setEnabled(opened.in_training)
        self.person_data.set_candidate(file.id)

    def _select(self, candidate_id: int | None) -> None:
        row = self.model.row_of(candidate_id) if candidate_id is not None else None
        selection = self.table.selectionModel()
        blocked = selection.blockSignals(True)
        if row is None:
            selection.clearSelection()
        else:
            index = self.model.index(row, 0)
            flags = (
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows
            )
            selection.setCurrentIndex(index, flags)
            self.table.scrollTo(index)
        selection.blockSignals(blocked)

    def new_candidate(self) -> None:
        if not self.form.confirm_leave():
            return
        season = self.header.season_combo.currentText().removeprefix("Saison ")
        self.form.start_new(
            season=season if season[:1].isdigit() else "", site=self._header_site_code()
        )
        self.history.show_file(None)
        self.appointments.show_candidate(None, "")
        self.agreement_button.setEnabled(False)
        self.person_data.set_candidate(None)
        self._select(None)
        self.tabs.setCurrentWidget(self.form)
        self.form.field("civilite").setFocus()

    def confirm_leave(self) -> bool:
        return self.form.confirm_leave()

    def _request_agreement(self) -> None:
        if self.form.candidate_id is not None and self.form.confirm_leave():
            self.agreement_requested.emit(self.form.candidate_id)

    # ---- after changes

    def _saved(self, candidate_id: int) -> None:
        self.header.reload_seasons()
        self.apply_filters()
        self._show(candidate_id)
        self._select(candidate_id)
        self.window().statusBar().showMessage("Dossier enregistré.", 4000)  # type: ignore[attr-defined]

    def _stage_changed(self, candidate_id: int) -> None:
        self.model.refresh_row(candidate_id)
        self._show(candidate_id)

    def _person_erased(self) -> None:
        self.apply_filters()
        self.new_candidate()
        self.window().statusBar().showMessage("Données de la personne effacées.", 6000)  # type: ignore[attr-defined]

    def _person_anonymised(self, candidate_id: int) -> None:
        self.apply_filters()
        self._show(candidate_id)

    def _appointments_changed(self) -> None:
        self.today.refresh(self.header.site_id())

    def _strip_changed(self) -> None:
        """Attendance or an appointment changed from the day strip: the open file shows it too."""
        if self.form.candidate_id is not None:
            self.appointments.show_candidate(self.form.candidate_id, self.appointments.site_code)

    def _show_load_error(self, message: str) -> None:
        self.count_label.setText(f"Liste incomplète : {message}")

    def _dirty_changed(self, dirty: bool) -> None:
        index = self.tabs.indexOf(self.form)
        self.tabs.setTabText(index, "Dossier *" if dirty else "Dossier")

    # ---- CSV and printed list

    def import_csv(self) -> None:
        path = open_file(
            self, "Importer des candidats", "Fichiers CSV (*.csv);;Tous les fichiers (*)"
        )
        if path is None:
            return
        dialog = ImportDialog(self.context, str(path), self)
        dialog.exec()
        if dialog.imported:
            self.header.reload_seasons()
            self.apply_filters()

    def shown_list(self) -> tuple[CandidateQuery, str, bool]:
        """What the list shows: its query (applied first if typed but not yet applied), the
        key of its sort column and whether the order is descending."""
        if self._applied is None or self.query() != self._applied:
            self.apply_filters()
        assert self._applied is not None
        header = self.table.horizontalHeader()
        section = header.sortIndicatorSection()
        sort = COLUMNS[section][0] if 0 <= section < len(COLUMNS) else "name"
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        return self._applied, sort, descending

    def export_csv(self) -> None:
        """Export exactly the files the list shows, in its order, off the window's thread;
        the window waits."""
        path = save_file(
            self,
            "Exporter les candidats",
            f"candidats{self._file_suffix()}.csv",
            "Fichiers CSV (*.csv)",
        )
        if path is None:
            return
        query, sort, descending = self.shown_list()
        database, actor = self.context.database, self.context.actor
        outcome = run_busy(
            self,
            "Export des candidats…",
            lambda: candidate_actions.export_shown_candidates(
                database, path, query, actor=actor, sort=sort, descending=descending
            ),
        )
        if isinstance(outcome, Failed):
            QMessageBox.warning(self, "Export impossible", outcome.message)
            return
        plural = "s" if outcome > 1 else ""
        self.window().statusBar().showMessage(  # type: ignore[attr-defined]
            f"{outcome} candidat{plural} exporté{plural} dans {path}", 6000
        )

    def print_list(self) -> None:
        """Choose the columns, then preview the list as shown (PDF) to print or save it."""
        query, sort, descending = self.shown_list()
        dialog = ListColumnsDialog(self._initial_columns(), shown=self.model.total, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        columns = dialog.chosen()
        remember_columns(columns)
        database, actor = self.context.database, self.context.actor
        outcome = run_busy(
            self,
            "Préparation de la liste…",
            lambda: candidate_actions.candidate_list_pdf(
                database,
                query,
                columns,
                actor=actor,
                sort=sort,
                descending=descending,
                today=date.today(),
            ),
        )
        if isinstance(outcome, Failed):
            QMessageBox.warning(self, "Impression impossible", outcome.message)
            return
        PdfPreviewDialog(
            outcome,
            title="Liste des candidats",
            suggested_filename=f"liste-candidats{self._file_suffix()}.pdf",
            parent=self,
        ).exec()

    def _initial_columns(self) -> list[str]:
        """The columns chosen last time; the first time, those the list shows."""
        remembered = remembered_columns()
        if remembered:
            return remembered
        return [
            key
            for column, (key, _label) in enumerate(COLUMNS)
            if not self.table.isColumnHidden(column)
        ]

    def _file_suffix(self) -> str:
        """ "-2026-2027" for a season's list, empty for every season."""
        season = self.header.season_combo.currentText().removeprefix("Saison ")
        return f"-{season}" if season[:1].isdigit() else ""

    def _header_site_code(self) -> str:
        """The code of the header's site; empty for every site."""
        site_id = self.header.site_id()
        if site_id is None:
            return ""
        return next((o.code for o in lists.sites(self.context.database) if o.id == site_id), "")
