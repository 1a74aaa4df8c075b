"""Print preview: the PDF as the printer will get it, with Imprimer and Enregistrer sous."""

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QMargins, QObject, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeySequence,
    QPalette,
    QShortcut,
)
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.printing import printer as printing
from app.ui.printing.saving import save_pdf_as, settings
from app.ui.theme import icon
from app.ui.widgets.naming import named

GEOMETRY_KEY = "pdfPreview/geometry"
ZOOM_STEP = 1.25
ZOOM_MIN = 0.25
ZOOM_MAX = 4.0
PAGE_BACKGROUND = "#8c959d"
UNREADABLE = (
    "Ce document ne peut pas être affiché : le fichier PDF est illisible ou incomplet.\n\n"
    "Vous pouvez l'enregistrer pour l'ouvrir avec une autre application, "
    "ou fermer cet aperçu et produire le document à nouveau."
)
STYLE_SHEET = """
QFrame#previewToolbar { background: #ffffff; border-bottom: 1px solid #d8e0e6; }
QFrame#previewToolbar QPushButton { padding: 4px 10px; }
QWidget#errorPage { background: %s; }
QLabel#previewError { background: #ffffff; border: 1px solid #d8e0e6; border-radius: 6px;
                      padding: 28px; font-size: 14px; }
"""


class PdfPreviewDialog(QDialog):
    """Shows `pdf` (bytes) page after page; prints it or saves it under `suggested_filename`."""

    def __init__(
        self,
        pdf: bytes,
        *,
        title: str,
        suggested_filename: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setWindowTitle(title)
        self.setStyleSheet(STYLE_SHEET % PAGE_BACKGROUND)
        self.pdf = pdf
        self.title = title
        self.suggested_filename = suggested_filename
        self.view = self._make_view()
        self._build()
        self._shortcuts()
        # Loaded once the view is in the dialog: Qt deletes children in order, so the view
        # (and its render thread) goes before the document and its buffer.
        self.document = printing.load_pdf(pdf, self)
        self.readable = printing.is_readable(self.document)
        self._show_document()
        self._show_page(0)
        self._update_zoom_label()
        self._restore_geometry()
        (self.view if self.readable else self.save_button).setFocus()

    # ------------------------------------------------------------------ layout

    def _make_view(self) -> QPdfView:
        view = named(QPdfView(), "pdfView")
        view.setAccessibleName("Aperçu du document")
        view.setPageMode(QPdfView.PageMode.MultiPage)
        view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        view.setDocumentMargins(QMargins(28, 20, 28, 20))
        view.setPageSpacing(14)
        view.setFrameShape(QFrame.Shape.NoFrame)
        palette = view.palette()
        palette.setColor(QPalette.ColorRole.Dark, QColor(PAGE_BACKGROUND))
        view.setPalette(palette)
        view.viewport().installEventFilter(self)
        return view

    def _build(self) -> None:
        self.print_button = named(
            QPushButton(icon("printer", "#ffffff"), "Imprimer…"), "printDocumentButton"
        )
        self.print_button.setToolTip("Imprimer le document (Ctrl+P)")
        self.print_button.setProperty("accent", True)
        self.save_button = named(
            QPushButton(icon("device-floppy"), "Enregistrer sous…"), "savePdfButton"
        )
        self.save_button.setToolTip("Enregistrer le PDF dans un dossier (Ctrl+S)")
        self.close_button = named(QPushButton("Fermer"), "closePreviewButton")
        self.close_button.setToolTip("Fermer l'aperçu (Échap)")
        self.zoom_out_button = named(QPushButton("−"), "zoomOutButton")
        self.zoom_out_button.setToolTip("Réduire (Ctrl+-)")
        self.zoom_out_button.setAccessibleName("Réduire")
        self.zoom_in_button = named(QPushButton("+"), "zoomInButton")
        self.zoom_in_button.setToolTip("Agrandir (Ctrl++)")
        self.zoom_in_button.setAccessibleName("Agrandir")
        self.fit_button = named(QPushButton("Pleine largeur"), "fitWidthButton")
        self.fit_button.setToolTip("Ajuster la page à la largeur de la fenêtre (Ctrl+0)")
        for button in (self.zoom_in_button, self.zoom_out_button):
            button.setFixedWidth(34)
        self.zoom_label = named(QLabel(), "zoomLabel")
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label = named(QLabel(), "pageLabel")
        self.page_label.setMinimumWidth(90)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label = named(QLabel(), "previewStatus")
        self.status_label.setProperty("role", "muted")

        toolbar = named(QFrame(), "previewToolbar")
        bar = QHBoxLayout(toolbar)
        bar.setContentsMargins(12, 8, 12, 8)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addSpacing(18)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        bar.addWidget(self.fit_button)
        bar.addSpacing(18)
        bar.addWidget(self.page_label)
        bar.addStretch(1)
        bar.addWidget(self.status_label)
        bar.addSpacing(12)
        bar.addWidget(self.close_button)

        self.error_label = named(QLabel(UNREADABLE), "previewError")
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label.setMaximumWidth(560)
        self.error_page = named(QWidget(), "errorPage")
        self.error_page.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        centred = QVBoxLayout(self.error_page)
        centred.addWidget(self.error_label, 0, Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.view)
        self.pages.addWidget(self.error_page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(toolbar)
        layout.addWidget(self.pages, 1)

        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_document)
        self.close_button.clicked.connect(self.reject)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.fit_button.clicked.connect(self.fit_width)
        self.view.zoomFactorChanged.connect(self._update_zoom_label)
        self.view.zoomModeChanged.connect(self._update_zoom_label)
        for button in toolbar.findChildren(QPushButton):
            button.setAutoDefault(False)

    def _show_document(self) -> None:
        """The pages, or a French explanation when the bytes are not a readable PDF."""
        self.pages.setCurrentWidget(self.view if self.readable else self.error_page)
        for widget in (self.print_button, self.zoom_in_button, self.zoom_out_button):
            widget.setEnabled(self.readable)
        self.fit_button.setEnabled(self.readable)
        if self.readable:
            self.view.setDocument(self.document)
            self.view.pageNavigator().currentPageChanged.connect(self._show_page)

    def _shortcuts(self) -> None:
        # QShortcut rather than QPushButton.setShortcut: a button's shortcut clicks it 100 ms
        # later (animateClick), a QShortcut acts at once.
        bindings: tuple[tuple[QKeySequence, Callable[[], object]], ...] = (
            (QKeySequence(QKeySequence.StandardKey.Print), self.print_document),
            (QKeySequence(QKeySequence.StandardKey.Save), self.save_document),
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), self.zoom_in),
            (QKeySequence("Ctrl+="), self.zoom_in),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), self.zoom_out),
            (QKeySequence("Ctrl+0"), self.fit_width),
        )
        for keys, slot in bindings:
            shortcut = QShortcut(keys, self)
            shortcut.activated.connect(slot)

    # ------------------------------------------------------------------ zoom and pages

    def current_zoom(self) -> float:
        """The zoom in use (1.0 = real size), whether set by hand or by the width fit."""
        if self.view.zoomMode() == QPdfView.ZoomMode.Custom or not self.readable:
            return float(self.view.zoomFactor())
        margins = self.view.documentMargins()
        available = self.view.viewport().width() - margins.left() - margins.right()
        page_width = self.document.pagePointSize(0).width() * self.logicalDpiX() / 72.0
        return available / page_width if page_width > 0 else 1.0

    def zoom_in(self) -> None:
        self._set_zoom(self.current_zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.current_zoom() / ZOOM_STEP)

    def fit_width(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _set_zoom(self, factor: float) -> None:
        if not self.readable:
            return
        self.view.setZoomFactor(min(max(factor, ZOOM_MIN), ZOOM_MAX))
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)

    def _update_zoom_label(self) -> None:
        if not self.readable:
            self.zoom_label.clear()
            return
        self.zoom_label.setText(f"{round(self.current_zoom() * 100)}\u202f%")

    def _show_page(self, page: int) -> None:
        count = self.document.pageCount() if self.readable else 0
        self.page_label.setText(f"Page {page + 1} / {count}" if count else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The width fit changes with the view's width: keep the percentage true."""
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._update_zoom_label()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ actions

    def print_document(self) -> int:
        """Ask for a printer, then print; returns the pages sent (0 if cancelled or refused)."""
        if not self.readable:
            return 0
        chosen = printing.choose_printer(
            self, f"Imprimer — {self.title}", page_count=self.document.pageCount()
        )
        if chosen is None:
            return 0
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            printed = printing.print_pdf(self.document, chosen)
        except printing.PrintError as error:
            QApplication.restoreOverrideCursor()
            QMessageBox.critical(self, "Impression impossible", str(error))
            return 0
        except BaseException:
            QApplication.restoreOverrideCursor()
            raise
        QApplication.restoreOverrideCursor()
        pages = "page envoyée" if printed == 1 else "pages envoyées"
        self.status_label.setText(f"{printed} {pages} à l'imprimante.")
        return printed

    def save_document(self) -> None:
        saved = save_pdf_as(self, self.pdf, self.suggested_filename)
        if saved is not None:
            self.status_label.setText(f"Enregistré : {saved.name}")
            self.status_label.setToolTip(str(saved))

    # ------------------------------------------------------------------ size and closing

    def _restore_geometry(self) -> None:
        geometry = settings().value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            return
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry().size() if screen is not None else None
        width = 900 if available is None else min(900, int(available.width() * 0.95))
        height = 1000 if available is None else min(1000, int(available.height() * 0.9))
        self.resize(width, height)

    def done(self, result: int) -> None:
        store = settings()
        store.setValue(GEOMETRY_KEY, self.saveGeometry())
        store.sync()
        super().done(result)
