"""One look: Fusion style, a light palette, one accent colour, Tabler icons."""

from functools import cache

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from app.resources_access import resource, resource_path

RESOURCES = resource()
ICONS = resource("icons")
ACCENT = "#1f6f8b"
ERROR = "#b3261e"
WARNING_BG = "#fff4ce"
MUTED = "#5f6b76"
FROZEN_BG = "#eef1f4"  # read-only content: no frame, a grey ground


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f5f7f9"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#eef3f6"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Button, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Link, QColor(ACCENT))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)


STYLE_SHEET = f"""
QListWidget#navigation {{
    background: #e6edf1; border: none; padding-top: 8px; font-size: 13px;
}}
QListWidget#navigation::item {{ padding: 10px 12px; border-radius: 6px; margin: 2px 6px; }}
QListWidget#navigation::item:selected {{ background: {ACCENT}; color: white; }}
QLabel[role="error"] {{ color: {ERROR}; font-size: 11px; }}
QLabel[role="title"] {{ font-size: 17px; font-weight: 600; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QFrame#todayStrip {{ background: {WARNING_BG}; border: 1px solid #ecd98b; border-radius: 6px; }}
QFrame#headerStrip {{ background: #ffffff; border-bottom: 1px solid #d8e0e6; }}
QGroupBox {{ font-weight: 600; border: 1px solid #d8e0e6; border-radius: 6px;
             margin-top: 14px; padding-top: 8px; background: #ffffff; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {ACCENT}; }}
QLineEdit[invalid="true"], QComboBox[invalid="true"], QPlainTextEdit[invalid="true"] {{
    border: 1px solid {ERROR};
}}
QLabel[role="badge"] {{ background: #e6edf1; color: #33414d; border-radius: 9px;
                        padding: 2px 10px; font-weight: 600; }}
QFrame#hoursFrame {{ background: #eef6f8; border: 1px solid #c9dfe6; border-radius: 6px; }}
QLabel[role="total"] {{ font-weight: 600; color: {ACCENT}; }}
QLabel[role="warning"] {{ color: #8a5a00; }}
QFrame#organisationBanner {{ background: {WARNING_BG}; border-bottom: 1px solid #ecd98b; }}
QPushButton[accent="true"] {{ background: {ACCENT}; color: white; padding: 5px 14px;
                              border-radius: 4px; border: none; }}
QPushButton[accent="true"]:disabled {{ background: #9fb9c3; }}
QLineEdit[frozen="true"], QPlainTextEdit[frozen="true"] {{
    background: {FROZEN_BG}; border: 1px solid {FROZEN_BG}; border-radius: 3px; color: #33414d;
}}
QComboBox[frozen="true"] {{
    background: {FROZEN_BG}; border: 1px solid {FROZEN_BG}; border-radius: 3px; color: #33414d;
    padding: 2px 6px;
}}
QComboBox[frozen="true"]::drop-down {{ width: 0px; border: none; }}
QCheckBox[frozen="true"] {{ color: #33414d; }}
QLabel[role="notice"] {{ background: #eef3f6; border: 1px solid #d8e0e6; border-radius: 6px;
                         padding: 6px 10px; color: #33414d; }}
QLabel[role="alert"] {{ background: {WARNING_BG}; border: 1px solid #ecd98b; border-radius: 6px;
                        padding: 6px 10px; color: #5c3c00; }}
"""


@cache
def icon(name: str, color: str = "#33414d") -> QIcon:
    """A Tabler outline icon rendered in `color`; an empty icon if the file is missing."""
    path = ICONS / f"{name}.svg"
    if not path.is_file():
        return QIcon()
    svg = path.read_text(encoding="utf-8").replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for size in (16, 24, 32, 48):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result


def app_icon() -> QIcon:
    return QIcon(str(resource_path("app-icon.svg")))
