"""The Financeurs part of Paramètres: for each funder, the situations it counts as a positive
exit and when it measures them (at the exit, 3, 6 or 12 months). One small form per funder,
saved on its own; every count of positive exits (indicators, exports) follows it."""

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import UserFacingError, ValidationError
from app.services.outcomes import actions as outcomes
from app.services.outcomes.actions import FunderInfo
from app.services.outcomes.funders import NEVER_POSITIVE
from app.services.permissions import ROLE_COORDINATION
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.form_fields import show_status
from app.ui.widgets.naming import named

SITUATION_COLUMNS = 3
# Never a positive exit: not offered (a funder keeps them if an older setting had them).


class FunderForm(QGroupBox):
    """One funder's positive situations (check boxes) and checkpoint (a list)."""

    def __init__(self, context: AppContext, funder: FunderInfo) -> None:
        super().__init__(f"Financeur : {funder.label}")
        self.setObjectName(f"funderForm-{funder.code}")
        self.context, self.code, self.label = context, funder.code, funder.label
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        offered = [
            (code, text)
            for code, text in outcomes.SITUATIONS.items()
            if code not in NEVER_POSITIVE or code in funder.positive
        ]
        for index, (code, text) in enumerate(offered):
            box = named(QCheckBox(text), f"positive-{code}")
            box.setToolTip(f"Compter « {text} » comme une sortie positive pour {funder.label}")
            box.toggled.connect(self._on_changed)
            self.boxes[code] = box
            grid.addWidget(box, index // SITUATION_COLUMNS, index % SITUATION_COLUMNS)
        self.months = named(QComboBox(), "measuredAt")
        for months, text in outcomes.CHECKPOINT_MONTHS.items():
            self.months.addItem(text, months)
        self.months.setAccessibleName(f"Mesure des sorties positives pour {funder.label}")
        self.months.currentIndexChanged.connect(self._on_changed)
        self.months.setMaximumWidth(220)
        self.error = named(QLabel(), "funderError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.save_button = named(QPushButton(icon("device-floppy"), "Enregistrer"), "saveFunder")
        self.save_button.setToolTip(f"Enregistrer la définition de {funder.label}")
        self.save_button.clicked.connect(self.save)
        self.dirty_label = named(QLabel("Modifications non enregistrées"), "funderDirty")
        self.dirty_label.setProperty("role", "muted")
        self.dirty_label.hide()
        form = QFormLayout()
        form.addRow("Sorties positives :", grid)
        measured = QLabel("Mesurées :")
        measured.setBuddy(self.months)
        form.addRow(measured, self.months)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.dirty_label)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.saved = funder
        self.load(funder)

    def load(self, funder: FunderInfo) -> None:
        self.saved = funder
        for code, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(code in funder.positive)
            box.blockSignals(False)
        self.months.blockSignals(True)
        self.months.setCurrentIndex(max(self.months.findData(funder.months), 0))
        self.months.blockSignals(False)
        self._on_changed()

    def positive(self) -> frozenset[str]:
        return frozenset(code for code, box in self.boxes.items() if box.isChecked())

    def measured_at(self) -> int:
        return int(self.months.currentData())

    def is_dirty(self) -> bool:
        return (self.positive(), self.measured_at()) != (self.saved.positive, self.saved.months)

    def discard_changes(self) -> None:
        self.load(self.saved)

    def set_editable(self, editable: bool) -> None:
        for box in self.boxes.values():
            box.setEnabled(editable)
        self.months.setEnabled(editable)
        self.save_button.setVisible(editable)

    def _on_changed(self) -> None:
        self.dirty_label.setVisible(self.is_dirty())

    def save(self) -> bool:
        try:
            saved = outcomes.save_funder(
                self.context.database,
                self.code,
                self.positive(),
                self.measured_at(),
                actor=self.context.actor,
            )
        except ValidationError as error:
            self.error.setText(" ".join(error.errors.values()))
            self.error.show()
            return False
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return False
        self.error.hide()
        self.load(saved)
        show_status(self, f"Sorties positives de {saved.label} enregistrées.")
        return True


class FundersPart(QWidget):
    """Every funder's form, under a short explanation."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("fundersPart")
        self.context = context
        self.forms: list[FunderForm] = []
        title = QLabel("Financeurs : sorties positives")
        title.setStyleSheet("font-weight: 600;")
        note = QLabel(
            "Pour chaque financeur, les situations comptées comme une sortie positive et le "
            "moment où elles sont mesurées (à la sortie, ou au suivi à 3, 6 ou 12 mois). Les "
            "indicateurs, le tableau de bord et les exports suivent ces définitions."
        )
        note.setProperty("role", "muted")
        note.setWordWrap(True)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.addWidget(title)
        self.column.addWidget(note)

    def reload(self) -> None:
        try:
            funders = outcomes.funders(self.context.database, actor=self.context.actor)
        except UserFacingError:
            funders = []
        known = {form.code: form for form in self.forms}
        for funder in funders:
            form = known.get(funder.code)
            if form is None:
                form = FunderForm(self.context, funder)
                self.forms.append(form)
                self.column.addWidget(form)
            elif not form.is_dirty():
                form.load(funder)
            form.set_editable(self.context.role == ROLE_COORDINATION)

    def is_dirty(self) -> bool:
        return any(form.is_dirty() for form in self.forms)

    def discard_changes(self) -> None:
        for form in self.forms:
            form.discard_changes()

    def save_changed(self) -> bool:
        results = [form.save() for form in self.forms if form.is_dirty()]
        return all(results)
