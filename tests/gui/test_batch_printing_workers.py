"""Batch printing of agreements through render_documents: from PARALLEL_FROM documents on the
dialog's thread takes them from worker processes; cancelling or closing leaves none behind."""

import io
import multiprocessing
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QPushButton

from app.domain import Agreement
from app.domain.audit import AuditEntry
from app.services.agreements import documents
from app.services.agreements.documents import DocumentKind
from app.services.base_access.opening import open_app_database
from app.storage import Database
from app.ui.printing import batch as batch_module
from app.ui.printing import printer as printer_module
from app.ui.printing.batch import AgreementBatch, BatchPrintDialog, PrintJob
from tests.conftest import TODAY, make_actor
from tests.encrypted import base_key
from tests.unit.pdf.test_convention import _agreement

BATCH_SIZE = documents.PARALLEL_FROM  # the smallest batch the worker processes render
MISSING = 999_999
CONVENTION = DocumentKind.CONVENTION
COORDINATION = make_actor("coordination", "coordination")


@pytest.fixture(scope="module")
def agreements_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base with BATCH_SIZE agreements ready to sign (numbered), built once for this file."""
    path = tmp_path_factory.mktemp("batch") / "agreements.sqlite"
    database = open_app_database("sqlite:///" + str(path), today=TODAY)
    with database.session() as session:
        for _ in range(BATCH_SIZE):
            _agreement(session)
    database.dispose()
    return path


@pytest.fixture
def database(agreements_base: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the base per test: each test journals its own prints."""
    path = tmp_path / "agreements.sqlite"
    path.write_bytes(agreements_base.read_bytes())
    opened = Database("sqlite:///" + str(path), base_key(agreements_base))  # the same key
    yield opened
    opened.dispose()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the PDFs go (the test's base is next to it)."""
    chosen = tmp_path / "lot"
    chosen.mkdir()
    return chosen


@pytest.fixture(autouse=True)
def no_worker_left() -> Iterator[None]:
    yield
    assert multiprocessing.active_children() == []


def agreement_ids(database: Database) -> list[int]:
    with database.session(commit=False) as session:
        return list(session.scalars(select(Agreement.id).order_by(Agreement.id)))


def numbers(database: Database, ids: list[int]) -> dict[int, str]:
    with database.session(commit=False) as session:
        return {i: session.get_one(Agreement, i).number or "" for i in ids}


def open_batch(qtbot: QtBot, database: Database, ids: list[int]) -> BatchPrintDialog:
    """The dialog as "Imprimer la liste…" opens it for these agreements' conventions."""
    known = numbers(database, [i for i in ids if i != MISSING])
    jobs = [
        PrintJob(f"{known[i]} — Dupont Léa", f"convention-{known[i]}.pdf")
        if i != MISSING
        else PrintJob("FAB-2026-9999 — Martin Paul", "convention-FAB-2026-9999.pdf")
        for i in ids
    ]
    batch = AgreementBatch(
        database, ids, CONVENTION, TODAY, "Convention de stage", actor=COORDINATION
    )
    dialog = BatchPrintDialog(jobs, title="Conventions de la promotion", batch=batch)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def button(dialog: BatchPrintDialog, name: str) -> QPushButton:
    found = dialog.findChild(QPushButton, name)
    assert found is not None
    return found


def summary(dialog: BatchPrintDialog) -> str:
    label = dialog.findChild(QLabel, "batchSummary")
    assert label is not None
    return label.text()


def save_all(
    qtbot: QtBot, dialog: BatchPrintDialog, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_module, "choose_folder", lambda _parent: folder)
    with qtbot.waitSignal(dialog.batch_finished, timeout=120_000):
        qtbot.mouseClick(button(dialog, "saveToFolderButton"), Qt.MouseButton.LeftButton)


def workers_seen_during(dialog: BatchPrintDialog) -> list[int]:
    """How many worker processes were alive each time the progress bar moved."""
    seen: list[int] = []
    dialog.progress.valueChanged.connect(
        lambda _value: seen.append(len(multiprocessing.active_children()))
    )
    return seen


def number_in(pdf: Path) -> str:
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    first_page = re.sub(r"\s+", " ", reader.pages[0].extract_text() or "")
    title = str((reader.metadata or {}).get("/Title", ""))
    found = re.search(r"N° (FAB-\d{4}-\d{4})", first_page)
    assert found, first_page[:300]
    assert found.group(1) in title
    return found.group(1)


def printed_entries(database: Database) -> list[str]:
    """The journal's entries for conventions printed (or saved from the batch)."""
    with database.session(commit=False) as session:
        entries = session.scalars(select(AuditEntry.summary))
        return [entry for entry in entries if entry.startswith("Convention de stage — FAB-")]


def pause_writing_at(
    monkeypatch: pytest.MonkeyPatch, document: int
) -> tuple[threading.Event, threading.Event]:
    """The batch thread stops before writing document n° `document` until `go` is set."""
    reached, go = threading.Event(), threading.Event()
    real = batch_module.write_new_pdf
    written = [0]

    def write(folder: Path, filename: str, data: bytes) -> Path:
        written[0] += 1
        if written[0] == document:
            reached.set()
            go.wait(timeout=60)
        return real(folder, filename, data)

    monkeypatch.setattr(batch_module, "write_new_pdf", write)
    return reached, go


# ---------------------------------------------------------------------- to a folder


def test_a_long_batch_is_rendered_by_worker_processes_and_every_pdf_saved(
    qtbot: QtBot, database: Database, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = agreement_ids(database)
    assert len(ids) == BATCH_SIZE
    expected = numbers(database, ids)
    dialog = open_batch(qtbot, database, ids)
    workers = workers_seen_during(dialog)

    save_all(qtbot, dialog, folder, monkeypatch)

    assert max(workers) >= 2  # rendered by worker processes, not by the dialog's thread
    assert summary(dialog) == f"{BATCH_SIZE} documents enregistrés dans « {folder} »."
    assert dialog.progress.value() == BATCH_SIZE
    assert dialog.progress.format() == "Terminé"
    saved = sorted(folder.iterdir())
    assert [path.name for path in saved] == sorted(
        f"convention-{number}.pdf" for number in expected.values()
    )
    for path in saved:
        assert f"convention-{number_in(path)}.pdf" == path.name
    assert sorted(printed_entries(database)) == sorted(
        f"Convention de stage — {number}" for number in expected.values()
    )
    assert not dialog.is_running()


def test_annuler_in_the_middle_stops_the_workers_and_says_how_many_were_saved(
    qtbot: QtBot, database: Database, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = agreement_ids(database)
    dialog = open_batch(qtbot, database, ids)
    reached, go = pause_writing_at(monkeypatch, 3)
    cancel = button(dialog, "cancelBatchButton")
    monkeypatch.setattr(batch_module, "choose_folder", lambda _parent: folder)

    qtbot.mouseClick(button(dialog, "saveToFolderButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(reached.is_set, timeout=60_000)  # the 3rd document is being written
    assert multiprocessing.active_children()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cancel.text() == "Arrêt après le document en cours…")
    assert not cancel.isEnabled()
    with qtbot.waitSignal(dialog.batch_finished, timeout=60_000):
        go.set()

    assert multiprocessing.active_children() == []
    assert len(list(folder.iterdir())) == 3
    assert summary(dialog) == (
        f"Enregistrement interrompu : 3 documents sur {BATCH_SIZE} enregistrés dans « {folder} »."
    )
    assert dialog.progress.format() == "Interrompu"
    assert len(printed_entries(database)) == 3
    assert cancel.text() == "Annuler" and not cancel.isEnabled()
    assert button(dialog, "saveToFolderButton").isEnabled()


def test_closing_the_dialog_during_a_long_batch_leaves_no_worker_process(
    qtbot: QtBot, database: Database, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_batch(qtbot, database, agreement_ids(database))
    monkeypatch.setattr(batch_module, "choose_folder", lambda _parent: folder)
    workers: list[int] = []

    def close_at_the_fifth(value: int) -> None:
        if value == 5:
            workers.append(len(multiprocessing.active_children()))
            dialog.close()

    dialog.progress.valueChanged.connect(close_at_the_fifth)
    qtbot.mouseClick(button(dialog, "saveToFolderButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=60_000)

    assert workers and workers[0] >= 2
    assert not dialog.is_running()
    assert multiprocessing.active_children() == []
    saved = sorted(path.name for path in folder.iterdir())
    assert 5 <= len(saved) <= BATCH_SIZE
    assert saved == sorted(path.name for path in dialog.saved)
    assert len(printed_entries(database)) == len(saved)


def test_a_failing_agreement_is_listed_and_the_others_are_saved(
    qtbot: QtBot, database: Database, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = agreement_ids(database)
    ids.insert(7, MISSING)  # removed from another desk after the list was made
    dialog = open_batch(qtbot, database, ids)
    workers = workers_seen_during(dialog)

    save_all(qtbot, dialog, folder, monkeypatch)

    assert max(workers) >= 2
    total = len(ids)
    text = summary(dialog)
    assert text.startswith(
        f"{total - 1} documents sur {total} enregistrés dans « {folder} ».\n\n"
        "Documents non produits (1) :\n"
    )
    assert "• FAB-2026-9999 — Martin Paul : Cette convention n'existe plus." in text
    assert "n'existe plus" in dialog.job_list.item(7).text()
    assert len(list(folder.iterdir())) == total - 1
    assert "convention-FAB-2026-9999.pdf" not in {path.name for path in folder.iterdir()}
    assert len(printed_entries(database)) == total - 1


# ---------------------------------------------------------------------- to the printer


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def use_printer(monkeypatch: pytest.MonkeyPatch, printer: QPrinter) -> None:
    chooser: Callable[..., QPrinter] = lambda *_args, **_options: printer  # noqa: E731
    monkeypatch.setattr(printer_module, "choose_printer", chooser)


def test_documents_rendered_by_workers_are_printed_in_one_job(
    qtbot: QtBot, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "PARALLEL_FROM", 4)  # a short batch, still in workers
    ids = agreement_ids(database)[:6]
    out = tmp_path / "lot.pdf"
    use_printer(monkeypatch, pdf_printer(out))
    dialog = open_batch(qtbot, database, ids)
    workers = workers_seen_during(dialog)

    with qtbot.waitSignal(dialog.batch_finished, timeout=120_000):
        qtbot.mouseClick(button(dialog, "printAllButton"), Qt.MouseButton.LeftButton)

    assert max(workers) >= 2
    assert summary(dialog) == "6 documents envoyés à l'imprimante."
    with database.session(commit=False) as session:
        one = documents.render_document(session, ids[0], CONVENTION, today=TODAY)
    pages_each = len(PdfReader(io.BytesIO(one)).pages)
    printed = PdfReader(out)
    assert len(printed.pages) == 6 * pages_each
    assert len(printed_entries(database)) == 6
