"""The dashboard's Exporter menu: the indicator tables as a spreadsheet (XLSX) or CSV, the
pseudonymised one-row-per-learner extract for funders, the bilan de saison in PDF. Each file
is written and journaled by the service, off the window's thread, the window waiting."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from app.domain.plural import plural
from app.services.reports import exports
from app.services.reports.exports import ExportFormat, ReportKind
from app.services.reports.scope import ReportScope
from app.ui.operations import Failed, run_busy
from app.ui.printing.preview import PdfPreviewDialog
from app.ui.widgets.file_dialogs import save_file

if TYPE_CHECKING:
    from app.ui.dashboard.view import DashboardView

FILTERS = {
    ExportFormat.CSV: "Fichiers CSV (*.csv)",
    ExportFormat.XLSX: "Classeurs Excel (*.xlsx)",
}


class DashboardExports:
    """The menu's actions; each asks where to write, then writes what the view shows."""

    def __init__(self, view: "DashboardView") -> None:
        self.view = view
        self.last_written = ""  # the status line of the latest file written
        self.preview: PdfPreviewDialog | None = None  # the bilan de saison, once written

    def menu(self, menu: QMenu) -> QMenu:
        entries: tuple[tuple[str, str, Callable[[], None]], ...] = (
            (
                "Tableaux des indicateurs (XLSX)…",
                "exportTablesXlsx",
                lambda: self.export_tables(ExportFormat.XLSX),
            ),
            (
                "Tableaux des indicateurs (CSV)…",
                "exportTablesCsv",
                lambda: self.export_tables(ExportFormat.CSV),
            ),
            (
                "Extrait pseudonymisé des apprenants (XLSX)…",
                "exportExtractXlsx",
                lambda: self.export_extract(ExportFormat.XLSX),
            ),
            (
                "Extrait pseudonymisé des apprenants (CSV)…",
                "exportExtractCsv",
                lambda: self.export_extract(ExportFormat.CSV),
            ),
        )
        for text, name, slot in entries:
            action = QAction(text, menu)
            action.setObjectName(name)
            action.triggered.connect(slot)
            menu.addAction(action)
            if name == "exportTablesCsv":
                menu.addSeparator()
        menu.addSeparator()
        report = QAction("Bilan de saison (PDF)…", menu)
        report.setObjectName("exportSeasonReport")
        report.triggered.connect(self.season_report)
        menu.addAction(report)
        return menu

    # ---- the files

    def export_tables(self, file_format: ExportFormat) -> None:
        scope = self.view.scope()
        if scope is None:
            return
        name = f"indicateurs{_suffix(scope)}.{file_format.value}"
        path = save_file(self.view, "Exporter les indicateurs", name, FILTERS[file_format])
        if path is None:
            return
        database, actor = self.view.context.database, self.view.context.actor
        funder = self.view.funder.currentData()
        outcome = run_busy(
            self.view,
            "Export des indicateurs…",
            lambda: exports.export_report(
                database,
                scope,
                path,
                kind=ReportKind.INDICATORS,
                file_format=file_format,
                funder=funder,
                actor=actor,
            ),
        )
        self._done(outcome, f"Indicateurs exportés dans {path}")

    def export_extract(self, file_format: ExportFormat) -> None:
        scope = self.view.scope()
        if scope is None:
            return
        name = f"apprenants-pseudonymises{_suffix(scope)}.{file_format.value}"
        path = save_file(self.view, "Exporter l'extrait pseudonymisé", name, FILTERS[file_format])
        if path is None:
            return
        database, actor = self.view.context.database, self.view.context.actor
        outcome = run_busy(
            self.view,
            "Export de l'extrait pseudonymisé…",
            lambda: exports.pseudonymised_extract(
                database, scope, path, file_format=file_format, actor=actor
            ),
        )
        if not isinstance(outcome, Failed):
            learners = plural(outcome.rows, "apprenant")
            self._done(outcome, f"Extrait pseudonymisé ({learners}) écrit dans {path}")
        else:
            self._done(outcome, "")

    def season_report(self) -> None:
        """The bilan de saison: saved where the user chooses, then previewed."""
        scope = self.view.scope()
        if scope is None:
            return
        name = f"bilan-saison{_suffix(scope)}.pdf"
        path = save_file(self.view, "Bilan de saison", name, "Documents PDF (*.pdf)")
        if path is None:
            return
        database, actor = self.view.context.database, self.view.context.actor
        funder = self.view.funder.currentData()
        outcome = run_busy(
            self.view,
            "Préparation du bilan de saison…",
            lambda: exports.season_report_pdf(database, scope, path, funder=funder, actor=actor),
        )
        self._done(outcome, f"Bilan de saison enregistré : {path}")
        if isinstance(outcome, Failed):
            return
        self.preview = PdfPreviewDialog(
            path.read_bytes(),
            title=f"Bilan de saison {scope.season_label}",
            suggested_filename=path.name,
            parent=self.view,
        )
        self.preview.finished.connect(self.preview.deleteLater)
        self.preview.open()

    def _done(self, outcome: object, message: str) -> None:
        if isinstance(outcome, Failed):
            QMessageBox.warning(self.view, "Export impossible", outcome.message)
            return
        self.view.status.setText(message)
        self.last_written = message


def _suffix(scope: ReportScope) -> str:
    """`-2025-2026-cobalt`: the file says its season, site and filière."""
    parts = [scope.season_label, scope.site_code or "", scope.filiere_code or ""]
    return "".join(f"-{part}" for part in parts if part)
