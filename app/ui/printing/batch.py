"""Batch printing: every document of a list saved to a folder or printed in one job.

One background operation (app/ui/operations.py) runs the whole batch off the UI thread: it
takes the documents as they are rendered (for an AgreementBatch, `render_documents`: worker
processes from PARALLEL_FROM documents on) and, for a folder, writes each one. Printing needs
QPdfDocument and QPainter, so each PDF goes to the UI thread, which prints it while the next
one renders; at most one document waits for the printer. Cancelling or closing stops the
iteration in the thread that runs it (a generator is closed by the thread iterating it), which
stops the worker processes.
"""

import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import closing
from dataclasses import KW_ONLY, dataclass
from datetime import date
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QIcon, QPixmap
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
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
from app.services.actor import Actor
from app.services.agreements import actions
from app.services.agreements.documents import UNEXPECTED_ERROR, DocumentKind
from app.services.unit_of_work import Database
from app.ui.operations import Operation, Progress, run_in_background
from app.ui.printing import printer as printing
from app.ui.printing.saving import write_new_pdf
from app.ui.theme import ERROR, icon
from app.ui.widgets import file_dialogs
from app.ui.widgets.naming import named

log = logging.getLogger(__name__)

SUCCESS = "#2e7d32"
BATCH_STOPPED = "Erreur inattendue : le lot s'est arrêté. Le détail est dans le journal."

# What rendering gives for one document: its PDF, or why it could not be produced (French).
Rendered = bytes | str


@dataclass(frozen=True)
class PrintJob:
    """One document of a batch, as listed and named in the folder. Without an AgreementBatch,
    `render()` returns its PDF bytes (called off the UI thread; it may raise UserFacingError,
    which skips this document only)."""

    label: str
    filename: str
    render: Callable[[], bytes] | None = None


@dataclass(frozen=True)
class AgreementBatch:
    """The same document of several agreements (one per job, in the jobs' order), rendered
    together by `render_documents`; each one saved or printed is noted in the journal, in
    the name of `actor`."""

    database: Database
    agreement_ids: Sequence[int]
    kind: DocumentKind
    today: date
    journal_label: str  # as the print menu names the document: "Convention de stage"…
    rank: int | None = None  # the amendment's rank for an AVENANT
    _: KW_ONLY
    actor: Actor

    def renders(self) -> Generator[Rendered, None, None]:
        """Each document in the jobs' order; closing this closes render_documents, which
        cancels the documents not started and stops its worker processes."""
        documents = actions.render_batch(
            self.database,
            self.agreement_ids,
            self.kind,
            actor=self.actor,
            today=self.today,
            rank=self.rank,
        )
        try:
            for document in documents:
                yield document.pdf if document.pdf is not None else document.error
        finally:
            if isinstance(documents, Generator):
                documents.close()

    def record_printed(self, indexes: Iterable[int]) -> None:
        """One journal entry per document produced (`indexes` into the agreement ids)."""
        produced = [self.agreement_ids[index] for index in indexes]
        actions.journal_printed(self.database, produced, self.journal_label, actor=self.actor)


def _render_each(jobs: Sequence[PrintJob]) -> Generator[Rendered, None, None]:
    for position, job in enumerate(jobs, 1):
        yield _render_one(job, position)


def _render_one(job: PrintJob, position: int) -> Rendered:
    assert job.render is not None, "a batch without AgreementBatch renders job by job"
    try:
        return job.render()
    except UserFacingError as error:
        return str(error)
    except OSError as error:
        # The position, not the label: the label and the file name hold the learner's name.
        log.exception("document %d of the batch not rendered", position)
        return f"fichier ou base inaccessible : {describe_os_error(error)}"
    except Exception:  # a bug: logged, and the batch goes on
        log.exception("document %d of the batch not rendered", position)
        return UNEXPECTED_ERROR


@dataclass(frozen=True)
class _Delivered:
    """One document handed from the batch thread to the dialog, in the jobs' order."""

    index: int
    pdf: bytes | None = None  # to print
    saved: Path | None = None  # written into the folder
    error: str = ""  # not produced, and why (French)


def _saved_or_refused(folder: Path, index: int, filename: str, pdf: bytes) -> _Delivered:
    try:
        return _Delivered(index, saved=write_new_pdf(folder, filename, pdf))
    except OSError as error:
        return _Delivered(index, error=f"non enregistré : {describe_os_error(error)}")


def _blank_icon() -> QIcon:
    """A blank icon, so rows keep their height and text column once marked done."""
    blank = QPixmap(16, 16)
    blank.fill(Qt.GlobalColor.transparent)
    return QIcon(blank)


class Destination(Enum):
    FOLDER = "folder"
    PRINTER = "printer"


def choose_folder(parent: QWidget | None) -> Path | None:
    """The folder the PDFs go to (the French dialog, in the last folder used); None if the
    user cancelled."""
    return file_dialogs.choose_folder(parent, "Choisir le dossier où enregistrer les PDF")


def _documents(count: int, participle: str = "") -> str:
    """ "1 document enregistré", "3 documents enregistrés" (French: plural from 2)."""
    plural = "s" if count > 1 else ""
    return f"{count} document{plural}" + (f" {participle}{plural}" if participle else "")


def _of_total(done: int, total: int, participle: str) -> str:
    """ "3 documents sur 24 imprimés", "1 document sur 24 imprimé"."""
    plural = "s" if done > 1 else ""
    return f"{done} document{plural} sur {total} {participle}{plural}"


class BatchPrintDialog(QDialog):
    """Saves or prints `jobs` with a progress bar; Annuler stops after the current document.

    With `batch`, the jobs' documents are rendered together by `render_documents` (worker
    processes for a long list) and journaled as printed; without it, each job renders itself.
    """

    batch_finished = Signal()
    _cancel_asked = Signal()

    def __init__(
        self,
        jobs: Sequence[PrintJob],
        *,
        title: str,
        batch: AgreementBatch | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if batch is not None and len(batch.agreement_ids) != len(jobs):
            raise ValueError("an AgreementBatch has one agreement per job, in the same order")
        self.setObjectName("batchPrint")
        self.setWindowTitle(title)
        self.jobs = list(jobs)
        self.batch = batch
        self.title = title
        self.destination: Destination | None = None
        self.folder: Path | None = None
        self.saved: list[Path] = []
        self.printed = 0
        self.failures: list[tuple[str, str]] = []
        self.fatal_error = ""
        self.journal_error = ""
        self._handled = 0  # documents received from the thread so far (they come in order)
        self._produced: list[int] = []  # the jobs saved or printed
        self._running = False
        self._operation: Operation[None] | None = None
        self._stop = threading.Event()  # Annuler: the batch stops after its current document
        self._delivered: queue.SimpleQueue[_Delivered] = queue.SimpleQueue()
        self._printer_free = threading.Semaphore(1)
        self._printer: QPrinter | None = None
        self._print_job: printing.PrinterJob | None = None
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
        file_dialogs.remember_folder(folder)
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
        self.journal_error = ""
        self._handled, self._produced = 0, []
        self._delivered, self._printer_free = queue.SimpleQueue(), threading.Semaphore(1)
        self._stop = threading.Event()
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
        self._show_current(0)
        self._operation = run_in_background(
            self,
            self._batch_work(),
            on_success=self._batch_done,
            on_failure=self._batch_failed,
            on_progress=self._document_delivered,
        )

    # ------------------------------------------------------------------ in the batch thread

    def _batch_work(self) -> Callable[[Progress], None]:
        """Each document rendered, then written into the folder or handed over for printing;
        after a cancel, stops once the current document is done."""
        batch, jobs, total = self.batch, self.jobs, len(self.jobs)
        folder = self.folder if self.destination is Destination.FOLDER else None
        delivered, printer_free, stop = self._delivered, self._printer_free, self._stop

        def deliver(index: int, rendered: Rendered) -> _Delivered:
            if isinstance(rendered, str):
                return _Delivered(index, error=rendered)
            if folder is not None:
                return _saved_or_refused(folder, index, jobs[index].filename, rendered)
            printer_free.acquire()  # the previous document is printed (or the batch stops)
            return _Delivered(index, pdf=rendered)

        def work(progress: Progress) -> None:
            renders = batch.renders() if batch is not None else _render_each(jobs)
            try:
                with closing(renders):  # here: a generator is closed by the thread running it
                    for index, rendered in enumerate(renders):
                        delivered.put(deliver(index, rendered))
                        if not progress(index + 1, total) or stop.is_set():
                            return
            except UserFacingError:
                raise
            except Exception as error:  # a bug: the batch stops, what was done stays done
                log.exception("batch stopped")
                raise UserFacingError(BATCH_STOPPED) from error

        return work

    # ------------------------------------------------------------------ each document received

    def _document_delivered(self, _done: int, _total: int) -> None:
        self._take_delivered()

    def _take_delivered(self, *, print_them: bool = True) -> None:
        """The documents the thread has handed over since last time, in order."""
        while self._running:
            try:
                delivered = self._delivered.get_nowait()
            except queue.Empty:
                return
            if self.fatal_error:
                continue  # the printer refused the job: nothing more goes to it
            if delivered.pdf is not None:
                if not print_them:
                    continue  # closing: neither printed nor counted
                self._print(delivered.index, delivered.pdf)
                self._printer_free.release()
            elif delivered.saved is not None:
                self._saved(delivered.index, delivered.saved)
            else:
                self._record_failure(delivered.index, delivered.error)
            self._advance(delivered.index + 1)

    def _saved(self, index: int, path: Path) -> None:
        self.saved.append(path)
        self._produced.append(index)
        self._mark(index, ok=True, detail=path.name)

    def _print(self, index: int, data: bytes) -> None:
        document = printing.load_pdf(data)
        try:
            if not printing.is_readable(document):
                self._record_failure(index, "le PDF produit est illisible")
                return
            self._print_job_open().add(document)
        except printing.PrintError as error:
            self.fatal_error = str(error)
            self._record_failure(index, "l'imprimante a refusé le document")
            self._stop_thread()
            return
        finally:
            document.close()
            document.deleteLater()
        self.printed += 1
        self._produced.append(index)
        self._mark(index, ok=True)

    def _print_job_open(self) -> printing.PrinterJob:
        if self._print_job is None:
            assert self._printer is not None
            job = printing.PrinterJob(self._printer)
            job.begin()
            self._print_job = job
        return self._print_job

    def _record_failure(self, index: int, message: str) -> None:
        self.failures.append((self.jobs[index].label, message))
        self._mark(index, ok=False, detail=message)

    def _advance(self, handled: int) -> None:
        self._handled = handled
        self.progress.setValue(handled)
        self._show_current(handled)

    def _show_current(self, index: int) -> None:
        """The document expected next, in the progress bar and selected in the list."""
        if index < len(self.jobs):
            self.progress.setFormat(f"{index + 1} / {len(self.jobs)} — {self.jobs[index].label}")
            self.job_list.setCurrentRow(index)

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

    def _batch_done(self, _result: object) -> None:
        self._end_of_batch()

    def _batch_failed(self, message: str) -> None:
        self._end_of_batch(message)

    def _end_of_batch(self, fatal_error: str = "") -> None:
        if not self._running:
            return  # closed meanwhile: already finished
        self._wait_for_thread()
        self._take_delivered()
        self.fatal_error = self.fatal_error or fatal_error
        self._finish()

    def _finish(self) -> None:
        self._running = False
        self._end_print_job()
        self._record_in_journal()
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
            title = (
                "Impression impossible"
                if self.destination is Destination.PRINTER
                else "Enregistrement impossible"
            )
            QMessageBox.critical(self, title, self.fatal_error)
        self.batch_finished.emit()

    def _end_print_job(self) -> None:
        if self._print_job is not None:
            job, self._print_job = self._print_job, None
            try:
                job.end()
            except printing.PrintError as error:
                self.fatal_error = self.fatal_error or str(error)

    def _record_in_journal(self) -> None:
        """One journal entry per document saved or printed, in one unit of work at the end."""
        if self.batch is None or not self._produced:
            return
        try:
            self.batch.record_printed(self._produced)
        except UserFacingError as error:
            log.warning("batch printing not journaled: %s", error)
            self.journal_error = f"Le journal n'a pas pu noter ces impressions : {error}"

    def _complete(self) -> bool:
        return self._handled >= len(self.jobs) and not self.fatal_error

    def summary_text(self) -> str:
        head = self._summary_head()
        if self.journal_error:
            head += f"\n\n{self.journal_error}"
        if not self.failures:
            return head
        lines = "\n".join(f"• {label} : {reason}" for label, reason in self.failures)
        return f"{head}\n\nDocuments non produits ({len(self.failures)}) :\n{lines}"

    def _summary_head(self) -> str:
        total = len(self.jobs)
        if self.destination is Destination.FOLDER:
            done = len(self.saved)
            where = f"dans « {self.folder} »"
            if not self._complete():
                done_text = _of_total(done, total, "enregistré")
                head = f"Enregistrement interrompu : {done_text} {where}."
                if self.fatal_error:
                    head += f" {self.fatal_error}"
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
        return head

    def _open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    # ------------------------------------------------------------------ cancelling and closing

    def cancel(self) -> None:
        """Stop after the current document. Safe to call from any thread."""
        self._stop_thread()
        self._cancel_asked.emit()

    def _stop_thread(self) -> None:
        """The batch thread stops after its current document (one waiting for the printer
        goes on at once); it closes the renders, which stops their worker processes. Its end
        is still delivered, so that what was done is counted and journaled."""
        self._stop.set()
        self._printer_free.release()

    def _show_cancelling(self) -> None:
        if self._running:
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Arrêt après le document en cours…")

    def _wait_for_thread(self) -> None:
        if self._operation is not None:
            self._operation.wait(None)  # the current document ends, then its worker processes

    def _stop_now(self) -> None:
        """Closing while running: stop the thread and wait for it (and so for the worker
        processes), count what was saved, end the print job with what was printed."""
        if not self._running:
            return
        self._stop_thread()
        self._wait_for_thread()
        self._take_delivered(print_them=False)
        self._finish()

    def reject(self) -> None:
        self._stop_now()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_now()
        super().closeEvent(event)
