"""The Sécurité group of Paramètres: how long the window waits idle before it locks."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox

from app.services.accounts import actions as accounts
from app.services.accounts.management import MAX_IDLE_LOCK_MINUTES, MIN_IDLE_LOCK_MINUTES
from app.services.errors import UserFacingError, ValidationError
from app.ui.context import AppContext
from app.ui.widgets.form_fields import show_status
from app.ui.widgets.naming import named


class SecurityGroup(QGroupBox):
    """Automatic lock after N idle minutes, stored in the database for every workstation."""

    idle_lock_changed = Signal(int)  # minutes

    def __init__(self, context: AppContext) -> None:
        super().__init__("Sécurité")
        self.setObjectName("securityGroup")
        self.context = context
        self.minutes = named(QSpinBox(), "idleLockMinutes")
        self.minutes.setRange(MIN_IDLE_LOCK_MINUTES, MAX_IDLE_LOCK_MINUTES)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Verrouillage automatique après")
        self.apply_button = named(QPushButton("Appliquer"), "applyIdleLockButton")
        self.apply_button.clicked.connect(self.apply)
        self.error = named(QLabel(), "verrouillageError")
        self.error.setProperty("role", "error")
        self.error.hide()
        caption = QLabel("Verrouillage automatique après")
        caption.setBuddy(self.minutes)
        row = QHBoxLayout()
        row.addWidget(self.minutes)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        note = QLabel(
            "Sans souris ni clavier pendant ce temps, la fenêtre se verrouille : les saisies en "
            "cours sont gardées, il faut se reconnecter pour les retrouver. Menu Session : "
            "Verrouiller (Ctrl+L), Changer d'utilisateur (Ctrl+Maj+L)."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        form = QFormLayout(self)
        form.addRow(caption, row)
        form.addRow("", self.error)
        form.addRow(note)
        self.reload()

    def reload(self) -> None:
        self.minutes.setValue(accounts.idle_lock_minutes(self.context.database))

    def apply(self) -> None:
        minutes = self.minutes.value()
        try:
            accounts.set_idle_lock_minutes(self.context.database, minutes, actor=self.context.actor)
        except ValidationError as error:
            self._show_error(error.errors.get("verrouillage", str(error)))
            return
        except UserFacingError as error:
            self._show_error(str(error))
            return
        self._show_error("")
        self.idle_lock_changed.emit(minutes)
        show_status(self, f"Verrouillage automatique après {minutes} min d'inactivité.")

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
