"""CSV import: a preview listing each refused row and each file changed in the base since the
export (a conflict, left alone unless the person ticks the box), then an all-or-nothing import."""

from pathlib import Path
from typing import Any

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

from app.services.candidates import csv_exchange as csv_io
from app.services.candidates.csv_exchange import Conflict, ImportPreview, ImportResult
from app.ui.context import AppContext
from app.ui.widgets.naming import named
from app.ui.widgets.task import ProgressCallback, TaskThread


class ImportDialog(QDialog):
    def __init__(self, context: AppContext, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(f"Importer des candidats — {Path(path).name}")
        self.context = context
        self.path = Path(path)
        self.imported = False
        self._task: TaskThread | None = None
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

    def _run(self, work: Any, on_success: Any) -> None:
        self._task = TaskThread(work)
        self._task.progressed.connect(self._on_progress)
        self._task.succeeded.connect(on_success)
        self._task.failed.connect(self._on_failed)
        self._task.start()

    def _preview_work(self, _progress: ProgressCallback) -> ImportPreview:
        with self.context.database.session(commit=False) as session:
            return csv_io.preview_import(session, self.path)

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

        def work(progress: ProgressCallback) -> ImportResult:
            with self.context.database.session() as session:
                return csv_io.apply_import(
                    session,
                    self.path,
                    valid_only=valid_only,
                    actor=self.context.actor,
                    overwrite_newer=overwrite_newer,
                    progress=progress,
                )

        self._run(work, self._imported)

    def _imported(self, result: ImportResult) -> None:
        self.imported = True
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.summary.setText(result.describe())
        self.cancel_button.setText("Fermer")

    def _cancel(self) -> None:
        if self._task is not None and self._task.isRunning():
            self._task.cancel()
            self._task.wait()
        self.reject()

    def done(self, result: int) -> None:
        if self._task is not None and self._task.isRunning():
            self._task.cancel()
            self._task.wait()
        if self._task is not None and isinstance(self._task.result, ImportResult):
            # Cancel pressed as the import was committing: it did land, say so to the caller.
            self.imported = True
        super().done(result)


def _conflict_cells(conflict: Conflict) -> tuple[str, str, str, str]:
    """Line, person, when and by whom the base changed, and what the import would set back."""
    when = f"le {conflict.updated_at:%d/%m/%Y à %H:%M}" if conflict.updated_at else ""
    who = f"par {conflict.updated_by}" if conflict.updated_by else ""
    changed = " ".join(part for part in (when, who) if part) or f"version {conflict.base_version}"
    undone = " ; ".join(change.describe() for change in conflict.changes)
    return (str(conflict.line), conflict.person, changed, undone)
