"""Change a candidate's recruitment stage, with a comment (a reason where required); the move
to *sortie* asks the exit situation and how the pathway ended (the reason of an interruption)."""

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.values import EXIT_STAGE, STAGE_BY_CODE
from app.services.candidates import actions as candidate_actions
from app.services.errors import ValidationError
from app.services.outcomes.actions import PATHWAY_ENDS, SITUATIONS
from app.ui.context import AppContext
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import ChoiceBox, FieldWithError, LineField, MultiLineField
from app.ui.widgets.naming import named


class StageDialog(QDialog):
    def __init__(
        self, context: AppContext, candidate_id: int, current: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stageDialog")
        self.setWindowTitle("Changer d'étape")
        self.context = context
        self.candidate_id = candidate_id
        options = candidate_actions.allowed_next_stages(context.database, candidate_id)
        self.stage_combo = named(QComboBox(), "stageCombo")
        for option in options:
            needs_reason = STAGE_BY_CODE[option.code].reason_required
            self.stage_combo.addItem(
                option.label + (" (motif obligatoire)" if needs_reason else ""), option.code
            )
        self.exit_combo = ChoiceBox(list(SITUATIONS.items()), empty_label="Choisir…")
        self.end_combo = ChoiceBox(list(PATHWAY_ENDS.items()), empty_label="Choisir…")
        self.end_combo.setToolTip(
            "Complet : la personne est allée au bout de la formation. Raison extérieure : "
            "santé, déménagement, emploi trouvé… (les financeurs la comptent à part)."
        )
        self.end_reason = LineField()
        self.end_reason.setPlaceholderText("ex. déménagement, emploi trouvé, ne vient plus")
        self.end_reason.setToolTip("Obligatoire quand le parcours a été interrompu.")
        self.comment = MultiLineField()
        self.comment.setTabChangesFocus(True)
        self.comment_holder = FieldWithError("commentaire", self.comment)
        self.exit_holder = FieldWithError("type_sortie", self.exit_combo)
        self.end_holder = FieldWithError("fin_parcours", self.end_combo)
        self.reason_holder = FieldWithError("motif_fin", self.end_reason)
        self.stage_error = named(QLabel(), "etapeError")
        self.stage_error.setProperty("role", "error")
        self.stage_error.hide()
        form = QFormLayout()
        current_label = QLabel(
            f"<b>{STAGE_BY_CODE[current].label}</b>" if current in STAGE_BY_CODE else current
        )
        form.addRow("Étape actuelle :", current_label)
        for text, widget, buddy in (
            ("Nouvelle étape :", self.stage_combo, self.stage_combo),
            ("Situation à la sortie :", self.exit_holder, self.exit_combo),
            ("Fin de parcours :", self.end_holder, self.end_combo),
            ("Motif de l'interruption :", self.reason_holder, self.end_reason),
            ("Commentaire ou motif :", self.comment_holder, self.comment),
        ):
            label = QLabel(text)
            label.setBuddy(buddy)
            buddy.setAccessibleName(text.rstrip(" :"))
            form.addRow(label, widget)
        self._exit_rows = [self.exit_holder, self.end_holder, self.reason_holder]
        self._exit_labels = [form.labelForField(holder) for holder in self._exit_rows]
        buttons = ok_cancel_buttons(self, "Enregistrer le changement")
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("confirmStageButton")
        ok.setEnabled(bool(options))
        buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        if not options:
            layout.addWidget(QLabel("Aucun changement d'étape n'est possible depuis cette étape."))
        layout.addLayout(form)
        layout.addWidget(self.stage_error)
        layout.addWidget(buttons)
        self.stage_combo.currentIndexChanged.connect(self._update_exit_visibility)
        self.end_combo.currentIndexChanged.connect(self._update_exit_visibility)
        self._update_exit_visibility()
        self.resize(520, 320)

    def _update_exit_visibility(self) -> None:
        leaving = self.stage_combo.currentData() == EXIT_STAGE
        interrupted = self.end_combo.value() not in ("", "complet")
        shown = (leaving, leaving, leaving and interrupted)
        for holder, label, visible in zip(self._exit_rows, self._exit_labels, shown, strict=True):
            holder.setVisible(visible)
            if label is not None:
                label.setVisible(visible)

    def submit(self) -> None:
        code = self.stage_combo.currentData()
        if not code:
            return
        leaving = code == EXIT_STAGE
        try:
            candidate_actions.change_stage(
                self.context.database,
                self.candidate_id,
                str(code),
                comment=self.comment.toPlainText(),
                actor=self.context.actor,
                exit_type=self.exit_combo.currentData() or None,
                # Asked of every new exit: "" is refused with its French message.
                pathway_end=self.end_combo.value() if leaving else None,
                pathway_end_reason=self.end_reason.text() if leaving else "",
            )
        except ValidationError as error:
            self.comment_holder.set_error(error.errors.get("commentaire", ""))
            self.exit_holder.set_error(error.errors.get("type_sortie", ""))
            self.end_holder.set_error(error.errors.get("fin_parcours", ""))
            self.reason_holder.set_error(error.errors.get("motif_fin", ""))
            self.stage_error.setText(error.errors.get("etape", ""))
            self.stage_error.setVisible("etape" in error.errors)
            return
        self.accept()
