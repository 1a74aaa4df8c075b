"""Main window: navigation rail, header strip (site and season), views, status bar."""

import getpass
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
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
from app.services import audit, reference
from app.services.bootstrap import open_app_database
from app.ui.agreements.view import AgreementsView
from app.ui.audit.view import AuditView
from app.ui.candidates.view import CandidatesView
from app.ui.context import AppContext
from app.ui.maintenance import MaintenanceActions
from app.ui.orientation.view import OrientationView
from app.ui.partners.view import PartnersView
from app.ui.settings.view import SettingsView
from app.ui.theme import icon
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
        self._views: dict[str, QWidget] = {}
        self.candidates_view = CandidatesView(context, self.header)
        self.orientation_view = OrientationView(context, self.header)
        self.header.scope_changed.connect(self.orientation_view.reload_cohorts)
        self.agreements_view = AgreementsView(context, self.header)
        self.agreements_view.settings_requested.connect(lambda: self.show_view("settings"))
        self.candidates_view.agreement_requested.connect(self._show_learner_agreement)
        self.partners_view = PartnersView(context)
        self.settings_view = SettingsView(context)
        self.audit_view = AuditView(context)
        widgets: dict[str, QWidget] = {
            "candidates": self.candidates_view,
            "orientation": self.orientation_view,
            "agreements": self.agreements_view,
            "partners": self.partners_view,
            "settings": self.settings_view,
            "audit": self.audit_view,
        }
        for entry in VIEWS:
            self._add_view(entry, widgets[entry.name])
        self.navigation.currentRowChanged.connect(self._switch_view)
        self._build_layout()
        self._build_status_bar()
        self._build_menus()
        self._restore_geometry()
        self.navigation.setCurrentRow(0)

    @classmethod
    def open(cls, database_url: str, username: str | None = None) -> "MainWindow":
        """A ready window on a migrated database; `username` signs that user in directly."""
        failed_backups: list[str] = []
        database = open_app_database(
            database_url, start_backup=True, on_backup_failure=failed_backups.append
        )
        window = cls(AppContext(database=database, username=username or _os_user()))
        window.maintenance.report_backup_failures(failed_backups)
        return window

    def show_view(self, name: str) -> QWidget:
        view = self._views.get(name)
        if view is None:
            raise KeyError(f"unknown view {name!r}; known: {', '.join(self._views)}")
        self.navigation.setCurrentRow(list(self._views).index(name))
        return view

    def _show_learner_agreement(self, candidate_id: int) -> None:
        self.show_view("agreements")
        self.agreements_view.start_for_learner(candidate_id)

    def _switch_view(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        if self.stack.currentWidget() is self.orientation_view:
            self.orientation_view.reload_cohorts()
        elif self.stack.currentWidget() is self.agreements_view:
            self.agreements_view.refresh_choices()

    def _add_view(self, entry: ViewEntry, widget: QWidget) -> None:
        item = QListWidgetItem(icon(entry.icon), entry.label)
        item.setData(Qt.ItemDataRole.UserRole, entry.name)
        self.navigation.addItem(item)
        self.stack.addWidget(widget)
        self._views[entry.name] = widget

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
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        database = QLabel(f"Base : {self.context.database.display_name}")
        database.setObjectName("databaseLabel")
        database.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        user = QLabel(f"Utilisateur : {self.context.username}")
        self.statusBar().addPermanentWidget(user)
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

    def confirm_leave(self) -> bool:
        """Every view with unsaved changes asks first; False when the user stays."""
        leaving = (
            self.candidates_view,
            self.agreements_view,
            self.partners_view,
            self.settings_view,
        )
        return all(view.confirm_leave() for view in leaving)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_leave():
            event.ignore()
            return
        settings = self._settings()
        settings.setValue("mainWindow/geometry", self.saveGeometry())
        settings.sync()
        self.maintenance.backup_on_quit()
        self.context.database.dispose()
        event.accept()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except OSError:
        return "utilisateur"
