"""Appointments in the candidates view: the file's Rendez-vous tab and the day strip. The
dialogs are the agenda's (app/ui/agenda/dialogs.py), so both places act alike."""

from datetime import date

from babel.dates import format_date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.appointment import AppointmentKind
from app.services import lists
from app.services.appointments import actions as appointment_actions
from app.services.appointments.booking import AppointmentInfo
from app.services.errors import UserFacingError
from app.services.permissions import can_edit_appointments
from app.ui.agenda.dialogs import (
    ATTENDANCE_CHOICES,
    AppointmentDialog,
    AttendanceDialog,
    SessionPickerDialog,
)
from app.ui.agenda.flows import AppointmentFlows
from app.ui.context import AppContext
from app.ui.theme import MUTED, icon
from app.ui.widgets.fields import ChoiceBox
from app.ui.widgets.naming import named

MAX_TODAY_ROWS = 4
CANCELLED_TEXT = QColor(MUTED)


def _struck(font: QFont) -> QFont:
    struck = QFont(font)
    struck.setStrikeOut(True)
    return struck


class AppointmentsTab(QWidget):
    """A candidate's appointments, and the actions a receptionist takes on them."""

    changed = Signal()
    agenda_requested = Signal(object, object)  # a day, an appointment id (or None)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.flows = AppointmentFlows(context, self)
        self.candidate_id: int | None = None
        self.site_code = ""
        self._infos: list[AppointmentInfo] = []
        self.table = named(QTableWidget(0, 5), "candidateAppointments")
        self.table.setHorizontalHeaderLabels(["Date", "Type", "Présence", "Lieu", "Avec"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self._build_buttons()
        self.attendance = ChoiceBox(ATTENDANCE_CHOICES, allow_empty=False)
        self.attendance.setObjectName("attendanceCombo")
        self.attendance.setAccessibleName("Présence au rendez-vous sélectionné")
        self.attendance.activated.connect(self._attendance_chosen)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemActivated.connect(lambda _item: self.open_in_agenda())
        self._layout()
        self.show_candidate(None, "")

    def _build_buttons(self) -> None:
        self.register_button = named(
            QPushButton(icon("calendar-plus"), "Inscrire à une information collective…"),
            "registerSessionButton",
        )
        self.interview_button = named(
            QPushButton(icon("calendar-event"), "Planifier un entretien…"), "planInterviewButton"
        )
        self.move_button = named(
            QPushButton(icon("calendar-time"), "Déplacer…"), "moveAppointmentButton"
        )
        self.cancel_button = named(QPushButton(icon("ban"), "Annuler…"), "cancelAppointmentButton")
        self.cancel_button.setToolTip("Annuler le rendez-vous (motif demandé)")
        self.unregister_button = named(
            QPushButton(icon("user-off"), "Désinscrire"), "unregisterAppointmentButton"
        )
        self.convocation_button = named(
            QPushButton(icon("file-text"), "Convocation…"), "appointmentConvocationButton"
        )
        self.agenda_button = named(
            QPushButton(icon("calendar-event"), "Ouvrir dans l'agenda"), "openAgendaButton"
        )
        self.agenda_button.setToolTip("La semaine du rendez-vous choisi (ou de cette semaine)")
        self.register_button.clicked.connect(self.register_to_collective)
        self.interview_button.clicked.connect(self.plan_interview)
        self.move_button.clicked.connect(self._move)
        self.cancel_button.clicked.connect(self._cancel)
        self.unregister_button.clicked.connect(self._unregister)
        self.convocation_button.clicked.connect(self._convocation)
        self.agenda_button.clicked.connect(self.open_in_agenda)

    def _layout(self) -> None:
        actions = QHBoxLayout()
        actions.addWidget(self.register_button)
        actions.addWidget(self.interview_button)
        actions.addStretch(1)
        chosen = QHBoxLayout()
        for button in (
            self.move_button,
            self.cancel_button,
            self.unregister_button,
            self.convocation_button,
        ):
            chosen.addWidget(button)
        chosen.addStretch(1)
        presence = QHBoxLayout()
        label = QLabel("Présence au rendez-vous sélectionné :")
        label.setBuddy(self.attendance)
        presence.addWidget(label)
        presence.addWidget(self.attendance)
        presence.addStretch(1)
        presence.addWidget(self.agenda_button)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addLayout(chosen)
        layout.addLayout(presence)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._apply_role()  # the person at the desk may have changed while it was hidden

    def _apply_role(self) -> None:
        editor = can_edit_appointments(self.context.role)
        for button in (
            self.move_button,
            self.cancel_button,
            self.unregister_button,
            self.convocation_button,
        ):
            button.setVisible(editor)

    def show_candidate(self, candidate_id: int | None, site_code: str) -> None:
        self.candidate_id = candidate_id
        self.site_code = site_code
        self.register_button.setEnabled(candidate_id is not None)
        self.interview_button.setEnabled(candidate_id is not None)
        self._infos = []
        if candidate_id is not None:
            self._infos = appointment_actions.for_candidate(self.context.database, candidate_id)
        self.table.setRowCount(len(self._infos))
        for row, info in enumerate(self._infos):
            self._fill_row(row, info)
        self.table.resizeColumnsToContents()
        self._apply_role()
        self._selection_changed()

    def _fill_row(self, row: int, info: AppointmentInfo) -> None:
        mine = next((a for a in info.attendees if a.candidate_id == self.candidate_id), None)
        place = info.site_name + (f", {info.room}" if info.room else "")
        presence = mine.attendance_label if mine else ""
        if info.cancelled:
            presence = "Annulé"
        cells = (
            f"{info.starts_at:%d/%m/%Y %H:%M}",
            info.kind_label,
            presence,
            place,
            info.staff,
        )
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if info.cancelled:
                item.setForeground(QBrush(CANCELLED_TEXT))
                item.setFont(_struck(item.font()) if column != 2 else item.font())
                item.setToolTip(f"Annulé — motif : {info.cancellation_reason}")
            self.table.setItem(row, column, item)

    def chosen(self) -> AppointmentInfo | None:
        row = self.table.currentRow()
        if 0 <= row < len(self._infos) and self.table.selectedItems():
            return self._infos[row]
        return None

    def _selection_changed(self) -> None:
        info = self.chosen()
        live = info is not None and not info.cancelled
        self.attendance.setEnabled(live)
        for button in (self.move_button, self.cancel_button, self.unregister_button):
            button.setEnabled(live)
        self.convocation_button.setEnabled(live)
        if info is not None:
            mine = next((a for a in info.attendees if a.candidate_id == self.candidate_id), None)
            if mine:
                self.attendance.set_value(mine.attendance)

    def _attendance_chosen(self) -> None:
        info = self.chosen()
        if self.candidate_id is None or info is None:
            return
        row = self.table.currentRow()
        try:
            appointment_actions.set_attendance(
                self.context.database,
                info.id,
                self.candidate_id,
                self.attendance.value(),
                actor=self.context.actor,
            )
        except UserFacingError as error:
            QMessageBox.warning(self, "Présence non enregistrée", str(error))
        self._reread(row)

    def _reread(self, row: int | None = None) -> None:
        self.show_candidate(self.candidate_id, self.site_code)
        if row is not None and 0 <= row < self.table.rowCount():
            self.table.selectRow(row)
        self.changed.emit()

    # ---- the selected appointment

    def _move(self) -> None:
        info = self.chosen()
        if info is not None and self.flows.move(info):
            self._reread(self.table.currentRow())

    def _cancel(self) -> None:
        info = self.chosen()
        if info is not None and self.flows.cancel(info):
            self._reread(self.table.currentRow())

    def _unregister(self) -> None:
        info = self.chosen()
        if info is None or self.candidate_id is None:
            return
        if self.flows.unregister(info, self.candidate_id):
            self._reread()

    def _convocation(self) -> None:
        info = self.chosen()
        if info is not None and self.candidate_id is not None:
            self.flows.convocation(info, [self.candidate_id])

    def open_in_agenda(self) -> None:
        info = self.chosen()
        if info is None:
            self.agenda_requested.emit(date.today(), None)
        else:
            self.agenda_requested.emit(info.starts_at.date(), info.id)

    # ---- new appointments

    def register_to_collective(self) -> None:
        if self.candidate_id is None:
            return
        offered = appointment_actions.places_open_to(
            self.context.database, self.candidate_id, self.site_code, date.today()
        )
        dialog = SessionPickerDialog(offered, self)
        if not dialog.exec() or dialog.chosen_id() is None:
            return
        if self.flows.register_candidate(int(dialog.chosen_id() or 0), self.candidate_id):
            self._reread()

    def plan_interview(self) -> None:
        if self.candidate_id is None:
            return
        dialog = AppointmentDialog(
            self.context,
            AppointmentKind.INTERVIEW,
            candidate_id=self.candidate_id,
            site_code=self.site_code,
            parent=self,
        )
        if dialog.exec():
            self._reread()


class TodayStrip(QFrame):
    """The day's appointments at the top of the view, for the receptionist."""

    changed = Signal()
    agenda_requested = Signal(object, object)  # a day, an appointment id (or None)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("todayStrip")
        self.context = context
        self.site_id: int | None = None
        self.day: date | None = None  # the day shown, once read
        self._infos: list[AppointmentInfo] = []
        self.title = QLabel()
        self.title.setProperty("role", "title")
        self.list = named(QListWidget(), "todayAppointments")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setToolTip("Double-cliquer (ou Entrée) pour noter les présences")
        self.list.setAccessibleName("Rendez-vous du jour")
        self.list.itemActivated.connect(self._open_attendance)
        self.new_session = named(
            QPushButton(icon("calendar-plus"), "Nouvelle information collective…"),
            "newSessionButton",
        )
        self.new_session.clicked.connect(self.create_collective)
        self.agenda_button = named(
            QPushButton(icon("calendar-event"), "Agenda de la semaine"), "todayAgendaButton"
        )
        self.agenda_button.setToolTip("Toute la semaine, jour par jour (Ctrl+Maj+A)")
        self.agenda_button.clicked.connect(self._open_agenda)
        side = QVBoxLayout()
        side.addWidget(self.title)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_session)
        buttons.addWidget(self.agenda_button)
        side.addLayout(buttons)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(side)
        layout.addWidget(self.list, 1)

    def follow(self, site_id: int | None) -> None:
        """Read again only for another site or another day (not at each search keystroke)."""
        if site_id != self.site_id or self.day != date.today():
            self.refresh(site_id)

    def refresh(self, site_id: int | None = None) -> None:
        self.site_id = site_id
        today = date.today()
        self.day = today
        self._infos = appointment_actions.appointments_on(self.context.database, today, site_id)
        self.title.setText(f"Aujourd'hui, {_french_day(today)}")
        self.list.clear()
        if not self._infos:
            item = QListWidgetItem("Aucun rendez-vous aujourd'hui.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        for info in self._infos:
            item = QListWidgetItem(icon("calendar-time"), info.summary)
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            if info.cancelled:
                item.setForeground(QBrush(CANCELLED_TEXT))
                item.setFont(_struck(item.font()))
                item.setToolTip(f"Annulé — motif : {info.cancellation_reason}")
            self.list.addItem(item)
        visible_rows = min(max(self.list.count(), 1), MAX_TODAY_ROWS)
        self.list.setFixedHeight(visible_rows * self.list.sizeHintForRow(0) + 6)

    def _open_attendance(self, item: QListWidgetItem) -> None:
        appointment_id = item.data(Qt.ItemDataRole.UserRole)
        if appointment_id is None:
            return
        info = next((i for i in self._infos if i.id == int(appointment_id)), None)
        if info is not None and info.cancelled:
            self.agenda_requested.emit(info.starts_at.date(), info.id)  # nothing to note
            return
        AttendanceDialog(self.context, int(appointment_id), self).exec()
        self.refresh(self.site_id)
        self.changed.emit()

    def _open_agenda(self) -> None:
        item = self.list.currentItem()
        appointment_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.agenda_requested.emit(date.today(), appointment_id)

    def create_collective(self) -> None:
        site_code = ""
        if self.site_id is not None:
            site_code = next(
                (o.code for o in lists.sites(self.context.database) if o.id == self.site_id), ""
            )
        dialog = AppointmentDialog(
            self.context, AppointmentKind.INFO_SESSION, site_code=site_code, parent=self
        )
        if dialog.exec():
            self.refresh(self.site_id)
            self.changed.emit()


def _french_day(day: date) -> str:
    return format_date(day, "EEEE d MMMM", locale="fr_FR")
