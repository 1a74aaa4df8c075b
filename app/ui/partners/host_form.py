"""The host file: every HostInput field in two columns, validated by the service on save."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import ConflictError, UserFacingError, ValidationError
from app.services.hosts import actions as hosts
from app.services.hosts import directory as host_service
from app.services.hosts.directory import (
    HEADCOUNT_BANDS,
    LEGACY_LEGAL_FORMS,
    LEGAL_FORMS,
    HostInfo,
    HostInput,
    headcount_label,
)
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.fields import ChoiceBox, FieldWidget, LineField
from app.ui.widgets.form_fields import FieldGroup, confirm_unsaved
from app.ui.widgets.naming import named

NEW_TITLE = "Nouvelle structure"

# (section title, ((field, French label, placeholder), ...)); two sections per column.
LEFT_SECTIONS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Structure",
        (
            ("nom", "Nom *", ""),
            ("forme_juridique", "Forme juridique *", ""),
            ("identifiant", "SIRET ou n° RNA", "SIRET ou W123456789"),
            ("code_naf", "Code NAF", "ex. 62.01Z"),
            ("effectif", "Effectif", ""),
        ),
    ),
    ("Assurance", (("assureur", "Assureur", ""), ("numero_police", "N° de police", ""))),
)
RIGHT_SECTIONS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Coordonnées",
        (
            ("adresse", "Adresse", "n° et rue"),
            ("code_postal", "Code postal", "86000"),
            ("commune", "Commune", ""),
            ("telephone", "Téléphone", "05 49 12 34 56"),
            ("email", "E-mail", "contact@exemple.fr"),
        ),
    ),
    (
        "Représentant légal",
        (
            ("representant", "Représentant", "Prénom Nom"),
            ("fonction_representant", "Fonction", "ex. gérante, président"),
        ),
    ),
)


class HostForm(QWidget):
    """Edits one host; `saved` carries its id, `dirty_changed` whether edits are pending."""

    saved = Signal(int)
    dirty_changed = Signal(bool)
    reload_requested = Signal(int)  # the host changed elsewhere: show its saved values again

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("hostForm")
        self.context = context
        self.host_id: int | None = None
        self.version: int | None = None
        self.fields = FieldGroup(self)
        self.title = named(QLabel(NEW_TITLE), "hostTitle")
        self.title.setProperty("role", "title")
        self.history = named(QLabel(), "hostAgreements")
        self.history.setProperty("role", "muted")
        self.dirty_label = named(QLabel("Modifications non enregistrées"), "hostDirty")
        self.dirty_label.setProperty("role", "muted")
        self.dirty_label.hide()
        self.save_button = QPushButton(icon("device-floppy", "#ffffff"), "Enregistrer")
        self.save_button.setObjectName("saveHostButton")
        self.save_button.setProperty("accent", "true")
        self.save_button.setToolTip("Enregistrer la structure (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.fields.changed.connect(self._on_changed)
        self._build()
        self.start_new()

    def _build(self) -> None:
        columns = QHBoxLayout()
        for sections in (LEFT_SECTIONS, RIGHT_SECTIONS):
            column = QVBoxLayout()
            for title, specs in sections:
                column.addWidget(self._section(title, specs))
            column.addStretch(1)
            columns.addLayout(column, 1)
        self.fields.align_labels()
        heading = QVBoxLayout()
        heading.setSpacing(0)
        heading.addWidget(self.title)
        heading.addWidget(self.history)
        top = QHBoxLayout()
        top.addLayout(heading, 1)
        top.addWidget(self.dirty_label)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(columns)

    def _section(self, title: str, specs: tuple[tuple[str, str, str], ...]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label, placeholder in specs:
            self.fields.add_row(form, name, label, _make_field(name, placeholder))
        return box

    # ---- values

    def field(self, name: str) -> FieldWidget:
        return self.fields.field(name)

    def values(self) -> HostInput:
        return self.fields.read_into(HostInput())

    def is_dirty(self) -> bool:
        return self.fields.is_dirty()

    def discard_changes(self) -> None:
        self.fields.discard_changes()

    def _on_changed(self) -> None:
        dirty = self.fields.is_dirty()
        self.dirty_label.setVisible(dirty)
        self.dirty_changed.emit(dirty)

    # ---- loading

    def start_new(self) -> None:
        self.host_id = None
        self.version = None
        self.title.setText(NEW_TITLE)
        self.history.setText("Pas encore de convention")
        self.fields.load(HostInput())

    def load(self, info: HostInfo, history: str) -> None:
        self.host_id = info.id
        self.version = info.version
        self.title.setText(info.name)
        self.history.setText(history)
        self.fields.load(host_service.host_input(info))

    # ---- saving

    def save(self) -> bool:
        data = self.values()
        try:
            info = hosts.save_host(
                self.context.database,
                self.host_id,
                data,
                actor=self.context.actor,
                expected_version=self.version,
            )
        except ValidationError as error:
            others = self.fields.show_errors(error.errors)
            if others:
                QMessageBox.warning(self, "Enregistrement impossible", "\n".join(others.values()))
            return False
        except ConflictError as error:
            self._offer_reload(str(error))
            return False
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return False
        self.host_id = info.id
        self.version = info.version
        self.title.setText(info.name)
        self.fields.load(host_service.host_input(info))
        self.saved.emit(info.id)
        return True

    def _offer_reload(self, message: str) -> None:
        answer = QMessageBox.question(
            self,
            "Structure modifiée ailleurs",
            message + "\n\nRecharger la structure ? Vos modifications non enregistrées "
            "seront perdues.",
        )
        if answer == QMessageBox.StandardButton.Yes and self.host_id is not None:
            self.discard_changes()
            self.reload_requested.emit(self.host_id)

    def confirm_leave(self) -> bool:
        """Ask what to do with unsaved edits; True when it is fine to show something else."""
        if not self.is_dirty():
            return True
        return confirm_unsaved(
            self,
            "La structure en cours contient des modifications non enregistrées.",
            save=self.save,
            discard=self.discard_changes,
        )


class LegalFormBox(ChoiceBox):
    """The legal forms of the list; a host still holding a code of the former list (e.g.
    "Entreprise (forme à préciser)") shows it, so the coordinator sees what to make precise,
    and only that host gets it as a choice."""

    def __init__(self) -> None:
        super().__init__(list(LEGAL_FORMS.items()), empty_label="Choisir…")

    def set_value(self, value: str) -> None:
        for code in LEGACY_LEGAL_FORMS:
            index = self.findData(code)
            if index >= 0 and code != value:
                self.removeItem(index)
        if value in LEGACY_LEGAL_FORMS and self.findData(value) < 0:
            self.addItem(LEGACY_LEGAL_FORMS[value], value)
        super().set_value(value)


def _make_field(name: str, placeholder: str) -> FieldWidget:
    if name == "forme_juridique":
        box = LegalFormBox()
        box.setToolTip(
            "Forme juridique telle qu'elle figure sur la convention (association loi 1901, "
            "SARL, SAS…)."
        )
        return box
    if name == "effectif":
        return ChoiceBox([(band, headcount_label(band)) for band in HEADCOUNT_BANDS])
    line = LineField()
    line.setPlaceholderText(placeholder)
    if name == "identifiant":
        line.setToolTip(
            "SIRET : 14 chiffres. Une association peut donner à la place son numéro RNA "
            "(W suivi de 9 chiffres)."
        )
    return line
