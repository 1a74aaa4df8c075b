"""Object names are what tests and automation find widgets by (CONTRACT.md)."""

from typing import TypeVar

from PySide6.QtCore import QObject

T = TypeVar("T", bound=QObject)


def named(widget: T, name: str) -> T:
    widget.setObjectName(name)
    return widget
