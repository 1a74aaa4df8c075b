"""Parcours tab: the current stage, the button to change it, the append-only history."""

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.values import EXIT_TYPES
from app.services.candidates.records import CandidateFile
from app.ui.candidates.stage_dialog import StageDialog
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.naming import named

HISTORY_COLUMNS = ("Date et auteur", "Changement et commentaire")


class HistoryTab(QWidget):
    stage_changed = Signal(int)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.candidate_id: int | None = None
        self.stage_code = ""
        # Set by the view: settles unsaved edits of the file before the stage moves.
        self.before_change: Callable[[], bool] = lambda: True
        self.stage_label = named(QLabel(), "currentStage")
        self.stage_label.setProperty("role", "title")
        self.change_button = QPushButton(icon("arrows-exchange"), "Changer d'étape…")
        self.change_button.setObjectName("changeStageButton")
        self.change_button.clicked.connect(self.change_stage)
        self.table = named(QTableWidget(0, len(HISTORY_COLUMNS)), "stageHistory")
        self.table.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setAlternatingRowColors(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        top = QHBoxLayout()
        top.addWidget(QLabel("Étape actuelle :"))
        top.addWidget(self.stage_label, 1)
        top.addWidget(self.change_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("Historique (chaque changement est conservé) :"))
        layout.addWidget(self.table, 1)
        self.show_file(None)

    def show_file(self, file: CandidateFile | None) -> None:
        self.candidate_id = file.id if file else None
        self.stage_code = file.stage_code if file else ""
        stage = file.stage_label if file else "—"
        if file and file.exit_type:
            stage += f" ({EXIT_TYPES.get(file.exit_type, file.exit_type)})"
        self.stage_label.setText(stage)
        self.change_button.setEnabled(file is not None)
        entries = list(reversed(file.history)) if file else []
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            when = f"{entry.changed_at:%d/%m/%Y %H:%M}\n{entry.author}"
            change = f"{entry.from_label} → {entry.to_label}"
            if entry.comment:
                change += f"\n« {entry.comment} »"
            for column, text in enumerate((when, change)):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()

    def change_stage(self) -> None:
        if self.candidate_id is None or not self.before_change():
            return
        dialog = StageDialog(self.context, self.candidate_id, self.stage_code, self)
        if dialog.exec():
            self.stage_changed.emit(self.candidate_id)
