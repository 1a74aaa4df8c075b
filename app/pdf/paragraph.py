"""reportlab's Paragraph without the work that a batch of agreements repeats.

Two costs of reportlab's Paragraph do not depend on where the paragraph lands:
- parsing its markup: every convention prints the same labels, headings and clause texts, so
  a paragraph's parsed fragments are kept per (text, style, bullet) and copied for the next
  paragraph with the same text;
- breaking its lines: a table or a KeepTogether measures its content more than once at the same
  width, and reportlab breaks the lines again each time; here they are broken once per width.

What it draws is byte for byte what reportlab's Paragraph draws (the documents' tests and the
benchmark compare the bytes).
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Paragraph as ReportlabParagraph

__all__ = ["PARSED_LIMIT", "Paragraph", "clear_parsed"]

# Distinct (text, style, bullet) kept; a convention has about 200 paragraphs, half of them
# the same in every convention.
PARSED_LIMIT = 4096


@dataclass(frozen=True)
class _Parsed:
    text: str  # the text as reportlab cleaned it
    style: Any  # the style the parser returned (the same object unless <para> changed it)
    frags: tuple[Any, ...]
    bullet: Any  # the bullet text, or its parsed fragments when the markup holds <bullet>


_parsed: OrderedDict[tuple[str, Any, Any, int], _Parsed] = OrderedDict()
_lock = threading.Lock()


def _copies(frags: Any) -> list[Any]:
    return [frag.clone() for frag in frags]


def _remember(key: tuple[str, Any, Any, int], parsed: _Parsed) -> None:
    with _lock:
        _parsed[key] = parsed
        while len(_parsed) > PARSED_LIMIT:
            _parsed.popitem(last=False)


def _recall(key: tuple[str, Any, Any, int]) -> _Parsed | None:
    with _lock:
        parsed = _parsed.get(key)
        if parsed is not None:
            _parsed.move_to_end(key)
        return parsed


def clear_parsed() -> None:
    """Forget every parsed paragraph (tests)."""
    with _lock:
        _parsed.clear()


class Paragraph(ReportlabParagraph):
    """A reportlab Paragraph (same arguments, same output) that parses a text once per style
    and breaks its lines once per width."""

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:
        if frags is not None or not isinstance(text, str) or isinstance(bulletText, list):
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        # The style object itself is in the key: styles are shared and never changed after
        # creation, and holding it keeps its identity from being reused by another style.
        key = (text, style, bulletText, self.caseSensitive)
        parsed = _recall(key)
        if parsed is None:
            super()._setup(text, style, bulletText, None, cleaner)
            bullet = self.bulletText
            bullet = tuple(_copies(bullet)) if isinstance(bullet, list) else bullet
            _remember(key, _Parsed(self.text, self.style, tuple(_copies(self.frags)), bullet))
            return
        bullet = _copies(parsed.bullet) if isinstance(parsed.bullet, tuple) else parsed.bullet
        super()._setup(parsed.text, parsed.style, bullet, _copies(parsed.frags), cleaner)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # The lines depend on the width only, not on the height. A split makes new paragraphs;
        # one that found no room drops the lines (del blPara), and they are broken again.
        state = self.__dict__
        if state.get("_wrapped_width") == availWidth and "blPara" in state:
            return self.width, self.height
        state.pop("_wrapped_width", None)
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        if "blPara" in state and state.get("width") == availWidth:
            self._wrapped_width = availWidth
        return size
