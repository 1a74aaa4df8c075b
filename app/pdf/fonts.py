"""Embedded TrueType fonts for the PDF documents (DejaVu Sans: accents, « », —, ✓ all covered)."""

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.resources_access import resource, resource_path

FONT_FAMILY = "DejaVu"
FONT_REGULAR = "DejaVu"
FONT_BOLD = "DejaVu-Bold"
FONT_ITALIC = "DejaVu-Oblique"

FONTS_DIR = resource("fonts")

_FILES = {
    FONT_REGULAR: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
}


_registering = threading.Lock()  # the window loads them ahead, on a thread of its own


def register_fonts() -> None:
    """Register the DejaVu family with reportlab; calling it again does nothing."""
    with _registering:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in _FILES.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
    # <b>, <i> and <b><i> inside Paragraph markup resolve through these mappings;
    # there is no bold-oblique file embedded, bold stands in for it.
    addMapping(FONT_FAMILY, 0, 0, FONT_REGULAR)
    addMapping(FONT_FAMILY, 1, 0, FONT_BOLD)
    addMapping(FONT_FAMILY, 0, 1, FONT_ITALIC)
    addMapping(FONT_FAMILY, 1, 1, FONT_BOLD)
