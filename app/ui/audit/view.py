"""Journal et RGPD (coordination): who did what and when, filtered by person, author, action
and dates, with the field-level changes of the selected entry; and the retention tab."""

from datetime import date
from html import escape

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.account import ROLE_COORDINATION
from app.domain.audit import AUDIT_ACTION_LABELS
from app.services.journal import actions as journal
from app.services.journal.audit_log import AuditQuery, AuditRow
from app.ui.audit.table_model import AuditTableModel
from app.ui.context import AppContext
from app.ui.operations import LatestOnly
from app.ui.rgpd.retention import RetentionPage
from app.ui.theme import icon
from app.ui.widgets.naming import named

SEARCH_DELAY_MS = 200
NO_DATE = QDate(2000, 1, 1)
RESERVED = "Le journal des actions et la conservation des données sont réservés à la coordination."


def _date_edit(name: str, accessible: str) -> QDateEdit:
    edit = named(QDateEdit(), name)
    edit.setAccessibleName(accessible)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("—")  # shown at the minimum date: no bound
    edit.setDate(NO_DATE)
    return edit


def _chosen(edit: QDateEdit) -> date | None:
    value = edit.date()
    return None if value == NO_DATE else date(value.year(), value.month(), value.day())


class JournalPage(QWidget):
    """The audit log with its filters; the selected entry's changes below."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("journalPage")
        self.context = context
        self.model = AuditTableModel(context.database, context.actor)
        self.authors_reader = LatestOnly(self)  # everyone in the journal: a scan of it
        self._build_filters()
        self._build_table()
        self._build_detail()
        self._layout()
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_filters)
        self.person.textEdited.connect(lambda _text: self._timer.start())
        for combo in (self.author, self.action):
            combo.currentIndexChanged.connect(self.apply_filters)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self.apply_filters)
        self.model.loaded.connect(self._listed)
        self.model.load_failed.connect(self.count_label.setText)
        self.authors_reader.loaded.connect(self._show_authors)
        self.authors_reader.failed.connect(self.count_label.setText)

    def _build_filters(self) -> None:
        self.person = named(QLineEdit(), "auditPersonFilter")
        self.person.setAccessibleName("Personne")
        self.person.setPlaceholderText("Nom, e-mail, téléphone de la personne")
        self.person.setClearButtonEnabled(True)
        self.person.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.author = named(QComboBox(), "auditAuthorFilter")
        self.author.setAccessibleName("Auteur")
        self.author.setMinimumContentsLength(14)
        self.action = named(QComboBox(), "auditActionFilter")
        self.action.setAccessibleName("Action")
        self.action.addItem("Toutes", None)
        for code, label in AUDIT_ACTION_LABELS.items():
            self.action.addItem(label.capitalize(), code.value)
        self.since = _date_edit("auditSince", "Du")
        self.until = _date_edit("auditUntil", "Au")
        self.clear_button = named(QPushButton(icon("x"), "Effacer les filtres"), "auditClear")
        self.clear_button.clicked.connect(self.clear_filters)

    def _build_table(self) -> None:
        self.table = named(QTableView(), "auditTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Journal des actions")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((120, 150, 105, 170, 170)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        self.count_label = named(QLabel(), "auditCount")
        self.count_label.setProperty("role", "muted")

    def _build_detail(self) -> None:
        self.detail_title = named(QLabel("Choisissez une ligne pour voir le détail."), "auditTitle")
        self.detail_title.setWordWrap(True)
        self.changes = named(QTableWidget(0, 3), "auditChanges")
        self.changes.setAccessibleName("Champs modifiés")
        self.changes.setHorizontalHeaderLabels(["Champ", "Avant", "Après"])
        self.changes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes.verticalHeader().hide()
        self.changes.setAlternatingRowColors(True)
        header = self.changes.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.detail_note = named(QLabel(), "auditNote")
        self.detail_note.setProperty("role", "muted")
        self.detail_note.setWordWrap(True)

    def _layout(self) -> None:
        filters = QHBoxLayout()
        for text, widget, stretch in (
            ("&Personne :", self.person, 2),
            ("A&uteur :", self.author, 1),
            ("A&ction :", self.action, 0),
            ("D&u :", self.since, 0),
            ("A&u :", self.until, 0),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget, stretch)
        filters.addWidget(self.clear_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.count_label)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        bottom_layout.addWidget(self.detail_title)
        bottom_layout.addWidget(self.changes, 1)
        bottom_layout.addWidget(self.detail_note)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

    # ---- filtering

    def query(self) -> AuditQuery:
        return AuditQuery(
            person_text=self.person.text().strip(),
            author=self.author.currentData(),
            action=self.action.currentData(),
            since=_chosen(self.since),
            until=_chosen(self.until),
        )

    def reload(self) -> None:
        """Authors again (new people may have acted), then the entries; both are read in the
        background."""
        actor = self.context.actor
        self.model.actor = actor
        database = self.context.database
        self.authors_reader.start(lambda: journal.author_choices(database, actor=actor))
        self.apply_filters()

    def _show_authors(self, choices: list[tuple[str, str]]) -> None:
        """(author as recorded, name shown) pairs: the list shows names, filters on authors."""
        chosen = self.author.currentData()
        blocked = self.author.blockSignals(True)
        self.author.clear()
        self.author.addItem("Tous", None)
        for recorded, shown in choices:
            self.author.addItem(shown, recorded)
        self.author.setCurrentIndex(max(self.author.findData(chosen), 0))
        self.author.blockSignals(blocked)
        if self.author.currentData() != chosen:  # that author is no longer in the journal
            self.apply_filters()

    def apply_filters(self) -> None:
        self._timer.stop()
        self.model.set_query(self.query())

    def _listed(self) -> None:
        count = self.model.rowCount()
        self.count_label.setText(f"{count} action{'s' if count > 1 else ''}")
        self._show_detail()

    def clear_filters(self) -> None:
        for widget in (self.person, self.author, self.action, self.since, self.until):
            widget.blockSignals(True)
        self.person.clear()
        self.author.setCurrentIndex(0)
        self.action.setCurrentIndex(0)
        self.since.setDate(NO_DATE)
        self.until.setDate(NO_DATE)
        for widget in (self.person, self.author, self.action, self.since, self.until):
            widget.blockSignals(False)
        self.apply_filters()

    def show_person(self, text: str) -> None:
        """Only the entries about the person matching `text` (a name, an e-mail…)."""
        self.person.setText(text)
        self.apply_filters()

    # ---- detail

    def selected(self) -> AuditRow | None:
        return self.model.row_at(self.table.currentIndex().row())

    def _show_detail(self) -> None:
        row = self.selected()
        self.changes.setRowCount(0)
        if row is None:
            self.detail_title.setText("Choisissez une ligne pour voir le détail.")
            self.detail_note.clear()
            return
        who = f" — {row.person}" if row.person else ""
        self.detail_title.setText(
            f"<b>{row.at:%d/%m/%Y à %H:%M}</b>, {escape(row.author)} : "
            f"{escape(row.summary)}{escape(who)}"
        )
        for change in row.changes:
            line = self.changes.rowCount()
            self.changes.insertRow(line)
            for column, text in enumerate((change.label, change.before, change.after)):
                self.changes.setItem(line, column, QTableWidgetItem(text or "—"))
        if row.redacted:
            self.detail_note.setText(
                "Les valeurs de cette action ont été retirées : le dossier a été anonymisé ou "
                "effacé."
            )
        elif not row.changes:
            self.detail_note.setText("Aucune valeur de champ n'est conservée pour cette action.")
        else:
            self.detail_note.clear()


class AuditView(QWidget):
    """The view registered as "audit": the journal and the retention of data, in two tabs."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("auditView")
        self.context = context
        self.journal = JournalPage(context)
        self.retention = RetentionPage(context)
        self.tabs = named(QTabWidget(), "auditTabs")
        self.tabs.addTab(self.journal, icon("history"), "Journal des actions")
        self.tabs.addTab(self.retention, icon("user-off"), "Conservation des données")
        self.tabs.currentChanged.connect(lambda _index: self.refresh())
        self.reserved = named(QLabel(RESERVED), "auditReserved")
        self.reserved.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reserved.setProperty("role", "muted")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(self.reserved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addWidget(self.stack)

    def refresh(self) -> None:
        """Entries pile up while people work: read again each time the view is shown."""
        allowed = self.context.role == ROLE_COORDINATION
        self.stack.setCurrentWidget(self.tabs if allowed else self.reserved)
        if not allowed:
            return
        if self.tabs.currentWidget() is self.journal:
            self.journal.reload()
        else:
            self.retention.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()
