"""Tab *Sélection*: the project's state and its next states, my review (one score per
criterion, conflict of interest, comment), every reviewer's scores, the average and the rank."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.projects import ProjectState
from app.services.errors import ConflictError, UserFacingError, ValidationError
from app.services.permissions import can_edit_projects, can_review_projects
from app.services.projects import actions as projects
from app.services.projects.listing import ProjectDetails
from app.services.projects.reviews import REVIEWABLE_STATES, CriterionInfo
from app.ui.context import AppContext
from app.ui.projects.models import ReviewsTableModel, average_text
from app.ui.theme import icon
from app.ui.widgets.fields import LineField, MultiLineField
from app.ui.widgets.naming import named

SCORE_WIDTH = 150
REVIEWABLE = frozenset(state.value for state in REVIEWABLE_STATES)
NOT_REVIEWABLE = (
    "Les notes se donnent quand le projet est complet, en instruction ou en liste d'attente."
)
SCORE_LABELS = ("1 – insuffisant", "2 – faible", "3 – correct", "4 – bon", "5 – excellent")
NO_REASON_NEEDED = frozenset(
    {ProjectState.NOT_RETAINED.value, ProjectState.ABANDONED.value, ProjectState.WITHDRAWN.value}
)


# States set by the Réalisation tab, with what they need (a team, a delivery date).
VIA_REALISATION = {
    ProjectState.IN_PROGRESS.value: "Pour passer en réalisation : « Confier à une équipe… » "
    "(onglet Réalisation).",
    ProjectState.DELIVERED.value: "Pour enregistrer la livraison : « Livré » (onglet Réalisation).",
}


def error_label(name: str) -> QLabel:
    label = named(QLabel(), name)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error_label(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))


def scrolled(content: QWidget) -> QScrollArea:
    """A tab's content that scrolls vertically, never sideways."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    return area


class ScoreBox(QComboBox):
    """A score 1–5, or "—" (not scored); value: the score or None."""

    def __init__(self) -> None:
        super().__init__()
        self.addItem("—", None)
        for score, label in enumerate(SCORE_LABELS, start=1):
            self.addItem(label, score)

    def score(self) -> int | None:
        data = self.currentData()
        return int(data) if data is not None else None

    def set_score(self, score: int | None) -> None:
        self.setCurrentIndex(max(self.findData(score), 0) if score is not None else 0)


class SelectionTab(QWidget):
    """`changed(project_id)` after a state change or a review saved."""

    changed = Signal(int)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("projectSelection")
        self.context = context
        self.details: ProjectDetails | None = None
        self.criteria: list[CriterionInfo] = []
        self.score_boxes: dict[int, ScoreBox] = {}
        self.reviewing = False  # my review can be changed now
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 4, 6, 0)
        column.addWidget(self._build_state())
        column.addWidget(self._build_review())
        column.addWidget(self._build_jury(), 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scrolled(content))

    # ---- building

    def _build_state(self) -> QGroupBox:
        box = QGroupBox("État du projet")
        self.state_label = named(QLabel(), "projectState")
        self.state_label.setWordWrap(True)
        self.next_state = named(QComboBox(), "nextState")
        self.next_state.setAccessibleName("Nouvel état")
        self.reason = named(LineField(), "stateReason")
        self.reason.setAccessibleName("Motif du changement d'état")
        self.reason.setPlaceholderText("Motif (obligatoire pour non retenu, abandonné, retiré)")
        self.reason_error = error_label("reasonError")
        self.change_button = named(
            QPushButton(icon("arrows-exchange"), "Changer l'état"), "changeStateButton"
        )
        self.change_button.setToolTip("Passer le projet à l'état choisi (coordination)")
        self.change_button.clicked.connect(self.change_state)
        self.next_state.currentIndexChanged.connect(self._reason_hint)
        self.state_editor = QWidget()
        row = QHBoxLayout(self.state_editor)
        row.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Passer à :")
        caption.setBuddy(self.next_state)
        row.addWidget(caption)
        row.addWidget(self.next_state)
        row.addWidget(self.reason, 1)
        row.addWidget(self.change_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.state_label)
        layout.addWidget(self.state_editor)
        self.realisation_hint = named(QLabel(), "realisationHint")
        self.realisation_hint.setProperty("role", "muted")
        self.realisation_hint.setWordWrap(True)
        layout.addWidget(self.realisation_hint)
        layout.addWidget(self.reason_error)
        return box

    def _build_review(self) -> QGroupBox:
        box = named(QGroupBox("Mon avis"), "myReview")
        self.review_form = QGridLayout()
        self.review_form.setColumnStretch(0, 1)
        self.review_form.setVerticalSpacing(4)
        self.conflict = named(
            QCheckBox("Je déclare un conflit d'intérêts (mes notes ne seront pas comptées)"),
            "conflictOfInterest",
        )
        self.conflict.setAccessibleName("Conflit d'intérêts")
        self.conflict.toggled.connect(self._conflict_toggled)
        self.comment = named(MultiLineField(), "reviewComment")
        self.comment.setAccessibleName("Commentaire de mon avis")
        self.comment.setPlaceholderText("Commentaire (facultatif)")
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(48)
        self.scores_error = error_label("scoresError")
        self.save_review_button = named(
            QPushButton(icon("check"), "Enregistrer mon avis"), "saveReviewButton"
        )
        self.save_review_button.clicked.connect(self.save_review)
        self.review_status = named(QLabel(), "reviewStatus")
        self.review_status.setProperty("role", "muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.review_status, 1)
        buttons.addWidget(self.save_review_button)
        layout = QVBoxLayout(box)
        layout.addLayout(self.review_form)
        layout.addWidget(self.scores_error)
        layout.addWidget(self.conflict)
        layout.addWidget(self.comment)
        layout.addLayout(buttons)
        return box

    def _build_jury(self) -> QGroupBox:
        box = QGroupBox("Avis du jury")
        self.reviews_model = ReviewsTableModel()
        self.reviews_table = named(QTableView(), "reviewsTable")
        self.reviews_table.setModel(self.reviews_model)
        self.reviews_table.setAccessibleName("Avis du jury")
        self.reviews_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.reviews_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reviews_table.verticalHeader().hide()
        self.reviews_table.setWordWrap(False)
        self.reviews_table.setMinimumHeight(110)
        header = self.reviews_table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(30)
        self.average_label = named(QLabel(), "averageLabel")
        self.average_label.setProperty("role", "total")
        self.criteria_legend = named(QLabel(), "criteriaLegend")
        self.criteria_legend.setProperty("role", "muted")
        self.criteria_legend.setWordWrap(True)
        layout = QVBoxLayout(box)
        layout.addWidget(self.average_label)
        layout.addWidget(self.reviews_table, 1)
        layout.addWidget(self.criteria_legend)
        return box

    # ---- showing

    def set_criteria(self, criteria: list[CriterionInfo]) -> None:
        """One score per criterion in use; a criterion retired since stays out of my review."""
        if [c.id for c in criteria] == [c.id for c in self.criteria]:
            self.criteria = criteria
            return
        self.criteria = criteria
        while (item := self.review_form.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.score_boxes = {}
        for number, criterion in enumerate(criteria, start=1):
            box = named(ScoreBox(), f"score_{criterion.id}")
            box.setAccessibleName(f"Note : {criterion.label}")
            box.setToolTip(criterion.description or criterion.label)
            box.setFixedWidth(SCORE_WIDTH)
            caption = QLabel(f"C{number}. {criterion.label}")
            caption.setBuddy(box)
            caption.setToolTip(criterion.description or criterion.label)
            self.review_form.addWidget(caption, number - 1, 0)
            self.review_form.addWidget(box, number - 1, 1)
            self.score_boxes[criterion.id] = box
        self.criteria_legend.setText(
            " · ".join(f"C{n} {c.label}" for n, c in enumerate(criteria, start=1))
        )

    def show_project(self, details: ProjectDetails | None) -> None:
        self.details = details
        show_error_label(self.reason_error, "")
        show_error_label(self.scores_error, "")
        self.reason.clear()
        editor = projects_editor(self.context)
        reviewer = projects_reviewer(self.context)
        if details is None:
            self.state_label.setText("")
            self.next_state.clear()
            self.reviews_model.set_reviews(self.criteria, ())
            self.average_label.setText("")
            self.setEnabled(False)
            return
        self.setEnabled(True)
        reason = f" — motif : {details.state_reason}" if details.state_reason else ""
        self.state_label.setText(f"<b>{details.state_label}</b>{reason}")
        offered = self._fill_next_states(details)
        self.state_editor.setVisible(editor and bool(offered))
        hints = [VIA_REALISATION[s] for s in details.next_states if s in VIA_REALISATION]
        self.realisation_hint.setText(" ".join(hints))
        self.realisation_hint.setVisible(editor and bool(hints))
        reviewable = details.state in REVIEWABLE
        self.reviewing = reviewer and reviewable
        self._show_my_review(details, reviewable)
        for widget in (self.conflict, self.comment, self.save_review_button):
            widget.setEnabled(self.reviewing)
        self._conflict_toggled(self.conflict.isChecked())
        self.reviews_model.set_reviews(self.criteria, details.reviews)
        self.reviews_table.resizeColumnsToContents()
        self.average_label.setText(_average_line(details))

    def _fill_next_states(self, details: ProjectDetails) -> list[str]:
        """The next states offered here (not those the Réalisation tab sets with its data)."""
        offered = [s for s in details.next_states if s not in VIA_REALISATION]
        self.next_state.clear()
        for state in offered:
            self.next_state.addItem(ProjectState(state).label, state)
        self._reason_hint()
        return offered

    def _reason_hint(self) -> None:
        needed = self.next_state.currentData() in NO_REASON_NEEDED
        self.reason.setPlaceholderText(
            "Motif (obligatoire)" if needed else "Motif ou remarque (facultatif)"
        )

    def _show_my_review(self, details: ProjectDetails, reviewable: bool) -> None:
        mine = next((r for r in details.reviews if r.reviewer == self.context.username), None)
        for criterion_id, box in self.score_boxes.items():
            box.set_score(mine.scores.get(criterion_id) if mine else None)
        self.conflict.setChecked(bool(mine and mine.conflict_of_interest))
        self.comment.setPlainText(mine.comment if mine else "")
        if mine is not None:
            when = mine.recorded_at.strftime("%d/%m/%Y à %H:%M")
            status = f"Avis enregistré le {when}."
        elif reviewable:
            status = "Vous n'avez pas encore donné votre avis."
        else:
            status = ""
        if not reviewable:
            status = f"{status} {NOT_REVIEWABLE}".strip()
        self.review_status.setText(status)

    def _conflict_toggled(self, conflict: bool) -> None:
        for box in self.score_boxes.values():
            box.setEnabled(not conflict and self.reviewing)

    # ---- acting

    def change_state(self) -> None:
        details = self.details
        state = self.next_state.currentData()
        if details is None or state is None:
            return
        try:
            projects.change_state(
                self.context.database,
                details.id,
                state,
                self.reason.text(),
                details.version,
                actor=self.context.actor,
            )
        except ValidationError as error:
            show_error_label(self.reason_error, error.errors.get("reason", str(error)))
            self.reason.setFocus()
            return
        except (ConflictError, UserFacingError) as error:
            QMessageBox.warning(self, "Changement d'état impossible", str(error))
            return
        self.changed.emit(details.id)

    def save_review(self) -> None:
        details = self.details
        if details is None:
            return
        conflict = self.conflict.isChecked()
        scores = {}
        if not conflict:
            scores = {
                criterion_id: score
                for criterion_id, box in self.score_boxes.items()
                if (score := box.score()) is not None
            }
        try:
            projects.record_review(
                self.context.database,
                details.id,
                scores,
                conflict,
                self.comment.toPlainText(),
                actor=self.context.actor,
            )
        except ValidationError as error:
            message = error.errors.get("scores") or str(error)
            show_error_label(self.scores_error, message)
            return
        except UserFacingError as error:
            QMessageBox.warning(self, "Avis non enregistré", str(error))
            return
        show_error_label(self.scores_error, "")
        self.changed.emit(details.id)


def _average_line(details: ProjectDetails) -> str:
    counted = sum(1 for r in details.reviews if not r.conflict_of_interest and r.scores)
    if details.average is None:
        return "Moyenne : aucun avis compté pour l'instant"
    reviews = f"{counted} avis compté{'s' if counted > 1 else ''}"
    rank = f" — rang {details.rank}" if details.rank is not None else ""
    return f"Moyenne : {average_text(details.average)} / 5 ({reviews}){rank}"


def projects_editor(context: AppContext) -> bool:
    return can_edit_projects(context.role)


def projects_reviewer(context: AppContext) -> bool:
    return can_review_projects(context.role)
