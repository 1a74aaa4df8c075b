"""CSV import: a preview listing each refused row, then an all-or-nothing import."""

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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

from app.services import csv_io
from app.services.csv_io import ImportPreview, ImportResult
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
        layout.addWidget(self.problems, 1)
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
        can_import = not preview.fatal and bool(preview.valid_rows)
        self.import_all.setEnabled(can_import and not preview.invalid_rows)
        self.import_valid.setEnabled(can_import and bool(preview.invalid_rows))
        self.import_all.setDefault(self.import_all.isEnabled())

    # ---- import

    def _start_import(self, *, valid_only: bool) -> None:
        self.import_all.setEnabled(False)
        self.import_valid.setEnabled(False)
        self.summary.setText("Import en cours… (Annuler arrête l'import sans rien enregistrer)")

        def work(progress: ProgressCallback) -> ImportResult:
            with self.context.database.session() as session:
                return csv_io.apply_import(
                    session,
                    self.path,
                    valid_only=valid_only,
                    author=self.context.username,
                    role=self.context.role,
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
