"""Print preview, printing, saving and batch printing of the PDFs the app produces."""

from app.ui.printing.batch import BatchPrintDialog, PrintJob, choose_folder
from app.ui.printing.preview import PdfPreviewDialog
from app.ui.printing.printer import PrintError, choose_printer, load_pdf, print_pdf
from app.ui.printing.saving import save_pdf_as, write_new_pdf

__all__ = [
    "BatchPrintDialog",
    "PdfPreviewDialog",
    "PrintError",
    "PrintJob",
    "choose_folder",
    "choose_printer",
    "load_pdf",
    "print_pdf",
    "save_pdf_as",
    "write_new_pdf",
]
