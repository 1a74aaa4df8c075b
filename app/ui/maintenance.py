"""The Fichier menu's database actions: back up now, restore, check, choose the backup folder,
set how long manual backups are kept.

Also the automatic copies tied to the window: the start copy, taken off the UI thread once the
window is open (its failure shown in the status bar), and the copy taken on quit. The work
itself is in app.services.maintenance.actions; long steps run off the UI thread
(app.ui.operations).
"""

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.config import (
    BACKUP_DIR_ENV,
    DEFAULT_MANUAL_BACKUP_DAYS,
    MAX_MANUAL_BACKUP_DAYS,
    MIN_MANUAL_BACKUP_DAYS,
    backup_dir,
    backup_dir_forced_by_environment,
    manual_backup_days,
    set_manual_backup_days,
)
from app.errors import UserFacingError
from app.services.maintenance import actions as maintenance
from app.services.maintenance.health_check import CheckReport, content_line
from app.services.unit_of_work import Database
from app.ui.errors import show_error
from app.ui.operations import Failed, Operation, run_busy, run_in_background
from app.ui.theme import icon
from app.ui.widgets.file_dialogs import choose_folder, open_file
from app.ui.widgets.naming import named

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

T = TypeVar("T")
BACKUP_FILTER = "Sauvegardes Fabrique Accueil (*.sqlite);;Tous les fichiers (*)"


class MaintenanceActions(QObject):
    """The five actions of the Fichier menu, bound to one main window."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self._window = window
        self.replacement: MainWindow | None = None  # the window reopened after a restore
        self._backup_on_quit = True
        self._start_backup: Operation[object] | None = None
        self.backup_now_action = self._action(
            "backupNowAction", "Sauvegarder maintenant", "device-floppy", self.backup_now
        )
        self.restore_action = self._action(
            "restoreAction", "Restaurer une sauvegarde…", "refresh", self.restore
        )
        self.check_action = self._action(
            "checkAction", "Vérifier la base", "clipboard-check", self.check
        )
        self.folder_action = self._action(
            "backupFolderAction", "Dossier des sauvegardes…", "files", self.choose_folder
        )
        self.retention_action = self._action(
            "manualRetentionAction",
            "Conservation des sauvegardes manuelles…",
            "history",
            self.choose_manual_retention,
        )

    def _action(self, name: str, text: str, icon_name: str, slot: Callable[[], None]) -> QAction:
        action = QAction(icon(icon_name), text, self._window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def add_to(self, menu: QMenu) -> None:
        menu.addAction(self.backup_now_action)
        menu.addAction(self.restore_action)
        menu.addSeparator()
        menu.addAction(self.check_action)
        menu.addSeparator()
        menu.addAction(self.folder_action)
        menu.addAction(self.retention_action)

    @property
    def _database(self) -> Database:
        return self._window.context.database

    # ------------------------------------------------------------ automatic copies

    def report_backup_failures(self, messages: list[str]) -> None:
        """Failed automatic copies of the start, shown once in the status bar (already logged)."""
        if messages:
            text = " ".join(messages)
            self._window.statusBar().showMessage(text)
            self._window.statusBar().setToolTip(text)  # the whole text, when the bar is narrow

    def start_backup_in_background(self) -> None:
        """The start copy, taken while the window is already in use: copying a large base
        (or onto a slow USB key) must not delay the opening. A failure shows in the status
        bar once it is known."""
        database = self._database
        failures: list[str] = []
        self._start_backup = run_in_background(
            self,
            lambda _progress: maintenance.take_start_copy(database, failures.append),
            on_success=lambda _copy: self.report_backup_failures(failures),
            on_failure=lambda message: self.report_backup_failures([message]),
        )

    def wait_for_start_backup(self) -> None:
        """Before replacing or closing the base, let the start copy finish."""
        if self._start_backup is not None:
            self._start_backup.wait(None)

    def _after_start_backup(self, work: Callable[[], T]) -> T:
        self.wait_for_start_backup()  # the start copy is still reading the file to replace
        return work()

    def backup_on_quit(self) -> None:
        """The copy taken when the window closes; a failure is only logged (nobody would see)."""
        self.wait_for_start_backup()
        if self._backup_on_quit:
            maintenance.take_quit_copy(self._database)

    # ------------------------------------------------------------ the actions

    def backup_now(self) -> None:
        database, actor = self._database, self._window.context.actor
        outcome = run_busy(
            self._window,
            "Sauvegarde de la base en cours…",
            lambda: maintenance.back_up_now(database, actor=actor),
        )
        if isinstance(outcome, Failed):
            show_error(self._window, outcome.message, "Sauvegarde impossible")
            return
        self._window.statusBar().showMessage(f"Sauvegarde enregistrée : {outcome}", 15000)
        QMessageBox.information(
            self._window, "Sauvegarde enregistrée", f"La base a été sauvegardée dans :\n{outcome}"
        )

    def restore(self) -> None:
        database, actor = self._database, self._window.context.actor
        try:
            maintenance.restorable_file(database, actor=actor)
        except UserFacingError as error:
            show_error(self._window, str(error), "Restauration impossible")
            return
        copy = open_file(
            self._window, "Restaurer une sauvegarde", BACKUP_FILTER, start=backup_dir()
        )
        if copy is None:
            return
        if not self._window.confirm_leave() or not self._confirm_restore(copy):
            return
        outcome = run_busy(
            self._window,
            "Vérification et restauration de la sauvegarde…",
            lambda: self._after_start_backup(
                lambda: maintenance.restore_copy(database, copy, actor=actor)
            ),
        )
        if isinstance(outcome, Failed):
            show_error(self._window, outcome.message, "Restauration refusée")
            return
        kept = (
            f"L'ancienne base est conservée dans :\n{outcome.kept}"
            if outcome.kept is not None
            else "Il n'y avait pas de base à remplacer."
        )
        QMessageBox.information(
            self._window,
            "Sauvegarde restaurée",
            f"La sauvegarde {outcome.description} a été restaurée.\n\n{kept}\n\n"
            "La fenêtre va se rouvrir sur la base restaurée.",
        )
        self._reopen()

    def _confirm_restore(self, copy: Path) -> bool:
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Restaurer une sauvegarde")
        box.setText(
            f"Remplacer la base actuelle par la sauvegarde {maintenance.describe_copy(copy)} ?"
        )
        box.setInformativeText(
            "La sauvegarde est d'abord vérifiée. La base actuelle est conservée : une copie "
            "« avant-restauration » est faite dans le dossier des sauvegardes avant de la "
            "remplacer. Ce qui a été saisi après la date de la sauvegarde ne sera plus visible "
            "(il reste dans cette copie)."
        )
        restore = box.addButton("Restaurer", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is restore

    def _reopen(self) -> None:
        """A new window on the restored base (no view keeps stale rows); this one closes."""
        window = self._window
        self._backup_on_quit = False  # the base was just kept before the restore
        try:
            replacement = type(window).open(self._database.url, username=window.context.username)
        except UserFacingError as error:
            # This window shows the replaced base: it must not stay open on the restored one.
            show_error(
                window,
                f"La sauvegarde est restaurée, mais la fenêtre n'a pas pu se rouvrir : {error}\n\n"
                "Relancez l'application.",
                "Réouverture impossible",
            )
            window.close()
            return
        replacement.show()
        self.replacement = replacement
        window.close()

    def check(self) -> None:
        database = self._database
        outcome = run_busy(
            self._window, "Vérification de la base…", lambda: maintenance.check_base(database)
        )
        if isinstance(outcome, Failed):
            show_error(self._window, outcome.message, "Vérification impossible")
            return
        CheckReportDialog(outcome, self._window).exec()

    def choose_folder(self) -> None:
        current = backup_dir()
        if backup_dir_forced_by_environment():
            show_error(
                self._window,
                f"Le dossier des sauvegardes est imposé par la variable {BACKUP_DIR_ENV} "
                f"(« {current} ») : il ne peut pas être changé ici.",
                "Dossier des sauvegardes",
            )
            return
        chosen = choose_folder(
            self._window,
            f"Dossier des sauvegardes (actuellement : {current})",
            start=current if current.exists() else current.parent,
        )
        if chosen is None:
            return
        try:
            maintenance.use_backup_folder(chosen)
        except UserFacingError as error:
            show_error(self._window, str(error), "Dossier refusé")
            return
        except OSError as error:
            log.exception("backup folder setting not saved")
            show_error(
                self._window,
                f"Le choix n'a pas pu être enregistré ({error.strerror or error}).",
                "Dossier refusé",
            )
            return
        self._window.statusBar().showMessage(f"Dossier des sauvegardes : {backup_dir()}", 15000)
        QMessageBox.information(
            self._window,
            "Dossier des sauvegardes",
            f"Les sauvegardes iront désormais dans :\n{backup_dir()}\n\n"
            "S'il s'agit d'une clé USB ou d'un disque externe, gardez-le branché : sinon la "
            "sauvegarde automatique est signalée dans la barre d'état, et l'application "
            "fonctionne quand même.",
        )

    def choose_manual_retention(self) -> None:
        """How many days this workstation keeps its manual backups (the rotation removes older
        ones, so that erased data does not stay in them for ever)."""
        days, ok = QInputDialog.getInt(
            self._window,
            "Conservation des sauvegardes manuelles",
            "Garder les sauvegardes manuelles de ce poste pendant (jours) :\n"
            f"(par défaut {DEFAULT_MANUAL_BACKUP_DAYS} ; la plus récente des sauvegardes est "
            "toujours gardée)",
            manual_backup_days(),
            MIN_MANUAL_BACKUP_DAYS,
            MAX_MANUAL_BACKUP_DAYS,
        )
        if not ok:
            return
        try:
            set_manual_backup_days(days)
        except OSError as error:
            log.exception("manual backup retention not saved")
            show_error(
                self._window,
                f"Le choix n'a pas pu être enregistré ({error.strerror or error}).",
                "Conservation des sauvegardes manuelles",
            )
            return
        self._window.statusBar().showMessage(
            f"Sauvegardes manuelles gardées {manual_backup_days()} jours.", 15000
        )


class CheckReportDialog(QDialog):
    """The outcome of "Vérifier la base": one line per check, marked passed or not."""

    def __init__(self, report: CheckReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkReportDialog")
        self.setWindowTitle("Vérifier la base")
        self.setMinimumWidth(620)
        self.summary = named(QLabel(), "checkSummary")
        self.summary.setProperty("role", "title")
        self.summary.setText("Base en bon état." if report.ok else "Des problèmes ont été trouvés.")
        where = QLabel(f"Base : {report.database}")
        where.setProperty("role", "muted")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lines = named(QListWidget(), "checkLines")
        self.lines.setAccessibleName("Résultat de la vérification")
        self.lines.setWordWrap(True)
        self.lines.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        for line, passed in report.lines:
            self.lines.addItem(QListWidgetItem(icon("check" if passed else "alert-triangle"), line))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(where)
        layout.addWidget(self.lines, 1)
        if report.counts:
            layout.addWidget(QLabel(content_line(report.counts)))
        if not report.ok:
            advice = QLabel(
                "Que faire : notez les problèmes ci-dessus et prévenez la coordination. Si la "
                "base est endommagée, « Fichier › Restaurer une sauvegarde… » remet la dernière "
                "copie saine (la base actuelle est conservée)."
            )
            advice.setWordWrap(True)
            advice.setProperty("role", "warning")
            layout.addWidget(advice)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()
        self.resize(680, 380)
