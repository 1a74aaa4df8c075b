"""Utilisateurs (coordination): the accounts, a new one, role, password reset, unlocking,
deactivation."""

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.account import ROLE_LABELS, ROLES
from app.services.accounts import actions as accounts
from app.services.accounts.management import AccountInfo, AccountInput
from app.services.actor import Actor
from app.services.errors import UserFacingError, ValidationError
from app.services.permissions import ROLE_COORDINATION
from app.services.unit_of_work import Database
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.sign_in import NewPasswordDialog, PasswordFields
from app.ui.theme import icon
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import ChoiceBox, FieldWithError, LineField
from app.ui.widgets.form_fields import show_status
from app.ui.widgets.naming import named

COLUMNS = ("Nom", "Identifiant", "Rôle", "État", "Dernière connexion")
ROLE_HELP = (
    "Accueil : candidats et rendez-vous (ni observations d'orientation ni RQTH). "
    "Formateur : consulte les dossiers, saisit les observations et les projets. "
    "Coordination : tout, dont décisions, conventions, structures, paramètres et utilisateurs."
)


class NewAccountDialog(QDialog):
    """Nom, identifiant, rôle and a first password; the service's refusals under each field."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newAccountDialog")
        self.setWindowTitle("Nouveau compte")
        self.context = context
        self.account: AccountInfo | None = None
        form = QFormLayout()
        self.name = FieldWithError("nom", LineField())
        self.username = FieldWithError("identifiant", LineField())
        self.role = ChoiceBox([(role, ROLE_LABELS[role]) for role in ROLES], allow_empty=False)
        self.role_holder = FieldWithError("role", self.role)
        for holder, label in (
            (self.name, "Nom et prénom"),
            (self.username, "Identifiant"),
            (self.role_holder, "Rôle"),
        ):
            caption = QLabel(label)
            caption.setBuddy(holder.field)
            holder.field.setAccessibleName(label)
            form.addRow(caption, holder)
        self.passwords = PasswordFields(form, "Mot de passe provisoire")
        help_text = QLabel(ROLE_HELP)
        help_text.setWordWrap(True)
        help_text.setProperty("role", "muted")
        buttons = ok_cancel_buttons(self, "Créer le compte")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(buttons)
        self.setMinimumWidth(540)

    def submit(self) -> None:
        data = AccountInput(self.name.field.value(), self.username.field.value(), self.role.value())
        password, confirmation = self.passwords.values()
        try:
            self.account = accounts.create_account(
                self.context.database, data, password, confirmation, actor=self.context.actor
            )
        except ValidationError as error:
            self.name.set_error(error.errors.get("nom", ""))
            self.username.set_error(error.errors.get("identifiant", ""))
            self.role_holder.set_error(error.errors.get("role", ""))
            self.passwords.show_errors(error.errors)
            return
        except UserFacingError as error:
            show_error(self, str(error), "Compte non créé")
            return
        self.accept()


class UsersView(QWidget):
    """The page coordination manages accounts from."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("usersView")
        self.context = context
        self._accounts: list[AccountInfo] = []
        title = QLabel("Utilisateurs")
        title.setProperty("role", "title")
        intro = QLabel(
            "Chaque personne a son propre compte : ce qu'elle enregistre porte son nom. "
            "Un compte désactivé ne peut plus se connecter ; son nom reste dans les historiques."
        )
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        self.table = named(QTableWidget(0, len(COLUMNS)), "usersTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Comptes utilisateurs")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.new_button = self._button("newAccountButton", "Nouveau compte…", "user-plus")
        self.new_button.setProperty("accent", "true")
        self.new_button.setIcon(icon("user-plus", "#ffffff"))
        self.role_button = self._button("changeRoleButton", "Changer le rôle…", "user-cog")
        self.password_button = self._button("resetPasswordButton", "Nouveau mot de passe…", "key")
        self.unlock_button = self._button("unlockButton", "Déverrouiller", "lock")
        self.unlock_button.setToolTip(
            "Le compte est verrouillé après trop d'essais manqués : le déverrouiller permet "
            "de se connecter tout de suite (un nouveau mot de passe le déverrouille aussi)."
        )
        self.active_button = self._button("deactivateButton", "Désactiver", "user-off")
        self.new_button.clicked.connect(self.new_account)
        self.role_button.clicked.connect(self.change_role)
        self.password_button.clicked.connect(self.reset_password)
        self.unlock_button.clicked.connect(self.unlock)
        self.active_button.clicked.connect(self.toggle_active)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.role_button, self.password_button):
            buttons.addWidget(button)
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.active_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self._update_buttons()

    def _button(self, name: str, text: str, icon_name: str) -> QPushButton:
        return named(QPushButton(icon(icon_name), text), name)

    def showEvent(self, event: QShowEvent) -> None:
        """Accounts change from other desks (sign-ins, lock-outs): read again when shown."""
        super().showEvent(event)
        self.reload()

    # ---- list

    def reload(self) -> None:
        """The accounts again (only coordination sees them; others get an empty page)."""
        chosen = self.selected()
        self._accounts = []
        if self.context.role == ROLE_COORDINATION:
            try:
                self._accounts = accounts.list_accounts(
                    self.context.database, actor=self.context.actor
                )
            except UserFacingError as error:
                show_error(self, str(error), "Utilisateurs")
        self.table.setRowCount(len(self._accounts))
        now = datetime.now()
        for row, account in enumerate(self._accounts):
            for column, text in enumerate(_cells(account, now)):
                item = QTableWidgetItem(text)
                if not account.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
        if chosen is not None:
            self.select(chosen.id)
        self._update_buttons()

    def select(self, account_id: int) -> None:
        for row, account in enumerate(self._accounts):
            if account.id == account_id:
                self.table.selectRow(row)
                return

    def selected(self) -> AccountInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self._accounts):
            return None
        return self._accounts[rows[0].row()]

    def _update_buttons(self) -> None:
        account = self.selected()
        for button in (self.role_button, self.password_button, self.active_button):
            button.setEnabled(account is not None)
        self.unlock_button.setEnabled(account is not None and account.locked_at(datetime.now()))
        active = account is None or account.active
        self.active_button.setText("Désactiver" if active else "Réactiver")
        self.active_button.setIcon(icon("user-off" if active else "user-check"))

    # ---- actions

    def new_account(self) -> None:
        dialog = NewAccountDialog(self.context, self)
        if dialog.exec() and dialog.account is not None:
            self.reload()
            self.select(dialog.account.id)
            show_status(self, f"Compte « {dialog.account.username} » créé.")

    def change_role(self) -> None:
        account = self.selected()
        if account is None:
            return
        labels = [ROLE_LABELS[role] for role in ROLES]
        label, ok = QInputDialog.getItem(
            self,
            "Changer le rôle",
            f"Rôle de {account.display_name} :",
            labels,
            ROLES.index(account.role) if account.role in ROLES else 0,
            False,
        )
        if not ok:
            return
        new_role = ROLES[labels.index(label)]
        self._act(
            lambda database, actor: accounts.set_role(database, account.id, new_role, actor=actor)
        )

    def reset_password(self) -> None:
        account = self.selected()
        if account is None:
            return

        def save(_current: str, password: str, confirmation: str) -> None:
            accounts.change_password(
                self.context.database, account.id, password, confirmation, actor=self.context.actor
            )

        dialog = NewPasswordDialog(
            "Nouveau mot de passe",
            f"Nouveau mot de passe pour {account.display_name} ({account.username}). "
            "Transmettez-le lui de vive voix ; il pourra le changer ensuite "
            "(menu Session, Changer mon mot de passe).",
            save,
            parent=self,
        )
        if dialog.exec():
            show_status(self, f"Mot de passe de « {account.username} » changé.")

    def unlock(self) -> None:
        account = self.selected()
        if account is None:
            return
        if self._act(lambda database, actor: accounts.unlock(database, account.id, actor=actor)):
            show_status(self, f"Compte « {account.username} » déverrouillé.")

    def toggle_active(self) -> None:
        account = self.selected()
        if account is None:
            return
        if not account.active:
            self._act(
                lambda database, actor: accounts.reactivate(database, account.id, actor=actor)
            )
            return
        answer = QMessageBox.question(
            self,
            "Désactiver le compte",
            f"Désactiver le compte de {account.display_name} ? Il ne pourra plus se connecter ; "
            "son nom reste dans les historiques. Vous pourrez le réactiver.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._act(
                lambda database, actor: accounts.deactivate(database, account.id, actor=actor)
            )

    def _act(self, action: Callable[[Database, Actor], object]) -> bool:
        """Run the use case `action(database, actor)`; False (and a French message) when it
        was refused. The list is read again either way."""
        try:
            action(self.context.database, self.context.actor)
        except UserFacingError as error:
            show_error(self, str(error), "Modification refusée")
            self.reload()
            return False
        self.reload()
        return True


def _state(account: AccountInfo, now: datetime) -> str:
    if not account.active:
        return "désactivé"
    if account.locked_until is not None and account.locked_at(now):
        return f"verrouillé jusqu'à {account.locked_until:%H:%M}"
    return "actif"


def _cells(account: AccountInfo, now: datetime) -> tuple[str, ...]:
    seen = f"{account.last_sign_in:%d/%m/%Y %H:%M}" if account.last_sign_in else "jamais"
    return (
        account.display_name,
        account.username,
        account.role_label,
        _state(account, now),
        seen,
    )
