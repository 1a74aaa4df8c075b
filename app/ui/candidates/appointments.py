"""Appointments in the candidates view: the file's Rendez-vous tab, the day strip, dialogs."""

from datetime import date

from babel.dates import format_date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
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

from app.domain.appointment import AppointmentKind, Attendance
from app.services import lists
from app.services.appointments import actions as appointment_actions
from app.services.appointments.booking import AppointmentInfo, AppointmentInput
from app.services.errors import UserFacingError, ValidationError
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import ChoiceBox, FieldWithError, LineField
from app.ui.widgets.naming import named

MAX_TODAY_ROWS = 4
ATTENDANCE_CHOICES = [(a.value, a.label) for a in Attendance]


class AppointmentDialog(QDialog):
    """Create an information collective, or an interview for one candidate."""

    def __init__(
        self,
        context: AppContext,
        kind: AppointmentKind,
        *,
        candidate_id: int | None = None,
        site_code: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("appointmentDialog")
        self.context = context
        self.kind = kind
        self.candidate_id = candidate_id
        self.created: AppointmentInfo | None = None
        collective = kind == AppointmentKind.INFO_SESSION
        self.setWindowTitle(
            "Nouvelle information collective" if collective else "Planifier un entretien"
        )
        sites = [(o.code, o.label) for o in lists.sites(context.database)]
        self._fields: dict[str, FieldWithError] = {}
        specs: list[tuple[str, str, QWidget]] = [
            ("date", "Date", _line(date.today().strftime("%d/%m/%Y"), "JJ/MM/AAAA")),
            ("heure", "Heure", _line("14:00" if collective else "10:00", "HH:MM")),
            ("duree", "Durée (minutes)", _line("90" if collective else "45", "")),
            ("site", "Site", ChoiceBox(sites, allow_empty=False)),
            ("salle", "Salle", _line("", "Salle de réunion")),
            ("intervenant", "Animé par" if collective else "Reçu par", _line(context.username, "")),
        ]
        if collective:
            specs.append(("capacite", "Places", _line("12", "")))
        form = QFormLayout()
        for name, text, field in specs:
            assert isinstance(field, LineField | ChoiceBox)
            holder = FieldWithError(name, field)
            label = QLabel(text)
            label.setBuddy(field)
            field.setAccessibleName(text)
            form.addRow(label, holder)
            self._fields[name] = holder
        if site_code:
            site_field = self._fields["site"].field
            assert isinstance(site_field, ChoiceBox)
            site_field.set_value(site_code)
        self.general_error = named(QLabel(), "appointmentError")
        self.general_error.setProperty("role", "error")
        self.general_error.hide()
        buttons = ok_cancel_buttons(self, "Enregistrer")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)

    def _value(self, name: str) -> str:
        holder = self._fields.get(name)
        return holder.field.value() if holder else ""

    def submit(self) -> None:
        data = AppointmentInput(
            kind=self.kind.value,
            date=self._value("date"),
            time=self._value("heure"),
            duration_minutes=self._value("duree"),
            site=self._value("site"),
            room=self._value("salle"),
            staff=self._value("intervenant"),
            capacity=self._value("capacite"),
            notes="",
        )
        ids = [self.candidate_id] if self.candidate_id is not None else []
        try:
            self.created = appointment_actions.create_appointment(
                self.context.database, data, ids, actor=self.context.actor
            )
        except ValidationError as error:
            for name, holder in self._fields.items():
                holder.set_error(error.errors.get(name, ""))
            others = [m for k, m in error.errors.items() if k not in self._fields]
            self.general_error.setText("\n".join(others))
            self.general_error.setVisible(bool(others))
            return
        except UserFacingError as error:
            self.general_error.setText(str(error))
            self.general_error.setVisible(True)
            return
        self.accept()


def _line(text: str, placeholder: str) -> LineField:
    field = LineField()
    field.setText(text)
    field.setPlaceholderText(placeholder)
    return field


class SessionPickerDialog(QDialog):
    """Pick an upcoming information collective with free places."""

    def __init__(self, offered: list[AppointmentInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Inscrire à une information collective")
        self.list = named(QListWidget(), "sessionPicker")
        for info in offered:
            item = QListWidgetItem(f"{info.starts_at:%d/%m/%Y} — {info.summary}")
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(self.accept)
        buttons = ok_cancel_buttons(self, "Inscrire")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        if not offered:
            layout.addWidget(QLabel("Aucune information collective à venir n'a de place libre."))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def chosen_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item else None


class AttendanceDialog(QDialog):
    """The registered candidates of one appointment, with their attendance."""

    def __init__(
        self, context: AppContext, appointment_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceDialog")
        self.context = context
        self.appointment_id = appointment_id
        self.table = named(QTableWidget(0, 2), "attendanceTable")
        self.table.setHorizontalHeaderLabels(["Candidat", "Présence"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.title = QLabel()
        self.title.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        close.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(close)
        self.resize(520, 380)
        self.refresh()

    def refresh(self) -> None:
        info = appointment_actions.get_appointment(self.context.database, self.appointment_id)
        self.setWindowTitle(f"Présences — {info.kind_label} du {info.starts_at:%d/%m/%Y}")
        self.title.setText(info.summary)
        self.table.setRowCount(len(info.attendees))
        for row, attendee in enumerate(info.attendees):
            self.table.setItem(row, 0, QTableWidgetItem(attendee.name))
            combo = ChoiceBox(ATTENDANCE_CHOICES, allow_empty=False)
            combo.set_value(attendee.attendance)
            combo.setAccessibleName(f"Présence de {attendee.name}")
            combo.currentIndexChanged.connect(
                lambda _i, cid=attendee.candidate_id, c=combo: self._set(cid, c.value())
            )
            self.table.setCellWidget(row, 1, combo)

    def _set(self, candidate_id: int, attendance: str) -> None:
        try:
            appointment_actions.set_attendance(
                self.context.database,
                self.appointment_id,
                candidate_id,
                attendance,
                actor=self.context.actor,
            )
        except UserFacingError as error:
            QMessageBox.warning(self, "Présence non enregistrée", str(error))
            self.refresh()


class AppointmentsTab(QWidget):
    """A candidate's appointments, and the actions a receptionist takes on them."""

    changed = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.candidate_id: int | None = None
        self.site_code = ""
        self._infos: list[AppointmentInfo] = []
        self.table = named(QTableWidget(0, 5), "candidateAppointments")
        self.table.setHorizontalHeaderLabels(["Date", "Type", "Présence", "Lieu", "Avec"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.register_button = QPushButton(
            icon("calendar-plus"), "Inscrire à une information collective…"
        )
        self.register_button.setObjectName("registerSessionButton")
        self.interview_button = QPushButton(icon("calendar-event"), "Planifier un entretien…")
        self.interview_button.setObjectName("planInterviewButton")
        self.attendance = ChoiceBox(ATTENDANCE_CHOICES, allow_empty=False)
        self.attendance.setObjectName("attendanceCombo")
        self.attendance.setAccessibleName("Présence au rendez-vous sélectionné")
        self.register_button.clicked.connect(self.register_to_collective)
        self.interview_button.clicked.connect(self.plan_interview)
        self.attendance.activated.connect(self._attendance_chosen)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        actions = QHBoxLayout()
        actions.addWidget(self.register_button)
        actions.addWidget(self.interview_button)
        actions.addStretch(1)
        presence = QHBoxLayout()
        label = QLabel("Présence au rendez-vous sélectionné :")
        label.setBuddy(self.attendance)
        presence.addWidget(label)
        presence.addWidget(self.attendance)
        presence.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addLayout(presence)
        self.show_candidate(None, "")

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
            mine = next((a for a in info.attendees if a.candidate_id == candidate_id), None)
            place = info.site_name + (f", {info.room}" if info.room else "")
            cells = (
                f"{info.starts_at:%d/%m/%Y %H:%M}",
                info.kind_label,
                mine.attendance_label if mine else "",
                place,
                info.staff,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self._selection_changed()

    def _selection_changed(self) -> None:
        row = self.table.currentRow()
        info = (
            self._infos[row] if 0 <= row < len(self._infos) and self.table.selectedItems() else None
        )
        self.attendance.setEnabled(info is not None)
        if info is not None:
            mine = next((a for a in info.attendees if a.candidate_id == self.candidate_id), None)
            if mine:
                self.attendance.set_value(mine.attendance)

    def _attendance_chosen(self) -> None:
        row = self.table.currentRow()
        if self.candidate_id is None or not 0 <= row < len(self._infos):
            return
        try:
            appointment_actions.set_attendance(
                self.context.database,
                self._infos[row].id,
                self.candidate_id,
                self.attendance.value(),
                actor=self.context.actor,
            )
        except UserFacingError as error:
            QMessageBox.warning(self, "Présence non enregistrée", str(error))
        self.show_candidate(self.candidate_id, self.site_code)
        self.table.selectRow(row)
        self.changed.emit()

    def register_to_collective(self) -> None:
        if self.candidate_id is None:
            return
        offered = appointment_actions.places_open_to(
            self.context.database, self.candidate_id, self.site_code, date.today()
        )
        dialog = SessionPickerDialog(offered, self)
        if not dialog.exec() or dialog.chosen_id() is None:
            return
        try:
            appointment_actions.register(
                self.context.database,
                int(dialog.chosen_id() or 0),
                self.candidate_id,
                actor=self.context.actor,
            )
        except UserFacingError as error:
            QMessageBox.warning(self, "Inscription impossible", str(error))
            return
        self.show_candidate(self.candidate_id, self.site_code)
        self.changed.emit()

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
            self.show_candidate(self.candidate_id, self.site_code)
            self.changed.emit()


class TodayStrip(QFrame):
    """The day's appointments at the top of the view, for the receptionist."""

    changed = Signal()

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
        side = QVBoxLayout()
        side.addWidget(self.title)
        side.addWidget(self.new_session)
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
            self.list.addItem(item)
        visible_rows = min(max(self.list.count(), 1), MAX_TODAY_ROWS)
        self.list.setFixedHeight(visible_rows * self.list.sizeHintForRow(0) + 6)

    def _open_attendance(self, item: QListWidgetItem) -> None:
        appointment_id = item.data(Qt.ItemDataRole.UserRole)
        if appointment_id is None:
            return
        AttendanceDialog(self.context, int(appointment_id), self).exec()
        self.refresh(self.site_id)
        self.changed.emit()

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
