"""The life-cycle dialogs of an agreement: signatures, amendment, rupture, cancellation.

Each dialog calls its service itself when confirmed; a refusal shows next to its field and the
dialog stays open with everything typed, so nothing is lost.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.agreement import Signatory
from app.services.agreements import actions
from app.services.agreements.details import AgreementInfo
from app.services.errors import UserFacingError, ValidationError
from app.services.validation import FieldError, clean_text, format_date, parse_date
from app.ui.agreements.form import AgreementForm
from app.ui.context import AppContext
from app.ui.widgets.dialogs import ok_cancel_buttons
from app.ui.widgets.fields import (
    CheckField,
    ChoiceBox,
    FieldWidget,
    FieldWithError,
    LineField,
    MultiLineField,
)
from app.ui.widgets.file_dialogs import open_file

Action = Callable[[dict[str, str]], None]
LATE_START_REASON_LENGTH = 500  # what the journal keeps (agreements.mark_ready)


@dataclass(frozen=True)
class DialogField:
    name: str
    label: str
    kind: str = "text"  # text | date | multiline | choice | check
    default: str = ""
    choices: tuple[tuple[str, str], ...] = ()


def _field(spec: DialogField) -> FieldWidget:
    if spec.kind == "choice":
        return ChoiceBox(list(spec.choices), allow_empty=False)
    if spec.kind == "check":
        box = CheckField()
        box.setText(spec.label)
        return box
    if spec.kind == "multiline":
        area = MultiLineField()
        area.setTabChangesFocus(True)
        area.setFixedHeight(80)
        return area
    line = LineField()
    if spec.kind == "date":
        line.setPlaceholderText("JJ/MM/AAAA")
        line.setMaxLength(10)
        line.setMaximumWidth(120)
    return line


def parse_day(text: str, name: str, errors: dict[str, str]) -> date | None:
    """A JJ/MM/AAAA date the user must give; the French reason under `name` otherwise."""
    try:
        day = parse_date(text)
    except FieldError as error:
        errors[name] = str(error)
        return None
    if day is None:
        errors[name] = "Indiquer la date."
    return day


class ActionDialog(QDialog):
    """A few fields and one confirming button that runs `action` with their values."""

    def __init__(
        self,
        title: str,
        intro: str,
        fields: list[DialogField],
        ok_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.action: Action = lambda _values: None
        self.fields: dict[str, FieldWithError] = {}
        layout = QVBoxLayout(self)
        if intro:
            text = QLabel(intro)
            text.setWordWrap(True)
            layout.addWidget(text)
        self.form = QFormLayout()
        for spec in fields:
            holder = FieldWithError(spec.name, _field(spec))
            holder.field.set_value(spec.default)
            holder.field.setAccessibleName(spec.label)
            label = QLabel("" if spec.kind == "check" else spec.label)
            label.setBuddy(holder.field)
            self.form.addRow(label, holder)
            self.fields[spec.name] = holder
        layout.addLayout(self.form)
        self.general_error = QLabel()
        self.general_error.setObjectName("dialogError")
        self.general_error.setProperty("role", "error")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        layout.addWidget(self.general_error)
        self.buttons = ok_cancel_buttons(self, ok_text)
        self.buttons.accepted.connect(self.confirm)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, str]:
        return {name: holder.field.value() for name, holder in self.fields.items()}

    def confirm(self) -> None:
        try:
            self.action(self.values())
        except ValidationError as error:
            self.show_errors(error.errors)
            return
        except UserFacingError as error:
            self.show_errors({"": str(error)})
            return
        self.accept()

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, holder in self.fields.items():
            holder.set_error(errors.get(name, ""))
        others = [message for name, message in errors.items() if name not in self.fields]
        self.general_error.setText("\n".join(others))
        self.general_error.setVisible(bool(others))


def _signatory_code(label: str) -> str:
    return next(s.value for s in Signatory if s.label == label)


class SignatureDialog(ActionDialog):
    """One signatory's date, or the whole agreement signed on paper with its scan."""

    def __init__(self, context: AppContext, info: AgreementInfo, parent: QWidget | None) -> None:
        missing = tuple((_signatory_code(label), label) for label in info.missing_signatures)
        super().__init__(
            "Enregistrer une signature",
            f"Convention {info.number} — {info.learner_name}, {info.host_name}.",
            [
                DialogField("signataire", "Signataire", "choice", choices=missing),
                DialogField("date_signature", "Signée le", "date", format_date(date.today())),
                DialogField(
                    "hors_application",
                    "Signée hors application : toutes les signatures sont sur le document scanné",
                    "check",
                ),
                DialogField("scan", "Scan de la convention signée"),
            ],
            "Enregistrer la signature",
            parent,
        )
        self.setObjectName("signatureDialog")
        self.context = context
        self.info = info
        self.result_info: AgreementInfo | None = None
        self._add_scan_button()
        self.fields["hors_application"].field.toggled.connect(self._outside_toggled)  # type: ignore[union-attr]
        self._outside_toggled(False)
        self.action = self._record

    def _add_scan_button(self) -> None:
        self.scan_button = QPushButton("Choisir le fichier…")
        self.scan_button.setObjectName("chooseScanButton")
        self.scan_button.clicked.connect(self._choose_scan)
        self.form.addRow("", self.scan_button)

    def _outside_toggled(self, outside: bool) -> None:
        self.fields["signataire"].setEnabled(not outside)
        self.fields["scan"].setEnabled(outside)
        self.scan_button.setEnabled(outside)

    def _choose_scan(self) -> None:
        path = choose_scan(self)
        if path is not None:
            self.fields["scan"].field.set_value(str(path))

    def _record(self, values: dict[str, str]) -> None:
        errors: dict[str, str] = {}
        signed_on = parse_day(values["date_signature"], "date_signature", errors)
        outside = values["hors_application"] == "oui"
        if errors or signed_on is None:
            raise ValidationError(errors)
        self.result_info = actions.record_signature(
            self.context.database,
            self.info.id,
            Signatory.ORGANISATION.value if outside else values["signataire"],
            signed_on,
            actor=self.context.actor,
            outside_app=outside,
            scan_path=values["scan"].strip() or None,
        )


def choose_scan(parent: QWidget) -> Path | None:
    """The scanned signed agreement (tests replace this function)."""
    return open_file(parent, "Scan de la convention signée", "Documents (*.pdf *.png *.jpg *.jpeg)")


def late_start_dialog(start: date, parent: QWidget | None) -> ActionDialog:
    """The reason to make ready an agreement whose start date is already past."""
    dialog = ActionDialog(
        "Début déjà passé",
        f"La date de début ({format_date(start)}) est déjà passée. Motif pour la déclarer "
        "quand même prête à signer :",
        [DialogField("motif", "Motif", "multiline")],
        "Déclarer prête à signer",
        parent,
    )
    dialog.setObjectName("lateStartDialog")

    def act(values: dict[str, str]) -> None:
        try:
            reason = clean_text(values["motif"], LATE_START_REASON_LENGTH, "Le motif")
        except FieldError as error:
            raise ValidationError({"motif": str(error)}) from None
        if reason is None:
            raise ValidationError({"motif": "Indiquer le motif (il est gardé dans l'historique)."})

    dialog.action = act
    return dialog


def ask_late_start_reason(parent: QWidget | None, start: date) -> str | None:
    """The reason typed, or None if the user gave up (tests replace this function)."""
    dialog = late_start_dialog(start, parent)
    if not dialog.exec():
        return None
    return dialog.values()["motif"].strip()


def break_off_dialog(context: AppContext, info: AgreementInfo, parent: QWidget) -> ActionDialog:
    today = min(max(date.today(), info.start), info.end)
    dialog = ActionDialog(
        "Rompre la convention",
        f"Fin anticipée du stage de {info.learner_name} chez {info.host_name} "
        f"(prévu du {format_date(info.start)} au {format_date(info.end)}).",
        [
            DialogField("date_rupture", "Dernier jour de stage", "date", format_date(today)),
            DialogField("motif", "Motif", "multiline"),
        ],
        "Rompre la convention",
        parent,
    )
    dialog.setObjectName("breakOffDialog")

    def act(values: dict[str, str]) -> None:
        errors: dict[str, str] = {}
        ended = parse_day(values["date_rupture"], "date_rupture", errors)
        if ended is None:
            raise ValidationError(errors)
        actions.break_off(context.database, info.id, ended, values["motif"], actor=context.actor)

    dialog.action = act
    return dialog


def cancel_dialog(context: AppContext, info: AgreementInfo, parent: QWidget) -> ActionDialog:
    number = f" {info.number}" if info.number else ""
    dialog = ActionDialog(
        "Annuler la convention",
        f"La convention{number} de {info.learner_name} sera annulée ; elle reste dans la liste "
        "et dans l'historique" + (", son numéro n'est pas réattribué." if info.number else "."),
        [DialogField("motif", "Motif", "multiline")],
        "Annuler la convention",
        parent,
    )
    dialog.setObjectName("cancelDialog")
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).setText("Fermer")

    def act(values: dict[str, str]) -> None:
        actions.cancel(context.database, info.id, values["motif"], actor=context.actor)

    dialog.action = act
    return dialog


def sign_amendment_dialog(
    context: AppContext, info: AgreementInfo, rank: int, parent: QWidget
) -> ActionDialog:
    dialog = ActionDialog(
        f"Signature de l'avenant n° {rank}",
        "Date à laquelle la dernière partie a signé l'avenant ; ses valeurs deviennent celles "
        "de la convention.",
        [DialogField("date_signature", "Signé le", "date", format_date(date.today()))],
        "Enregistrer la signature",
        parent,
    )
    dialog.setObjectName("signAmendmentDialog")

    def act(values: dict[str, str]) -> None:
        errors: dict[str, str] = {}
        signed_on = parse_day(values["date_signature"], "date_signature", errors)
        if signed_on is None:
            raise ValidationError(errors)
        actions.sign_amendment(context.database, info.id, rank, signed_on, actor=context.actor)

    dialog.action = act
    return dialog


class AmendmentDialog(QDialog):
    """The agreement's current values to change, and the reason: avenant n° k."""

    def __init__(self, context: AppContext, info: AgreementInfo, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("amendmentDialog")
        self.setWindowTitle(f"Avenant à la convention {info.number}")
        self.resize(860, 760)
        self.context = context
        self.info = info
        intro = QLabel(
            "Modifier ce qui change ; l'avenant ne reprend que les champs modifiés et ne "
            "s'applique qu'une fois signé."
        )
        intro.setWordWrap(True)
        self.form = AgreementForm(context)
        self.form.fill_hosts()
        self.form.keep_learner(info.candidate_id)  # an amendment keeps its learner
        self.form.set_values(info.values, agreement_id=info.id)
        self.form.set_read_only(False, locked=frozenset({"candidat", "structure"}))
        self.reason = FieldWithError("motif", MultiLineField())
        self.reason.field.setAccessibleName("Motif de l'avenant")
        self.reason.field.setFixedHeight(60)
        self.general_error = QLabel()
        self.general_error.setObjectName("dialogError")
        self.general_error.setProperty("role", "error")
        self.general_error.hide()
        buttons = ok_cancel_buttons(self, "Établir l'avenant")
        buttons.accepted.connect(self.confirm)
        reason_row = QFormLayout()
        reason_label = QLabel("Motif de l'avenant *")
        reason_label.setBuddy(self.reason.field)
        reason_row.addRow(reason_label, self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form, 1)
        layout.addLayout(reason_row)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)

    def confirm(self) -> None:
        try:
            actions.create_amendment(
                self.context.database,
                self.info.id,
                self.form.values(),
                self.reason.field.value(),
                actor=self.context.actor,
            )
        except ValidationError as error:
            self.form.show_errors(error.errors)
            self.reason.set_error(error.errors.get("motif", ""))
            general = error.errors.get("avenant", "")
            self.general_error.setText(general)
            self.general_error.setVisible(bool(general))
            return
        except UserFacingError as error:
            self.general_error.setText(str(error))
            self.general_error.show()
            return
        self.accept()
