"""What the desk does to one appointment, from the agenda or from a candidate's file: move,
cancel, register, unregister, attendance, convocation and sign-in sheet. Each method opens its
dialog, calls one use case and returns whether something changed (the caller reads again)."""

from PySide6.QtWidgets import QMessageBox, QWidget

from app.domain.appointment import AppointmentKind
from app.services.appointments import actions as appointment_actions
from app.services.appointments import documents
from app.services.appointments.booking import AppointmentInfo, SessionFull, can_override_capacity
from app.services.errors import UserFacingError
from app.services.permissions import can_edit_appointments
from app.ui.agenda.dialogs import (
    AppointmentDialog,
    AttendanceDialog,
    CancelDialog,
    CandidatePickerDialog,
)
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.printing.preview import PdfPreviewDialog


class AppointmentFlows:
    """The dialogs and questions around one appointment, owned by `parent`."""

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        self.context = context
        self.parent = parent

    @property
    def may_edit(self) -> bool:
        return can_edit_appointments(self.context.role)

    def move(self, info: AppointmentInfo) -> bool:
        dialog = AppointmentDialog(
            self.context, AppointmentKind(info.kind), appointment=info, parent=self.parent
        )
        return bool(dialog.exec())

    def cancel(self, info: AppointmentInfo) -> bool:
        return bool(CancelDialog(self.context, info, self.parent).exec())

    def attendance(self, info: AppointmentInfo) -> bool:
        return bool(AttendanceDialog(self.context, info.id, self.parent).exec())

    def unregister(self, info: AppointmentInfo, candidate_id: int) -> bool:
        name = next((a.name for a in info.attendees if a.candidate_id == candidate_id), "")
        answer = QMessageBox.question(
            self.parent,
            "Désinscrire",
            f"Désinscrire {name} : {info.title[0].lower()}{info.title[1:]} ?\n\n"
            "Son dossier gardera la trace de la désinscription.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            appointment_actions.unregister(
                self.context.database, info.id, candidate_id, actor=self.context.actor
            )
        except UserFacingError as error:
            show_error(self.parent, str(error), "Désinscription impossible")
            return False
        return True

    def register(self, info: AppointmentInfo) -> bool:
        """Pick a candidate and register them; a full session asks coordination first."""
        interview = info.kind == AppointmentKind.INTERVIEW
        title = "Inscrire à l'entretien" if interview else "Inscrire à l'information collective"
        picker = CandidatePickerDialog(self.context, title, "Inscrire", self.parent)
        if not picker.exec() or picker.chosen_id() is None:
            return False
        return self.register_candidate(info.id, int(picker.chosen_id() or 0))

    def register_candidate(self, appointment_id: int, candidate_id: int) -> bool:
        database, actor = self.context.database, self.context.actor
        try:
            appointment_actions.register(database, appointment_id, candidate_id, actor=actor)
        except SessionFull as full:
            if not can_override_capacity(self.context.role):
                show_error(self.parent, str(full), "Inscription impossible")
                return False
            answer = QMessageBox.question(
                self.parent, "Session complète", f"{full} Inscrire quand même ?"
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
            return self._register_beyond(appointment_id, candidate_id)
        except UserFacingError as error:
            show_error(self.parent, str(error), "Inscription impossible")
            return False
        return True

    def _register_beyond(self, appointment_id: int, candidate_id: int) -> bool:
        try:
            appointment_actions.register(
                self.context.database,
                appointment_id,
                candidate_id,
                actor=self.context.actor,
                override_capacity=True,
            )
        except UserFacingError as error:
            show_error(self.parent, str(error), "Inscription impossible")
            return False
        return True

    # ---- paper

    def convocation(self, info: AppointmentInfo, candidate_ids: list[int] | None = None) -> None:
        try:
            paper = documents.convocation_pdf(
                self.context.database, info.id, candidate_ids, actor=self.context.actor
            )
        except UserFacingError as error:
            show_error(self.parent, str(error), "Impression impossible")
            return
        self._preview(paper, f"Convocation — {info.title}")

    def sign_in_sheet(self, info: AppointmentInfo) -> None:
        try:
            paper = documents.sign_in_sheet_pdf(
                self.context.database, info.id, actor=self.context.actor
            )
        except UserFacingError as error:
            show_error(self.parent, str(error), "Impression impossible")
            return
        self._preview(paper, f"Feuille d'émargement — {info.title}")

    def _preview(self, paper: documents.PaperDocument, title: str) -> None:
        PdfPreviewDialog(
            paper.data, title=title, suggested_filename=paper.filename, parent=self.parent
        ).exec()
