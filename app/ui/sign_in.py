"""Signing in: the first coordination account, the sign-in dialog, and the lock screen."""

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.accounts import actions as accounts
from app.services.accounts import password_policy
from app.services.accounts.management import MAX_PASSWORD_LENGTH, AccountInput, SignedInAccount
from app.services.base_access.opening import open_with_password
from app.services.errors import UserFacingError, ValidationError
from app.services.unit_of_work import Database
from app.ui.theme import icon
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import FieldWithError, LineField
from app.ui.widgets.naming import named

PASSWORD_HINT = password_policy.HINT
PASSWORD_RULE = (
    f"{password_policy.RULE.capitalize()} ; ni l'identifiant, ni le nom, ni une suite "
    "(azerty, 123456), ni un mot de passe courant. Une phrase se retient mieux."
)


class SignInCancelled(UserFacingError):
    """Nobody signed in at start: the application closes without opening the window."""


def password_field() -> LineField:
    field = LineField()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(MAX_PASSWORD_LENGTH)
    return field


class PasswordFields:
    """A new password typed twice, with the service's French refusals under each field."""

    def __init__(self, form: QFormLayout, first_label: str = "Mot de passe") -> None:
        first = password_field()
        first.setPlaceholderText(PASSWORD_HINT)
        self.password = FieldWithError("mot_de_passe", first)
        self.confirmation = FieldWithError("confirmation", password_field())
        self.rule = named(QLabel(PASSWORD_RULE), "passwordRule")
        self.rule.setWordWrap(True)
        self.rule.setProperty("role", "muted")
        for holder, label in (
            (self.password, first_label),
            (self.confirmation, "Confirmation"),
        ):
            caption = QLabel(label)
            caption.setBuddy(holder.field)
            holder.field.setAccessibleName(label)
            holder.field.setAccessibleDescription(PASSWORD_RULE)
            form.addRow(caption, holder)
        form.addRow("", self.rule)

    def values(self) -> tuple[str, str]:
        return self.password.field.value(), self.confirmation.field.value()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.password.set_error(errors.get("mot_de_passe", ""))
        self.confirmation.set_error(errors.get("confirmation", ""))


class FirstAccountDialog(QDialog):
    """First start on a database without a coordination account that can sign in."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstAccountDialog")
        self.setWindowTitle("Créer le compte de coordination")
        self.database = database
        self.account: SignedInAccount | None = None
        intro = QLabel(
            "Bienvenue. Cette base n'a pas encore de compte : créez celui de la coordination. "
            "Il permettra ensuite de créer les comptes de l'accueil et des formateurs "
            "(menu Session, page Utilisateurs)."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        identifier = LineField()
        identifier.setPlaceholderText("par exemple : nadia.belkacem")
        self.name = FieldWithError("nom", LineField())
        self.username = FieldWithError("identifiant", identifier)
        for holder, label in ((self.name, "Nom et prénom"), (self.username, "Identifiant")):
            caption = QLabel(label)
            caption.setBuddy(holder.field)
            holder.field.setAccessibleName(label)
            form.addRow(caption, holder)
        self.passwords = PasswordFields(form)
        buttons = ok_cancel_buttons(self, "Créer le compte")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def submit(self) -> None:
        data = AccountInput(self.name.field.value(), self.username.field.value())
        password, confirmation = self.passwords.values()
        try:
            self.account = accounts.create_first_account(
                self.database, data, password, confirmation
            )
        except ValidationError as error:
            self.name.set_error(error.errors.get("nom", ""))
            self.username.set_error(error.errors.get("identifiant", ""))
            self.passwords.show_errors(error.errors)
            return
        except UserFacingError as error:
            self.passwords.show_errors({"confirmation": str(error)})
            return
        self.accept()


Authenticate = Callable[[str, str], SignedInAccount]


def authenticate_on(database: Database) -> Authenticate:
    """Checking a password on an open base (the lock screen, a base no password locks)."""

    def authenticate(username: str, password: str) -> SignedInAccount:
        return accounts.authenticate(database, username, password)

    return authenticate


class SignInPanel(QWidget):
    """Identifiant, mot de passe, Se connecter; emits the account once the password is right.

    `authenticate(username, password)` checks them (SignInRefused otherwise).
    """

    signed_in = Signal(object)  # SignedInAccount

    def __init__(self, authenticate: Authenticate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._authenticate = authenticate
        self.username = named(QLineEdit(), "signInUsername")
        self.password = named(QLineEdit(), "signInPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = named(QLabel(), "signInError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.button = named(QPushButton(icon("login", "#ffffff"), "Se connecter"), "signInButton")
        self.button.setProperty("accent", "true")
        self.button.setDefault(True)
        form = QFormLayout()
        for field, label in ((self.username, "Identifiant"), (self.password, "Mot de passe")):
            caption = QLabel(label)
            caption.setBuddy(field)
            field.setAccessibleName(label)
            form.addRow(caption, field)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        self.button.clicked.connect(self.sign_in)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.sign_in)

    def prepare(self, username: str = "") -> None:
        """Ready for typing: the identifiant given (or empty), no password, no message."""
        self.username.setText(username)
        self.password.clear()
        self.error.clear()
        (self.password if username else self.username).setFocus()

    def refuse(self, message: str) -> None:
        self.error.setText(message)
        self.password.clear()
        self.password.setFocus()

    def sign_in(self) -> None:
        # Checking a password costs about 0.4 s (scrypt): say so with the cursor. A
        # name that must wait is refused at once, with the time left (nothing sleeps here).
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            account = self._authenticate(self.username.text(), self.password.text())
        except UserFacingError as error:
            self.refuse(str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.password.clear()
        self.error.clear()
        self.signed_in.emit(account)


class SignInDialog(QDialog):
    """ "Connexion" at every start."""

    def __init__(self, authenticate: Authenticate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Connexion")
        self.account: SignedInAccount | None = None
        self.panel = SignInPanel(authenticate, self)
        self.panel.signed_in.connect(self._signed_in)
        title = QLabel("Connectez-vous pour ouvrir La Fabrique du Numérique.")
        title.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.panel)
        self.setMinimumWidth(420)
        self.panel.prepare()

    def _signed_in(self, account: SignedInAccount) -> None:
        self.account = account
        self.accept()


def sign_in_at_start(database: Database, parent: QWidget | None = None) -> SignedInAccount | None:
    """The first coordination account on a new base, else the sign-in; None when abandoned."""
    first_start = accounts.needs_first_account(database)
    dialog: FirstAccountDialog | SignInDialog = (
        FirstAccountDialog(database, parent)
        if first_start
        else SignInDialog(authenticate_on(database), parent)
    )
    dialog.exec()
    return dialog.account


def unlock_at_start(
    url: str, on_backup_failure: Callable[[str], None], parent: QWidget | None = None
) -> tuple[Database, SignedInAccount] | None:
    """A base protected by passwords: the sign-in opens it; None when abandoned."""
    opened: list[Database] = []

    def authenticate(username: str, password: str) -> SignedInAccount:
        database, account = open_with_password(
            url, username, password, on_backup_failure=on_backup_failure
        )
        opened.append(database)
        return account

    dialog = SignInDialog(authenticate, parent)
    dialog.exec()
    if dialog.account is None or not opened:
        return None
    return opened[-1], dialog.account


class RecoveryKeyDialog(QDialog):
    """The recovery key of the base, shown once to coordination (to keep in a safe)."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryKeyDialog")
        self.setWindowTitle("Clé de secours de la base")
        intro = QLabel(
            "La base est désormais chiffrée : sans mot de passe, personne ne peut lire le "
            "fichier, ni ses sauvegardes. Si tous les mots de passe de la coordination étaient "
            "oubliés, seule cette clé de secours permettrait de la rouvrir. Recopiez-la sur "
            "papier et rangez-la sous clé, hors de l'ordinateur : elle ne sera plus affichée."
        )
        intro.setWordWrap(True)
        self.key = named(QLabel(key), "recoveryKey")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setStyleSheet(
            "font-family: monospace; font-size: 20px; font-weight: bold; letter-spacing: 2px;"
            "padding: 12px; border: 1px dashed #2b6b86; border-radius: 6px;"
        )
        use = QLabel(
            "Pour s'en servir : main.py recover --db BASE --user IDENTIFIANT (la clé puis le "
            "nouveau mot de passe sont demandés)."
        )
        use.setWordWrap(True)
        use.setProperty("role", "muted")
        done = named(QPushButton("Je l'ai recopiée et rangée"), "recoveryKeyKept")
        done.setProperty("accent", "true")
        done.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.key)
        layout.addWidget(use)
        layout.addWidget(done, 0, Qt.AlignmentFlag.AlignRight)
        self.setMinimumWidth(560)

    def reject(self) -> None:
        """Échap or closing does not count as kept: the key will be shown again."""
        super().reject()


class LockScreen(QFrame):
    """What the window shows instead of its content while it is locked."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.title = named(QLabel("Session verrouillée"), "lockTitle")
        self.title.setProperty("role", "title")
        self.message = named(QLabel(), "lockMessage")
        self.message.setWordWrap(True)
        self.panel = SignInPanel(authenticate_on(database), self)
        card = QFrame()
        card.setObjectName("lockCard")
        card.setStyleSheet(
            "QFrame#lockCard { background: white; border: 1px solid #d5dde3; border-radius: 8px; }"
        )
        card.setFixedWidth(460)
        column = QVBoxLayout(card)
        column.setContentsMargins(24, 20, 24, 20)
        column.setSpacing(10)
        badge = QLabel()
        badge.setPixmap(icon("lock", "#2b6b86").pixmap(36, 36))
        heading = QHBoxLayout()
        heading.addWidget(badge)
        heading.addWidget(self.title, 1)
        column.addLayout(heading)
        column.addWidget(self.message)
        column.addWidget(self.panel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        # Nothing behind the lock answers a shortcut; Échap must not reach a form either.
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.panel.password.clear)

    def show_locked(self, display_name: str, username: str) -> None:
        self.title.setText("Session verrouillée")
        self.message.setText(
            f"{display_name} a verrouillé la session ; ce qui était en cours de saisie est "
            "conservé. Reconnectez-vous pour reprendre, ou connectez-vous sous un autre nom "
            "(les modifications non enregistrées vous seront alors proposées)."
        )
        self.panel.prepare(username)

    def show_switch(self) -> None:
        self.title.setText("Changer d'utilisateur")
        self.message.setText("Connectez-vous pour continuer.")
        self.panel.prepare()


class NewPasswordDialog(QDialog):
    """A new password typed twice (and the current one, for one's own); `save` checks it.

    `save(current, password, confirmation)` raises ValidationError keyed by field; the dialog
    closes only once it returns.
    """

    def __init__(
        self,
        title: str,
        intro: str,
        save: Callable[[str, str, str], object],
        *,
        ask_current: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newPasswordDialog")
        self.setWindowTitle(title)
        self._save = save
        text = QLabel(intro)
        text.setWordWrap(True)
        form = QFormLayout()
        self.current: FieldWithError | None = None
        if ask_current:
            self.current = FieldWithError("mot_de_passe_actuel", password_field())
            caption = QLabel("Mot de passe actuel")
            caption.setBuddy(self.current.field)
            self.current.field.setAccessibleName("Mot de passe actuel")
            form.addRow(caption, self.current)
        self.passwords = PasswordFields(form, "Nouveau mot de passe")
        buttons = ok_cancel_buttons(self, "Enregistrer")
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    def save(self) -> None:
        current = self.current.field.value() if self.current is not None else ""
        try:
            self._save(current, *self.passwords.values())
        except ValidationError as error:
            if self.current is not None:
                self.current.set_error(error.errors.get("mot_de_passe_actuel", ""))
            self.passwords.show_errors(error.errors)
            return
        except UserFacingError as error:
            self.passwords.show_errors({"confirmation": str(error)})
            return
        self.accept()
