"""One indicator table on the dashboard: its title, the table (as tall as its rows, the tab
scrolls) and its notes. A figure with people behind it opens their list."""

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.reports.tables import IndicatorTable
from app.ui.dashboard.models import IndicatorTableModel
from app.ui.widgets.naming import named

ROW_HEIGHT = 26
LABEL_WIDTH = 340
LABEL_MAX = 560
FIGURE_WIDTH = 120


class TablePanel(QWidget):
    """A titled indicator table; `trace_requested(panel, index)` on a figure's activation."""

    trace_requested = Signal(object, QModelIndex)

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.setObjectName(f"{_camel(key)}Panel")
        self.model = IndicatorTableModel()
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 1)
        self.title.setFont(font)
        self.table = named(QTableView(), f"{_camel(key)}Table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustIgnored)
        # Double-click or Entrée: the people behind the figure.
        self.table.activated.connect(lambda index: self.trace_requested.emit(self, index))
        self.notes = QLabel()
        self.notes.setProperty("role", "muted")
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.notes)

    def show_table(self, table: IndicatorTable | None) -> None:
        self.model.set_table(table)
        self.title.setText(table.title if table is not None else "")
        self.table.setAccessibleName(table.title if table is not None else "")
        self.notes.setText("\n".join(f"• {note}" for note in table.notes) if table else "")
        self.notes.setVisible(bool(table and table.notes))
        self._fit()

    def _fit(self) -> None:
        """Every row shown (no scroll bar of its own), labels whole, figures in narrow
        columns beside them: the table is as wide as its columns, not the page."""
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        columns = self.model.columnCount()
        width = 0
        for column in range(columns):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.resizeColumnToContents(column)
            floor, ceiling = (LABEL_WIDTH, LABEL_MAX) if column == 0 else (FIGURE_WIDTH, 260)
            self.table.setColumnWidth(
                column, min(max(self.table.columnWidth(column), floor), ceiling)
            )
            width += self.table.columnWidth(column)
        frame = 2 * self.table.frameWidth()
        self.table.setFixedWidth(width + frame + 2 if columns else FIGURE_WIDTH)
        height = header.sizeHint().height() + ROW_HEIGHT * self.model.rowCount()
        self.table.setFixedHeight(height + frame + 2)


def scrolled_page(name: str) -> tuple[QScrollArea, QVBoxLayout]:
    """A tab's page: a column of panels that scrolls as a whole."""
    content = QWidget()
    column = QVBoxLayout(content)
    column.setContentsMargins(8, 8, 8, 8)
    column.setSpacing(6)
    area = named(QScrollArea(), name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area, column


def _camel(key: str) -> str:
    """`funnel_losses` → `funnelLosses` (object names)."""
    first, *rest = key.split("_")
    return first + "".join(part.capitalize() for part in rest)
