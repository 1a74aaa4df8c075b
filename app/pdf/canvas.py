"""A reportlab canvas that holds every page until the end, so each can print "page x / y"."""

from datetime import date
from typing import Any

from reportlab.pdfgen.canvas import Canvas


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
