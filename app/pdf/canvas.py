"""Page pieces shared by every PDF: the deferred-pages canvas, the A4 frame, atomic writing."""

from collections.abc import Callable
from datetime import date
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate


class DeferredPagesCanvas(Canvas):
    """Subclasses set `printed_on` and draw their header/footer in `draw_furniture`.

    `invariant=1` and a creation date taken from `printed_on` make the same data give the
    same bytes.
    """

    printed_on: date = date(2000, 1, 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        day = self.printed_on
        stamp = f"D:{day.year:04d}{day.month:02d}{day.day:02d}000000+00'00'"
        self.setDateFormatter(lambda *_: stamp)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.draw_furniture(total)
            super().showPage()
        super().save()

    def draw_furniture(self, total: int) -> None:
        """Header and footer of the current page; `total` is the page count."""


def a4_document(
    out: BinaryIO,
    *,
    margins: tuple[float, float, float],
    on_page: Callable[[Canvas, Any], None],
    title: str,
    author: str,
    subject: str,
    font: str,
    pagesize: tuple[float, float] = A4,
) -> BaseDocTemplate:
    """An A4 document (portrait unless `pagesize` says otherwise) with one unpadded content
    frame, so text lines up with the rules."""
    margin_x, margin_top, margin_bottom = margins
    width, height = pagesize
    doc = BaseDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=margin_x,
        rightMargin=margin_x,
        topMargin=margin_top,
        bottomMargin=margin_bottom,
        title=title,
        author=author,
        subject=subject,
        creator="Fabrique Accueil",
        producer="Fabrique Accueil (reportlab)",
        lang="fr-FR",
        invariant=1,
        initialFontName=font,
    )
    frame = Frame(
        margin_x,
        margin_bottom,
        width - 2 * margin_x,
        height - margin_top - margin_bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="content",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    return doc
