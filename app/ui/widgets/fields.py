"""Field widgets that read and write plain text values, and their inline error labels."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

UNKNOWN = "Non renseigné"


class ChoiceBox(QComboBox):
    """A combo whose value is the data of the current item (a code or label string)."""

    def __init__(
        self,
        choices: list[tuple[str, str]],
        *,
        allow_empty: bool = True,
        empty_label: str = UNKNOWN,
    ) -> None:
        super().__init__()
        if allow_empty:
            self.addItem(empty_label, "")
        for value, label in choices:
            self.addItem(label, value)

    def value(self) -> str:
        data = self.currentData()
        return str(data) if data is not None else ""

    def set_value(self, value: str) -> None:
        index = self.findData(value)
        if index < 0 and value:
            index = self.findText(value)
        if index < 0 and value:
            # A value stored before the list changed stays visible and is kept on save.
            self.addItem(value, value)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))


class MultiLineField(QPlainTextEdit):
    def value(self) -> str:
        return self.toPlainText()

    def set_value(self, value: str) -> None:
        self.setPlainText(value)


class LineField(QLineEdit):
    def value(self) -> str:
        return self.text()

    def set_value(self, value: str) -> None:
        self.setText(value)


FieldWidget = ChoiceBox | MultiLineField | LineField


class FieldWithError(QWidget):
    """The field and, under it, its French error message (hidden when there is none)."""

    changed = Signal()

    def __init__(self, name: str, field: FieldWidget) -> None:
        super().__init__()
        self.field = field
        field.setObjectName(name)
        self.error = QLabel()
        self.error.setObjectName(f"{name}Error")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(self.error)
        if isinstance(field, ChoiceBox):
            field.currentIndexChanged.connect(self.changed)
        else:
            field.textChanged.connect(self.changed)

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.field.setProperty("invalid", "true" if message else "false")
        self.field.style().unpolish(self.field)
        self.field.style().polish(self.field)
        self.field.setAccessibleDescription(message)
