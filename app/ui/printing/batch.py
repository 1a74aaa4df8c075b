"""Batch printing: every document of a list saved to a folder or printed in one job.

Each document is rendered (and, for a folder, written) off the UI thread by a TaskThread;
printing itself needs QPdfDocument and QPainter, so it happens on the UI thread, one document
at a time between two renders, which keeps the window responsive.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QIcon, QPixmap
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserFacingError, describe_os_error
from app.ui.printing import printer as printing
from app.ui.printing.saving import last_folder, remember_folder, write_new_pdf
from app.ui.theme import ERROR, icon
from app.ui.widgets.naming import named
from app.ui.widgets.task import ProgressCallback, TaskThread

SUCCESS = "#2e7d32"


@dataclass(frozen=True)
class PrintJob:
    """One document of a batch: `render()` returns its PDF bytes (called off the UI thread;
    it may raise UserFacingError, which skips this document only)."""

    label: str
    filename: str
    render: Callable[[], bytes]


def _blank_icon() -> QIcon:
    """A blank icon, so rows keep their height and text column once marked done."""
    blank = QPixmap(16, 16)
    blank.fill(Qt.GlobalColor.transparent)
    return QIcon(blank)


class Destination(Enum):
    FOLDER = "folder"
    PRINTER = "printer"


def choose_folder(parent: QWidget | None) -> Path | None:
    """The folder the PDFs go to; None if the user cancelled."""
    chosen = QFileDialog.getExistingDirectory(
        parent, "Choisir le dossier où enregistrer les PDF", str(last_folder())
    )
    return Path(chosen) if chosen else None


def _documents(count: int, participle: str = "") -> str:
    """ "1 document enregistré", "3 documents enregistrés" (French: plural from 2)."""
    plural = "s" if count > 1 else ""
    return f"{count} document{plural}" + (f" {participle}{plural}" if participle else "")


def _of_total(done: int, total: int, participle: str) -> str:
    """ "3 documents sur 24 imprimés", "1 document sur 24 imprimé"."""
    plural = "s" if done > 1 else ""
    return f"{done} document{plural} sur {total} {participle}{plural}"


class BatchPrintDialog(QDialog):
    """Saves or prints `jobs` with a progress bar; Annuler stops after the current document."""

    batch_finished = Signal()
    _cancel_asked = Signal()

    def __init__(self, jobs: list[PrintJob], *, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchPrint")
        self.setWindowTitle(title)
        self.jobs = list(jobs)
        self.title = title
        self.destination: Destination | None = None
        self.folder: Path | None = None
        self.saved: list[Path] = []
        self.printed = 0
        self.failures: list[tuple[str, str]] = []
        self.fatal_error = ""
        self._index = 0
        self._running = False
        self._cancelled = False
        self._thread: TaskThread | None = None
        self._printer: QPrinter | None = None
        self._session: printing.PrintSession | None = None
        self._build()
        self._cancel_asked.connect(self._show_cancelling, Qt.ConnectionType.QueuedConnection)
        self.resize(620, 480)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        intro = QLabel(
            f"{_documents(len(self.jobs))} à produire. Enregistrez-les dans un dossier, "
            "ou imprimez-les en une seule fois."
        )
        intro.setWordWrap(True)
        self.job_list = named(QListWidget(), "batchJobs")
        self.job_list.setAccessibleName("Documents")
        self.job_list.setIconSize(QSize(16, 16))
        self.job_list.setUniformItemSizes(True)
        for job in self.jobs:
            self.job_list.addItem(QListWidgetItem(_blank_icon(), job.label))
        self.folder_button = named(
            QPushButton(icon("device-floppy"), "Enregistrer dans un dossier…"), "saveToFolderButton"
        )
        self.print_button = named(
            QPushButton(icon("printer", "#ffffff"), "Imprimer…"), "printAllButton"
        )
        self.print_button.setProperty("accent", True)
        for button in (self.folder_button, self.print_button):
            button.setEnabled(bool(self.jobs))
            button.setAutoDefault(False)
        self.progress = named(QProgressBar(), "batchProgress")
        self.progress.setRange(0, max(len(self.jobs), 1))
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.progress.setAccessibleName("Avancement")
        self.progress.hide()
        self.summary = named(QLabel(), "batchSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = named(QPushButton("Annuler"), "cancelBatchButton")
        self.cancel_button.setEnabled(False)
        self.open_folder_button = named(QPushButton("Ouvrir le dossier"), "openFolderButton")
        self.open_folder_button.hide()
        self.close_button = named(QPushButton("Fermer"), "closeBatchButton")
        for button in (self.cancel_button, self.open_folder_button, self.close_button):
            button.setAutoDefault(False)

        choices = QHBoxLayout()
        choices.addWidget(self.folder_button)
        choices.addWidget(self.print_button)
        choices.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.open_folder_button)
        bottom.addStretch(1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.job_list, 1)
        layout.addLayout(choices)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addLayout(bottom)

        self.folder_button.clicked.connect(self.save_to_folder)
        self.print_button.clicked.connect(self.print_all)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_folder_button.clicked.connect(self._open_folder)
        self.close_button.clicked.connect(self.reject)

    # ------------------------------------------------------------------ starting

    def is_running(self) -> bool:
        return self._running

    def save_to_folder(self) -> None:
        folder = choose_folder(self)
        if folder is None:
            return
        remember_folder(folder)
        self.folder = folder
        self._start(Destination.FOLDER)

    def print_all(self) -> None:
        chosen = printing.choose_printer(self, f"Imprimer — {self.title}")
        if chosen is None:
            return
        # The job starts with the first document ready: an empty job would print a blank sheet.
        self._printer = chosen
        self._start(Destination.PRINTER)

    def _start(self, destination: Destination) -> None:
        self.destination = destination
        self.saved, self.printed, self.failures, self.fatal_error = [], 0, [], ""
        self._index = 0
        self._cancelled = False
        self._running = True
        for row in range(self.job_list.count()):
            item = self.job_list.item(row)
            item.setText(self.jobs[row].label)
            item.setIcon(_blank_icon())
            item.setToolTip("")
        self.folder_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self.open_folder_button.hide()
        self.cancel_button.setText("Annuler")
        self.cancel_button.setEnabled(True)
        self.summary.clear()
        self.progress.setValue(0)
        self.progress.show()
        self._next()

    # ------------------------------------------------------------------ one document at a time

    def _next(self) -> None:
        if self._cancelled or self._index >= len(self.jobs) or self.fatal_error:
            self._finish()
            return
        job = self.jobs[self._index]
        self.progress.setFormat(f"{self._index + 1} / {len(self.jobs)} — {job.label}")
        self.job_list.setCurrentRow(self._index)
        thread = TaskThread(self._work_for(job))
        thread.succeeded.connect(self._document_ready)
        thread.failed.connect(self._document_failed)
        self._thread = thread
        thread.start()

    def _work_for(self, job: PrintJob) -> Callable[[ProgressCallback], Any]:
        folder = self.folder if self.destination is Destination.FOLDER else None

        def work(_progress: ProgressCallback) -> bytes | Path:
            data = job.render()
            if folder is None:
                return data
            try:
                return write_new_pdf(folder, job.filename, data)
            except OSError as error:
                raise UserFacingError(f"non enregistré : {describe_os_error(error)}") from error

        return work

    def _document_ready(self, result: object) -> None:
        if not self._take_result():
            return
        if isinstance(result, Path):
            self.saved.append(result)
            self._mark(self._index, ok=True, detail=result.name)
        elif isinstance(result, bytes):
            self._print(result)
        self._advance()

    def _document_failed(self, message: str) -> None:
        if not self._take_result():
            return
        self._record_failure(message)
        self._advance()

    def _take_result(self) -> bool:
        """Wait for the finishing thread; False if the batch was stopped meanwhile (closed)."""
        if self._thread is not None:
            self._thread.wait()
        return self._running

    def _print(self, data: bytes) -> None:
        document = printing.load_pdf(data)
        try:
            if not printing.is_readable(document):
                self._record_failure("le PDF produit est illisible")
                return
            self._print_session().add(document)
        except printing.PrintError as error:
            self.fatal_error = str(error)
            self._record_failure("l'imprimante a refusé le document")
            return
        finally:
            document.close()
            document.deleteLater()
        self.printed += 1
        self._mark(self._index, ok=True)

    def _print_session(self) -> printing.PrintSession:
        if self._session is None:
            assert self._printer is not None
            session = printing.PrintSession(self._printer)
            session.begin()
            self._session = session
        return self._session

    def _record_failure(self, message: str) -> None:
        label = self.jobs[self._index].label
        self.failures.append((label, message))
        self._mark(self._index, ok=False, detail=message)

    def _advance(self) -> None:
        self._index += 1
        self.progress.setValue(self._index)
        self._next()

    def _mark(self, row: int, *, ok: bool, detail: str = "") -> None:
        item = self.job_list.item(row)
        if ok:
            item.setIcon(icon("check", SUCCESS))
            item.setToolTip(detail)
        else:
            item.setIcon(icon("circle-x", ERROR))
            item.setText(f"{self.jobs[row].label} — {detail}")
            item.setToolTip(detail)

    # ------------------------------------------------------------------ the end

    def _finish(self) -> None:
        self._running = False
        if self._session is not None:
            session, self._session = self._session, None
            try:
                session.end()
            except printing.PrintError as error:
                self.fatal_error = self.fatal_error or str(error)
        self.summary.setText(self.summary_text())
        self.progress.setFormat("Terminé" if self._complete() else "Interrompu")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Annuler")
        self.folder_button.setEnabled(True)
        self.print_button.setEnabled(True)
        self.open_folder_button.setVisible(self.destination is Destination.FOLDER)
        self.job_list.setCurrentRow(-1)
        self.close_button.setFocus()
        if self.fatal_error and self.isVisible():
            QMessageBox.critical(self, "Impression impossible", self.fatal_error)
        self.batch_finished.emit()

    def _complete(self) -> bool:
        return self._index >= len(self.jobs) and not self.fatal_error

    def summary_text(self) -> str:
        total = len(self.jobs)
        if self.destination is Destination.FOLDER:
            done = len(self.saved)
            where = f"dans « {self.folder} »"
            if not self._complete():
                done_text = _of_total(done, total, "enregistré")
                head = f"Enregistrement interrompu : {done_text} {where}."
            elif done == total:
                head = f"{_documents(done, 'enregistré')} {where}."
            else:
                head = f"{_of_total(done, total, 'enregistré')} {where}."
        else:
            done = self.printed
            if not self._complete():
                head = f"Impression interrompue : {_of_total(done, total, 'imprimé')}."
                if self.fatal_error:
                    head += f" {self.fatal_error}"
            elif done == total:
                head = f"{_documents(done, 'envoyé')} à l'imprimante."
            else:
                head = f"{_of_total(done, total, 'envoyé')} à l'imprimante."
        if not self.failures:
            return head
        lines = "\n".join(f"• {label} : {reason}" for label, reason in self.failures)
        return f"{head}\n\nDocuments non produits ({len(self.failures)}) :\n{lines}"

    def _open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    # ------------------------------------------------------------------ cancelling and closing

    def cancel(self) -> None:
        """Stop after the current document. Safe to call from any thread."""
        self._cancelled = True
        self._cancel_asked.emit()

    def _show_cancelling(self) -> None:
        if self._running:
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Arrêt après le document en cours…")

    def _stop_now(self) -> None:
        """Closing while running: cancel, wait for the current document, end the print job."""
        if not self._running:
            return
        self._cancelled = True
        if self._thread is not None:
            self._thread.wait()
        self._finish()

    def reject(self) -> None:
        self._stop_now()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_now()
        super().closeEvent(event)
