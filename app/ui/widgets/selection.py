"""Choosing a table's row from code without the selection signals a user's click sends."""

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QTableView


def select_row_quietly(table: QTableView, row: int | None) -> None:
    """Make `row` the table's current, selected and visible row (none when None), without
    telling the listeners of a user's choice (the caller already shows that row's record)."""
    selection = table.selectionModel()
    blocked = selection.blockSignals(True)
    if row is None:
        selection.clearSelection()
        selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
    else:
        index = table.model().index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection.setCurrentIndex(index, flags)
        table.scrollTo(index)
    selection.blockSignals(blocked)
    table.viewport().update()
