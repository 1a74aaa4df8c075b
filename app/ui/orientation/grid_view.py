"""The evaluation grid: levels typed from the keyboard, one keystroke per cell."""

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from app.ui.orientation.models import KEY_TO_LEVEL, GridModel


class GridView(QTableView):
    """1 Acquis, 2 En cours, 3 Non acquis, 0 Non observé; the cursor then moves right.

    Arrows and Tab move as usual; typing in the last column edits the comment. A level typed
    on a locked row (a decided learner, a season over) is not taken: `refused` says why.
    """

    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluationGrid")
        self.setAccessibleName("Grille d'évaluation de l'équipe")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setTabKeyNavigation(True)
        # Entrée only "activates" a cell in Qt; on the comment column it should start writing.
        self.activated.connect(self._edit_comment)

    def _edit_comment(self, index: QModelIndex) -> None:
        if index.isValid() and index.column() == self.grid_model().comment_column:
            self.edit(index)

    def grid_model(self) -> GridModel:
        model = self.model()
        assert isinstance(model, GridModel)
        return model

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        model = self.grid_model()
        text = event.text()
        on_level = index.isValid() and index.column() < model.comment_column
        if (
            on_level
            and text in KEY_TO_LEVEL
            and event.modifiers()
            in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
        ):
            if model.setData(index, text, Qt.ItemDataRole.EditRole):
                self._advance(index)
            else:
                self.refused.emit(model.lock_of(index.row()))
            return
        if on_level and text and text.isprintable() and not text.isspace():
            return  # only 0-3 mean something in a level cell
        super().keyPressEvent(event)

    def _advance(self, index: QModelIndex) -> None:
        model = self.grid_model()
        row, column = index.row(), index.column() + 1
        if column >= model.comment_column:
            row, column = row + 1, 0
        if row < model.rowCount():
            self.setCurrentIndex(model.index(row, column))
