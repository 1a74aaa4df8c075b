"""Apprenant tab: levels per week, comments, professional project, decision, bilan PDF."""

from datetime import date

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.orientation import Outcome, ProjectStatus
from app.services import lists
from app.services.errors import UserFacingError, ValidationError
from app.services.orientation import actions as orientation
from app.services.orientation.progress import LearnerPage
from app.services.orientation.rules import ROLE_DECIDING
from app.services.validation import format_date
from app.ui.context import AppContext
from app.ui.orientation.dialogs import ReopenDialog
from app.ui.orientation.models import LEGEND, LEVEL_COLOURS, LEVEL_SHORT, level_of
from app.ui.theme import icon
from app.ui.widgets.fields import ChoiceBox, FieldWithError, LineField, MultiLineField
from app.ui.widgets.file_dialogs import save_file
from app.ui.widgets.naming import named

WEEKS = tuple(f"S{n}" for n in range(1, 7))


def _set_read_only(field: QWidget, read_only: bool, why: str) -> None:
    """A field shown but not changeable (greyed by the theme's `frozen` look), with why."""
    if isinstance(field, QPlainTextEdit | QLineEdit):
        field.setReadOnly(read_only)
    else:
        field.setEnabled(not read_only)
    field.setToolTip(why if read_only else "")
    if field.property("frozen") != ("true" if read_only else "false"):
        field.setProperty("frozen", "true" if read_only else "false")
        field.style().unpolish(field)
        field.style().polish(field)


class LearnerTab(QWidget):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("learnerPage")
        self.context = context
        self.page: LearnerPage | None = None
        self.learner_picker = named(QComboBox(), "learnerPicker")
        self.learner_picker.setAccessibleName("Apprenant")
        self.learner_picker.currentIndexChanged.connect(self._picked)
        self.weeks = named(QTableWidget(0, len(WEEKS) + 1), "learnerWeeks")
        self.weeks.setHorizontalHeaderLabels(["Critère", *WEEKS])
        self.weeks.verticalHeader().hide()
        self.weeks.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.weeks.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.notes = named(QTableWidget(0, 4), "learnerNotes")
        self.notes.setHorizontalHeaderLabels(["Date", "Activité", "Par", "Commentaire"])
        self.notes.verticalHeader().hide()
        self.notes.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.notes.horizontalHeader().setStretchLastSection(True)
        self.notes.setWordWrap(True)
        self.events = named(QTableWidget(0, 3), "learnerEvents")
        self.events.setHorizontalHeaderLabels(["Date", "Événement", "Lieu"])
        self.events.setAccessibleName("Événements auxquels l'apprenant a participé")
        self.events.verticalHeader().hide()
        self.events.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.events.horizontalHeader().setStretchLastSection(True)
        self.no_events = named(QLabel("Aucune participation à un événement."), "learnerNoEvents")
        self.no_events.setProperty("role", "muted")
        # Why the observations are locked (decision recorded) or the cohort read-only.
        self.lock_banner = named(QLabel(), "learnerLock")
        self.lock_banner.setProperty("role", "notice")
        self.lock_banner.setWordWrap(True)
        self.lock_banner.hide()
        self._build_project()
        self._build_decision()
        self.print_button = named(
            QPushButton(icon("file-export"), "Imprimer le bilan…"), "printBilanButton"
        )
        self.print_button.clicked.connect(self.print_bilan)
        top = QHBoxLayout()
        label = QLabel("Apprenant :")
        label.setBuddy(self.learner_picker)
        top.addWidget(label)
        top.addWidget(self.learner_picker, 1)
        top.addWidget(self.print_button)
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(self.lock_banner)
        column.addWidget(
            QLabel("<b>Niveaux par semaine</b> (dernier niveau observé dans la semaine)")
        )
        column.addWidget(self.weeks)
        legend = QLabel(LEGEND)
        legend.setProperty("role", "muted")
        column.addWidget(legend)
        column.addWidget(QLabel("<b>Commentaires</b>"))
        column.addWidget(self.notes)
        column.addWidget(QLabel("<b>Événements</b> (Niort Numéric, hackathon…)"))
        column.addWidget(self.events)
        column.addWidget(self.no_events)
        row = QHBoxLayout()
        row.addWidget(self.project_box, 1)
        row.addWidget(self.decision_box, 1)
        column.addLayout(row)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    def _filieres(self) -> list[tuple[str, str]]:
        return [(o.label, o.label) for o in lists.filieres(self.context.database)]

    def _build_project(self) -> None:
        self.project_box = QGroupBox("Projet professionnel")
        self.project_fields = {
            "filiere": FieldWithError("projetFiliere", ChoiceBox(self._filieres())),
            "metier": FieldWithError("projetMetier", LineField()),
            "etapes": FieldWithError("projetEtapes", MultiLineField()),
            "statut": FieldWithError(
                "projetStatut",
                ChoiceBox([(s.value, s.label) for s in ProjectStatus], allow_empty=False),
            ),
        }
        self._form(
            self.project_box,
            self.project_fields,
            ("Filière visée", "Métier visé", "Étapes", "Statut"),
        )
        self.save_project_button = named(QPushButton("Enregistrer le projet"), "saveProjectButton")
        self.save_project_button.clicked.connect(self.save_project)
        self.project_box.layout().addRow(self.save_project_button)  # type: ignore[union-attr]

    def _build_decision(self) -> None:
        self.decision_box = QGroupBox("Décision de fin d'orientation (coordination)")
        self.decision_fields = {
            "decision": FieldWithError(
                "decisionOutcome",
                ChoiceBox([(o.value, o.label) for o in Outcome], empty_label="Choisir…"),
            ),
            "filiere": FieldWithError("decisionFiliere", ChoiceBox(self._filieres())),
            "motif": FieldWithError("decisionMotif", MultiLineField()),
        }
        self._form(
            self.decision_box,
            self.decision_fields,
            ("Décision", "Filière retenue", "Motif / réorientation"),
        )
        self.decision_state = named(QLabel(), "decisionState")
        self.decision_state.setWordWrap(True)
        self.decide_button = named(QPushButton("Enregistrer la décision"), "decideButton")
        self.decide_button.clicked.connect(self.decide)
        self.reopen_button = named(
            QPushButton(icon("lock"), "Rouvrir la décision…"), "reopenDecisionButton"
        )
        self.reopen_button.setToolTip(
            "Déverrouiller les observations de l'apprenant (motif demandé, inscrit au journal)"
        )
        self.reopen_button.clicked.connect(self.reopen)
        buttons = QHBoxLayout()
        buttons.addWidget(self.decide_button)
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        layout = self.decision_box.layout()
        assert isinstance(layout, QFormLayout)
        layout.addRow(self.decision_state)
        layout.addRow(buttons)

    @staticmethod
    def _form(box: QGroupBox, fields: dict[str, FieldWithError], labels: tuple[str, ...]) -> None:
        form = QFormLayout(box)
        for holder, text in zip(fields.values(), labels, strict=True):
            label = QLabel(text)
            label.setBuddy(holder.field)
            holder.field.setAccessibleName(text)
            if isinstance(holder.field, MultiLineField):
                holder.field.setFixedHeight(60)
                holder.field.setTabChangesFocus(True)
            form.addRow(label, holder)

    # ---- loading

    def show_cohort(self, cohort_id: int | None) -> None:
        chosen = self.learner_picker.currentData()
        learners = []
        if cohort_id is not None:
            learners = orientation.cohort_learners(
                self.context.database, cohort_id, actor=self.context.actor
            )
        blocked = self.learner_picker.blockSignals(True)
        self.learner_picker.clear()
        for learner in learners:
            self.learner_picker.addItem(learner.name, learner.candidate_id)
        self.learner_picker.setCurrentIndex(max(self.learner_picker.findData(chosen), 0))
        self.learner_picker.blockSignals(blocked)
        self._picked()

    def show_learner(self, candidate_id: int) -> None:
        index = self.learner_picker.findData(candidate_id)
        if index >= 0:
            self.learner_picker.setCurrentIndex(index)
        self._picked()

    def _picked(self) -> None:
        candidate_id = self.learner_picker.currentData()
        self.page = None
        if candidate_id is not None:
            self.page = orientation.learner_page(
                self.context.database, int(candidate_id), actor=self.context.actor
            )
        self.print_button.setEnabled(self.page is not None)
        self._fill_weeks()
        self._fill_notes()
        self._fill_events()
        self._fill_project_and_decision()

    def _fill_weeks(self) -> None:
        rows = self.page.weeks if self.page else ()
        self.weeks.setRowCount(len(rows))
        for row, week in enumerate(rows):
            name = f"{week.criterion.code} — {week.criterion.label}"
            if week.criterion.retired:
                name += " (retiré)"
            self.weeks.setItem(row, 0, QTableWidgetItem(name))
            for column, value in enumerate(week.by_week, start=1):
                level = level_of(value) if value else None
                item = QTableWidgetItem(LEVEL_SHORT[level] if level else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if level is not None:
                    item.setBackground(QBrush(QColor(LEVEL_COLOURS[level])))
                    item.setToolTip(level.label)
                self.weeks.setItem(row, column, item)
        for column in range(1, len(WEEKS) + 1):
            self.weeks.setColumnWidth(column, 44)
        self.weeks.resizeRowsToContents()
        header = self.weeks.horizontalHeader().sizeHint().height()
        self.weeks.setFixedHeight(header + self.weeks.verticalHeader().length() + 6)

    def _fill_notes(self) -> None:
        notes = self.page.notes if self.page else ()
        self.notes.setRowCount(len(notes))
        for row, note in enumerate(notes):
            cells = (note.day.strftime("%d/%m/%Y"), note.activity, note.author, note.text)
            for column, text in enumerate(cells):
                self.notes.setItem(row, column, QTableWidgetItem(text))
        for column in range(3):  # the comment takes the rest, wrapped
            self.notes.resizeColumnToContents(column)
        self.notes.resizeRowsToContents()

    def _fill_events(self) -> None:
        events = self.page.events if self.page else ()
        self.events.setRowCount(len(events))
        for row, event in enumerate(events):
            for column, text in enumerate((format_date(event.day), event.title, event.place)):
                self.events.setItem(row, column, QTableWidgetItem(text))
        self.events.resizeColumnToContents(0)
        self.events.setColumnWidth(1, max(self.events.sizeHintForColumn(1) + 24, 320))
        header = self.events.horizontalHeader().sizeHint().height()
        self.events.setFixedHeight(header + self.events.verticalHeader().length() + 6)
        self.events.setVisible(bool(events))
        self.no_events.setVisible(not events)

    def _fill_project_and_decision(self) -> None:
        page = self.page
        project = page.project if page else None
        values = {
            "filiere": project.filiere if project else "",
            "metier": project.target_job if project else "",
            "etapes": project.steps if project else "",
            "statut": project.status if project else ProjectStatus.TO_BUILD.value,
        }
        for name, holder in self.project_fields.items():
            holder.field.set_value(values[name])
            holder.set_error("")
        decision = page.decision if page else None
        standing = decision if decision is not None and not decision.reopened else None
        for holder in self.decision_fields.values():
            holder.set_error("")
        self.decision_fields["decision"].field.set_value(standing.outcome if standing else "")
        self.decision_fields["filiere"].field.set_value(standing.filiere if standing else "")
        self.decision_fields["motif"].field.set_value(standing.reason if standing else "")
        if decision is None:
            self.decision_state.setText("Aucune décision enregistrée.")
        elif decision.reopened:
            self.decision_state.setText(
                f"Décision rouverte par {decision.decided_by} le {decision.decided_at:%d/%m/%Y} "
                f"({decision.reason}) : les observations peuvent de nouveau être saisies."
            )
        else:
            self.decision_state.setText(
                f"Décision enregistrée : {decision.outcome_label}, par {decision.decided_by} "
                f"le {decision.decided_at:%d/%m/%Y}."
            )
        self._apply_rights(page)

    def _apply_rights(self, page: LearnerPage | None) -> None:
        """Decision fields are coordination's: read-only for a trainer, not only refused on
        save; the project is read-only when the season is over for the signed-in user."""
        deciding = self.context.role == ROLE_DECIDING
        why = "" if deciding else "Réservé à la coordination : la décision se lit ici."
        for holder in self.decision_fields.values():
            _set_read_only(holder.field, not deciding, why)
        self.decide_button.setVisible(deciding)
        self.decide_button.setEnabled(page is not None)
        self.reopen_button.setVisible(deciding and bool(page and page.locked))
        read_only = page.read_only if page else ""
        for holder in self.project_fields.values():
            _set_read_only(holder.field, bool(read_only), read_only)
        self.save_project_button.setEnabled(page is not None and not read_only)
        banner = page.locked if page else ""  # a season over is said above the tabs
        self.lock_banner.setText(banner)
        self.lock_banner.setVisible(bool(banner))

    # ---- actions

    def save_project(self) -> None:
        if self.page is None:
            return
        fields = self.project_fields
        try:
            orientation.save_project(
                self.context.database,
                self.page.candidate_id,
                filiere=fields["filiere"].field.value(),
                target_job=fields["metier"].field.value(),
                steps=fields["etapes"].field.value(),
                status=fields["statut"].field.value(),
                actor=self.context.actor,
            )
        except UserFacingError as error:
            self._show_errors(
                error, fields, {"filiere": "filiere", "metier": "metier", "etapes": "etapes"}
            )
            return
        self._picked()

    def decide(self) -> None:
        if self.page is None:
            return
        fields = self.decision_fields
        try:
            orientation.decide(
                self.context.database,
                self.page.candidate_id,
                outcome=fields["decision"].field.value(),
                filiere=fields["filiere"].field.value(),
                reason=fields["motif"].field.value(),
                actor=self.context.actor,
            )
        except UserFacingError as error:
            self._show_errors(
                error, fields, {"decision": "decision", "filiere": "filiere", "motif": "motif"}
            )
            return
        self._picked()

    def reopen(self) -> None:
        if self.page is None:
            return
        dialog = ReopenDialog(self.context, self.page.candidate_id, self.page.name, self)
        if dialog.exec():
            self._picked()

    def _show_errors(
        self, error: UserFacingError, fields: dict[str, FieldWithError], keys: dict[str, str]
    ) -> None:
        if not isinstance(error, ValidationError):
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return
        for name, holder in fields.items():
            holder.set_error(error.errors.get(keys.get(name, name), ""))
        unplaced = [m for k, m in error.errors.items() if k not in keys.values()]
        if unplaced:
            QMessageBox.warning(self, "Enregistrement impossible", "\n".join(unplaced))

    def print_bilan(self) -> None:
        if self.page is None:
            return
        suggested = f"bilan-orientation-{self.page.name}.pdf".replace(" ", "-")
        path = save_file(
            self, "Enregistrer le bilan d'orientation", suggested, "Documents PDF (*.pdf)"
        )
        if path is None:
            return
        try:
            orientation.print_bilan(
                self.context.database,
                self.page.candidate_id,
                path,
                actor=self.context.actor,
                today=date.today(),
            )
        except (UserFacingError, OSError) as error:
            QMessageBox.warning(self, "Bilan non imprimé", str(error))
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
