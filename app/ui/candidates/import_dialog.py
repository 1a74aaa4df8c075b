"""CSV import: a preview listing each refused row and each file changed in the base since the
export (a conflict, left alone unless the person ticks the box), then an all-or-nothing import."""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.candidates import actions as candidate_actions
from app.services.candidates.csv_exchange import Conflict, ImportPreview, ImportResult
from app.ui.context import AppContext
from app.ui.operations import Operation, Progress, run_in_background
from app.ui.widgets.naming import named

T = TypeVar("T")


class ImportDialog(QDialog):
    def __init__(self, context: AppContext, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Importer des candidats — {Path(path).name}")
        self.context = context
        self.path = Path(path)
        self.imported = False
        self._operation: Operation[Any] | None = None
        # Set from the import's thread once its unit of work committed: Annuler pressed as it
        # was committing drops the result, yet the import did land.
        self._landed: list[ImportResult] = []
        self.summary = named(QLabel("Analyse du fichier…"), "importSummary")
        self.summary.setWordWrap(True)
        self.problems = named(QTableWidget(0, 3), "importProblems")
        self.problems.setHorizontalHeaderLabels(["Ligne", "Colonne", "Problème"])
        self.problems.verticalHeader().hide()
        self.problems.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.problems.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.warnings = named(QLabel(), "importWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        self.conflicts_title = named(QLabel(), "importConflictsTitle")
        self.conflicts_title.setWordWrap(True)
        self.conflicts = named(QTableWidget(0, 4), "importConflicts")
        self.conflicts.setAccessibleName("Fiches modifiées dans la base depuis l'export")
        self.conflicts.setHorizontalHeaderLabels(
            ["Ligne", "Personne", "Modifiée dans la base", "Ce que l'import remettrait"]
        )
        self.conflicts.verticalHeader().hide()
        self.conflicts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.conflicts.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.overwrite_newer = named(
            QCheckBox("Écraser aussi les fiches modifiées depuis l'export"), "overwriteNewerCheck"
        )
        self.overwrite_newer.setToolTip(
            "Sans cette case, les fiches modifiées dans la base après l'export de ce fichier "
            "sont laissées telles quelles ; les autres lignes sont importées."
        )
        for widget in (self.conflicts_title, self.conflicts, self.overwrite_newer):
            widget.hide()
        self.progress = named(QProgressBar(), "importProgress")
        self.progress.setRange(0, 0)
        self.import_all = named(QPushButton("Importer"), "importAllButton")
        self.import_valid = named(
            QPushButton("Importer les lignes valides seulement"), "importValidButton"
        )
        self.cancel_button = named(QPushButton("Annuler"), "cancelImportButton")
        self.import_all.setEnabled(False)
        self.import_valid.setEnabled(False)
        self.import_all.clicked.connect(lambda: self._start_import(valid_only=False))
        self.import_valid.clicked.connect(lambda: self._start_import(valid_only=True))
        self.cancel_button.clicked.connect(self._cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.import_valid)
        buttons.addWidget(self.import_all)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.conflicts_title)
        layout.addWidget(self.conflicts, 1)
        layout.addWidget(self.overwrite_newer)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.resize(760, 480)
        self._run(self._preview_work, self._show_preview)

    # ---- background work

    def _run(self, work: Callable[[Progress], T], on_success: Callable[[T], None]) -> None:
        self._operation = run_in_background(
            self,
            work,
            on_success=on_success,
            on_failure=self._on_failed,
            on_progress=self._on_progress,
        )

    def _preview_work(self, _progress: Progress) -> ImportPreview:
        return candidate_actions.preview_import(self.context.database, self.path)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} / {total} lignes")

    def _on_failed(self, message: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.summary.setText(message)
        self.cancel_button.setText("Fermer")

    # ---- preview

    def _show_preview(self, preview: ImportPreview) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        problems = [(None, "fichier", text) for text in preview.fatal] + [
            (p.line, p.column, p.message) for p in preview.problems
        ]
        self.problems.setRowCount(len(problems))
        for row, (line, column, message) in enumerate(problems):
            for col, text in enumerate(("" if line is None else str(line), column, message)):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.problems.setItem(row, col, item)
        self.problems.resizeColumnToContents(0)
        self.problems.resizeColumnToContents(1)
        self.summary.setText(
            preview.describe().splitlines()[0]
            if not preview.fatal
            else "Ce fichier ne peut pas être importé : " + " ".join(preview.fatal)
        )
        self._show_conflicts(preview)
        can_import = not preview.fatal and bool(preview.valid_rows)
        self.import_all.setEnabled(can_import and not preview.invalid_rows)
        self.import_valid.setEnabled(can_import and bool(preview.invalid_rows))
        self.import_all.setDefault(self.import_all.isEnabled())

    def _show_conflicts(self, preview: ImportPreview) -> None:
        warnings = preview.warning_lines()
        self.warnings.setText("\n".join(warnings))
        self.warnings.setVisible(bool(warnings))
        conflicts = preview.conflicts
        for widget in (self.conflicts_title, self.conflicts, self.overwrite_newer):
            widget.setVisible(bool(conflicts))
        if not conflicts:
            return
        self.conflicts_title.setText(preview.describe_conflicts()[0])
        self.conflicts.setRowCount(len(conflicts))
        for row, conflict in enumerate(conflicts):
            for col, text in enumerate(_conflict_cells(conflict)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if col == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.conflicts.setItem(row, col, item)
        for col in (0, 1, 2):
            self.conflicts.resizeColumnToContents(col)

    # ---- import

    def _start_import(self, *, valid_only: bool) -> None:
        self.import_all.setEnabled(False)
        self.import_valid.setEnabled(False)
        self.overwrite_newer.setEnabled(False)
        overwrite_newer = self.overwrite_newer.isChecked()
        self.summary.setText("Import en cours… (Annuler arrête l'import sans rien enregistrer)")

        landed = self._landed

        def work(progress: Progress) -> ImportResult:
            result = candidate_actions.apply_import(
                self.context.database,
                self.path,
                valid_only=valid_only,
                actor=self.context.actor,
                overwrite_newer=overwrite_newer,
                progress=progress,
            )
            landed.append(result)
            return result

        self._run(work, self._imported)

    def _imported(self, result: ImportResult) -> None:
        self.imported = True
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.summary.setText(result.describe())
        self.cancel_button.setText("Fermer")

    def _cancel(self) -> None:
        self._stop()
        self.reject()

    def done(self, result: int) -> None:
        self._stop()
        if self._landed:
            self.imported = True  # Annuler pressed as the import was committing: say it landed
        super().done(result)

    def _stop(self) -> None:
        """Cancel the work under way (nothing of an import is saved) and let it end."""
        if self._operation is not None:
            self._operation.cancel()
            self._operation.wait(None)  # an import's rollback or commit, however long


def _conflict_cells(conflict: Conflict) -> tuple[str, str, str, str]:
    """Line, person, when and by whom the base changed, and what the import would set back."""
    when = f"le {conflict.updated_at:%d/%m/%Y à %H:%M}" if conflict.updated_at else ""
    who = f"par {conflict.updated_by}" if conflict.updated_by else ""
    changed = " ".join(part for part in (when, who) if part) or f"version {conflict.base_version}"
    undone = " ; ".join(change.describe() for change in conflict.changes)
    return (str(conflict.line), conflict.person, changed, undone)
