"""Agenda: the week of the header's site, day by day, and the chosen appointment beside it.

Keyboard first: the arrows move from one appointment to the next, Entrée opens it in the
panel (its people, their phone and attendance), Alt+← and Alt+→ change week, Ctrl+T comes
back to today, Ctrl+N makes an information collective, Ctrl+Maj+N an interview.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.appointment import AppointmentKind
from app.services import lists
from app.services.appointments import actions as appointment_actions
from app.services.permissions import can_edit_appointments
from app.ui.agenda.dialogs import AppointmentDialog, CandidatePickerDialog
from app.ui.agenda.panel import AppointmentPanel
from app.ui.agenda.week_model import CARD_HEIGHT, AgendaCardDelegate, AgendaWeekModel
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.naming import named

if TYPE_CHECKING:
    from app.ui.main_window import HeaderStrip

HINT = (
    "Flèches : d'un rendez-vous à l'autre · Entrée ou double-clic : l'ouvrir · "
    "Alt+← / Alt+→ : semaine précédente / suivante · Ctrl+T : aujourd'hui"
)


def desk_day(today: date) -> date:
    """The day whose week the agenda opens on: today, but on a Sunday the coming week (the
    desk is closed; the week ahead is what it prepares)."""
    return today + timedelta(days=1) if today.weekday() == 6 else today


class WeekTable(QTableView):
    """The week; Entrée on an appointment opens it, like a double-click."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class AgendaView(QWidget):
    def __init__(self, context: AppContext, header: "HeaderStrip") -> None:
        super().__init__()
        self.setObjectName("agendaView")
        self.context = context
        self.header = header
        self.day = desk_day(date.today())  # a day of the week shown
        self.model = AgendaWeekModel()
        self._build_toolbar()
        self._build_week()
        self.panel = AppointmentPanel(context)
        self.panel.changed.connect(self._panel_changed)
        self._layout()
        self._shortcuts()
        header.scope_changed.connect(self._scope_changed)
        self.refresh()

    # ---- building

    def _build_toolbar(self) -> None:
        self.previous_button = named(QPushButton("‹"), "previousWeekButton")
        self.previous_button.setToolTip("Semaine précédente (Alt+←)")
        self.previous_button.setAccessibleName("Semaine précédente")
        self.today_button = named(QPushButton("Aujourd'hui"), "todayButton")
        self.today_button.setToolTip("Revenir à la semaine d'aujourd'hui (Ctrl+T)")
        self.next_button = named(QPushButton("›"), "nextWeekButton")
        self.next_button.setToolTip("Semaine suivante (Alt+→)")
        self.next_button.setAccessibleName("Semaine suivante")
        for arrow in (self.previous_button, self.next_button):
            arrow.setFixedWidth(36)
        self.title = named(QLabel(), "agendaTitle")
        self.title.setProperty("role", "title")
        self.site_label = named(QLabel(), "agendaSite")
        self.site_label.setProperty("role", "muted")
        self.new_session_button = named(
            QPushButton(icon("calendar-plus"), "Information collective…"), "agendaNewSession"
        )
        self.new_session_button.setToolTip("Nouvelle information collective (Ctrl+N)")
        self.new_interview_button = named(
            QPushButton(icon("calendar-event"), "Entretien…"), "agendaNewInterview"
        )
        self.new_interview_button.setToolTip("Planifier un entretien (Ctrl+Maj+N)")
        self.previous_button.clicked.connect(self.previous_week)
        self.today_button.clicked.connect(self.this_week)
        self.next_button.clicked.connect(self.next_week)
        self.new_session_button.clicked.connect(self.new_session)
        self.new_interview_button.clicked.connect(self.new_interview)

    def _build_week(self) -> None:
        self.week = named(WeekTable(), "agendaWeek")
        self.week.setModel(self.model)
        self.week.setItemDelegate(AgendaCardDelegate(self.week))
        self.week.setAccessibleName("Semaine")
        self.week.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.week.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.week.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.week.setShowGrid(False)
        self.week.setWordWrap(True)
        self.week.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.week.verticalHeader().hide()
        self.week.verticalHeader().setDefaultSectionSize(CARD_HEIGHT)
        self.week.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.week.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.week.horizontalHeader().setSectionsClickable(False)
        self.week.horizontalHeader().setHighlightSections(False)
        # The card draws its own selection (app/ui/agenda/week_model.py): no filled cell.
        palette = self.week.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(
                group, QPalette.ColorRole.Highlight, QColor(Qt.GlobalColor.transparent)
            )
        self.week.setPalette(palette)
        self.week.activated.connect(self._open)
        self.week.selectionModel().currentChanged.connect(self._current_changed)
        self.empty = named(QLabel("Aucun rendez-vous cette semaine."), "agendaEmpty")
        self.empty.setProperty("role", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def _layout(self) -> None:
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.previous_button)
        toolbar.addWidget(self.today_button)
        toolbar.addWidget(self.next_button)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.title)
        toolbar.addSpacing(8)
        toolbar.addWidget(self.site_label)
        toolbar.addStretch(1)
        toolbar.addWidget(self.new_session_button)
        toolbar.addWidget(self.new_interview_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.week, 1)
        column.addWidget(self.empty)
        hint = QLabel(HINT)
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        column.addWidget(hint)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([880, 300])
        splitter.setChildrenCollapsible(False)
        self.panel.setMinimumWidth(290)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            ("Alt+Left", self.previous_week),
            ("Alt+Right", self.next_week),
            ("Ctrl+T", self.this_week),
            ("Ctrl+N", self.new_session),
            ("Ctrl+Shift+N", self.new_interview),
        ):
            QShortcut(QKeySequence(keys), self, slot, context=context)

    # ---- reading the week

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # another view may have booked or moved something meanwhile

    def _scope_changed(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        """Read the week of `self.day` again, keeping (or choosing) the selected appointment."""
        if select_id is None:
            select_id = self.panel.info.id if self.panel.info is not None else None
        site_id = self.header.site_id()
        week = appointment_actions.agenda_week(self.context.database, self.day, site_id)
        self.model.set_week(week, today=date.today(), with_site=site_id is None)
        self.title.setText(week.title)
        self.site_label.setText(self.header.site_combo.currentText())
        self.empty.setVisible(not week.entries)
        self._apply_role()
        index = self.model.index_of(select_id) if select_id is not None else QModelIndex()
        if not index.isValid():
            index = self._first_index()
        if index.isValid():
            self.week.setCurrentIndex(index)  # the model was reset: the panel follows
            self.week.scrollTo(index)
        else:
            self.panel.show_appointment(None)

    def _first_index(self) -> QModelIndex:
        """Today's first appointment if the week shows today, else the week's first one."""
        today = self.model.column_of(date.today())
        if today >= 0 and self.model.entry(self.model.index(0, today)) is not None:
            return self.model.index(0, today)
        for column in range(self.model.columnCount()):
            if self.model.entry(self.model.index(0, column)) is not None:
                return self.model.index(0, column)
        return QModelIndex()

    def _apply_role(self) -> None:
        editor = can_edit_appointments(self.context.role)
        self.new_session_button.setVisible(editor)
        self.new_interview_button.setVisible(editor)
        self.panel.update_buttons()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry_id = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.panel.show_appointment(int(entry_id) if entry_id is not None else None)

    def _open(self, index: QModelIndex) -> None:
        """Double-click or Entrée: the appointment in the panel, its people list focused."""
        entry_id = index.data(Qt.ItemDataRole.UserRole)
        if entry_id is None:
            return
        if self.panel.info is None or self.panel.info.id != int(entry_id):
            self.panel.show_appointment(int(entry_id))
        self.panel.people.setFocus()
        if self.panel.people.rowCount():
            self.panel.people.selectRow(0)

    def _panel_changed(self) -> None:
        """Something was saved: the week follows (a move may change the week shown)."""
        info = self.panel.info
        if info is not None and not self._in_week(info.starts_at.date()):
            self.day = info.starts_at.date()
        self.refresh(info.id if info is not None else None)

    def _in_week(self, day: date) -> bool:
        week = self.model.week
        return week is not None and week.monday <= day < week.monday + timedelta(days=7)

    # ---- navigation

    def go_to(self, day: date, appointment_id: int | None = None) -> None:
        self.day = day
        self.refresh(appointment_id)

    def previous_week(self) -> None:
        self.go_to(self.day - timedelta(days=7))

    def next_week(self) -> None:
        self.go_to(self.day + timedelta(days=7))

    def this_week(self) -> None:
        self.go_to(desk_day(date.today()))

    # ---- creating

    def _site_code(self) -> str:
        site_id = self.header.site_id()
        sites = lists.sites(self.context.database)
        return next((o.code for o in sites if o.id == site_id), "")

    def _chosen_day(self) -> date:
        """The day of the column the cursor is in, else today if shown, else the Monday."""
        week = self.model.week
        index = self.week.currentIndex()
        if week is not None and index.isValid() and index.column() < len(week.days):
            return week.days[index.column()]
        if self._in_week(date.today()):
            return date.today()
        return week.monday if week is not None else self.day

    def new_session(self) -> None:
        if not can_edit_appointments(self.context.role):
            return
        self._create(AppointmentKind.INFO_SESSION, None)

    def new_interview(self) -> None:
        if not can_edit_appointments(self.context.role):
            return
        picker = CandidatePickerDialog(
            self.context, "Entretien : choisir le candidat", "Continuer", self
        )
        if picker.exec() and picker.chosen_id() is not None:
            self._create(AppointmentKind.INTERVIEW, picker.chosen_id())

    def _create(self, kind: AppointmentKind, candidate_id: int | None) -> None:
        dialog = AppointmentDialog(
            self.context,
            kind,
            candidate_id=candidate_id,
            site_code=self._site_code(),
            day=self._chosen_day(),
            parent=self,
        )
        if dialog.exec() and dialog.created is not None:
            self.go_to(dialog.created.starts_at.date(), dialog.created.id)
