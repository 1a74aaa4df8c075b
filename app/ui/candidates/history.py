"""Parcours tab: the current stage, the button to change it, the append-only history, and once
the learner has left, the follow-up after the exit (situation, pathway end, 3/6/12 months)."""

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.values import EXIT_TYPES
from app.services.candidates.records import CandidateFile
from app.services.errors import UserFacingError
from app.services.outcomes import actions as outcomes
from app.services.outcomes.actions import FollowUpFile
from app.services.outcomes.pathway import add_months
from app.services.permissions import can_edit_candidates
from app.services.validation import format_date
from app.ui.candidates.follow_ups import OutcomeDialog, PathwayEndDialog
from app.ui.candidates.stage_dialog import StageDialog
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.naming import named

HISTORY_COLUMNS = ("Date et auteur", "Changement et commentaire")
CHECK_COLUMNS = ("Suivi", "Date prévue", "Situation", "Vérifiée le", "Commentaire")


class FollowUpBox(QGroupBox):
    """ "Suivi après la sortie": the exit, how the pathway ended, the 3/6/12-month checks;
    hidden while the learner has not left. `changed` fires after a recording."""

    changed = Signal(int)

    def __init__(self, context: AppContext) -> None:
        super().__init__("Suivi après la sortie")
        self.setObjectName("followUpBox")
        self.context = context
        self.candidate_id: int | None = None
        self.file = FollowUpFile(left=False)
        self.exit_label = named(QLabel(), "exitSummary")
        self.exit_label.setWordWrap(True)
        self.end_label = named(QLabel(), "pathwayEnd")
        self.end_label.setWordWrap(True)
        self.end_button = named(QPushButton("Fin de parcours…"), "pathwayEndButton")
        self.end_button.setToolTip("Indiquer comment le parcours s'est terminé")
        self.end_button.clicked.connect(self.edit_pathway_end)
        self.checks = named(QTableWidget(0, len(CHECK_COLUMNS)), "followUpChecks")
        self.checks.setAccessibleName("Suivis à 3, 6 et 12 mois")
        self.checks.setHorizontalHeaderLabels(CHECK_COLUMNS)
        self.checks.verticalHeader().hide()
        self.checks.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.checks.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.checks.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # One line a check, the whole comment in its tooltip: the three rows always show.
        self.checks.setWordWrap(False)
        self.checks.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.checks.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.checks.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(CHECK_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.checks.setFixedHeight(self._table_height())
        self.checks.cellDoubleClicked.connect(lambda row, _column: self.record(row))
        self.record_button = named(QPushButton("Enregistrer le suivi…"), "recordOutcomeButton")
        self.record_button.setToolTip(
            "Enregistrer ou corriger la situation vérifiée au suivi sélectionné"
        )
        self.record_button.clicked.connect(lambda: self.record(self.checks.currentRow()))
        end_row = QHBoxLayout()
        end_row.addWidget(self.end_label, 1)
        end_row.addWidget(self.end_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.exit_label)
        layout.addLayout(end_row)
        layout.addWidget(self.checks)
        layout.addLayout(buttons)
        self.hide()

    def _table_height(self) -> int:
        rows = 3 * self.checks.verticalHeader().defaultSectionSize()
        frame = 2 * self.checks.frameWidth()
        return rows + self.checks.horizontalHeader().sizeHint().height() + frame + 2

    def show_file(self, candidate_id: int | None) -> None:
        self.candidate_id = candidate_id
        self.file = FollowUpFile(left=False)
        if candidate_id is not None:
            try:
                self.file = outcomes.follow_up_file(
                    self.context.database, candidate_id, actor=self.context.actor
                )
            except UserFacingError:
                self.file = FollowUpFile(left=False)
        self.setVisible(self.file.left)
        if not self.file.left:
            return
        file, editable = self.file, can_edit_candidates(self.context.role)
        situation = file.exit_label or "situation non indiquée"
        self.exit_label.setText(f"Sortie le {format_date(file.exit_date)} : {situation}")
        end = file.pathway_end_label or "non indiquée"
        if file.pathway_end_reason:
            end += f" ({file.pathway_end_reason})"
        self.end_label.setText(f"Fin de parcours : {end}")
        self.end_button.setVisible(editable)
        self.record_button.setVisible(editable)
        today = date.today()
        self.checks.setRowCount(len(file.checks))
        for row, check in enumerate(file.checks):
            outcome = check.outcome
            if outcome is not None:
                texts = (outcome.situation_label, f"{outcome.checked_on} ({outcome.source_label})")
                comment = outcome.comment
            else:
                texts = (self._pending(check.due_on, today), "—")
                comment = ""
            values = (check.label.capitalize(), format_date(check.due_on), *texts, comment)
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.checks.setItem(row, column, item)
        self.checks.selectRow(self._first_to_do())

    @staticmethod
    def _pending(due_on: date, today: date) -> str:
        if due_on > today:
            return "pas encore"
        return "à faire, en retard" if add_months(due_on, 1) < today else "à faire"

    def _first_to_do(self) -> int:
        today = date.today()
        for row, check in enumerate(self.file.checks):
            if check.outcome is None and check.due_on <= today:
                return row
        return 0

    def record(self, row: int) -> None:
        if (
            self.candidate_id is None
            or not 0 <= row < len(self.file.checks)
            or not can_edit_candidates(self.context.role)
        ):
            return
        dialog = OutcomeDialog(self.context, self.candidate_id, self.file.checks[row], self)
        if dialog.exec():
            self.changed.emit(self.candidate_id)

    def edit_pathway_end(self) -> None:
        if self.candidate_id is None:
            return
        try:
            dialog = PathwayEndDialog(self.context, self.candidate_id, self.file, self)
        except UserFacingError as error:
            QMessageBox.warning(self, "Fin de parcours", str(error))
            return
        if dialog.exec():
            self.changed.emit(self.candidate_id)


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
        self.follow_up = FollowUpBox(context)
        # A recording changes the file's version and journal: the view reloads it.
        self.follow_up.changed.connect(self.stage_changed)
        layout.addWidget(self.follow_up)
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
        self.follow_up.show_file(file.id if file else None)

    def change_stage(self) -> None:
        if self.candidate_id is None or not self.before_change():
            return
        dialog = StageDialog(self.context, self.candidate_id, self.stage_code, self)
        if dialog.exec():
            self.stage_changed.emit(self.candidate_id)
