"""The mouse wheel scrolls the form under the pointer; it never changes a combo box, spin box
or date field the user has not clicked or tabbed into first.

One application-wide filter rather than a subclass per widget, so that every form of every
view is covered, the combos and spin boxes made by hand included. A guarded widget takes
focus by click or tab only (not by the wheel, Qt's default for them); a wheel turn over it
without focus goes to the nearest scroll area instead.
"""

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox)  # spin boxes, date and time fields included


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, GUARDED):
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if kind != QEvent.Type.Wheel or not isinstance(watched, GUARDED):
            return False
        if watched.hasFocus() or not isinstance(event, QWheelEvent):
            return False
        scroll_instead(watched, event)
        return True


def install_wheel_guard(app: QApplication) -> None:
    """Once per application (configure_application may run more than once in tests)."""
    if app.findChild(WheelGuard) is None:
        app.installEventFilter(WheelGuard(app))


def scroll_instead(widget: QWidget, event: QWheelEvent) -> None:
    """Give the wheel turn to the scroll area holding `widget`; the widget itself keeps its
    value. Outside any scroll area the turn is left to the widget's parents."""
    area = _enclosing_scroll_area(widget)
    if area is None:
        event.ignore()
        return
    viewport = area.viewport()
    turn = QWheelEvent(
        viewport.mapFromGlobal(event.globalPosition()),
        event.globalPosition(),
        event.pixelDelta(),
        event.angleDelta(),
        event.buttons(),
        event.modifiers(),
        event.phase(),
        event.inverted(),
        event.source(),
    )
    QApplication.sendEvent(viewport, turn)
    event.accept()  # handled: Qt must not pass it on to the parents as well


def _enclosing_scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None
