"""Dialogs of the orientation view: a new activity, the teams of an activity."""

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.orientation import ActivityKind
from app.domain.plural import plural
from app.services.errors import UserFacingError, ValidationError
from app.services.orientation import actions as orientation
from app.services.orientation.activities import ActivityInfo, ActivityInput
from app.services.orientation.cohorts import LearnerInfo
from app.services.orientation.criteria import CriterionInfo
from app.ui.context import AppContext
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import ChoiceBox, FieldWithError, LineField, MultiLineField
from app.ui.widgets.naming import named


class ActivityDialog(QDialog):
    """A mise en situation: date, title, kind, place, trainers; for an event, the learners of
    the cohort who took part (a checklist: arrows to move, Espace to tick). New, or the
    activity given changed."""

    def __init__(
        self,
        context: AppContext,
        cohort_id: int,
        parent: QWidget | None = None,
        *,
        learners: list[LearnerInfo] | None = None,
        activity: ActivityInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("activityDialog")
        self.setWindowTitle("Nouvelle activité" if activity is None else "Modifier l'activité")
        self.context = context
        self.cohort_id = cohort_id
        self.activity = activity
        self.created: ActivityInfo | None = None
        kinds = [(k.value, k.label) for k in ActivityKind]
        self.kind = ChoiceBox(kinds, allow_empty=False)
        place = LineField()
        place.setPlaceholderText("par exemple : Niort, Pôle universitaire")
        self._fields = {
            "date": FieldWithError("date", LineField()),
            "titre": FieldWithError("titre", LineField()),
            "type": FieldWithError("type", self.kind),
            "lieu": FieldWithError("lieu", place),
            "formateurs": FieldWithError("formateurs", LineField()),
        }
        self._fill(activity)
        form = QFormLayout()
        for name, text in (
            ("date", "Date"),
            ("titre", "Titre"),
            ("type", "Type"),
            ("lieu", "Lieu"),
            ("formateurs", "Formateurs"),
        ):
            label = QLabel(text)
            label.setBuddy(self._fields[name].field)
            self._fields[name].field.setAccessibleName(text)
            form.addRow(label, self._fields[name])
        self.participants = ParticipantsList(learners or [], activity)
        self.participants_box = QWidget()
        box = QVBoxLayout(self.participants_box)
        box.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Apprenants qui ont participé à l'événement")
        heading.setBuddy(self.participants.list)
        box.addWidget(heading)
        box.addWidget(self.participants, 1)
        self.participants_error = named(QLabel(), "participantsError")
        self.participants_error.setProperty("role", "error")
        self.participants_error.setWordWrap(True)
        self.participants_error.hide()
        box.addWidget(self.participants_error)
        self.kind.currentIndexChanged.connect(self._show_participants)
        verb = "Créer l'activité" if activity is None else "Enregistrer l'activité"
        buttons = ok_cancel_buttons(self, verb)
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.participants_box, 1)
        layout.addWidget(buttons)
        self._show_participants()

    def _fill(self, activity: ActivityInfo | None) -> None:
        fields = self._fields
        if activity is None:
            fields["date"].field.set_value(date.today().strftime("%d/%m/%Y"))
            fields["formateurs"].field.set_value(self.context.username)
            return
        fields["date"].field.set_value(activity.day.strftime("%d/%m/%Y"))
        fields["titre"].field.set_value(activity.title)
        fields["type"].field.set_value(activity.kind)
        fields["lieu"].field.set_value(activity.place)
        fields["formateurs"].field.set_value(activity.trainers)

    def _is_event(self) -> bool:
        return self._fields["type"].field.value() == ActivityKind.EVENT.value

    def _show_participants(self) -> None:
        self.participants_box.setVisible(self._is_event())
        self.resize(self.width() or 520, 560 if self._is_event() else 250)

    def submit(self) -> None:
        data = ActivityInput(
            day=self._fields["date"].field.value(),
            title=self._fields["titre"].field.value(),
            kind=self._fields["type"].field.value(),
            trainers=self._fields["formateurs"].field.value(),
            place=self._fields["lieu"].field.value(),
        )
        chosen = self.participants.chosen() if self._is_event() else []
        try:
            self.created = orientation.save_event(
                self.context.database,
                self.cohort_id,
                data,
                chosen,
                activity_id=self.activity.id if self.activity else None,
                actor=self.context.actor,
            )
        except ValidationError as error:
            for name, holder in self._fields.items():
                holder.set_error(error.errors.get(name, ""))
            self._show_error(error.errors.get("participants", ""))
            return
        except UserFacingError as error:
            self._show_error(str(error))
            return
        self.accept()

    def _show_error(self, message: str) -> None:
        self.participants_error.setText(message)
        self.participants_error.setVisible(bool(message))
        if message and not self._is_event():
            QMessageBox.warning(self, "Activité non enregistrée", message)


class ParticipantsList(QWidget):
    """The cohort's learners, each ticked when they took part; « Tous » / « Aucun »."""

    def __init__(self, learners: list[LearnerInfo], activity: ActivityInfo | None) -> None:
        super().__init__()
        taken = {p.candidate_id for p in activity.participants} if activity else set()
        # In a team of the event: present anyway (teams are changed with « Équipes… »).
        teams = {
            learner.candidate_id: team.name
            for team in (activity.teams if activity else ())
            for learner in team.learners
        }
        self.list = named(QListWidget(), "participantsList")
        self.list.setAccessibleName("Apprenants qui ont participé à l'événement")
        self.list.setToolTip("Flèches pour se déplacer, Espace pour cocher ou décocher")
        for learner in learners:
            team = teams.get(learner.candidate_id)
            item = QListWidgetItem(learner.name + (f" — {team}" if team else ""))
            item.setData(Qt.ItemDataRole.UserRole, learner.candidate_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = learner.candidate_id in taken or team is not None
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            if team is not None:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setToolTip(f"Membre de l'équipe « {team} » de l'événement : a participé")
            self.list.addItem(item)
        self.count = named(QLabel(), "participantsCount")
        self.count.setProperty("role", "muted")
        every = named(QPushButton("Tous"), "allParticipantsButton")
        none = named(QPushButton("Aucun"), "noParticipantButton")
        every.clicked.connect(lambda: self._tick_all(Qt.CheckState.Checked))
        none.clicked.connect(lambda: self._tick_all(Qt.CheckState.Unchecked))
        self.list.itemChanged.connect(self._count)
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(every)
        row.addWidget(none)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._count()

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def _tick_all(self, state: Qt.CheckState) -> None:
        for item in self._items():
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                item.setCheckState(state)

    def _count(self) -> None:
        ticked = len(self.chosen())
        self.count.setText(f"{plural(ticked, 'participant')} sur {self.list.count()}")

    def chosen(self) -> list[int]:
        return [
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]


class TeamsDialog(QDialog):
    """Put learners into teams: one row per learner, the team chosen in its combo."""

    def __init__(
        self,
        context: AppContext,
        activity: ActivityInfo,
        learners: list[LearnerInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("teamsDialog")
        self.setWindowTitle(f"Équipes — {activity.title}")
        self.context = context
        self.activity = activity
        self.learners = learners
        current = {
            learner.candidate_id: team_index
            for team_index, team in enumerate(activity.teams)
            for learner in team.learners
        }
        self.count = QSpinBox(minimum=1, maximum=10)
        self.count.setValue(max(len(activity.teams), 1))
        self.count.setAccessibleName("Nombre d'équipes")
        self.table = named(QTableWidget(len(learners), 2), "teamsTable")
        self.table.setHorizontalHeaderLabels(["Apprenant", "Équipe"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._combos: list[ChoiceBox] = []
        for row, learner in enumerate(learners):
            self.table.setItem(row, 0, QTableWidgetItem(learner.name))
            combo = ChoiceBox([], empty_label="Aucune")
            combo.setAccessibleName(f"Équipe de {learner.name}")
            self.table.setCellWidget(row, 1, combo)
            self._combos.append(combo)
        self._fill_team_choices()
        for row, learner in enumerate(learners):
            if learner.candidate_id in current:
                self._combos[row].set_value(str(current[learner.candidate_id]))
        self.count.valueChanged.connect(self._fill_team_choices)
        self.error = named(QLabel(), "equipesError")
        self.error.setProperty("role", "error")
        self.error.hide()
        buttons = ok_cancel_buttons(self, "Enregistrer les équipes")
        buttons.accepted.connect(self.submit)
        form = QFormLayout()
        form.addRow("Nombre d'équipes :", self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(480, 520)

    def _fill_team_choices(self) -> None:
        for combo in self._combos:
            chosen = combo.value()
            combo.clear()
            combo.addItem("Aucune", "")
            for index in range(self.count.value()):
                combo.addItem(f"Équipe {index + 1}", str(index))
            combo.set_value(chosen if chosen and int(chosen) < self.count.value() else "")

    def teams(self) -> list[tuple[str, list[int]]]:
        groups: list[tuple[str, list[int]]] = [
            (f"Équipe {index + 1}", []) for index in range(self.count.value())
        ]
        for learner, combo in zip(self.learners, self._combos, strict=True):
            if combo.value():
                groups[int(combo.value())][1].append(learner.candidate_id)
        return [group for group in groups if group[1]]

    def submit(self) -> None:
        try:
            orientation.set_teams(
                self.context.database, self.activity.id, self.teams(), actor=self.context.actor
            )
        except UserFacingError as error:
            errors = error.errors if isinstance(error, ValidationError) else {}
            self.error.setText(errors.get("equipes", str(error)))
            self.error.show()
            return
        self.accept()


class CriteriaDialog(QDialog):
    """Coordination edits the grid: add, rename, retire (retired criteria stay in history)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("criteriaDialog")
        self.setWindowTitle("Grille d'évaluation")
        self.context = context
        self.table = named(QTableWidget(0, 3), "criteriaTable")
        self.table.setHorizontalHeaderLabels(["Code", "Critère", "État"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.code = FieldWithError("code", LineField())
        self.label = FieldWithError("libelle", LineField())
        self.grounding = FieldWithError("fondement", LineField())
        self.message = named(QLabel(), "criteriaMessage")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        add = named(QPushButton("Ajouter le critère"), "addCriterionButton")
        rename = named(QPushButton("Renommer le critère sélectionné"), "renameCriterionButton")
        retire = named(QPushButton("Retirer le critère sélectionné"), "retireCriterionButton")
        add.clicked.connect(self.add)
        rename.clicked.connect(self.rename)
        retire.clicked.connect(self.retire)
        self.table.itemSelectionChanged.connect(self._selected)
        form = QFormLayout()
        for text, holder in (
            ("Code", self.code),
            ("Libellé", self.label),
            ("Fondement", self.grounding),
        ):
            label = QLabel(text)
            label.setBuddy(holder.field)
            holder.field.setAccessibleName(text)
            form.addRow(label, holder)
        actions = QHBoxLayout()
        for button in (add, rename, retire):
            actions.addWidget(button)
        close = ok_cancel_buttons(self, "Fermer")
        close.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(720, 520)
        self._criteria: list[CriterionInfo] = []
        self.refresh()

    def refresh(self) -> None:
        self._criteria = orientation.criteria(self.context.database, actor=self.context.actor)
        self.table.setRowCount(len(self._criteria))
        for row, criterion in enumerate(self._criteria):
            state = "retiré" if criterion.retired else "actif"
            for column, text in enumerate((criterion.code, criterion.label, state)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnToContents(0)

    def _current(self) -> CriterionInfo | None:
        row = self.table.currentRow()
        return self._criteria[row] if 0 <= row < len(self._criteria) else None

    def _selected(self) -> None:
        criterion = self._current()
        if criterion is not None:
            self.label.field.set_value(criterion.label)

    def _run(self, save: Callable[[], object]) -> None:
        for holder in (self.code, self.label, self.grounding):
            holder.set_error("")
        self.message.setText("")
        try:
            save()
        except ValidationError as error:
            self.code.set_error(error.errors.get("code", ""))
            self.label.set_error(error.errors.get("libelle", ""))
            self.grounding.set_error(error.errors.get("fondement", ""))
            placed = {"code", "libelle", "fondement"}
            self.message.setText("\n".join(m for k, m in error.errors.items() if k not in placed))
            return
        except UserFacingError as error:
            self.message.setText(str(error))
            return
        self.refresh()

    def add(self) -> None:
        self._run(
            lambda: orientation.add_criterion(
                self.context.database,
                self.code.field.value(),
                self.label.field.value(),
                self.grounding.field.value(),
                actor=self.context.actor,
            )
        )

    def rename(self) -> None:
        criterion = self._current()
        if criterion is not None:
            self._run(
                lambda: orientation.rename_criterion(
                    self.context.database,
                    criterion.id,
                    self.label.field.value(),
                    actor=self.context.actor,
                )
            )

    def retire(self) -> None:
        criterion = self._current()
        if criterion is None or criterion.retired:
            return
        answer = QMessageBox.question(
            self,
            "Retirer un critère",
            f"Retirer « {criterion.code} — {criterion.label} » des nouvelles grilles ? "
            "Les observations passées restent lisibles.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(
                lambda: orientation.retire_criterion(
                    self.context.database, criterion.id, actor=self.context.actor
                )
            )


class ReopenDialog(QDialog):
    """Coordination reopens a learner's decision: the reason is required and journaled."""

    def __init__(
        self, context: AppContext, candidate_id: int, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reopenDialog")
        self.setWindowTitle(f"Rouvrir la décision — {name}")
        self.context = context
        self.candidate_id = candidate_id
        explanation = QLabel(
            "La décision de fin d'orientation ne sera plus en vigueur : les observations et "
            "commentaires de l'apprenant pourront de nouveau être saisis et son étape revient "
            "à « entré en formation ». Une nouvelle décision sera à enregistrer. La "
            "réouverture et son motif sont inscrits au journal."
        )
        explanation.setWordWrap(True)
        text = MultiLineField()
        text.setAccessibleName("Motif de la réouverture")
        text.setTabChangesFocus(True)
        self.reason = FieldWithError("reopenReason", text)
        label = QLabel("Motif de la réouverture")
        label.setBuddy(text)
        buttons = ok_cancel_buttons(self, "Rouvrir la décision")
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.resize(480, 280)

    def submit(self) -> None:
        try:
            orientation.reopen_decision(
                self.context.database,
                self.candidate_id,
                reason=self.reason.field.value(),
                actor=self.context.actor,
            )
        except ValidationError as error:
            self.reason.set_error(error.errors.get("motif", str(error)))
            return
        except UserFacingError as error:
            self.reason.set_error(str(error))
            return
        self.accept()
