"""The appointment dialogs: create or move, cancel, attendance, pick a candidate or a session.

The agenda and the candidate's Rendez-vous tab open the same dialogs; each one calls one use
case when confirmed and shows the French refusal next to its field (or under the form).
"""

from datetime import date

from babel.dates import format_date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.appointment import AppointmentKind, Attendance
from app.services import lists
from app.services.appointments import actions as appointment_actions
from app.services.appointments.booking import AppointmentInfo, AppointmentInput, AttendeeInfo
from app.services.appointments.clashes import room_label
from app.services.candidates import actions as candidate_actions
from app.services.candidates.records import CandidateQuery
from app.services.errors import UserFacingError, ValidationError
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import ChoiceBox, FieldWithError, LineField, MultiLineField
from app.ui.widgets.naming import named

ATTENDANCE_CHOICES = [(a.value, a.label) for a in Attendance]
PICKER_ROWS = 30


def when_text(info: AppointmentInfo) -> str:
    """ "Mardi 8 décembre 2026, 14:00 – 15:30"."""
    day = format_date(info.starts_at.date(), "EEEE d MMMM y", locale="fr_FR")
    return f"{day[:1].upper()}{day[1:]}, {info.starts_at:%H:%M} – {info.ends_at:%H:%M}"


def described(info: AppointmentInfo) -> str:
    """What a dialog is about, on two lines: kind and date, then place, staff and people."""
    place = ", ".join(p for p in (info.site_name, room_label(info.room) if info.room else "") if p)
    staff = f", avec {info.staff}" if info.staff else ""
    if info.kind == AppointmentKind.INTERVIEW:
        people = info.attendees[0].name if info.attendees else "candidat à désigner"
    else:
        word = "inscrits" if info.registered > 1 else "inscrit"
        people = f"{info.registered} {word} pour {info.capacity} places"
    return f"{info.kind_label}\n{when_text(info)}\n{place}{staff} — {people}"


def _intro(info: AppointmentInfo) -> QLabel:
    label = named(QLabel(described(info)), "appointmentDescribed")
    label.setWordWrap(True)
    label.setStyleSheet("font-weight: 600;")
    return label


def _line(text: str, placeholder: str) -> LineField:
    field = LineField()
    field.setText(text)
    field.setPlaceholderText(placeholder)
    return field


def _error_label() -> QLabel:
    label = named(QLabel(), "appointmentError")
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


def people_table(people: list[AttendeeInfo], name: str = "peopleToTell") -> QTableWidget:
    """The registered people with their phone, for the desk to call them."""
    table = named(QTableWidget(len(people), 2), name)
    table.setHorizontalHeaderLabels(["Personne", "Téléphone"])
    table.setAccessibleName("Personnes inscrites à prévenir")
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    for row, person in enumerate(people):
        table.setItem(row, 0, QTableWidgetItem(person.name))
        table.setItem(row, 1, QTableWidgetItem(person.phone or "pas de téléphone"))
    rows = table.verticalHeader().defaultSectionSize() * min(max(len(people), 1), 6)
    header = table.horizontalHeader().sizeHint().height()
    table.setFixedHeight(rows + header + 2 * table.frameWidth() + 2)
    return table


def _to_tell(people: list[AttendeeInfo], verb: str) -> QLabel:
    count = len(people)
    text = (
        f"Personne n'est inscrit : personne à prévenir que le rendez-vous est {verb}."
        if not count
        else f"{count} personne{'s' if count > 1 else ''} à prévenir que le rendez-vous est "
        f"{verb} :"
    )
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class AppointmentDialog(QDialog):
    """Create an information collective, or an interview for one candidate; with
    `appointment`, move that one (date, time, place, staff), its people listed to be told."""

    def __init__(
        self,
        context: AppContext,
        kind: AppointmentKind,
        *,
        candidate_id: int | None = None,
        site_code: str = "",
        day: date | None = None,
        appointment: AppointmentInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("appointmentDialog")
        self.context = context
        self.kind = kind
        self.candidate_id = candidate_id
        self.appointment = appointment
        self.created: AppointmentInfo | None = None  # the appointment saved (made or moved)
        self.notes = ""  # kept as stored when moving (the form does not show them)
        collective = kind == AppointmentKind.INFO_SESSION
        if appointment is not None:
            self.setWindowTitle(f"Déplacer : {appointment.title}")
        else:
            self.setWindowTitle(
                "Nouvelle information collective" if collective else "Planifier un entretien"
            )
        start = (day or date.today()).strftime("%d/%m/%Y")
        sites = [(o.code, o.label) for o in lists.sites(context.database)]
        self._fields: dict[str, FieldWithError] = {}
        specs: list[tuple[str, str, QWidget]] = [
            ("date", "Date", _line(start, "JJ/MM/AAAA")),
            ("heure", "Heure", _line("14:00" if collective else "10:00", "HH:MM")),
            ("duree", "Durée (minutes)", _line("90" if collective else "45", "")),
            ("site", "Site", ChoiceBox(sites, allow_empty=False)),
            ("salle", "Salle", _line("", "Salle de réunion")),
            ("intervenant", "Animé par" if collective else "Reçu par", _line("", "")),
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
        self._set("intervenant", context.display_name)
        if site_code:
            self._set("site", site_code)
        self.general_error = _error_label()
        buttons = ok_cancel_buttons(self, "Enregistrer" if appointment is None else "Déplacer")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        if appointment is not None:
            layout.addWidget(_intro(appointment))
        layout.addLayout(form)
        if appointment is not None:
            self._fill_from(appointment)
            layout.addWidget(_to_tell(appointment.attendees, "déplacé"))
            if appointment.attendees:
                layout.addWidget(people_table(appointment.attendees))
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def _set(self, name: str, value: str) -> None:
        holder = self._fields.get(name)
        if holder is not None:
            field = holder.field
            assert isinstance(field, LineField | ChoiceBox)
            field.set_value(value)

    def _fill_from(self, appointment: AppointmentInfo) -> None:
        stored = appointment_actions.edit_form(self.context.database, appointment.id)
        self.notes = stored.notes
        for name, value in (
            ("date", stored.date),
            ("heure", stored.time),
            ("duree", stored.duration_minutes),
            ("site", stored.site),
            ("salle", stored.room),
            ("intervenant", stored.staff),
            ("capacite", stored.capacity),
        ):
            self._set(name, value)

    def _value(self, name: str) -> str:
        holder = self._fields.get(name)
        return holder.field.value() if holder else ""

    def _data(self) -> AppointmentInput:
        return AppointmentInput(
            kind=self.kind.value,
            date=self._value("date"),
            time=self._value("heure"),
            duration_minutes=self._value("duree"),
            site=self._value("site"),
            room=self._value("salle"),
            staff=self._value("intervenant"),
            capacity=self._value("capacite"),
            notes=self.notes,
        )

    def submit(self) -> None:
        database, actor = self.context.database, self.context.actor
        try:
            if self.appointment is not None:
                self.created = appointment_actions.update_appointment(
                    database, self.appointment.id, self._data(), actor=actor
                )
            else:
                ids = [self.candidate_id] if self.candidate_id is not None else []
                self.created = appointment_actions.create_appointment(
                    database, self._data(), ids, actor=actor
                )
        except ValidationError as error:
            for name, holder in self._fields.items():
                holder.set_error(error.errors.get(name, ""))
            others = [m for k, m in error.errors.items() if k not in self._fields]
            self._show_general("\n".join(others))
            return
        except UserFacingError as error:
            self._show_general(str(error))
            return
        self.accept()

    def _show_general(self, message: str) -> None:
        self.general_error.setText(message)
        self.general_error.setVisible(bool(message))


class CancelDialog(QDialog):
    """Cancel an appointment: a reason is required, the registered people are listed with
    their phone so that the desk can call them. The appointment is kept, shown as cancelled."""

    def __init__(
        self, context: AppContext, appointment: AppointmentInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cancelAppointmentDialog")
        self.setWindowTitle(f"Annuler : {appointment.title}")
        self.context = context
        self.appointment = appointment
        self.cancelled: AppointmentInfo | None = None
        self.reason = MultiLineField()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText("Exemple : intervenant malade, salle indisponible…")
        self.reason.setAccessibleName("Motif de l'annulation")
        self.reason.setFixedHeight(64)
        self.reason_holder = FieldWithError("motif", self.reason)
        label = QLabel("Motif de l'annulation (obligatoire) :")
        label.setBuddy(self.reason)
        notice = QLabel(
            "Le rendez-vous restera visible, barré, dans l'agenda et dans les dossiers ; "
            "il ne prendra plus de salle ni de place."
        )
        notice.setWordWrap(True)
        self.general_error = _error_label()
        buttons = ok_cancel_buttons(self, "Annuler le rendez-vous")
        buttons.button(buttons.StandardButton.Cancel).setText("Ne pas annuler")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(_intro(appointment))
        layout.addWidget(notice)
        layout.addWidget(label)
        layout.addWidget(self.reason_holder)
        layout.addWidget(_to_tell(appointment.attendees, "annulé"))
        if appointment.attendees:
            layout.addWidget(people_table(appointment.attendees))
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self.reason.setFocus()

    def submit(self) -> None:
        try:
            self.cancelled = appointment_actions.cancel_appointment(
                self.context.database,
                self.appointment.id,
                reason=self.reason.value(),
                actor=self.context.actor,
            )
        except ValidationError as error:
            self.reason_holder.set_error(error.errors.get("motif", ""))
            others = [m for k, m in error.errors.items() if k != "motif"]
            self.general_error.setText("\n".join(others))
            self.general_error.setVisible(bool(others))
            return
        except UserFacingError as error:
            self.general_error.setText(str(error))
            self.general_error.setVisible(True)
            return
        self.accept()


class AttendanceDialog(QDialog):
    """The attendance of everyone registered, saved at once: "Tous présents", then the
    exceptions, then Enregistrer."""

    def __init__(
        self, context: AppContext, appointment_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceDialog")
        self.context = context
        self.appointment_id = appointment_id
        self.saved: AppointmentInfo | None = None
        info = appointment_actions.get_appointment(context.database, appointment_id)
        self.setWindowTitle(f"Présences — {info.kind_label} du {info.starts_at:%d/%m/%Y}")
        title = QLabel(info.summary)
        title.setWordWrap(True)
        self.table = named(QTableWidget(len(info.attendees), 2), "attendanceTable")
        self.table.setHorizontalHeaderLabels(["Candidat", "Présence"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.combos: dict[int, ChoiceBox] = {}
        for row, attendee in enumerate(info.attendees):
            self.table.setItem(row, 0, QTableWidgetItem(attendee.name))
            combo = ChoiceBox(ATTENDANCE_CHOICES, allow_empty=False)
            combo.set_value(attendee.attendance)
            combo.setAccessibleName(f"Présence de {attendee.name}")
            self.table.setCellWidget(row, 1, combo)
            self.combos[attendee.candidate_id] = combo
        self.all_present = named(
            QPushButton(icon("user-check"), "Tous présents"), "allPresentButton"
        )
        self.all_present.setToolTip("Marquer tout le monde présent, puis corriger les absents")
        self.all_present.clicked.connect(self.mark_all_present)
        self.all_present.setEnabled(bool(self.combos))
        self.error = _error_label()
        buttons = ok_cancel_buttons(self, "Enregistrer les présences")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.all_present, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 400)

    def mark_all_present(self) -> None:
        for combo in self.combos.values():
            combo.set_value(Attendance.PRESENT.value)

    def submit(self) -> None:
        marks = {candidate_id: combo.value() for candidate_id, combo in self.combos.items()}
        try:
            self.saved = appointment_actions.record_attendance(
                self.context.database, self.appointment_id, marks, actor=self.context.actor
            )
        except UserFacingError as error:
            self.error.setText(str(error))
            self.error.setVisible(True)
            return
        self.accept()


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


class CandidatePickerDialog(QDialog):
    """Find a candidate by name, phone or e-mail (the list's own search) and pick them."""

    def __init__(
        self, context: AppContext, title: str, ok_text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("candidatePicker")
        self.setWindowTitle(title)
        self.context = context
        self.search = named(QLineEdit(), "candidatePickerSearch")
        self.search.setPlaceholderText("Nom, téléphone ou e-mail")
        self.search.setAccessibleName("Rechercher le candidat")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.list = named(QListWidget(), "candidatePickerList")
        self.list.setAccessibleName("Candidats trouvés")
        self.hint = QLabel("Tapez le début du nom, un téléphone ou un e-mail.")
        self.hint.setProperty("role", "muted")
        self.search.textEdited.connect(self._search)
        self.search.returnPressed.connect(self._take_first)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = ok_cancel_buttons(self, ok_text)
        buttons.accepted.connect(self._accept_chosen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.hint)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(520, 380)

    def _search(self, text: str) -> None:
        self.list.clear()
        if not text.strip():
            self.hint.setText("Tapez le début du nom, un téléphone ou un e-mail.")
            return
        database = self.context.database
        found = candidate_actions.list_start(
            database, CandidateQuery(text=text), sort="name", descending=False, chunk=PICKER_ROWS
        )
        rows = candidate_actions.list_rows(database, found.ids)
        for candidate_id in found.ids:
            row = rows.get(candidate_id)
            if row is None:
                continue
            details = " · ".join(part for part in (row.site, row.season, row.phone) if part)
            item = QListWidgetItem(f"{row.name} — {details}" if details else row.name)
            item.setData(Qt.ItemDataRole.UserRole, candidate_id)
            self.list.addItem(item)
        more = f" (les {PICKER_ROWS} premiers)" if found.more else ""
        count = self.list.count()
        self.hint.setText(
            "Aucun dossier ne correspond."
            if not count
            else f"{count} dossier{'s' if count > 1 else ''}{more}"
        )
        self.list.setCurrentRow(0)

    def _take_first(self) -> None:
        if self.list.count():
            self.accept()

    def _accept_chosen(self) -> None:
        if self.chosen_id() is not None:
            self.accept()

    def chosen_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item else None
