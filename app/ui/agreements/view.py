"""Conventions view: the agreements of the season and site, one agreement's form and its life
cycle (numbering, signatures, amendments, rupture, cancellation), and its documents."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QHideEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.agreement import AgreementStatus
from app.services.agreements import actions
from app.services.agreements.details import AgreementInfo
from app.services.agreements.documents import DocumentChoice, DocumentKind
from app.services.agreements.life_cycle import LATE_START
from app.services.agreements.listing import AgreementRow
from app.services.agreements.summary_list import agreements_summary_pdf
from app.services.agreements.terms import AgreementInput
from app.services.errors import ConflictError, UserFacingError, ValidationError
from app.services.hosts.directory import HostRow
from app.services.unit_of_work import Database
from app.ui.agreements import dialogs
from app.ui.agreements.detail import EventsTable, SignaturesPanel
from app.ui.agreements.form import AgreementForm, LearnerScope, with_defaults
from app.ui.agreements.presence import PresenceTab
from app.ui.agreements.table_model import (
    BY_PERIOD,
    PERIOD_COLUMN,
    TO_REVIEW,
    AgreementsTableModel,
    ColumnWidths,
    SortSpec,
    content_widths,
    fit_widths,
    sort_rows,
)
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.operations import LatestOnly
from app.ui.printing.batch import AgreementBatch, BatchPrintDialog, PrintJob
from app.ui.printing.preview import PdfPreviewDialog
from app.ui.theme import icon
from app.ui.widgets.naming import named

if TYPE_CHECKING:
    from app.ui.main_window import HeaderStrip

S = AgreementStatus
UPDATING = "Mise à jour de la liste…"
TO_REVIEW_FILTER = "a_revoir"  # the status filter's entry for agreements "à revoir"
# The agreement's panel: its share of the view's width at first show, and its least width
# (the form's labels and the week of hours side by side).
PANEL_SHARE = 0.40
PANEL_MINIMUM = 470


@dataclass(frozen=True)
class ListData:
    """What the view shows of its scope, read in one unit of work (on a worker thread or
    not): the agreements, the hosts (filter and form), what the settings lack."""

    scope: LearnerScope
    rows: list[AgreementRow]
    sorted_by: SortSpec
    hosts: list[HostRow]
    missing_settings: list[str]


def read_list(database: Database, scope: LearnerScope, today: date, order: SortSpec) -> ListData:
    """The agreements of the scope (every status and host: the filters apply in memory),
    already in the table's order."""
    read = actions.agreement_list(
        database, season_id=scope.season_id, site_id=scope.site_id, today=today
    )
    return ListData(scope, sort_rows(read.rows, order), order, read.hosts, read.missing_settings)


def frozen_note(status: str) -> str:
    """Why an agreement's content can no longer be edited, and what to do instead."""
    if status == S.DRAFT.value:
        return ""
    if status == S.READY.value:
        return (
            "Contenu figé : la convention est prête à signer. Pour la modifier avant "
            "signature, l'annuler et en préparer une nouvelle."
        )
    if status in (S.SIGNED.value, S.ONGOING.value):
        return "Contenu figé : toute modification passe par un avenant."
    return f"Convention {S(status).label} : son contenu n'est plus modifiable."


def review_remedy(status: str) -> str:
    """What to do with an agreement "à revoir", by status."""
    if status == S.DRAFT.value:
        return "Corriger les champs signalés avant de la déclarer prête à signer."
    if status == S.READY.value:
        return "L'annuler et en préparer une conforme avant de la faire signer."
    if status in (S.SIGNED.value, S.ONGOING.value):
        return "Un avenant peut la mettre en conformité."
    return "Elle reste lisible et imprimable telle qu'elle a été signée."


class TitleLabel(QLabel):
    """A one-line title cut with "…" when the panel is narrow; the whole text in its tooltip."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), text)


class AgreementsView(QWidget):
    settings_requested = Signal()

    def __init__(self, context: AppContext, header: "HeaderStrip") -> None:
        super().__init__()
        self.setObjectName("agreementsView")
        self.context = context
        self.header = header
        self.info: AgreementInfo | None = None
        self.model = AgreementsTableModel()
        # The agreements of the header's scope; the filters of the toolbar pick among them.
        self._scope_rows: list[AgreementRow] = []
        self._scope_order = BY_PERIOD  # the order `_scope_rows` were read in
        self.reader = LatestOnly(self)
        self._reading: LearnerScope | None = None  # the scope the reader is reading
        self._read_again = False  # asked again meanwhile: what it reads may be older
        self._read_for_this_show = False
        self.reader.loaded.connect(self._list_read)
        self.reader.failed.connect(self._list_failed)
        self._build_toolbar()
        self._build_table()
        self._build_panel()
        self._layout()
        self._shortcuts()
        header.scope_changed.connect(self._scope_changed)
        # The statuses of every agreement follow today's date from the start (other views and
        # exports read them); the list is read each time the view shows (`showEvent`).
        self.bring_statuses_up_to_date()
        self.new_agreement(ask=False)

    # ---- building

    def _build_toolbar(self) -> None:
        self.new_button = named(
            QPushButton(icon("file-plus", "#ffffff"), "Nouvelle convention"), "newAgreementButton"
        )
        self.new_button.setProperty("accent", "true")
        self.new_button.setToolTip("Nouvelle convention (Ctrl+N)")
        self.new_button.clicked.connect(lambda: self.new_agreement())
        self.status_filter = named(QComboBox(), "statusFilter")
        self.status_filter.setAccessibleName("Filtrer par statut")
        self.status_filter.addItem("Tous les statuts", None)
        for status in S:
            self.status_filter.addItem(status.label.capitalize(), status.value)
        self.status_filter.addItem(TO_REVIEW, TO_REVIEW_FILTER)
        self.status_filter.setItemData(
            self.status_filter.count() - 1,
            "Conventions enregistrées avec des règles antérieures qui ne respectent plus la loi",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.host_filter = named(QComboBox(), "hostFilter")
        self.host_filter.setAccessibleName("Filtrer par structure d'accueil")
        self.host_filter.addItem("Toutes les structures", None)  # the hosts come with the list
        self.host_filter.setMinimumContentsLength(12)
        self.host_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.waiting_filter = named(QCheckBox("À signer"), "waitingFilter")
        self.waiting_filter.setToolTip("Conventions ou avenants qui attendent une signature")
        self.ending_filter = named(QCheckBox("Se terminent ce mois-ci"), "endingFilter")
        self.count_label = named(QLabel(), "agreementCount")
        self.count_label.setProperty("role", "muted")
        self.batch_button = named(QPushButton(icon("files"), "Imprimer la liste…"), "batchButton")
        self.batch_button.setToolTip(
            "Imprimer les conventions affichées : la liste récapitulative sur une page, ou "
            "chaque convention complète (toute la cohorte : choisir la saison et le site dans "
            "le bandeau)"
        )
        self.batch_menu = QMenu(self.batch_button)
        self.summary_action = QAction(
            icon("file-text"), "Liste récapitulative des conventions affichées…", self
        )
        self.summary_action.setObjectName("summaryListAction")
        self.summary_action.triggered.connect(self.print_summary)
        self.full_batch_action = QAction(
            icon("files"), "Conventions complètes, une par stagiaire…", self
        )
        self.full_batch_action.setObjectName("fullBatchAction")
        self.full_batch_action.triggered.connect(self.print_batch)
        self.batch_menu.addAction(self.summary_action)
        self.batch_menu.addAction(self.full_batch_action)
        self.batch_button.setMenu(self.batch_menu)
        for combo in (self.status_filter, self.host_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        for box in (self.waiting_filter, self.ending_filter):
            box.toggled.connect(self._apply_filters)
        self.banner = named(QFrame(), "organisationBanner")
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        settings_button = named(QPushButton("Compléter les paramètres"), "completeSettingsButton")
        settings_button.clicked.connect(self.settings_requested)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.banner_text, 1)
        row.addWidget(settings_button)
        self.banner.hide()  # until the list was read and says what is missing

    def _build_table(self) -> None:
        self.table = named(QTableView(), "agreementsTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(PERIOD_COLUMN, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAccessibleName("Liste des conventions")
        # Widths follow the rows shown (`fit_columns`): short columns whole, the names as
        # whole as the list's width allows, a longer one elided in its middle (tooltip).
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._needed: tuple[Sequence[AgreementRow], ColumnWidths] | None = None
        self.table.viewport().installEventFilter(self)
        self.model.modelReset.connect(self.fit_columns)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.model.modelReset.connect(self._reselect)
        self.empty_label = named(QLabel(), "agreementsEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setProperty("role", "muted")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def _build_panel(self) -> None:
        self.form = AgreementForm(self.context)
        self.form.dirty_changed.connect(self._dirty_changed)
        self.title = named(TitleLabel("Nouvelle convention"), "agreementTitle")
        self.title.setProperty("role", "title")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label = named(QLabel(), "agreementStatus")
        self.status_label.setProperty("role", "badge")
        self.save_button = named(
            QPushButton(icon("device-floppy", "#ffffff"), "Enregistrer"), "saveAgreementButton"
        )
        self.save_button.setProperty("accent", "true")
        self.save_button.setToolTip("Enregistrer le brouillon (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.ready_button = self._action("readyButton", "check", "Prête à signer…", self.mark_ready)
        self.signature_button = self._action(
            "signatureButton", "writing-sign", "Signature…", self.record_signature
        )
        self.amendment_button = self._action(
            "amendmentButton", "file-text", "Avenant…", self.create_amendment
        )
        self.sign_amendment_button = self._action(
            "signAmendmentButton", "writing-sign", "Avenant signé…", self.sign_amendment
        )
        self.break_off_button = self._action("breakOffButton", "ban", "Rompre…", self.break_off)
        self.cancel_button = self._action(
            "cancelAgreementButton", "circle-x", "Annuler la convention…", self.cancel_agreement
        )
        self.print_button = named(QToolButton(), "printButton")
        self.print_button.setIcon(icon("printer"))
        self.print_button.setText("Imprimer…")
        self.print_button.setToolTip("Aperçu avant impression de la convention (Ctrl+P)")
        self.print_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.print_menu = QMenu(self.print_button)
        self.print_button.setMenu(self.print_menu)
        self.print_button.clicked.connect(self.print_main_document)
        self.signatures = SignaturesPanel()
        self.events = EventsTable()
        self.tabs = named(QTabWidget(), "agreementTabs")
        self.tabs.addTab(self.form, "Convention")
        self.tabs.addTab(self.signatures, "Signatures et avenants")
        self.presence = PresenceTab(self.context)
        self.tabs.addTab(self.presence, "Présence")
        self.tabs.addTab(self.events, "Historique")

    def _action(self, name: str, icon_name: str, text: str, slot: object) -> QPushButton:
        button = named(QPushButton(icon(icon_name), text), name)
        button.clicked.connect(slot)
        button.hide()  # shown by `_update_actions` when the status allows it
        return button

    def _layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(self.new_button)
        filters.addSpacing(8)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.host_filter, 1)
        list_side = QWidget()
        column = QVBoxLayout(list_side)
        column.setContentsMargins(8, 8, 4, 8)
        column.addLayout(filters)
        checks = QHBoxLayout()
        checks.addWidget(self.waiting_filter)
        checks.addWidget(self.ending_filter)
        checks.addStretch(1)
        checks.addWidget(self.batch_button)
        column.addLayout(checks)
        column.addWidget(self.table, 1)
        column.addWidget(self.empty_label)
        column.addWidget(self.count_label)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.print_button)
        title_row.addWidget(self.save_button)
        actions = QHBoxLayout()
        actions.addWidget(self.status_label)
        actions.addSpacing(8)
        for button in (
            self.ready_button,
            self.signature_button,
            self.amendment_button,
            self.sign_amendment_button,
            self.break_off_button,
            self.cancel_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        panel = QWidget()
        right = QVBoxLayout(panel)
        right.setContentsMargins(4, 8, 8, 8)
        right.addLayout(title_row)
        right.addLayout(actions)
        right.addWidget(self.tabs, 1)
        splitter = self.splitter = named(QSplitter(), "agreementsSplitter")
        splitter.addWidget(list_side)
        splitter.addWidget(panel)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        panel.setMinimumWidth(PANEL_MINIMUM)
        self._split_done = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

    def _shortcuts(self) -> None:
        shortcuts = (
            ("Ctrl+N", lambda: self.new_agreement()),
            ("Ctrl+S", self.save),
            ("Ctrl+P", self.print_main_document),
        )
        for keys, slot in shortcuts:
            QShortcut(
                QKeySequence(keys),
                self,
                slot,
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )

    # ---- the list

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def fit_columns(self) -> None:
        """Column widths for the rows shown and the list's width (see `fit_widths`); the
        texts are measured again only when the rows changed."""
        header = self.table.horizontalHeader()
        if self._needed is None or self._needed[0] is not self.model.rows:
            needed = content_widths(self.model.rows, self.table.fontMetrics(), header.fontMetrics())
            self._needed = (self.model.rows, needed)
        fitted = fit_widths(self._needed[1], self.table.viewport().width())
        for column, width in enumerate(fitted.widths):
            self.table.setColumnHidden(column, column in fitted.hidden)
            if column not in fitted.hidden and header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def _split(self) -> None:
        """The first time the view has its width: the panel gets a share of it, the list the
        rest (the user may move the splitter afterwards)."""
        width = self.splitter.width()
        if self._split_done or width <= 0:
            return
        self._split_done = True
        panel = max(PANEL_MINIMUM, round(width * PANEL_SHARE))
        self.splitter.setSizes([width - panel - self.splitter.handleWidth(), panel])

    def bring_statuses_up_to_date(self) -> None:
        """*en cours* from the first day, *terminée* after the last: what today's date says."""
        try:
            actions.refresh_statuses(self.context.database, date.today())
        except UserFacingError as error:
            show_error(self, str(error), "Conventions non mises à jour")

    def scope(self) -> LearnerScope:
        """The header's season and site: the list's agreements, the form's learners."""
        return LearnerScope(self.header.season_id(), self.header.site_id())

    def reload(self) -> None:
        """The list again, read now (after an action of this view, or from a test)."""
        self.reader.cancel()
        self._read_again = False
        try:
            data = read_list(
                self.context.database, self.scope(), date.today(), self.model.sort_spec
            )
        except UserFacingError as error:
            self._list_failed(str(error))
            return
        self._list_read(data)

    def reload_in_background(self) -> None:
        """The list again, read off the UI thread; the old rows stay until the new ones come.
        Asked again while the same scope is being read: one more reading after this one."""
        database, scope, today = self.context.database, self.scope(), date.today()
        if self.reader.busy and scope == self._reading:
            self._read_again = True
            return
        self._reading, self._read_again = scope, False
        order = self.model.sort_spec
        self.reader.start(lambda: read_list(database, scope, today, order))
        self.count_label.setText(UPDATING)
        self.empty_label.hide()
        self.batch_button.setEnabled(False)

    def _list_read(self, data: object) -> None:
        assert isinstance(data, ListData)
        self._scope_rows = data.rows
        self._scope_order = data.sorted_by
        self._fill_host_filter([(h.id, h.name) for h in data.hosts])
        self.form.show_hosts(data.hosts)
        self.form.offer_learners_of(data.scope)
        self._show_banner(data.missing_settings)
        self.batch_button.setEnabled(True)
        self._apply_filters()
        if self._read_again:
            self.reload_in_background()

    def _list_failed(self, message: str) -> None:
        self._read_again = False
        self.count_label.setText(f"Liste non mise à jour : {message}")
        self.batch_button.setEnabled(True)
        show_error(self, message, "Conventions illisibles")

    def _apply_filters(self) -> None:
        """The toolbar's filters over the agreements of the scope: no database access."""
        status = self.status_filter.currentData()
        review = status == TO_REVIEW_FILTER
        if review:
            status = None
        host_id = self.host_filter.currentData()
        waiting = self.waiting_filter.isChecked()
        ending = self.ending_filter.isChecked()
        rows = [
            row
            for row in self._scope_rows
            if (status is None or row.status == status)
            and (host_id is None or row.host_id == host_id)
            and (not waiting or row.waiting_signature)
            and (not ending or row.ends_this_month)
            and (not review or row.to_review)
        ]
        self.model.set_rows(rows, sorted_by=self._scope_order)  # a filter keeps the order
        if not self.reader.busy:
            self._show_counts(rows)

    def showEvent(self, event: QShowEvent) -> None:
        """Each time the view shows (not when the window comes back from the task bar)."""
        super().showEvent(event)
        self._split()
        if not event.spontaneous():
            self._refresh()
            self._read_for_this_show = True

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if not event.spontaneous():
            self._read_for_this_show = False

    def refresh_choices(self) -> None:
        """Read again unless the view did it as it showed (a window may ask on each switch)."""
        if not self._read_for_this_show:
            self._refresh()

    def _refresh(self) -> None:
        """Statuses from today's date, then the list and the hosts (read in the background for
        every season); the form's learners when it needs them."""
        self.bring_statuses_up_to_date()
        if self.header.season_id() is None:
            self.reload_in_background()  # every season: tens of thousands of rows
        else:
            self.reload()  # one season: quicker read here than shared with a thread

    def _scope_changed(self) -> None:
        """A hidden view waits: it is read again when it shows."""
        if self.isVisibleTo(self.window()):
            self._refresh()

    def _fill_host_filter(self, hosts: list[tuple[int, str]]) -> None:
        chosen = self.host_filter.currentData()
        blocked = self.host_filter.blockSignals(True)
        self.host_filter.clear()
        self.host_filter.addItem("Toutes les structures", None)
        for host_id, name in hosts:
            self.host_filter.addItem(name, host_id)
        self.host_filter.setCurrentIndex(max(self.host_filter.findData(chosen), 0))
        self.host_filter.blockSignals(blocked)

    def _show_counts(self, rows: list[AgreementRow]) -> None:
        shown = len(rows)
        waiting = sum(1 for r in rows if r.waiting_signature)
        ending = sum(1 for r in rows if r.ends_this_month)
        review = sum(1 for r in rows if r.to_review)
        self.count_label.setText(
            f"{shown} convention{'s' if shown > 1 else ''} · {waiting} à signer · "
            f"{ending} se termine{'nt' if ending > 1 else ''} ce mois-ci"
            + (f" · {review} à revoir" if review else "")
        )
        season = self.header.season_label()
        if shown == 0:
            where = f"la saison {season}" if season else "ces critères"
            self.empty_label.setText(
                f"Aucune convention pour {where}. Les stages ont lieu pendant les deux derniers "
                "mois de la saison ; choisir une autre saison dans le bandeau pour voir les "
                "conventions passées, ou « Nouvelle convention » pour en préparer une."
            )
        self.empty_label.setVisible(shown == 0)

    def _show_banner(self, missing: list[str]) -> None:
        if missing:
            self.banner_text.setText(
                "Paramètres de l'organisme à compléter avant d'imprimer les conventions : "
                + ", ".join(missing)
                + "."
            )
        self.banner.setVisible(bool(missing))

    def _current_row_changed(self) -> None:
        row = self.model.row_at(self.table.currentIndex().row())
        if row is None or (self.info is not None and row.id == self.info.id):
            return
        if not self.confirm_leave():
            self._reselect()
            return
        self.open_agreement(row.id)

    def _reselect(self) -> None:
        row = self.model.row_of(self.info.id) if self.info is not None else None
        selection = self.table.selectionModel()
        blocked = selection.blockSignals(True)
        if row is None:
            selection.clearSelection()
            selection.setCurrentIndex(
                self.model.index(-1, -1), QItemSelectionModel.SelectionFlag.Clear
            )
        else:
            index = self.model.index(row, 0)
            selection.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(index)
        selection.blockSignals(blocked)

    # ---- one agreement

    def open_agreement(self, agreement_id: int) -> None:
        try:
            info = actions.agreement(self.context.database, agreement_id)
        except UserFacingError as error:
            show_error(self, str(error))
            self.reload()
            return
        self._show(info)

    def _show(self, info: AgreementInfo) -> None:
        self.info = info
        self.form.keep_learner(info.candidate_id)
        self.form.set_values(info.values, agreement_id=info.id)
        draft = info.status == S.DRAFT.value
        self.form.set_read_only(not draft, note=frozen_note(info.status))
        self.form.show_to_review(info.to_review, remedy=review_remedy(info.status))
        if draft and info.to_review:
            self.form.reveal_errors()
        number = info.number or "brouillon sans numéro"
        self.title.setText(f"{info.learner_name} — {info.host_name}")
        self.status_label.setText(f"{number} · {info.status_label}")
        self.signatures.show_agreement(info, self._tutor_names(info.host_id))
        self.events.show_agreement(info)
        self.presence.show_agreement(info)
        self._update_actions()
        self._reselect()

    def _tutor_names(self, host_id: int) -> dict[str, str]:
        host = actions.get_host(self.context.database, host_id)
        return {str(t.id): t.name for t in host.tutors}

    def new_agreement(self, *, ask: bool = True) -> None:
        if ask and not self.confirm_leave():
            return
        self.info = None
        self.form.set_values(with_defaults(AgreementInput()), agreement_id=None)
        self.form.set_read_only(False)
        self.form.show_to_review(())
        self.title.setText("Nouvelle convention")
        self.status_label.setText("brouillon")
        self.signatures.show_agreement(None, {})
        self.events.show_agreement(None)
        self.presence.show_agreement(None)
        self.tabs.setCurrentWidget(self.form)
        self._update_actions()
        self._reselect()
        if ask:
            self.form.choice("candidat").setFocus()

    def start_for_learner(self, candidate_id: int) -> None:
        """From a learner's file: their current agreement, or a new draft for them."""
        if not self.confirm_leave():
            return
        existing = actions.latest_agreement(self.context.database, candidate_id)
        if existing is not None:
            self.open_agreement(existing)
            return
        self.new_agreement(ask=False)
        self.form.keep_learner(candidate_id)
        self.form.field("candidat").set_value(str(candidate_id))
        self.form.choice("structure").setFocus()

    def _update_actions(self) -> None:
        status = self.info.status if self.info else S.DRAFT.value
        saved = self.info is not None
        running = status in (S.SIGNED.value, S.ONGOING.value)
        pending = bool(self.info and any(a.signed_on is None for a in self.info.amendments))
        self.save_button.setVisible(status == S.DRAFT.value)
        self.ready_button.setVisible(saved and status == S.DRAFT.value)
        self.signature_button.setVisible(status == S.READY.value)
        self.amendment_button.setVisible(running and not pending)
        self.sign_amendment_button.setVisible(running and pending)
        self.break_off_button.setVisible(running)
        self.cancel_button.setVisible(saved and status in (S.DRAFT.value, S.READY.value))
        self.print_button.setEnabled(saved)
        self._fill_print_menu()

    def _dirty_changed(self, dirty: bool) -> None:
        self.ready_button.setEnabled(not dirty)
        self.print_button.setEnabled(self.info is not None and not dirty)

    def confirm_leave(self) -> bool:
        """Ask what to do with an unsaved draft; True when it is fine to move away."""
        if not self.form.is_dirty():
            return True
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Modifications non enregistrées",
            "La convention en cours contient des modifications non enregistrées.",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("Voulez-vous les enregistrer ?")
        box.button(QMessageBox.StandardButton.Discard).setText("Abandonner les modifications")
        box.button(QMessageBox.StandardButton.Save).setText("Enregistrer")
        box.button(QMessageBox.StandardButton.Cancel).setText("Annuler")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.form.discard_changes()
            return True
        return False

    # ---- writing

    def save(self) -> bool:
        if self.info is not None and self.info.status != S.DRAFT.value:
            return False
        data = self.form.values()
        try:
            if self.info is None:
                info = actions.create_draft(self.context.database, data, actor=self.context.actor)
            else:
                info = actions.update_draft(
                    self.context.database,
                    self.info.id,
                    data,
                    expected_version=self.info.version,
                    actor=self.context.actor,
                )
        except ValidationError as error:
            self.tabs.setCurrentWidget(self.form)
            self.form.show_errors(error.errors)
            return False
        except ConflictError as error:
            self._offer_reload(str(error))
            return False
        except UserFacingError as error:
            show_error(self, str(error), "Enregistrement impossible")
            return False
        self.form.mark_saved()
        self.info = info
        self.reload()
        self._show(info)
        return True

    def _offer_reload(self, message: str) -> None:
        answer = QMessageBox.question(
            self,
            "Convention modifiée ailleurs",
            message + "\n\nRecharger la convention ? Vos modifications non enregistrées "
            "seront perdues.",
        )
        if answer == QMessageBox.StandardButton.Yes and self.info is not None:
            self.form.mark_saved()
            self.open_agreement(self.info.id)

    def mark_ready(self) -> None:
        if self.info is None or (self.form.is_dirty() and not self.save()):
            return
        answer = QMessageBox.question(
            self,
            "Prête à signer",
            "Déclarer la convention prête à signer ?\n\nElle reçoit son numéro et son contenu "
            "est figé : toute modification passera ensuite par son annulation (avant "
            "signature) ou par un avenant (après signature).",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        reason = ""
        while True:
            try:
                info = actions.mark_ready(
                    self.context.database,
                    self.info.id,
                    actor=self.context.actor,
                    late_start_reason=reason,
                )
            except ValidationError as error:
                missing = {k: v for k, v in error.errors.items() if k != LATE_START}
                if missing:
                    self._refused_ready(missing)
                    return
                asked = dialogs.ask_late_start_reason(self, self.info.start)
                if asked is None:
                    return
                reason = asked
                continue
            except UserFacingError as error:
                show_error(self, str(error))
                return
            self._after_action(info.id)
            return

    def _refused_ready(self, errors: dict[str, str]) -> None:
        """What the agreement lacks: each message under its field, all of them in a box."""
        self.tabs.setCurrentWidget(self.form)
        self.form.show_errors(errors)
        lines = "\n".join(f"• {message}" for message in errors.values())
        show_error(
            self,
            f"La convention ne peut pas encore être déclarée prête à signer :\n{lines}",
            "Convention incomplète",
        )

    def record_signature(self) -> None:
        if self.info is None:
            return
        dialog = dialogs.SignatureDialog(self.context, self.info, self)
        if dialog.exec():
            self._after_action(self.info.id)

    def create_amendment(self) -> None:
        if self.info is None:
            return
        if dialogs.AmendmentDialog(self.context, self.info, self).exec():
            self._after_action(self.info.id, tab=self.signatures)

    def sign_amendment(self) -> None:
        if self.info is None:
            return
        pending = next((a.rank for a in self.info.amendments if a.signed_on is None), None)
        if pending is None:
            return
        if dialogs.sign_amendment_dialog(self.context, self.info, pending, self).exec():
            self._after_action(self.info.id, tab=self.signatures)

    def break_off(self) -> None:
        if self.info is not None and dialogs.break_off_dialog(self.context, self.info, self).exec():
            self._after_action(self.info.id)

    def cancel_agreement(self) -> None:
        if self.info is None:
            return
        if self.form.is_dirty():
            self.form.discard_changes()
        if dialogs.cancel_dialog(self.context, self.info, self).exec():
            self._after_action(self.info.id)

    def _after_action(self, agreement_id: int, tab: QWidget | None = None) -> None:
        self.reload()
        self.open_agreement(agreement_id)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)

    # ---- documents

    def _fill_print_menu(self) -> None:
        self.print_menu.clear()
        if self.info is None:
            return
        available = actions.available_documents(self.context.database, self.info.id)
        for choice in available:
            action = QAction(choice.label, self.print_menu)
            action.triggered.connect(lambda _=False, c=choice: self.preview(c))
            self.print_menu.addAction(action)

    def print_main_document(self) -> None:
        if self.info is None or not self.print_button.isEnabled():
            return
        self.preview(DocumentChoice(DocumentKind.CONVENTION, None, "Convention de stage"))

    def preview(self, choice: DocumentChoice) -> None:
        if self.info is None or not self._organisation_ready():
            return
        try:
            printed = actions.print_document(
                self.context.database,
                self.info.id,
                choice,
                actor=self.context.actor,
                today=date.today(),
            )
        except UserFacingError as error:
            show_error(self, str(error), "Impression impossible")
            return
        title = f"{choice.label} — {self.info.learner_name}"
        PdfPreviewDialog(
            printed.pdf, title=title, suggested_filename=printed.filename, parent=self
        ).exec()

    def _organisation_ready(self) -> bool:
        missing = actions.missing_settings(self.context.database)
        if not missing:
            return True
        answer = QMessageBox.question(
            self,
            "Paramètres de l'organisme incomplets",
            "Ces mentions resteront en blanc sur le document : "
            + ", ".join(missing)
            + ".\n\nImprimer quand même ?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def print_summary(self) -> None:
        """The summary list of the agreements listed, in the list's order, previewed."""
        ids = [row.id for i in range(self.model.rowCount()) if (row := self.model.row_at(i))]
        if not ids:
            show_error(self, "Aucune convention dans la liste.", "Impression")
            return
        filters = self._filters_in_words()
        try:
            pdf = agreements_summary_pdf(
                self.context.database,
                ids,
                actor=self.context.actor,
                filters=filters,
                today=date.today(),
            )
        except UserFacingError as error:
            show_error(self, str(error), "Impression impossible")
            return
        season = self.header.season_label()
        PdfPreviewDialog(
            pdf,
            title="Liste des conventions de stage",
            suggested_filename=f"liste-conventions{f'-{season}' if season else ''}.pdf",
            parent=self,
        ).exec()

    def _filters_in_words(self) -> list[str]:
        """The header's scope and the toolbar's filters, as the printed list names them."""
        season = self.header.season_label()
        words = [f"Saison {season}" if season else "Toutes les saisons"]
        words.append(self.header.site_combo.currentText())
        for combo in (self.status_filter, self.host_filter):
            if combo.currentData() is not None:
                words.append(combo.currentText())
        for box in (self.waiting_filter, self.ending_filter):
            if box.isChecked():
                words.append(box.text())
        return words

    def print_batch(self) -> None:
        rows = [
            row
            for i in range(self.model.rowCount())
            if (row := self.model.row_at(i)) and row.status != S.CANCELLED.value
        ]
        if not rows:
            show_error(self, "Aucune convention à imprimer dans la liste.", "Impression")
            return
        if not self._organisation_ready():
            return
        database, actor = self.context.database, self.context.actor
        ids = [row.id for row in rows]
        try:
            filenames = actions.document_filenames(
                database, ids, DocumentKind.CONVENTION, actor=actor
            )
        except UserFacingError as error:
            show_error(self, str(error), "Impression impossible")
            return
        jobs = [
            PrintJob(label=f"{row.number or 'brouillon'} — {row.learner}", filename=filename)
            for row, filename in zip(rows, filenames, strict=True)
        ]
        batch = AgreementBatch(
            database,
            ids,
            DocumentKind.CONVENTION,
            date.today(),
            journal_label="Convention de stage",
            actor=actor,
        )
        season = self.header.season_label() or "toutes saisons"
        site = self.header.site_combo.currentText()
        title = f"Conventions — saison {season}, {site.lower()}"
        BatchPrintDialog(jobs, title=title, batch=batch, parent=self).exec()
