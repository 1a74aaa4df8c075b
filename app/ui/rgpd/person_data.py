"""The "Données personnelles" button of a candidate's file (coordination): export the person's
full file, anonymise it, or erase it on request."""

import re
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.account import ROLE_COORDINATION
from app.services.errors import UserFacingError
from app.services.rgpd import actions as rgpd
from app.services.rgpd.person_data import ERASURE_REASONS, REASON_REQUEST, ErasureReport, Person
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.operations import Failed, run_busy
from app.ui.theme import icon
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.file_dialogs import save_file
from app.ui.widgets.naming import named


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text.strip().lower()).strip("-") or "personne"


class ErasureDialog(QDialog):
    """Why the person's data is erased: a category only, never a free text."""

    def __init__(self, name: str, applications: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("erasureDialog")
        self.setWindowTitle("Effacer les données de la personne")
        files = f"{applications} dossier{'s' if applications > 1 else ''} de candidature"
        text = QLabel(
            f"Toutes les données de <b>{_html(name)}</b> seront effacées définitivement : "
            f"{files}, parcours, rendez-vous, période d'orientation, conventions en projet. "
            "Le journal gardera seulement la trace de l'effacement, sans le nom.<br><br>"
            "Cette opération ne peut pas être annulée."
        )
        text.setWordWrap(True)
        self.reason = named(QComboBox(), "erasureReason")
        self.reason.setAccessibleName("Motif de l'effacement")
        self.reason.addItem("Choisir…", None)
        for code, label in ERASURE_REASONS.items():
            self.reason.addItem(label[:1].upper() + label[1:], code)
        form = QFormLayout()
        form.addRow("&Motif :", self.reason)
        buttons = ok_cancel_buttons(self, "Effacer définitivement")
        self.ok_button = buttons.buttons()[0]
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        self.reason.currentIndexChanged.connect(
            lambda _i: self.ok_button.setEnabled(self.reason.currentData() is not None)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(460, 220)

    def chosen_reason(self) -> str:
        return str(self.reason.currentData() or "")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PersonDataButton(QToolButton):
    """Shown to coordination only; acts on the person of the file shown."""

    erased = Signal()  # the file shown no longer exists
    anonymised = Signal(int)  # the file shown was anonymised: show it again

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("personDataButton")
        self.context = context
        self.candidate_id: int | None = None
        # Asked before anonymising or erasing: unsaved changes of the file are saved or dropped.
        self.before_action: Callable[[], bool] = lambda: True
        self.report_box: QMessageBox | None = None  # what the last erasure left, if anything
        # Icon only: the file's tabs need the room. The tooltip and the accessible name say it.
        self.setText("Données personnelles")
        self.setAccessibleName("Données personnelles")
        self.setIcon(icon("shield-lock"))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolTip(
            "Données personnelles : exporter (droit d'accès), anonymiser ou effacer les "
            "dossiers de la personne — coordination"
        )
        menu = QMenu(self)
        self.export_action = self._action(
            menu, "file-download", "Exporter les données de la personne…", self.export
        )
        self.anonymise_action = self._action(
            menu, "user-off", "Anonymiser ses dossiers…", self.anonymise
        )
        menu.addSeparator()
        self.erase_action = self._action(
            menu, "eraser", "Effacer les données de la personne…", self.erase
        )
        self.setMenu(menu)
        self.set_candidate(None)

    def _action(self, menu: QMenu, icon_name: str, text: str, slot: object) -> QAction:
        action = QAction(icon(icon_name), text, menu)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def set_candidate(self, candidate_id: int | None) -> None:
        """The file shown (None: a new file); follows the role of whoever is signed in."""
        self.candidate_id = candidate_id
        self.setVisible(self.context.role == ROLE_COORDINATION)
        self.setEnabled(candidate_id is not None)

    def _person(self) -> Person | None:
        if self.candidate_id is None:
            return None
        try:
            return rgpd.person(self.context.database, self.candidate_id, actor=self.context.actor)
        except UserFacingError as error:
            show_error(self, str(error))
            return None

    # ---- right of access

    def export(self) -> None:
        person = self._person()
        if person is None or self.candidate_id is None:
            return
        path = save_file(
            self,
            "Exporter les données de la personne",
            f"donnees-{_slug(person.name)}.json",
            "Données (JSON, avec le PDF lisible à côté) (*.json)",
        )
        if path is None:
            return
        try:
            export = rgpd.export_person(
                self.context.database, self.candidate_id, path, actor=self.context.actor
            )
        except (UserFacingError, OSError) as error:
            show_error(self, str(error), "Export impossible")
            return
        QMessageBox.information(
            self,
            "Données exportées",
            f"Les données de {person.name} sont dans :\n{export.json_path}\n{export.pdf_path}\n\n"
            "Remettez-les à la personne par un moyen sûr.",
        )

    # ---- anonymisation on request

    def anonymise(self) -> None:
        if not self.before_action():
            return
        person = self._person()
        if person is None:
            return
        ids = list(person.application_ids)
        answer = QMessageBox.question(
            self,
            "Anonymiser les dossiers",
            f"Anonymiser {len(ids)} dossier{'s' if len(ids) > 1 else ''} de {person.name} ? "
            "Les noms, coordonnées, adresses et textes libres seront remplacés "
            "définitivement ; les statistiques restent justes.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._anonymise(ids)

    def _anonymise(self, ids: list[int]) -> None:
        database, actor = self.context.database, self.context.actor
        outcome = run_busy(
            self,
            "Anonymisation des dossiers et nettoyage du fichier de la base…",
            lambda: rgpd.anonymise(database, ids, actor=actor, reason=REASON_REQUEST),
        )
        if isinstance(outcome, Failed):
            show_error(self, outcome.message, "Anonymisation impossible")
            return
        if self.candidate_id is not None:
            self.anonymised.emit(self.candidate_id)

    # ---- erasure on request

    def erase(self) -> None:
        if not self.before_action():
            return
        if self.candidate_id is None:
            return
        try:
            check = rgpd.erasure_check(
                self.context.database, self.candidate_id, actor=self.context.actor
            )
        except UserFacingError as error:
            show_error(self, str(error))
            return
        ids = list(check.person.application_ids)
        if check.blockers:
            self._offer_anonymisation(ids, check.blockers)
            return
        dialog = ErasureDialog(check.person.name, len(ids), self)
        if not dialog.exec():
            return
        database, candidate_id = self.context.database, self.candidate_id
        actor, reason = self.context.actor, dialog.chosen_reason()
        # One service call: the deletion, the cleaning of the files (which may wait a moment
        # for another window's read), the backups that still hold the person.
        outcome = run_busy(
            self,
            "Effacement des données et nettoyage du fichier de la base…",
            lambda: rgpd.erase(database, candidate_id, actor=actor, reason=reason),
        )
        if isinstance(outcome, Failed):
            show_error(self, outcome.message, "Effacement impossible")
            return
        self.candidate_id = None
        self.erased.emit()
        self._show_report(outcome)

    def _show_report(self, report: ErasureReport) -> None:
        """What remains (traces in the file, backups holding the person), without blocking:
        the coordinator reads it and closes it."""
        details = report.details()
        if details is None:
            return
        box = QMessageBox(self.window())
        box.setObjectName("erasureReport")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Données effacées")
        box.setText(report.summary())
        box.setInformativeText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report_box = box
        box.open()

    def _offer_anonymisation(self, ids: list[int], blockers: list[str]) -> None:
        box = QMessageBox(self)
        box.setObjectName("erasureRefused")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Effacement impossible")
        box.setText(
            "Ces données ne peuvent pas être effacées : la personne a une convention de stage "
            f"numérotée ({', '.join(blockers)}), qui doit être conservée pendant sa durée "
            "légale."
        )
        box.setInformativeText(
            "Vous pouvez anonymiser ses dossiers : l'identité, les coordonnées et les textes "
            "libres sont remplacés ; la convention signée reste archivée sur papier ou en copie "
            "numérisée."
        )
        anonymise = box.addButton("Anonymiser", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is anonymise:
            self._anonymise(ids)
