"""Print preview, printing to a (PDF) printer, saving, and batch printing."""

import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox, QPushButton, QWidget

from app.errors import UserFacingError
from app.ui.printing import batch as batch_module
from app.ui.printing import printer as printer_module
from app.ui.printing.batch import BatchPrintDialog, PrintJob
from app.ui.printing.preview import PdfPreviewDialog
from app.ui.printing.saving import safe_filename
from app.ui.widgets.file_dialogs import LAST_FOLDER_KEY
from app.ui.widgets.file_dialogs import window_settings as settings
from tests.gui.conftest import answer_next_dialog


def make_pdf(pages: int, marker: str = "document") -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica", 24)
        canvas.drawString(72, 700, f"{marker} page {number}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    qtbot.mouseClick(parent.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


# A printer that refuses the job: Qt says so too, which is what these tests expect.
REFUSING_PRINTER = pytest.mark.qt_log_ignore("QPainter::begin", extend=True)


@pytest.fixture
def preview(qtbot: QtBot) -> Iterator[PdfPreviewDialog]:
    dialog = PdfPreviewDialog(
        make_pdf(6), title="Convention FAB-2026-0003", suggested_filename="Convention.pdf"
    )
    qtbot.addWidget(dialog)
    dialog.resize(800, 700)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog


def use_printer(monkeypatch: pytest.MonkeyPatch, printer: QPrinter) -> list[str]:
    """Replace the system print dialog; returns the titles it was asked with."""
    titles: list[str] = []

    def choose(_parent: QWidget | None, title: str, **_options: object) -> QPrinter:
        titles.append(title)
        return printer

    monkeypatch.setattr(printer_module, "choose_printer", choose)
    return titles


# ---------------------------------------------------------------------- preview


def test_preview_shows_every_page_and_follows_the_scroll(
    qtbot: QtBot, preview: PdfPreviewDialog
) -> None:
    view = preview.findChild(QPdfView, "pdfView")
    assert view.document() is preview.document
    assert view.document().status() == QPdfDocument.Status.Ready
    assert view.document().pageCount() == 6
    assert view.pageMode() == QPdfView.PageMode.MultiPage
    assert view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    label = preview.findChild(QLabel, "pageLabel")
    assert label.text() == "Page 1 / 6"

    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: label.text() == "Page 6 / 6")


def test_zoom_keys_change_the_zoom_and_ctrl_0_fits_the_width_again(
    qtbot: QtBot, preview: PdfPreviewDialog
) -> None:
    view = preview.findChild(QPdfView, "pdfView")
    fitted = preview.current_zoom()
    preview.activateWindow()
    qtbot.waitActive(preview)

    qtbot.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoomMode() == QPdfView.ZoomMode.Custom
    assert view.zoomFactor() == pytest.approx(fitted * 1.25)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoomFactor() == pytest.approx(fitted / 1.25)
    assert preview.findChild(QLabel, "zoomLabel").text() == f"{round(fitted / 1.25 * 100)}\u202f%"

    qtbot.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoomMode() == QPdfView.ZoomMode.FitToWidth


def test_an_unreadable_pdf_shows_a_french_message_instead_of_an_empty_view(
    qtbot: QtBot,
) -> None:
    dialog = PdfPreviewDialog(b"%PDF-1.4 tronque", title="Convention", suggested_filename="c.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    message = dialog.findChild(QLabel, "previewError")
    assert message.isVisible()
    assert "illisible" in message.text()
    assert not dialog.findChild(QPdfView, "pdfView").isVisible()
    assert not dialog.findChild(QPushButton, "printDocumentButton").isEnabled()
    assert dialog.findChild(QPushButton, "savePdfButton").isEnabled()


def test_the_preview_remembers_its_size(qtbot: QtBot, preview: PdfPreviewDialog) -> None:
    preview.resize(780, 520)
    preview.close()
    again = PdfPreviewDialog(make_pdf(1), title="Convention", suggested_filename="c.pdf")
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (780, 520)


# ---------------------------------------------------------------------- saving


def test_save_writes_the_same_bytes_and_remembers_the_folder(
    qtbot: QtBot, preview: PdfPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sortie" / "ma convention"  # no extension typed
    target.parent.mkdir()
    offered: list[str] = []

    def ask(_parent: QWidget, _caption: str, start: str, *_filter: object) -> tuple[str, str]:
        offered.append(start)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    click(qtbot, preview, "savePdfButton")

    saved = target.with_name("ma convention.pdf")
    assert saved.read_bytes() == preview.pdf
    assert settings().value(LAST_FOLDER_KEY) == str(target.parent)
    assert "ma convention.pdf" in preview.findChild(QLabel, "previewStatus").text()

    click(qtbot, preview, "savePdfButton")
    assert offered[1] == str(target.parent / "Convention.pdf")


def test_a_refused_save_is_explained_in_french(
    qtbot: QtBot, preview: PdfPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder_named_like_a_pdf = tmp_path / "convention.pdf"
    folder_named_like_a_pdf.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a: (str(folder_named_like_a_pdf), "")
    )
    messages: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        messages.append(box.text())
        box.accept()

    answer_next_dialog(qtbot, read_and_close)
    click(qtbot, preview, "savePdfButton")
    qtbot.waitUntil(lambda: bool(messages))
    assert "n'a pas été enregistré" in messages[0]
    assert "c'est un dossier" in messages[0]
    assert list(folder_named_like_a_pdf.iterdir()) == []


def test_file_names_are_made_safe_for_every_system() -> None:
    assert (
        safe_filename('Convention : Dupont/Durand "2026"')
        == "Convention - Dupont-Durand -2026-.pdf"
    )
    assert safe_filename("") == "document.pdf"
    assert safe_filename("Bilan.PDF") == "Bilan.PDF"


# ---------------------------------------------------------------------- printing


def test_print_sends_every_page_to_the_printer(
    qtbot: QtBot, preview: PdfPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "imprimante.pdf"
    titles = use_printer(monkeypatch, pdf_printer(out))
    click(qtbot, preview, "printDocumentButton")

    assert titles == ["Imprimer — Convention FAB-2026-0003"]
    reader = PdfReader(out)
    assert len(reader.pages) == 6
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait
    assert preview.findChild(QLabel, "previewStatus").text() == "6 pages envoyées à l'imprimante."


def test_print_honours_the_page_range_of_the_print_dialog(
    qtbot: QtBot, preview: PdfPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "pages-2-a-4.pdf"
    printer = pdf_printer(out)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 4)
    use_printer(monkeypatch, printer)
    click(qtbot, preview, "printDocumentButton")
    assert page_count(out) == 3


def test_print_pdf_prints_all_pages_without_a_range(tmp_path: Path) -> None:
    document = printer_module.load_pdf(make_pdf(3))
    out = tmp_path / "direct.pdf"
    assert printer_module.print_pdf(document, pdf_printer(out)) == 3
    assert page_count(out) == 3


@REFUSING_PRINTER
def test_a_printer_that_refuses_the_job_gets_a_french_message(
    qtbot: QtBot, preview: PdfPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_printer(monkeypatch, pdf_printer(tmp_path / "absent" / "dossier" / "sortie.pdf"))
    messages: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        messages.append(f"{box.windowTitle()} | {box.text()}")
        box.accept()

    answer_next_dialog(qtbot, read_and_close)
    click(qtbot, preview, "printDocumentButton")
    qtbot.waitUntil(lambda: bool(messages))
    assert messages[0].startswith("Impression impossible | L'impression n'a pas pu commencer")
    assert preview.findChild(QLabel, "previewStatus").text() == ""


def test_cancelling_the_print_dialog_prints_nothing(
    qtbot: QtBot, preview: PdfPreviewDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(printer_module, "choose_printer", lambda *_a, **_k: None)
    assert preview.print_document() == 0


def test_keyboard_ctrl_p_prints_ctrl_s_saves_escape_closes(
    qtbot: QtBot, preview: PdfPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "clavier.pdf"
    use_printer(monkeypatch, pdf_printer(out))
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a: (str(tmp_path / "copie.pdf"), "")
    )
    preview.activateWindow()
    qtbot.waitActive(preview)
    view = preview.findChild(QPdfView, "pdfView")

    qtbot.keyClick(view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert page_count(out) == 6
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert (tmp_path / "copie.pdf").read_bytes() == preview.pdf
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not preview.isVisible()


# ---------------------------------------------------------------------- batch


def jobs_of(pages: list[int], render: Callable[[int], bytes] | None = None) -> list[PrintJob]:
    def job(index: int) -> PrintJob:
        def produce() -> bytes:
            return render(index) if render else make_pdf(pages[index], f"convention {index + 1}")

        return PrintJob(f"Convention {index + 1} — Dupont", f"Convention {index + 1}.pdf", produce)

    return [job(index) for index in range(len(pages))]


def open_batch(qtbot: QtBot, jobs: list[PrintJob]) -> BatchPrintDialog:
    dialog = BatchPrintDialog(jobs, title="Conventions de la promotion")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def run_to_folder(
    qtbot: QtBot, dialog: BatchPrintDialog, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr(batch_module, "choose_folder", lambda _parent: folder)
    with qtbot.waitSignal(dialog.batch_finished, timeout=30_000):
        click(qtbot, dialog, "saveToFolderButton")
    return dialog.findChild(QLabel, "batchSummary").text()


def test_batch_to_a_folder_writes_every_document_without_overwriting(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Convention 1.pdf").write_bytes(b"deja la")
    jobs = jobs_of([1, 2, 3, 1])
    dialog = open_batch(qtbot, jobs)
    formats: list[str] = []
    progress = dialog.progress
    dialog.job_list.currentRowChanged.connect(lambda _row: formats.append(progress.format()))

    summary = run_to_folder(qtbot, dialog, tmp_path, monkeypatch)

    assert summary == f"4 documents enregistrés dans « {tmp_path} »."
    assert (tmp_path / "Convention 1.pdf").read_bytes() == b"deja la"
    assert (tmp_path / "Convention 1 (2).pdf").read_bytes() == jobs[0].render()
    for number in (2, 3, 4):
        assert (tmp_path / f"Convention {number}.pdf").read_bytes() == jobs[number - 1].render()
    assert formats[1] == "2 / 4 — Convention 2 — Dupont"
    assert progress.value() == 4
    assert settings().value(LAST_FOLDER_KEY) == str(tmp_path)
    assert dialog.findChild(QPushButton, "openFolderButton").isVisible()


def test_cancel_stops_after_the_current_document(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder: list[BatchPrintDialog] = []

    def render(index: int) -> bytes:
        if index == 1:
            holder[0].cancel()  # from the worker thread, like a click during the 2nd document
        return make_pdf(1, f"convention {index + 1}")

    dialog = open_batch(qtbot, jobs_of([1] * 5, render))
    holder.append(dialog)
    summary = run_to_folder(qtbot, dialog, tmp_path, monkeypatch)

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "Convention 1.pdf",
        "Convention 2.pdf",
    ]
    assert summary == (
        f"Enregistrement interrompu : 2 documents sur 5 enregistrés dans « {tmp_path} »."
    )
    assert not dialog.is_running()


def test_a_failing_document_is_reported_and_the_others_are_written(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def render(index: int) -> bytes:
        if index == 1:
            raise UserFacingError("la convention n'a pas encore de numéro")
        return make_pdf(1)

    dialog = open_batch(qtbot, jobs_of([1] * 4, render))
    summary = run_to_folder(qtbot, dialog, tmp_path, monkeypatch)

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "Convention 1.pdf",
        "Convention 3.pdf",
        "Convention 4.pdf",
    ]
    assert summary.startswith(f"3 documents sur 4 enregistrés dans « {tmp_path} ».")
    assert "• Convention 2 — Dupont : la convention n'a pas encore de numéro" in summary
    assert "la convention n'a pas encore de numéro" in dialog.job_list.item(1).text()


def test_batch_to_the_printer_prints_every_page_in_one_job(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lot.pdf"
    titles = use_printer(monkeypatch, pdf_printer(out))
    dialog = open_batch(qtbot, jobs_of([2, 3, 1]))
    with qtbot.waitSignal(dialog.batch_finished, timeout=30_000):
        click(qtbot, dialog, "printAllButton")

    assert titles == ["Imprimer — Conventions de la promotion"]
    assert page_count(out) == 6
    assert dialog.findChild(QLabel, "batchSummary").text() == (
        "3 documents envoyés à l'imprimante."
    )


def test_printing_cancelled_midway_says_how_many_were_printed(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lot.pdf"
    use_printer(monkeypatch, pdf_printer(out))
    holder: list[BatchPrintDialog] = []

    def render(index: int) -> bytes:
        if index == 2:
            holder[0].cancel()
        return make_pdf(2)

    dialog = open_batch(qtbot, jobs_of([2] * 6, render))
    holder.append(dialog)
    with qtbot.waitSignal(dialog.batch_finished, timeout=30_000):
        click(qtbot, dialog, "printAllButton")

    assert dialog.findChild(QLabel, "batchSummary").text() == (
        "Impression interrompue : 3 documents sur 6 imprimés."
    )
    assert page_count(out) == 6


def test_closing_while_running_cancels_and_waits_for_the_thread(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()

    def render(index: int) -> bytes:
        if index == 0:
            started.set()
            release.wait(timeout=30)
        return make_pdf(1)

    dialog = open_batch(qtbot, jobs_of([1] * 3, render))
    monkeypatch.setattr(batch_module, "choose_folder", lambda _parent: tmp_path)
    click(qtbot, dialog, "saveToFolderButton")
    qtbot.waitUntil(started.is_set)
    assert dialog.is_running()

    release.set()
    dialog.close()
    QApplication.processEvents()  # the finished document's late signal must start nothing

    assert not dialog.is_running()
    assert not dialog.isVisible()
    assert [path.name for path in tmp_path.iterdir()] == ["Convention 1.pdf"]


@REFUSING_PRINTER
def test_a_printer_refusing_the_batch_stops_it_with_a_french_message(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_printer(monkeypatch, pdf_printer(tmp_path / "absent" / "lot.pdf"))
    dialog = open_batch(qtbot, jobs_of([1, 1, 1]))
    messages: list[str] = []

    def read_and_close(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        messages.append(box.text())
        box.accept()

    answer_next_dialog(qtbot, read_and_close)
    with qtbot.waitSignal(dialog.batch_finished, timeout=30_000):
        click(qtbot, dialog, "printAllButton")

    assert messages and messages[0].startswith("L'impression n'a pas pu commencer")
    summary = dialog.findChild(QLabel, "batchSummary").text()
    assert summary.startswith("Impression interrompue : 0 document sur 3 imprimé.")
    assert not (tmp_path / "absent").exists()


def test_a_batch_where_nothing_renders_sends_no_blank_sheet(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lot.pdf"
    use_printer(monkeypatch, pdf_printer(out))

    def render(_index: int) -> bytes:
        raise UserFacingError("structure d'accueil sans SIRET")

    dialog = open_batch(qtbot, jobs_of([1, 1], render))
    with qtbot.waitSignal(dialog.batch_finished, timeout=30_000):
        click(qtbot, dialog, "printAllButton")

    assert not out.exists()
    assert (
        dialog.findChild(QLabel, "batchSummary")
        .text()
        .startswith("0 document sur 2 envoyé à l'imprimante.")
    )
