"""Tab *Réalisation*: the teams the project was given to, its milestones, its delivery and the
end-of-project satisfaction of the structure and of the team."""

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.projects import SATISFACTION_QUESTIONS, ProjectState, Respondent
from app.services.errors import UserFacingError, ValidationError
from app.services.projects import actions as projects
from app.services.projects.listing import ProjectDetails
from app.services.validation import format_date
from app.ui.context import AppContext
from app.ui.projects.dialogs import MilestoneDialog, TeamDialog
from app.ui.projects.models import MilestonesTableModel, average_text
from app.ui.projects.selection import (
    ScoreBox,
    error_label,
    projects_editor,
    scrolled,
    show_error_label,
)
from app.ui.theme import icon
from app.ui.widgets.fields import LineField, MultiLineField
from app.ui.widgets.form_fields import show_status
from app.ui.widgets.naming import named

GIVABLE = frozenset({ProjectState.RETAINED.value, ProjectState.IN_PROGRESS.value})
PLANNED = GIVABLE | {ProjectState.DELIVERED.value}  # milestones still change
RATED = frozenset({ProjectState.DELIVERED.value, ProjectState.CLOSED.value})


class SatisfactionBox(QGroupBox):
    """One respondent's grid: each question rated 1–5, a comment, Enregistrer."""

    save_requested = Signal(str)

    def __init__(self, respondent: Respondent) -> None:
        title = (
            "Satisfaction de la structure"
            if respondent is Respondent.STRUCTURE
            else ("Satisfaction de l'équipe")
        )
        super().__init__(title)
        self.respondent = respondent
        prefix = respondent.value
        self.setObjectName(f"{prefix}Satisfaction")
        self.boxes: dict[str, ScoreBox] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for column, question in SATISFACTION_QUESTIONS:
            box = named(ScoreBox(), f"{prefix}_{column}")
            box.setAccessibleName(f"{title} : {question}")
            caption = QLabel(question)
            caption.setWordWrap(True)
            caption.setBuddy(box)
            form.addRow(caption, box)
            self.boxes[column] = box
        self.comment = named(MultiLineField(), f"{prefix}_comment")
        self.comment.setAccessibleName(f"{title} : commentaire")
        self.comment.setPlaceholderText("Commentaire")
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(44)
        self.error = error_label(f"{prefix}_ratingsError")
        self.status = named(QLabel(), f"{prefix}SatisfactionStatus")
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.save_button = named(QPushButton(icon("check"), "Enregistrer"), f"{prefix}SaveButton")
        self.save_button.clicked.connect(lambda: self.save_requested.emit(prefix))
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.comment)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addLayout(bottom)

    def ratings(self) -> dict[str, int]:
        return {c: score for c, box in self.boxes.items() if (score := box.score()) is not None}

    def show_project(self, details: ProjectDetails, editable: bool) -> None:
        recorded = next(
            (s for s in details.satisfaction if s.respondent == self.respondent.value), None
        )
        for column, box in self.boxes.items():
            box.set_score(recorded.ratings.get(column) if recorded else None)
            box.setEnabled(editable)
        self.comment.setPlainText(recorded.comment if recorded else "")
        self.comment.setReadOnly(not editable)
        self.save_button.setVisible(editable)
        show_error_label(self.error, "")
        if recorded is not None:
            when = recorded.recorded_at.strftime("%d/%m/%Y")
            self.status.setText(
                f"Moyenne {average_text(recorded.average)} / 5 — saisie le {when} "
                f"par {recorded.recorded_by}"
            )
        elif details.state in RATED:
            self.status.setText("Pas encore saisie.")
        else:
            self.status.setText("À saisir une fois le projet livré.")


class RealisationTab(QWidget):
    """`changed(project_id)` after anything saved here."""

    changed = Signal(int)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("projectRealisation")
        self.context = context
        self.details: ProjectDetails | None = None
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 4, 6, 0)
        column.addWidget(self._build_teams())
        column.addWidget(self._build_milestones())
        column.addWidget(self._build_delivery())
        satisfaction = QHBoxLayout()
        self.satisfaction = {r.value: SatisfactionBox(r) for r in Respondent}
        for box in self.satisfaction.values():
            box.save_requested.connect(self.save_satisfaction)
            satisfaction.addWidget(box, 1)
        column.addLayout(satisfaction)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scrolled(content))

    # ---- building

    def _build_teams(self) -> QGroupBox:
        box = QGroupBox("Équipes")
        self.teams_label = named(QLabel(), "projectTeams")
        self.teams_label.setWordWrap(True)
        self.give_button = named(
            QPushButton(icon("users"), "Confier à une équipe…"), "giveToTeamButton"
        )
        self.give_button.setToolTip(
            "Choisir une promotion et les apprenants de l'équipe : le projet devient une "
            "activité « projet réel » de l'Orientation"
        )
        self.give_button.clicked.connect(self.give_to_team)
        layout = QHBoxLayout(box)
        layout.addWidget(self.teams_label, 1)
        layout.addWidget(self.give_button, 0, Qt.AlignmentFlag.AlignTop)
        return box

    def _build_milestones(self) -> QGroupBox:
        box = QGroupBox("Jalons")
        self.milestones_model = MilestonesTableModel()
        self.milestones_table = named(QTableView(), "milestonesTable")
        self.milestones_table.setModel(self.milestones_model)
        self.milestones_table.setAccessibleName("Jalons du projet")
        self.milestones_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.milestones_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.milestones_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.milestones_table.verticalHeader().hide()
        self.milestones_table.setMinimumHeight(96)
        self.milestones_table.setMaximumHeight(150)
        header = self.milestones_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Double-click or Entrée (one signal: both would open the dialog twice).
        self.milestones_table.activated.connect(lambda _index: self.edit_milestone())
        self.add_milestone_button = named(
            QPushButton(icon("calendar-plus"), "Ajouter…"), "addMilestoneButton"
        )
        self.edit_milestone_button = named(QPushButton("Modifier…"), "editMilestoneButton")
        self.delete_milestone_button = named(
            QPushButton(icon("x"), "Supprimer"), "deleteMilestoneButton"
        )
        self.add_milestone_button.clicked.connect(self.add_milestone)
        self.edit_milestone_button.clicked.connect(self.edit_milestone)
        self.delete_milestone_button.clicked.connect(self.delete_milestone)
        buttons = QVBoxLayout()
        for button in (
            self.add_milestone_button,
            self.edit_milestone_button,
            self.delete_milestone_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QHBoxLayout(box)
        layout.addWidget(self.milestones_table, 1)
        layout.addLayout(buttons)
        return box

    def _build_delivery(self) -> QGroupBox:
        box = QGroupBox("Livraison")
        self.delivered_on = named(LineField(), "deliveredOn")
        self.delivered_on.setAccessibleName("Date de livraison")
        self.delivered_on.setPlaceholderText("JJ/MM/AAAA")
        self.delivered_on.setMaximumWidth(110)
        self.delivery_notes = named(LineField(), "deliveryNotes")
        self.delivery_notes.setAccessibleName("Notes de livraison")
        self.delivery_notes.setPlaceholderText("Ce qui a été remis, où il est hébergé…")
        self.delivered_error = error_label("delivered_onError")
        self.deliver_button = named(QPushButton(icon("check"), "Livré"), "deliverButton")
        self.deliver_button.setToolTip("Enregistrer la livraison : le projet passe à « Livré »")
        self.deliver_button.clicked.connect(self.deliver)
        self.delivery_status = named(QLabel(), "deliveryStatus")
        self.delivery_status.setWordWrap(True)
        row = QHBoxLayout()
        self.delivered_caption = QLabel("Livré le")
        self.delivered_caption.setBuddy(self.delivered_on)
        row.addWidget(self.delivered_caption)
        row.addWidget(self.delivered_on)
        row.addWidget(self.delivery_notes, 1)
        row.addWidget(self.deliver_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.delivery_status)
        layout.addLayout(row)
        layout.addWidget(self.delivered_error)
        self.delivery_row = row
        return box

    # ---- showing

    def show_project(self, details: ProjectDetails | None) -> None:
        self.details = details
        editor = projects_editor(self.context)
        self.setEnabled(details is not None)
        if details is None:
            self.teams_label.setText("")
            self.milestones_model.set_rows(())
            return
        self.teams_label.setText(_teams_text(details))
        self.give_button.setVisible(editor and details.state in GIVABLE)
        self.milestones_model.set_rows(details.milestones)
        for button in (
            self.add_milestone_button,
            self.edit_milestone_button,
            self.delete_milestone_button,
        ):
            button.setVisible(editor and details.state in PLANNED)
        self._show_delivery(details, editor)
        rated = details.state in RATED
        for box in self.satisfaction.values():
            box.show_project(details, editor and rated)
            box.setVisible(rated or bool(details.satisfaction))

    def _show_delivery(self, details: ProjectDetails, editor: bool) -> None:
        show_error_label(self.delivered_error, "")
        can_deliver = editor and details.state == ProjectState.IN_PROGRESS.value
        for widget in (
            self.delivered_caption,
            self.delivered_on,
            self.delivery_notes,
            self.deliver_button,
        ):
            widget.setVisible(can_deliver)
        if details.delivered_on is not None:
            notes = f" — {details.delivery_notes}" if details.delivery_notes else ""
            self.delivery_status.setText(f"Livré le {format_date(details.delivered_on)}{notes}")
        elif can_deliver:
            self.delivery_status.setText("Pas encore livré.")
            self.delivered_on.setText(format_date(date.today()))
            self.delivery_notes.clear()
        else:
            self.delivery_status.setText(
                "La livraison se saisit pendant la réalisation ; la satisfaction de la "
                "structure et de l'équipe, une fois le projet livré."
            )

    # ---- acting

    def give_to_team(self) -> None:
        details = self.details
        if details is None:
            return
        try:
            cohorts = projects.cohorts_for_season(
                self.context.database, details.season_label, actor=self.context.actor
            )
        except UserFacingError as error:
            QMessageBox.warning(self, "Promotions illisibles", str(error))
            return
        if not cohorts:
            QMessageBox.information(
                self,
                "Aucune promotion",
                f"La saison {details.season_label} n'a pas encore de promotion : le projet "
                "pourra être confié une fois la promotion créée (Orientation).",
            )
            return
        dialog = TeamDialog(self.context, details.id, cohorts, self)
        if dialog.exec() == TeamDialog.DialogCode.Accepted:
            show_status(self, "Projet confié : il figure dans les activités de l'Orientation.")
            self.changed.emit(details.id)

    def _selected_milestone(self) -> int | None:
        rows = self.milestones_table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def add_milestone(self) -> None:
        if self.details is not None:
            self._open_milestone(None)

    def edit_milestone(self) -> None:
        row = self._selected_milestone()
        if self.details is not None and row is not None:
            self._open_milestone(row)

    def _open_milestone(self, row: int | None) -> None:
        assert self.details is not None
        if not projects_editor(self.context):
            return
        milestone = self.milestones_model.record(row) if row is not None else None
        dialog = MilestoneDialog(self.context, self.details.id, milestone, self)
        if dialog.exec() == MilestoneDialog.DialogCode.Accepted:
            self.changed.emit(self.details.id)

    def delete_milestone(self) -> None:
        row = self._selected_milestone()
        milestone = self.milestones_model.record(row) if row is not None else None
        if self.details is None or milestone is None:
            return
        answer = QMessageBox.question(
            self, "Supprimer le jalon", f"Supprimer le jalon « {milestone.title} » ?"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            projects.delete_milestone(self.context.database, milestone.id, actor=self.context.actor)
        except UserFacingError as error:
            QMessageBox.warning(self, "Jalon non supprimé", str(error))
            return
        self.changed.emit(self.details.id)

    def deliver(self) -> None:
        details = self.details
        if details is None:
            return
        try:
            projects.deliver(
                self.context.database,
                details.id,
                self.delivered_on.text(),
                self.delivery_notes.text(),
                details.version,
                actor=self.context.actor,
            )
        except ValidationError as error:
            message = error.errors.get("delivered_on") or str(error)
            show_error_label(self.delivered_error, message)
            return
        except UserFacingError as error:
            QMessageBox.warning(self, "Livraison non enregistrée", str(error))
            return
        self.changed.emit(details.id)

    def save_satisfaction(self, respondent: str) -> None:
        details = self.details
        if details is None:
            return
        box = self.satisfaction[respondent]
        try:
            projects.record_satisfaction(
                self.context.database,
                details.id,
                respondent,
                box.ratings(),
                box.comment.toPlainText(),
                actor=self.context.actor,
            )
        except ValidationError as error:
            show_error_label(box.error, " ".join(error.errors.values()) or str(error))
            return
        except UserFacingError as error:
            QMessageBox.warning(self, "Satisfaction non enregistrée", str(error))
            return
        self.changed.emit(details.id)


def _teams_text(details: ProjectDetails) -> str:
    if not details.teams:
        if details.state == ProjectState.RETAINED.value:
            return "Retenu : à confier à une équipe d'une promotion."
        return "Aucune équipe pour l'instant."
    lines = [
        f"<b>{team.team_name}</b> ({_site_of(team.cohort_label)}) : "
        f"{', '.join(team.learners) or '—'}"
        for team in details.teams
    ]
    return "<br>".join(lines)


def _site_of(cohort_label: str) -> str:
    """ "Saison 2025-2026 — Cobalt" -> "Cobalt": the season is the project's."""
    return cohort_label.rsplit(" — ", 1)[-1]
