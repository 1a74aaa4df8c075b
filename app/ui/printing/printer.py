"""Load PDF bytes into QtPdf and print them, page by page, on a system printer."""

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from app.errors import UserFacingError

# Rendering a page at 1200 dpi takes ~550 Mo of memory; 300 dpi prints crisp office text.
MAX_RENDER_DPI = 300
POINTS_PER_INCH = 72.0


class PrintError(UserFacingError):
    """The printer refused the job (offline, no permission, output file not writable)."""


def load_pdf(data: bytes, parent: QObject | None = None) -> QPdfDocument:
    """A document reading `data` from a QBuffer owned by the document itself.

    QPdfDocument.load(QIODevice) does not take the device over and reads it lazily while
    rendering, so the buffer is a child of the document: Qt deletes children after the
    document has closed its PDFium handle, never before.
    """
    document = QPdfDocument() if parent is None else QPdfDocument(parent)
    buffer = QBuffer(document)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return document


def is_readable(document: QPdfDocument) -> bool:
    return document.status() == QPdfDocument.Status.Ready and document.pageCount() > 0


def pages_to_print(document: QPdfDocument, printer: QPrinter) -> list[int]:
    """0-based pages chosen in the print dialog: its page range, or every page."""
    count = document.pageCount()
    ranges = printer.pageRanges()
    if printer.printRange() != QPrinter.PrintRange.PageRange or ranges.isEmpty():
        return list(range(count))
    return [page for page in range(count) if ranges.contains(page + 1)]


def _prepare_a4_portrait(printer: QPrinter) -> None:
    """Our documents are A4 portrait with their own margins: print them at real size."""
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)


class PrinterJob:
    """One print job on `printer`; documents are added one after the other, page by page."""

    def __init__(self, printer: QPrinter) -> None:
        self.printer = printer
        self.painter = QPainter()
        self.pages_printed = 0

    def begin(self) -> None:
        _prepare_a4_portrait(self.printer)
        if not self.painter.begin(self.printer):
            raise PrintError(
                "L'impression n'a pas pu commencer : vérifiez que l'imprimante est allumée, "
                "connectée et disponible, puis réessayez."
            )

    def add(self, document: QPdfDocument, pages: list[int] | None = None) -> int:
        """Print `pages` (0-based, default all) of `document`; returns how many were printed."""
        printed = 0
        for page in pages if pages is not None else range(document.pageCount()):
            if self.pages_printed and not self.printer.newPage():
                raise PrintError(
                    "L'imprimante a interrompu l'impression (plus de papier, file d'attente "
                    "arrêtée ou fichier de sortie inaccessible)."
                )
            self._draw_page(document, page)
            self.pages_printed += 1
            printed += 1
        return printed

    def end(self) -> None:
        if self.painter.isActive() and not self.painter.end():
            raise PrintError(
                "L'imprimante n'a pas terminé l'impression : vérifiez sa file d'attente."
            )
        if self.printer.printerState() == QPrinter.PrinterState.Error:
            raise PrintError("L'imprimante a signalé une erreur : vérifiez sa file d'attente.")

    def abort(self) -> None:
        """End the job after a failure, keeping what was already sent."""
        if self.painter.isActive():
            self.painter.end()

    def _draw_page(self, document: QPdfDocument, page: int) -> None:
        points = document.pagePointSize(page)
        paper = self.printer.paperRect(QPrinter.Unit.DevicePixel)
        target = _fit(points, QRectF(0, 0, paper.width(), paper.height()))
        scale = min(self.printer.resolution(), MAX_RENDER_DPI) / POINTS_PER_INCH
        pixels = QSize(round(points.width() * scale), round(points.height() * scale))
        self.painter.drawImage(target, _render_on_white(document, page, pixels))


def _fit(page: QSizeF, area: QRectF) -> QRectF:
    """The largest rectangle of the page's aspect ratio centred in `area`."""
    size = page.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    left = area.left() + (area.width() - size.width()) / 2
    top = area.top() + (area.height() - size.height()) / 2
    return QRectF(left, top, size.width(), size.height())


def _render_on_white(document: QPdfDocument, page: int, size: QSize) -> QImage:
    """QtPdf renders on a transparent background; printers want an opaque white page."""
    rendered = document.render(page, size)
    sheet = QImage(size, QImage.Format.Format_RGB32)
    sheet.fill(QColor("white"))
    painter = QPainter(sheet)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return sheet


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Print the dialog's page range (or all pages) of `document`; returns the pages printed.

    Raises PrintError (French message) when the printer refuses the job.
    """
    job = PrinterJob(printer)
    job.begin()
    try:
        printed = job.add(document, pages_to_print(document, printer))
    except BaseException:
        job.abort()
        raise
    job.end()
    return printed


def choose_printer(
    parent: QWidget | None, title: str, *, page_count: int | None = None
) -> QPrinter | None:
    """The system print dialog (French through the app's Qt translations); None if cancelled.

    With `page_count`, the dialog offers a page range between 1 and `page_count`.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    _prepare_a4_portrait(printer)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    options = QAbstractPrintDialog.PrintDialogOption.PrintToFile
    options |= QAbstractPrintDialog.PrintDialogOption.PrintCollateCopies
    if page_count:
        options |= QAbstractPrintDialog.PrintDialogOption.PrintPageRange
        dialog.setMinMax(1, page_count)
    dialog.setOptions(options)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer
