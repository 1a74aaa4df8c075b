"""Structures d'accueil: search the host directory, edit a host's file and its tutors."""

from datetime import date

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import UserFacingError
from app.services.hosts import actions as hosts
from app.services.hosts.directory import HostInfo, HostRow
from app.ui.context import AppContext
from app.ui.operations import LatestOnly
from app.ui.partners.host_form import HostForm
from app.ui.partners.models import HostsTableModel, TutorsTableModel
from app.ui.partners.tutor_dialog import TutorDialog
from app.ui.theme import icon
from app.ui.widgets.form_fields import show_status
from app.ui.widgets.naming import named
from app.ui.widgets.selection import select_row_quietly

SEARCH_DELAY_MS = 150
SEARCH_LIMIT = 500


class TutorsPanel(QGroupBox):
    """The tutors of the host shown in the form; add or edit them through a dialog."""

    changed = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__("Tuteurs")
        self.setObjectName("tutorsPanel")
        self.context = context
        self.host: HostInfo | None = None
        self.model = TutorsTableModel()
        self.table = named(QTableView(), "tutorsTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Tuteurs de la structure")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setMinimumHeight(130)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(icon("user-plus"), "Ajouter un tuteur…")
        self.add_button.setObjectName("addTutorButton")
        self.edit_button = QPushButton("Modifier…")
        self.edit_button.setObjectName("editTutorButton")
        self.edit_button.setToolTip("Modifier le tuteur choisi (ou double-clic sur la ligne)")
        self.hint = named(QLabel(), "tutorsHint")
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        self.add_button.clicked.connect(self.add_tutor)
        self.edit_button.clicked.connect(self.edit_tutor)
        self.table.doubleClicked.connect(lambda _index: self.edit_tutor())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.show_host(None)

    def show_host(self, host: HostInfo | None) -> None:
        self.host = host
        self.model.set_rows(host.tutors if host else ())
        if host is None:
            self.hint.setText("Enregistrer d'abord la structure pour lui ajouter des tuteurs.")
        elif not host.tutors:
            self.hint.setText("Aucun tuteur pour l'instant.")
        else:
            count = len(host.tutors)
            self.hint.setText(f"{count} tuteur{'s' if count > 1 else ''}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self.host is not None)
        self.edit_button.setEnabled(self.host is not None and self._selected() is not None)

    def _selected(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def add_tutor(self) -> None:
        if self.host is not None:
            self._open_dialog(None)

    def edit_tutor(self) -> None:
        row = self._selected()
        if self.host is not None and row is not None:
            self._open_dialog(row)

    def _open_dialog(self, row: int | None) -> None:
        assert self.host is not None
        tutor = self.model.record(row) if row is not None else None
        dialog = TutorDialog(self.context, self.host.id, self.host.name, tutor, self)
        if dialog.exec() != TutorDialog.DialogCode.Accepted or dialog.saved is None:
            return
        try:
            host = hosts.get_host(self.context.database, self.host.id)
        except UserFacingError as error:
            QMessageBox.warning(self, "Structure introuvable", str(error))
            return
        self.show_host(host)
        saved_row = self.model.row_of(dialog.saved.id)
        if saved_row is not None:
            self.table.selectRow(saved_row)
        show_status(self, f"Tuteur « {dialog.saved.name} » enregistré.")
        self.changed.emit()


class PartnersView(QWidget):
    """The host directory on the left, the chosen host's file and tutors on the right."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("partnersView")
        self.context = context
        self.model = HostsTableModel()
        self.form = HostForm(context)
        self.tutors = TutorsPanel(context)
        self._build_toolbar()
        self._build_table()
        self._layout()
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh_list)
        # The search runs off the window's thread; only the latest one typed is shown.
        self.list_reader = LatestOnly(self)
        self.list_reader.loaded.connect(self._listed)
        self.list_reader.failed.connect(self._list_failed)
        self.search.textEdited.connect(lambda _text: self._search_timer.start())
        self.form.saved.connect(self._saved)
        self.form.reload_requested.connect(self._show)
        self.tutors.changed.connect(self.refresh_list)
        self._shortcuts()
        self.refresh_list()

    # ---- building

    def _build_toolbar(self) -> None:
        self.new_button = QPushButton(icon("building-community", "#ffffff"), "Nouvelle structure")
        self.new_button.setObjectName("newHostButton")
        self.new_button.setProperty("accent", "true")
        self.new_button.setToolTip("Nouvelle structure d'accueil (Ctrl+N)")
        self.new_button.clicked.connect(self.new_host)
        self.search = named(QLineEdit(), "hostSearch")
        self.search.setPlaceholderText("Rechercher : nom, commune, SIRET, tuteur (Ctrl+F)")
        self.search.setAccessibleName("Rechercher une structure d'accueil")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.count_label = named(QLabel(), "hostCount")
        self.count_label.setProperty("role", "muted")

    def _build_table(self) -> None:
        self.table = named(QTableView(), "hostsTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Structures d'accueil")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(48)
        for column, width in enumerate((0, 95, 115, 135, 60)):
            if width:
                self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)

    def _layout(self) -> None:
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.new_button)
        toolbar.addWidget(self.search, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(toolbar)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(4, 0, 4, 0)
        column.addWidget(self.form)
        column.addWidget(self.tutors, 1)
        # The file keeps its full height (error messages included); the tutors take the rest,
        # and the panel scrolls when the window is too short for both.
        self.form.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([570, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addWidget(splitter, 1)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.New, self, self.new_host, context=context)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search, context=context)
        QShortcut(QKeySequence.StandardKey.Save, self, self.form.save, context=context)

    # ---- the list

    def refresh_list(self) -> None:
        """Search again with the typed text; the host in the form stays selected if listed."""
        self._search_timer.stop()
        database, text = self.context.database, self.search.text()
        self.list_reader.start(lambda: hosts.search_hosts(database, text, limit=SEARCH_LIMIT))

    def _list_failed(self, message: str) -> None:
        self.count_label.setText(f"Liste incomplète : {message}")

    def _listed(self, rows: list[HostRow]) -> None:
        self.model.set_rows(rows)
        self.count_label.setText(_count_text(len(rows)))
        self._select(self.form.host_id)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def showEvent(self, event: QShowEvent) -> None:
        # Agreements made elsewhere change the counts shown here.
        super().showEvent(event)
        self.refresh_list()
        if self.form.host_id is not None and not self.form.is_dirty():
            self._show(self.form.host_id)

    # ---- opening a host

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        host_id = self.model.record_id(current.row())
        if host_id is None or host_id == self.form.host_id:
            return
        if not self.form.confirm_leave():
            # Deferred: the selection model is still busy moving to the clicked row.
            QTimer.singleShot(0, lambda: self._select(self.form.host_id))
            return
        self._show(host_id)

    def open_host(self, host_id: int) -> None:
        """Show a host's file (after asking about unsaved edits) and select its row."""
        if self.form.confirm_leave():
            self._show(host_id)
            self._select(host_id)

    def _show(self, host_id: int) -> None:
        try:
            file = hosts.host_file(self.context.database, host_id, today=date.today())
        except UserFacingError as error:
            QMessageBox.warning(self, "Structure introuvable", str(error))
            return
        self.form.load(file.info, file.agreements)
        self.tutors.show_host(file.info)

    def _select(self, host_id: int | None) -> None:
        select_row_quietly(self.table, self.model.row_of(host_id) if host_id is not None else None)

    def new_host(self) -> None:
        if not self.form.confirm_leave():
            return
        self.form.start_new()
        self.tutors.show_host(None)
        self._select(None)
        self.form.field("nom").setFocus()

    # ---- leaving and saving

    def confirm_leave(self) -> bool:
        return self.form.confirm_leave()

    def discard_changes(self) -> None:
        self.form.discard_changes()

    def _saved(self, host_id: int) -> None:
        self.refresh_list()
        self._show(host_id)
        self._select(host_id)
        show_status(self, "Structure d'accueil enregistrée.")


def _count_text(count: int) -> str:
    if count >= SEARCH_LIMIT:
        return f"{SEARCH_LIMIT} premières structures : préciser la recherche"
    if count == 0:
        return "Aucune structure trouvée"
    return f"{count} structure{'s' if count > 1 else ''}"
