"""Dialogs of the Projets view: the call's dates, a team to give the project to, a milestone,
the scoring criteria and the ranking."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.projects import MilestoneState
from app.services.errors import UserFacingError, ValidationError
from app.services.projects import actions as projects
from app.services.projects.calls import CallInfo
from app.services.projects.realisation import MilestoneInfo
from app.services.projects.reviews import CriterionInfo
from app.services.validation import format_date
from app.ui.context import AppContext
from app.ui.projects.models import RankingTableModel
from app.ui.theme import icon
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import ChoiceBox, FieldWithError, LineField, MultiLineField
from app.ui.widgets.naming import named


class _FieldsDialog(QDialog):
    """A small form of named fields with their error labels; `submit` saves through a service."""

    def __init__(self, title: str, object_name: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.holders: dict[str, FieldWithError] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def add(self, name: str, label: str, field: Any, value: str = "") -> None:
        holder = FieldWithError(name, field)
        field.set_value(value)
        field.setAccessibleName(label)
        caption = QLabel(label)
        caption.setBuddy(field)
        self.form.addRow(caption, holder)
        self.holders[name] = holder

    def text(self, name: str) -> str:
        return str(self.holders[name].field.value())

    def show_errors(self, error: ValidationError) -> None:
        for name, holder in self.holders.items():
            holder.set_error(error.errors.get(name, ""))
        others = [m for n, m in error.errors.items() if n not in self.holders]
        if others:
            QMessageBox.warning(self, "Enregistrement impossible", "\n".join(others))

    def finish(self, ok_text: str, extra: QWidget | None = None) -> None:
        buttons = ok_cancel_buttons(self, ok_text)
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        if extra is not None:
            layout.addWidget(extra, 1)
        layout.addWidget(buttons)

    def attempt(self, action: Callable[[], Any]) -> bool:
        """Run the service call; its French errors shown here. True when it went through."""
        try:
            action()
        except ValidationError as error:
            self.show_errors(error)
            return False
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return False
        return True

    def submit(self) -> None:
        """What OK does; each dialog saves its fields through its service, then accepts."""
        self.accept()


class CallDialog(_FieldsDialog):
    """The call's opening and closing dates, and notes (coordination)."""

    def __init__(self, context: AppContext, call: CallInfo, parent: QWidget | None = None) -> None:
        super().__init__(f"Appel à projets {call.season_label}", "callDialog", parent)
        self.context = context
        self.call = call
        self.saved: CallInfo | None = None
        self.add("opens_on", "Ouverture", LineField(), format_date(call.opens_on))
        self.add("closes_on", "Clôture", LineField(), format_date(call.closes_on))
        notes = MultiLineField()
        notes.setFixedHeight(70)
        notes.setTabChangesFocus(True)
        self.add("notes", "Notes", notes, call.notes)
        self.finish("Enregistrer")
        self.resize(440, 230)

    def submit(self) -> None:
        def save() -> None:
            self.saved = projects.save_call(
                self.context.database,
                self.call.id,
                self.text("opens_on"),
                self.text("closes_on"),
                self.text("notes"),
                actor=self.context.actor,
            )

        if self.attempt(save):
            self.accept()


# The team picker's cohorts: (cohort id, label, learners [(candidate id, name)]).
CohortChoice = tuple[int, str, Sequence[tuple[int, str]]]


class TeamDialog(_FieldsDialog):
    """Give the project to a team of a cohort: the cohort, the team's name, its learners and
    the day the work starts (the real-case activity's date in Orientation)."""

    def __init__(
        self,
        context: AppContext,
        project_id: int,
        cohorts: Sequence[CohortChoice],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Confier le projet à une équipe", "teamDialog", parent)
        self.context = context
        self.project_id = project_id
        self.cohorts = list(cohorts)
        self.activity_id: int | None = None
        self.cohort = named(QComboBox(), "teamCohort")
        self.cohort.setAccessibleName("Promotion")
        for cohort_id, label, _learners in self.cohorts:
            self.cohort.addItem(label, cohort_id)
        caption = QLabel("Promotion")
        caption.setBuddy(self.cohort)
        self.form.addRow(caption, self.cohort)
        self.add("team_name", "Nom de l'équipe", LineField(), "Équipe 1")
        self.add("start_day", "Début du travail", LineField(), format_date(date.today()))
        self.learners = named(QListWidget(), "teamLearners")
        self.learners.setAccessibleName("Apprenants de l'équipe")
        self.learners.setMinimumHeight(160)
        self.learners_error = named(QLabel(), "candidate_idsError")
        self.learners_error.setProperty("role", "error")
        self.learners_error.hide()
        learners_box = QWidget()
        box_layout = QVBoxLayout(learners_box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("Apprenants (cochez-les ; Espace coche la ligne choisie) :")
        hint.setBuddy(self.learners)
        box_layout.addWidget(hint)
        box_layout.addWidget(self.learners, 1)
        box_layout.addWidget(self.learners_error)
        self.cohort.currentIndexChanged.connect(self._fill_learners)
        self._fill_learners()
        self.finish("Confier le projet", learners_box)
        self.resize(480, 440)

    def _fill_learners(self) -> None:
        self.learners.clear()
        index = self.cohort.currentIndex()
        if index < 0:
            return
        for candidate_id, name in self.cohorts[index][2]:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, candidate_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.learners.addItem(item)

    def check_learners(self, names: Sequence[str]) -> None:
        """Tick these learners (by name); for tests and automation."""
        for row in range(self.learners.count()):
            item = self.learners.item(row)
            if item.text() in names:
                item.setCheckState(Qt.CheckState.Checked)

    def chosen_learners(self) -> list[int]:
        return [
            int(item.data(Qt.ItemDataRole.UserRole))
            for row in range(self.learners.count())
            if (item := self.learners.item(row)).checkState() == Qt.CheckState.Checked
        ]

    def submit(self) -> None:
        cohort_id = self.cohort.currentData()
        if cohort_id is None:
            QMessageBox.warning(self, "Aucune promotion", "Cette saison n'a pas de promotion.")
            return

        def give() -> None:
            self.activity_id = projects.give_to_team(
                self.context.database,
                self.project_id,
                int(cohort_id),
                self.text("team_name"),
                self.chosen_learners(),
                self.text("start_day"),
                actor=self.context.actor,
            )

        self.learners_error.hide()
        try:
            give()
        except ValidationError as error:
            self.show_errors(error)
            message = error.errors.get("candidate_ids") or error.errors.get("learners", "")
            self.learners_error.setText(message)
            self.learners_error.setVisible(bool(message))
            return
        except UserFacingError as error:
            QMessageBox.warning(self, "Projet non confié", str(error))
            return
        self.accept()


class MilestoneDialog(_FieldsDialog):
    """A milestone of the project: title, due date, status, done on."""

    def __init__(
        self,
        context: AppContext,
        project_id: int,
        milestone: MilestoneInfo | None,
        parent: QWidget | None = None,
    ) -> None:
        title = "Nouveau jalon" if milestone is None else "Modifier le jalon"
        super().__init__(title, "milestoneDialog", parent)
        self.context = context
        self.project_id = project_id
        self.milestone = milestone
        self.saved: MilestoneInfo | None = None
        states = [(s.value, s.label) for s in MilestoneState]
        self.add("title", "Jalon", LineField(), milestone.title if milestone else "")
        due = format_date(milestone.due_on) if milestone else ""
        self.add("due_on", "Échéance", LineField(), due)
        self.add(
            "state",
            "Statut",
            ChoiceBox(states, allow_empty=False),
            milestone.state if milestone else MilestoneState.PLANNED.value,
        )
        done = format_date(milestone.done_on) if milestone and milestone.done_on else ""
        self.add("done_on", "Fait le", LineField(), done)
        for name, hint in (("due_on", "JJ/MM/AAAA"), ("done_on", "JJ/MM/AAAA, si fait")):
            field = self.holders[name].field
            assert isinstance(field, LineField)
            field.setPlaceholderText(hint)
        self.finish("Enregistrer")
        self.resize(420, 220)

    def submit(self) -> None:
        def save() -> None:
            self.saved = projects.save_milestone(
                self.context.database,
                self.project_id,
                self.milestone.id if self.milestone else None,
                self.text("title"),
                self.text("due_on"),
                self.text("state"),
                self.text("done_on"),
                actor=self.context.actor,
            )

        if self.attempt(save):
            self.accept()


class CriteriaDialog(QDialog):
    """The scoring grid's criteria: add, rename, retire (coordination). A retired criterion
    stays readable in the reviews that scored it."""

    changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("criteriaDialog")
        self.setWindowTitle("Critères de sélection")
        self.context = context
        self.criteria: list[CriterionInfo] = []
        self.list = named(QListWidget(), "criteriaList")
        self.list.setAccessibleName("Critères de la grille")
        add = named(QPushButton(icon("file-plus"), "Ajouter…"), "addCriterionButton")
        rename = named(QPushButton("Renommer…"), "renameCriterionButton")
        retire = named(QPushButton(icon("ban"), "Retirer"), "retireCriterionButton")
        close = QPushButton("Fermer")
        add.clicked.connect(self.add_criterion)
        rename.clicked.connect(self.rename_criterion)
        retire.clicked.connect(self.retire_criterion)
        close.clicked.connect(self.accept)
        self.list.itemDoubleClicked.connect(lambda _item: self.rename_criterion())
        buttons = QHBoxLayout()
        for button in (add, rename, retire):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        hint = QLabel("Chaque critère est noté de 1 à 5 par chaque membre du jury.")
        hint.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.resize(520, 320)
        self.reload()

    def reload(self) -> None:
        self.criteria = projects.criteria(self.context.database, actor=self.context.actor)
        self.list.clear()
        for number, criterion in enumerate(self.criteria, start=1):
            self.list.addItem(f"C{number}. {criterion.label}")
        if self.criteria:
            self.list.setCurrentRow(0)

    def _selected(self) -> CriterionInfo | None:
        row = self.list.currentRow()
        return self.criteria[row] if 0 <= row < len(self.criteria) else None

    def _ask_label(self, title: str, current: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, "Libellé du critère :", text=current)
        return text if ok and text.strip() else None

    def _save(self, criterion: CriterionInfo | None, label: str) -> None:
        description = criterion.description if criterion else ""
        try:
            projects.save_criterion(
                self.context.database,
                criterion.id if criterion else None,
                label,
                description,
                actor=self.context.actor,
            )
        except UserFacingError as error:
            QMessageBox.warning(self, "Critère non enregistré", str(error))
            return
        self.reload()
        self.changed.emit()

    def add_criterion(self) -> None:
        label = self._ask_label("Nouveau critère", "")
        if label is not None:
            self._save(None, label)

    def rename_criterion(self) -> None:
        criterion = self._selected()
        if criterion is None:
            return
        label = self._ask_label("Renommer le critère", criterion.label)
        if label is not None:
            self._save(criterion, label)

    def retire_criterion(self) -> None:
        criterion = self._selected()
        if criterion is None:
            return
        answer = QMessageBox.question(
            self,
            "Retirer le critère",
            f"Retirer « {criterion.label} » de la grille ? Les notes déjà données restent "
            "lisibles dans les avis.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            projects.retire_criterion(self.context.database, criterion.id, actor=self.context.actor)
        except UserFacingError as error:
            QMessageBox.warning(self, "Critère non retiré", str(error))
            return
        self.reload()
        self.changed.emit()


class RankingDialog(QDialog):
    """The call's ranking by average; a double-click (or Entrée) opens the project."""

    open_requested = Signal(int)

    def __init__(
        self, context: AppContext, season_label: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rankingDialog")
        self.setWindowTitle(f"Classement — appel à projets {season_label}")
        self.model = RankingTableModel()
        self.model.set_rows(projects.ranking(context.database, season_label, actor=context.actor))
        self.table = named(QTableView(), "rankingTable")
        self.table.setModel(self.model)
        self.table.setAccessibleName("Classement des projets")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda index: self._open(index.row()))
        hint = QLabel(
            "Projets complets, en instruction ou décidés, par moyenne décroissante (à égalité, "
            "le premier déposé d'abord). Un avis avec conflit d'intérêts n'est pas compté."
        )
        hint.setWordWrap(True)
        hint.setProperty("role", "muted")
        close = QPushButton("Fermer")
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(900, 420)

    def _open(self, row: int) -> None:
        record = self.model.record(row)
        if record is not None:
            self.open_requested.emit(record.project_id)
            self.accept()
