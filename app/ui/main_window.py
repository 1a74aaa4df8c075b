"""Main window: navigation rail, header strip (site and season), views, status bar."""

import gc
from collections.abc import Callable
from typing import Protocol, cast, runtime_checkable

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
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
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
from app.domain.account import ROLE_COORDINATION
from app.services import lists, reference
from app.services.accounts import actions as accounts
from app.services.accounts.management import SignedInAccount
from app.services.base_access.keys import BaseLocked
from app.services.base_access.opening import open_app_database
from app.services.journal import audit_log as audit
from app.services.maintenance.actions import load_document_modules
from app.services.permissions import can_edit_appointments, can_edit_candidates
from app.services.unit_of_work import Database
from app.ui import views
from app.ui.agreements.view import AgreementsView
from app.ui.audit.view import AuditView
from app.ui.candidates.view import CandidatesView
from app.ui.context import AppContext
from app.ui.maintenance import MaintenanceActions
from app.ui.operations import Operation, run_in_background
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
from app.ui.views import VIEW_NAMES, VIEWS, ViewEntry
from app.ui.widgets.naming import named

__all__ = ["VIEWS", "VIEW_NAMES", "HeaderStrip", "MainWindow"]


@runtime_checkable
class _WarmsUp(Protocol):
    def warm_up(self) -> Callable[[], None]: ...


class _Editing(Protocol):
    def confirm_leave(self) -> bool: ...


# Mouse and keyboard use that keeps the window unlocked.
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
        self.site_combo.addItem("Tous les sites", None)
        for option in lists.site_places(context.database):  # "Cobalt (Poitiers)"
            self.site_combo.addItem(option.label, option.id)
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
        seasons = lists.seasons(self.context.database)
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
        self.navigation.setFixedWidth(180)  # "Tableau de bord" whole beside its icon
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        # Everything about the views comes from their registry (app/ui/views.py).
        self.entries: tuple[ViewEntry, ...] = views.VIEWS
        self.view_names = [entry.name for entry in self.entries]
        self._views: dict[str, QWidget] = {}  # the views built so far
        self._preload: Operation[None] | None = None  # the document modules, once complete
        # The frame goes into the window first: a widget given a parent is styled again with
        # all it holds, so views added to a frame already in place are styled once, not five
        # times (a third of the start-up time otherwise).
        self._build_layout()
        self._build_lock_screen()
        for entry in self.entries:
            self._add_view(entry)
        # The first view (the candidates list) opens the window; the others are built once it
        # shows, one per turn of the event loop, or at once when asked for (see _view).
        self._view(self.entries[0].name)
        self._new_files_follow_header()
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
        if not self._allowed(name):
            raise KeyError(f"view {name!r} is not open to the role {self.context.role!r}")
        view = self._view(name)
        self.navigation.setCurrentRow(self.view_names.index(name))
        return view

    def _entry(self, name: str) -> ViewEntry:
        for entry in self.entries:
            if entry.name == name:
                return entry
        raise KeyError(f"unknown view {name!r}; known: {', '.join(self.view_names)}")

    # ---- views, built when first needed

    @property
    def candidates_view(self) -> CandidatesView:
        return cast(CandidatesView, self._view("candidates"))

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
        view = self._entry(name).build(self)
        index = self.view_names.index(name)
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

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._build_next_view)

    def _build_next_view(self) -> None:
        missing = [n for n in self.view_names if n not in self._views and self._allowed(n)]
        if missing and not self.isHidden():
            self._view(missing[0])
            QTimer.singleShot(0, self._build_next_view)
        elif not missing:
            self._settle_after_start()

    def _settle_after_start(self) -> None:
        """Once the window is complete (once per process): the objects built so far leave the
        garbage collector's watch, so that a full collection no longer walks the whole window
        (70-90 ms, felt as a hitch while typing), and the document modules load in the
        background so that the first document is as quick as the next ones — and the views
        that read much at their first opening (the dashboard) read it once then."""
        if _settled:
            return
        _settled.append(True)
        gc.freeze()
        warm_ups = [view.warm_up() for view in self._views.values() if isinstance(view, _WarmsUp)]

        def preload(_progress: object) -> None:
            load_document_modules()
            for warm_up in warm_ups:
                warm_up()

        self._preload = run_in_background(self, preload, on_success=lambda _none: gc.freeze())

    @property
    def is_settled(self) -> bool:
        """Every view this role may see is built and the document modules are loaded (the
        benchmark measures from there)."""
        complete = all(name in self._views for name in self.view_names if self._allowed(name))
        preloaded = self._preload is None or not self._preload.running
        return complete and bool(_settled) and preloaded  # _settled: the preload has started

    def _new_files_follow_header(self) -> None:
        """A blank candidate file takes the header's site, and its season unless it is over."""
        form = self.candidates_view.form

        def follow() -> None:
            form.follow_scope(self.header.season_label(), self.header.site_id())

        self.header.scope_changed.connect(follow)
        follow()

    def show_learner_agreement(self, candidate_id: int) -> None:
        if not self._allowed("agreements"):
            return
        self.show_view("agreements")
        self.agreements_view.start_for_learner(candidate_id)

    def _switch_view(self, row: int) -> None:
        if 0 <= row < len(self.view_names):
            self._view(self.view_names[row])
        self.stack.setCurrentIndex(row)

    def _add_view(self, entry: ViewEntry) -> None:
        item = QListWidgetItem(icon(entry.icon), entry.label)
        item.setData(Qt.ItemDataRole.UserRole, entry.name)
        self.navigation.addItem(item)
        self.stack.addWidget(QWidget())  # replaced by the view when it is built
        if entry.shortcut is not None:
            shortcut = QShortcut(QKeySequence(entry.shortcut), self)
            shortcut.activated.connect(lambda name=entry.name: self._show_if_allowed(name))

    def _show_if_allowed(self, name: str) -> None:
        if self._allowed(name) and not self.is_locked:
            self.show_view(name)

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
        self._build_account_menu()

    def confirm_leave(self) -> bool:
        """Every view with unsaved changes asks first; False when the user stays."""
        leaving = [
            cast(_Editing, self._views[entry.name])
            for entry in self.entries
            if entry.holds_edits and entry.name in self._views
        ]
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

    # ---- who is signed in: lock, switch user, idle time

    def _build_lock_screen(self) -> None:
        """The content and the lock screen share the central area; one shows at a time."""
        self.lock_screen = LockScreen(self.context.database)
        self.lock_screen.panel.signed_in.connect(self._unlock)
        self.screens = QStackedWidget()
        self.screens.addWidget(self.content)
        self.screens.addWidget(self.lock_screen)
        self.setCentralWidget(self.screens)

    def _build_account_menu(self) -> None:
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
        return self.context.role in self._entry(name).roles

    def _apply_role(self) -> None:
        """Show what the signed-in role may use; the services refuse the rest anyway."""
        for row, name in enumerate(self.view_names):
            self.navigation.item(row).setHidden(not self._allowed(name))
        if not self._allowed(self._current_view_name()):
            self.show_view(self.entries[0].name)
        coordination = self.context.role == ROLE_COORDINATION
        self.users_action.setVisible(coordination)
        for action in (self.maintenance.restore_action, self.maintenance.folder_action):
            action.setVisible(coordination)
        self._apply_role_to_candidates(coordination)
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
        return self.view_names[max(self.navigation.currentRow(), 0)]

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
        for entry in self.entries:
            view = self._views.get(entry.name)
            if view is not None and entry.on_user_change is not None:
                entry.on_user_change(view)
        self.statusBar().showMessage(f"Bonjour {self.context.display_name}.", 5000)

    def change_own_password(self) -> None:
        account_id = self.context.account_id
        if account_id is None:
            return

        database = self.context.database

        def save(current: str, password: str, confirmation: str) -> None:
            accounts.change_own_password(database, account_id, current, password, confirmation)

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
        self.set_idle_minutes(accounts.idle_lock_minutes(self.context.database))
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
    key = accounts.recovery_key_to_hand_over(database, actor=account.actor)
    if key is None:
        return
    if RecoveryKeyDialog(key).exec() == RecoveryKeyDialog.DialogCode.Accepted:
        accounts.recovery_key_handed_over(database, actor=account.actor)


def _first_sign_in(database: Database, username: str | None) -> SignedInAccount:
    # `username`, or on a demo base its coordinator, without a password (CONTRACT.md).
    account = accounts.sign_in_at_opening(database, username)
    if account is not None:
        return account
    account = sign_in_at_start(database)
    if account is None:
        raise SignInCancelled("Connexion annulée : Fabrique Accueil se ferme.")
    return account


_settled: list[bool] = []  # once per process: a window reopened after a restore settles no more
