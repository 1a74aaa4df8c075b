"""The appointment chosen in the week: what, when, where, who; its registered people with
their phone and attendance; the desk's actions on it."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.appointment import AppointmentKind
from app.services.appointments import actions as appointment_actions
from app.services.appointments.booking import AppointmentInfo
from app.services.appointments.clashes import room_label
from app.services.errors import UserFacingError
from app.ui.agenda.dialogs import when_text
from app.ui.agenda.flows import AppointmentFlows
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.naming import named

EMPTY = "Choisissez un rendez-vous dans la semaine (flèches, puis Entrée ou double-clic)."


def cancelled_word(info: AppointmentInfo) -> str:
    """ "annulée" for an information collective, "annulé" for an interview."""
    return "annulée" if info.kind == AppointmentKind.INFO_SESSION else "annulé"


def places_text(info: AppointmentInfo) -> str:
    if info.kind == AppointmentKind.INTERVIEW:
        return ""
    word = "inscrit" if info.registered <= 1 else "inscrits"
    text = f"{info.registered} {word} pour {info.capacity} places"
    return text + (" — complet" if info.is_full else "")


class AppointmentPanel(QFrame):
    """Shows one appointment; `changed` after anything was saved (the week reads again)."""

    changed = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("agendaPanel")
        self.context = context
        self.flows = AppointmentFlows(context, self)
        self.info: AppointmentInfo | None = None
        self.kind_label = named(QLabel(), "agendaPanelTitle")
        self.kind_label.setProperty("role", "title")
        self.when = named(QLabel(), "agendaPanelWhen")
        self.where = named(QLabel(), "agendaPanelWhere")
        self.places = named(QLabel(), "agendaPanelPlaces")
        self.cancelled = named(QLabel(), "agendaPanelCancelled")
        self.cancelled.setProperty("role", "alert")
        for label in (self.kind_label, self.when, self.where, self.places, self.cancelled):
            label.setWordWrap(True)
        self.people = named(QTableWidget(0, 3), "agendaAttendees")
        self.people.setHorizontalHeaderLabels(["Personne", "Téléphone", "Présence"])
        self.people.setAccessibleName("Personnes inscrites")
        self.people.verticalHeader().hide()
        self.people.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.people.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.people.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.people.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.people.itemSelectionChanged.connect(self.update_buttons)
        self._build_buttons()
        self._layout()
        self.show_appointment(None)

    def _build_buttons(self) -> None:
        def button(icon_name: str, text: str, name: str, tip: str) -> QPushButton:
            made = named(QPushButton(icon(icon_name), text), name)
            made.setToolTip(tip)
            return made

        self.register_button = button(
            "user-plus", "Inscrire…", "agendaRegisterButton", "Inscrire un candidat"
        )
        self.unregister_button = button(
            "user-off", "Désinscrire", "agendaUnregisterButton", "Désinscrire la personne choisie"
        )
        self.attendance_button = button(
            "user-check", "Présences…", "agendaAttendanceButton", "Tous présents, puis les absents"
        )
        self.move_button = button(
            "calendar-time", "Déplacer…", "agendaMoveButton", "Changer la date, l'heure, la salle"
        )
        self.cancel_button = button(
            "ban", "Annuler…", "agendaCancelButton", "Annuler le rendez-vous (motif demandé)"
        )
        self.convocation_button = button(
            "file-text",
            "Convocation…",
            "agendaConvocationButton",
            "Les convocations de la personne choisie, ou de tous les inscrits",
        )
        self.sheet_button = button(
            "writing-sign",
            "Feuille d'émargement…",
            "agendaSignInSheetButton",
            "La feuille à signer pendant l'information collective",
        )
        self.register_button.clicked.connect(self._register)
        self.unregister_button.clicked.connect(self._unregister)
        self.attendance_button.clicked.connect(self._attendance)
        self.move_button.clicked.connect(self._move)
        self.cancel_button.clicked.connect(self._cancel)
        self.convocation_button.clicked.connect(self._convocation)
        self.sheet_button.clicked.connect(self._sign_in_sheet)

    def _layout(self) -> None:
        self.placeholder = QLabel(EMPTY)
        self.placeholder.setWordWrap(True)
        self.placeholder.setProperty("role", "muted")
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        for label in (self.kind_label, self.when, self.where, self.places, self.cancelled):
            details.addWidget(label)
        people_title = QLabel("Personnes inscrites :")
        people_title.setBuddy(self.people)
        details.addWidget(people_title)
        details.addWidget(self.people, 1)
        self.buttons = QWidget()
        grid = QGridLayout(self.buttons)
        grid.setContentsMargins(0, 0, 0, 0)
        for position, widget in enumerate(
            (
                self.register_button,
                self.unregister_button,
                self.attendance_button,
                self.move_button,
                self.cancel_button,
                self.convocation_button,
            )
        ):
            grid.addWidget(widget, position // 2, position % 2)
        grid.addWidget(self.sheet_button, 3, 0, 1, 2)
        details.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.details, 1)

    # ---- showing

    def show_appointment(self, appointment_id: int | None) -> None:
        info = None
        if appointment_id is not None:
            try:
                info = appointment_actions.get_appointment(self.context.database, appointment_id)
            except UserFacingError:
                info = None  # deleted meanwhile on another desk: nothing to show
        self.info = info
        self.placeholder.setVisible(info is None)
        self.details.setVisible(info is not None)
        if info is not None:
            self._fill(info)
        self.update_buttons()

    def reload(self) -> None:
        self.show_appointment(self.info.id if self.info is not None else None)

    def _fill(self, info: AppointmentInfo) -> None:
        cancelled = cancelled_word(info)
        self.kind_label.setText(
            f"{info.kind_label} — {cancelled}" if info.cancelled else info.kind_label
        )
        self.when.setText(when_text(info))
        where = ", ".join(
            p for p in (info.site_name, room_label(info.room) if info.room else "") if p
        )
        who = "Animée par" if info.kind == AppointmentKind.INFO_SESSION else "Reçu par"
        self.where.setText(f"{where}\n{who} : {info.staff}" if info.staff else where)
        self.places.setText(places_text(info))
        self.places.setVisible(bool(self.places.text()))
        self.cancelled.setVisible(info.cancelled)
        if info.cancelled and info.cancelled_at is not None:
            by = f" par {info.cancelled_by}" if info.cancelled_by else ""
            self.cancelled.setText(
                f"{cancelled.capitalize()} le {info.cancelled_at:%d/%m/%Y à %H:%M}{by}.\n"
                f"Motif : {info.cancellation_reason}"
            )
        self.people.setRowCount(len(info.attendees))
        for row, person in enumerate(info.attendees):
            cells = (person.name, person.phone, person.attendance_label)
            for column, text in enumerate(cells):
                self.people.setItem(row, column, QTableWidgetItem(text))
        self.people.clearSelection()

    def chosen_candidate(self) -> int | None:
        row = self.people.currentRow()
        if self.info is None or not self.people.selectedItems():
            return None
        return (
            self.info.attendees[row].candidate_id if 0 <= row < len(self.info.attendees) else None
        )

    def update_buttons(self) -> None:
        info = self.info
        self.buttons.setVisible(info is not None and self.flows.may_edit)
        live = info is not None and not info.cancelled
        interview_taken = (
            info is not None and info.kind == AppointmentKind.INTERVIEW and bool(info.attendees)
        )
        self.register_button.setEnabled(live and not interview_taken)
        self.unregister_button.setEnabled(live and self.chosen_candidate() is not None)
        self.attendance_button.setEnabled(live and bool(info and info.attendees))
        self.move_button.setEnabled(live)
        self.cancel_button.setEnabled(live)
        self.convocation_button.setEnabled(live and bool(info and info.attendees))
        session = info is not None and info.kind == AppointmentKind.INFO_SESSION
        self.sheet_button.setVisible(session)
        self.sheet_button.setEnabled(live)
        chosen = self.chosen_candidate()
        self.convocation_button.setText(
            "Convocation…" if chosen is not None or not session else "Convocations…"
        )

    # ---- actions

    def _after(self, changed: bool) -> None:
        if changed:
            self.reload()
            self.changed.emit()

    def _register(self) -> None:
        if self.info is not None:
            self._after(self.flows.register(self.info))

    def _unregister(self) -> None:
        chosen = self.chosen_candidate()
        if self.info is not None and chosen is not None:
            self._after(self.flows.unregister(self.info, chosen))

    def _attendance(self) -> None:
        if self.info is not None:
            self._after(self.flows.attendance(self.info))

    def _move(self) -> None:
        if self.info is not None:
            self._after(self.flows.move(self.info))

    def _cancel(self) -> None:
        if self.info is not None:
            self._after(self.flows.cancel(self.info))

    def _convocation(self) -> None:
        if self.info is not None:
            chosen = self.chosen_candidate()
            self.flows.convocation(self.info, [chosen] if chosen is not None else None)

    def _sign_in_sheet(self) -> None:
        if self.info is not None:
            self.flows.sign_in_sheet(self.info)
