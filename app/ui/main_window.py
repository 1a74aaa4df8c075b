"""Main window: navigation rail, header strip (site and season), views, status bar."""

import gc
import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QObject,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.config import settings_dir
from app.domain.account import ROLE_ACCUEIL, ROLE_COORDINATION, ROLE_FORMATEUR
from app.services import reference
from app.services.accounts import management as accounts
from app.services.accounts.command_line import DEMO_COORDINATOR
from app.services.accounts.management import SignedInAccount
from app.services.base_access import keys as base_keys
from app.services.base_access.demo_mark import is_demo_base
from app.services.base_access.keys import BaseLocked
from app.services.base_access.opening import open_app_database
from app.services.journal import audit_log as audit
from app.services.permissions import can_edit_appointments, can_edit_candidates
from app.storage import Database
from app.ui.agreements.view import AgreementsView
from app.ui.audit.view import AuditView
from app.ui.candidates.view import CandidatesView
from app.ui.context import AppContext
from app.ui.maintenance import MaintenanceActions
from app.ui.orientation.view import OrientationView
from app.ui.partners.view import PartnersView
from app.ui.settings.view import SettingsView
from app.ui.sign_in import (
    LockScreen,
    NewPasswordDialog,
    RecoveryKeyDialog,
    SignInCancelled,
    sign_in_at_start,
    unlock_at_start,
)
from app.ui.theme import icon
from app.ui.users.view import UsersView
from app.ui.widgets.naming import named


@dataclass(frozen=True)
class ViewEntry:
    name: str
    label: str
    icon: str


VIEWS = (
    ViewEntry("candidates", "Candidats", "users"),
    ViewEntry("orientation", "Orientation", "school"),
    ViewEntry("agreements", "Conventions", "file-certificate"),
    ViewEntry("partners", "Structures", "building-community"),
    ViewEntry("settings", "Paramètres", "settings"),
    ViewEntry("audit", "Journal, RGPD", "shield-lock"),
    ViewEntry("users", "Utilisateurs", "user-shield"),
)
VIEW_NAMES = [entry.name for entry in VIEWS]


class _Editing(Protocol):
    def confirm_leave(self) -> bool: ...


# Who sees which view; a view not listed here is for coordination only. The services check
# again: hiding an entry is for clarity, not the gate.
VIEW_ROLES = {
    "candidates": frozenset({ROLE_ACCUEIL, ROLE_FORMATEUR, ROLE_COORDINATION}),
    "orientation": frozenset({ROLE_FORMATEUR, ROLE_COORDINATION}),
}
# Mouse and keyboard use that keeps the session open.
ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class HeaderStrip(QFrame):
    """Current site and season; every view filters on them."""

    scope_changed = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("headerStrip")
        self.site_combo = named(QComboBox(), "headerSite")
        self.season_combo = named(QComboBox(), "headerSeason")
        self.site_combo.setAccessibleName("Site")
        self.season_combo.setAccessibleName("Saison")
        self.context = context
        with context.database.session() as session:
            sites = reference.sites(session)
        self.site_combo.addItem("Tous les sites", None)
        for option in sites:
            self.site_combo.addItem(f"{option.label} ({_city(option.code)})", option.id)
        self.reload_seasons()
        current = reference.current_season_label()
        index = self.season_combo.findText(f"Saison {current}")
        self.season_combo.setCurrentIndex(max(index, 0))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        title = QLabel("La Fabrique du Numérique")
        title.setProperty("role", "title")
        layout.addWidget(title)
        layout.addStretch(1)
        for text, combo in (("Site :", self.site_combo), ("Saison :", self.season_combo)):
            label = QLabel(text)
            label.setBuddy(combo)
            layout.addWidget(label)
            layout.addWidget(combo)
        self.site_combo.currentIndexChanged.connect(self.scope_changed)
        self.season_combo.currentIndexChanged.connect(self.scope_changed)

    def reload_seasons(self) -> None:
        """List the seasons again (an import may have added one); keep the current choice."""
        with self.context.database.session() as session:
            seasons = reference.seasons(session)
        chosen = self.season_combo.currentData()
        blocked = self.season_combo.blockSignals(True)
        self.season_combo.clear()
        self.season_combo.addItem("Toutes les saisons", None)
        for option in seasons:
            self.season_combo.addItem(f"Saison {option.label}", option.id)
        self.season_combo.setCurrentIndex(max(self.season_combo.findData(chosen), 0))
        self.season_combo.blockSignals(blocked)

    def season_label(self) -> str | None:
        text = self.season_combo.currentText().removeprefix("Saison ")
        return text if self.season_combo.currentData() is not None else None

    def site_id(self) -> int | None:
        value = self.site_combo.currentData()
        return int(value) if value is not None else None

    def season_id(self) -> int | None:
        value = self.season_combo.currentData()
        return int(value) if value is not None else None


def _city(code: str) -> str:
    return {"cobalt": "Poitiers", "du-guesclin": "Niort"}.get(code, code)


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        # Every change saved from this window is logged in the name of whoever is signed in.
        audit.attach(context.database, lambda: self.context.username)
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{APP_NAME} — {context.database.display_name}")
        self.header = HeaderStrip(context)
        self.navigation = named(QListWidget(), "navigation")
        self.navigation.setAccessibleName("Navigation")
        self.navigation.setFixedWidth(170)
        self.stack = QStackedWidget()
        self._views: dict[str, QWidget] = {}  # the views built so far
        # The frame goes into the window first: a widget given a parent is styled again with
        # all it holds, so views added to a frame already in place are styled once, not five
        # times (a third of the start-up time otherwise).
        self._build_layout()
        self._build_lock_screen()
        for entry in VIEWS:
            self._add_view(entry)
        # The candidates list opens the window; the other views are built once it shows, one
        # per turn of the event loop, or at once when asked for (see _view).
        self.candidates_view = cast(CandidatesView, self._view("candidates"))
        self.candidates_view.agreement_requested.connect(self._show_learner_agreement)
        self.navigation.currentRowChanged.connect(self._switch_view)
        self._build_status_bar()
        self._build_menus()
        self._restore_geometry()
        self.navigation.setCurrentRow(0)
        self._apply_role()
        self._watch_idle_time()

    @classmethod
    def open(cls, database_url: str, username: str | None = None) -> "MainWindow":
        """A ready window on a migrated database, once someone has signed in.

        Without `username`, the first coordination account is created (new base) or the
        sign-in dialog asks who is there; SignInCancelled if they give up. With `username`
        (tests, automation) that account is signed in directly — created as coordination,
        with no usable password, on a base without accounts; a French error if unknown.
        """
        failed_backups: list[str] = []
        try:
            database = open_app_database(database_url, on_backup_failure=failed_backups.append)
        except BaseLocked:
            if username is not None:
                raise
            unlocked = unlock_at_start(database_url, failed_backups.append)
            if unlocked is None:
                raise SignInCancelled("Connexion annulée : Fabrique Accueil se ferme.") from None
            database, account = unlocked
        else:
            try:
                account = _first_sign_in(database, username)
            except BaseException:
                database.dispose()
                raise
        context = AppContext(database=database)
        context.sign_in(account)
        if username is None:
            _hand_over_recovery_key(database, account)
        window = cls(context)
        window.maintenance.report_backup_failures(failed_backups)  # before a migration
        window.maintenance.start_backup_in_background()
        return window

    def show_view(self, name: str) -> QWidget:
        if name not in VIEW_NAMES:
            raise KeyError(f"unknown view {name!r}; known: {', '.join(VIEW_NAMES)}")
        if not self._allowed(name):
            raise KeyError(f"view {name!r} is not open to the role {self.context.role!r}")
        view = self._view(name)
        self.navigation.setCurrentRow(VIEW_NAMES.index(name))
        return view

    # ---- views, built when first needed

    @property
    def orientation_view(self) -> OrientationView:
        return cast(OrientationView, self._view("orientation"))

    @property
    def agreements_view(self) -> AgreementsView:
        return cast(AgreementsView, self._view("agreements"))

    @property
    def partners_view(self) -> PartnersView:
        return cast(PartnersView, self._view("partners"))

    @property
    def settings_view(self) -> SettingsView:
        return cast(SettingsView, self._view("settings"))

    @property
    def audit_view(self) -> AuditView:
        return cast(AuditView, self._view("audit"))

    @property
    def users_view(self) -> UsersView:
        return cast(UsersView, self._view("users"))

    def _view(self, name: str) -> QWidget:
        """The view, built now if it is not yet, in place of its placeholder."""
        view = self._views.get(name)
        if view is not None:
            return view
        view = self._build_view(name)
        index = VIEW_NAMES.index(name)
        placeholder = self.stack.widget(index)
        assert placeholder is not None, "_add_view puts a placeholder at each view's index"
        was_current = self.stack.currentIndex() == index
        self.stack.insertWidget(index, view)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        if was_current:
            self.stack.setCurrentIndex(index)
        self._views[name] = view
        return view

    def _build_view(self, name: str) -> QWidget:
        context = self.context
        if name == "candidates":
            return CandidatesView(context, self.header)
        if name == "orientation":
            return OrientationView(context, self.header)
        if name == "agreements":
            agreements = AgreementsView(context, self.header)
            agreements.settings_requested.connect(lambda: self.show_view("settings"))
            return agreements
        if name == "partners":
            return PartnersView(context)
        if name == "settings":
            settings = SettingsView(context)
            settings.security.idle_lock_changed.connect(self.set_idle_minutes)
            return settings
        if name == "audit":
            return AuditView(context)
        return UsersView(context)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._build_next_view)

    def _build_next_view(self) -> None:
        missing = [name for name in VIEW_NAMES if name not in self._views and self._allowed(name)]
        if missing and not self.isHidden():
            self._view(missing[0])
            QTimer.singleShot(0, self._build_next_view)
        elif not missing:
            settle_after_start()

    def _show_learner_agreement(self, candidate_id: int) -> None:
        if not self._allowed("agreements"):
            return
        self.show_view("agreements")
        self.agreements_view.start_for_learner(candidate_id)

    def _switch_view(self, row: int) -> None:
        if 0 <= row < len(VIEW_NAMES):
            self._view(VIEW_NAMES[row])
        self.stack.setCurrentIndex(row)

    def _add_view(self, entry: ViewEntry) -> None:
        item = QListWidgetItem(icon(entry.icon), entry.label)
        item.setData(Qt.ItemDataRole.UserRole, entry.name)
        self.navigation.addItem(item)
        self.stack.addWidget(QWidget())  # replaced by the view when it is built

    def _build_layout(self) -> None:
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(body, 1)
        self.content = central

    def _build_status_bar(self) -> None:
        database = QLabel(f"Base : {self.context.database.display_name}")
        database.setObjectName("databaseLabel")
        database.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.user_label = named(QLabel(), "userLabel")
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(database)

    def _settings(self) -> QSettings:
        return QSettings(str(settings_dir() / "window.ini"), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        geometry = self._settings().value("mainWindow/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        self.resize(1360, 820)

    def _build_menus(self) -> None:
        """The menu bar: Fichier (database actions, Quitter); other menus are added here."""
        self.maintenance = MaintenanceActions(self)
        file_menu = self.menuBar().addMenu("&Fichier")
        self.maintenance.add_to(file_menu)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("Quitter")
        quit_action.setObjectName("quitAction")
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        self._build_session_menu()

    def confirm_leave(self) -> bool:
        """Every view with unsaved changes asks first; False when the user stays."""
        editing = ("candidates", "agreements", "partners", "settings")
        leaving = [cast(_Editing, self._views[name]) for name in editing if name in self._views]
        return all(view.confirm_leave() for view in leaving)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_leave():
            event.ignore()
            return
        settings = self._settings()
        settings.setValue("mainWindow/geometry", self.saveGeometry())
        settings.sync()
        self.hide()  # the window goes at once; the copy on quit follows
        self.maintenance.backup_on_quit()
        _application().removeEventFilter(self._activity)
        self.context.database.dispose()
        event.accept()

    # ---- session: who is signed in, lock, switch user, idle time

    def _build_lock_screen(self) -> None:
        """The content and the lock screen share the central area; one shows at a time."""
        self.lock_screen = LockScreen(self.context.database)
        self.lock_screen.panel.signed_in.connect(self._unlock)
        self.screens = QStackedWidget()
        self.screens.addWidget(self.content)
        self.screens.addWidget(self.lock_screen)
        self.setCentralWidget(self.screens)

    def _build_session_menu(self) -> None:
        menu = self.menuBar().addMenu("&Session")
        self.lock_action = menu.addAction(icon("lock"), "Verrouiller")
        self.lock_action.setObjectName("lockAction")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.switch_action = menu.addAction(icon("login"), "Changer d'utilisateur…")
        self.switch_action.setObjectName("switchUserAction")
        self.switch_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.switch_action.triggered.connect(self.switch_user)
        menu.addSeparator()
        self.password_action = menu.addAction(icon("key"), "Changer mon mot de passe…")
        self.password_action.setObjectName("changePasswordAction")
        self.password_action.triggered.connect(self.change_own_password)
        self.users_action = menu.addAction(icon("user-shield"), "Utilisateurs")
        self.users_action.setObjectName("usersAction")
        self.users_action.triggered.connect(lambda: self.show_view("users"))

    def _allowed(self, name: str) -> bool:
        return self.context.role in VIEW_ROLES.get(name, frozenset({ROLE_COORDINATION}))

    def _apply_role(self) -> None:
        """Show what the signed-in role may use; the services refuse the rest anyway."""
        for row, name in enumerate(VIEW_NAMES):
            self.navigation.item(row).setHidden(not self._allowed(name))
        if not self._allowed(self._current_view_name()):
            self.show_view("candidates")
        coordination = self.context.role == ROLE_COORDINATION
        self.users_action.setVisible(coordination)
        for action in (self.maintenance.restore_action, self.maintenance.folder_action):
            action.setVisible(coordination)
        self._apply_role_to_candidates(coordination)
        if coordination and "users" in self._views:  # a new view reads its list itself
            self.users_view.reload()
        self.user_label.setText(
            f"Connecté : {self.context.display_name} ({self.context.role_label})"
        )

    def _apply_role_to_candidates(self, coordination: bool) -> None:
        view = self.candidates_view
        editor = can_edit_candidates(self.context.role)
        booking = can_edit_appointments(self.context.role)
        for button, shown in (
            (view.new_button, editor),
            (view.import_button, editor),
            (view.history.change_button, editor),
            (view.today.new_session, booking),
            (view.appointments.register_button, booking),
            (view.appointments.interview_button, booking),
            (view.agreement_button, coordination),
        ):
            button.setVisible(shown)
        view.form.apply_role()

    def _current_view_name(self) -> str:
        return VIEW_NAMES[max(self.navigation.currentRow(), 0)]

    @property
    def is_locked(self) -> bool:
        return self.screens.currentWidget() is self.lock_screen

    def lock(self) -> None:
        """Hide everything behind the sign-in; what was being typed stays as it is."""
        if self.is_locked:
            return
        self.lock_screen.show_locked(self.context.display_name, self.context.username)
        self._show_lock_screen()

    def switch_user(self) -> None:
        """Another person takes the desk: unsaved changes are settled first, then sign-in."""
        if self.is_locked or not self.confirm_leave():
            return
        self.lock_screen.show_switch()
        self._show_lock_screen()

    def _show_lock_screen(self) -> None:
        self.idle_timer.stop()
        self.screens.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.statusBar().clearMessage()
        self.user_label.setText("Session verrouillée")
        self.lock_screen.panel.setFocus()

    def _unlock(self, account: SignedInAccount) -> None:
        if account.id != self.context.account_id:
            # Another person: the previous one's unsaved changes are settled first.
            if not self.confirm_leave():
                self.lock_screen.panel.refuse(
                    "Des modifications restent à enregistrer : connexion annulée."
                )
                return
            self.context.sign_in(account)
            self._after_user_change()
        self.screens.setCurrentWidget(self.content)
        self.menuBar().setEnabled(True)
        self._apply_role()
        self.idle_timer.start()

    def _after_user_change(self) -> None:
        """Views show the new person's rights: files are read again with their role."""
        self.candidates_view.form.reload()
        if "orientation" in self._views:
            self.orientation_view.reload_cohorts()
        self.statusBar().showMessage(f"Bonjour {self.context.display_name}.", 5000)

    def change_own_password(self) -> None:
        account_id = self.context.account_id
        if account_id is None:
            return

        def save(current: str, password: str, confirmation: str) -> None:
            with self.context.database.session() as session:
                accounts.change_own_password(session, account_id, current, password, confirmation)

        dialog = NewPasswordDialog(
            "Changer mon mot de passe",
            f"{self.context.display_name} ({self.context.username}) : "
            "tapez le mot de passe actuel, puis le nouveau deux fois.",
            save,
            ask_current=True,
            parent=self,
        )
        if dialog.exec():
            self.statusBar().showMessage("Mot de passe changé.", 5000)

    def _watch_idle_time(self) -> None:
        """Lock after the idle time set in Paramètres; any mouse or key use starts it again."""
        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.lock)
        with self.context.database.session(commit=False) as session:
            self.set_idle_minutes(accounts.idle_lock_minutes(session))
        self._activity = ActivityFilter(self.idle_timer, lambda: self.is_locked, self)
        _application().installEventFilter(self._activity)

    def set_idle_minutes(self, minutes: int) -> None:
        self.idle_timer.setInterval(minutes * 60_000)
        if not self.is_locked:
            self.idle_timer.start()


class ActivityFilter(QObject):
    """Application-wide: mouse and keyboard use restarts the idle timer (unless locked)."""

    def __init__(self, timer: QTimer, locked: Callable[[], bool], parent: QObject) -> None:
        super().__init__(parent)
        self._timer = timer
        self._locked = locked

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS and not self._locked():
            self._timer.start()
        return False


def _application() -> QCoreApplication:
    application = QApplication.instance()
    assert application is not None, "the window needs a QApplication"
    return application


def _hand_over_recovery_key(database: Database, account: SignedInAccount) -> None:
    """Coordination sees the recovery key once, right after the base was protected."""
    with database.session(commit=False) as session:
        key = base_keys.recovery_key_to_hand_over(session, actor=account.actor)
    if key is None:
        return
    if RecoveryKeyDialog(key).exec() == RecoveryKeyDialog.DialogCode.Accepted:
        with database.session() as session:
            base_keys.recovery_key_handed_over(session, actor=account.actor)


def _first_sign_in(database: Database, username: str | None) -> SignedInAccount:
    with database.session() as session:
        if username is None and is_demo_base(session):
            username = DEMO_COORDINATOR  # a demo base opens without a password (CONTRACT)
        if username is not None:
            return accounts.sign_in_without_password(session, username)
    account = sign_in_at_start(database)
    if account is None:
        raise SignInCancelled("Connexion annulée : Fabrique Accueil se ferme.")
    return account


_settled = threading.Event()


def settle_after_start() -> None:
    """Once the window is complete (once per process): the objects built so far leave the
    garbage collector's watch, so that a full collection no longer walks the whole window
    (70-90 ms, felt as a hitch while typing), and the PDF modules load in the background so
    that the first document is as quick as the next ones."""
    if _settled.is_set():
        return
    _settled.set()
    gc.freeze()
    threading.Thread(target=_load_document_modules, name="pdf-preload", daemon=True).start()


def _load_document_modules() -> None:
    for name in ("convention", "avenant", "attestation", "evaluation"):
        importlib.import_module(f"app.pdf.{name}")
    fonts = importlib.import_module("app.pdf.fonts")
    fonts.register_fonts()  # reading the TrueType files is most of a first document's time
    gc.freeze()
