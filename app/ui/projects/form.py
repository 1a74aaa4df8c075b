"""The project's file (tab *Dossier*): every ProjectInput field, validated by the service on save.

Object name `projectForm` (CONTRACT.md); each field is named after its ProjectInput attribute
and its French error shows under it in `<field>Error`.
"""

from dataclasses import fields as dataclass_fields
from datetime import date
from types import SimpleNamespace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.projects import DeliverableKind
from app.services.errors import ConflictError, UserFacingError, ValidationError
from app.services.hosts.directory import HostRow
from app.services.projects import actions as projects
from app.services.projects.listing import ProjectDetails
from app.services.projects.submissions import ProjectInput, project_input
from app.services.reference import Option
from app.services.validation import format_date
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.fields import CheckField, ChoiceBox, FieldWidget, LineField, MultiLineField
from app.ui.widgets.form_fields import FieldGroup, confirm_unsaved
from app.ui.widgets.naming import named

TEXT_HEIGHT = 54  # a few lines; the tab scrolls
LONG_TEXT_HEIGHT = 76

# (field, French label, kind, placeholder); kind: line, text, long, choice, check, host
Spec = tuple[str, str, str, str]
SECTIONS: tuple[tuple[str, tuple[Spec, ...]], ...] = (
    (
        "Projet",
        (
            ("title", "Intitulé *", "line", "ex. Site web de l'association"),
            ("host_id", "Structure *", "host", ""),
            ("headcount", "Effectif déclaré", "line", "nombre de salariés"),
            ("submitted_on", "Déposé le *", "line", "JJ/MM/AAAA"),
            ("deliverable_kind", "Livrable attendu", "choice", ""),
            ("deliverable", "Description du livrable", "text", ""),
        ),
    ),
    (
        "Contact dans la structure",
        (
            ("contact_name", "Nom", "line", "Prénom Nom"),
            ("contact_function", "Fonction", "line", "ex. présidente, chargé de mission"),
            ("contact_phone", "Téléphone", "line", "05 49 12 34 56"),
            ("contact_email", "E-mail", "line", "contact@exemple.fr"),
            ("contact_availability", "Disponibilités", "line", "ex. le mardi après-midi"),
        ),
    ),
    (
        "Besoin",
        (
            ("need", "Besoin exprimé *", "long", ""),
            ("audience", "Publics concernés", "text", ""),
            ("existing", "Existant", "text", "ce qui existe aujourd'hui"),
            ("provided_content", "Contenus fournis", "text", "textes, photos, données…"),
        ),
    ),
    (
        "Contraintes et suite",
        (
            ("data_constraints", "Données personnelles", "text", ""),
            ("accessibility_constraints", "Accessibilité", "text", ""),
            ("calendar", "Calendrier", "text", ""),
            ("maintainer", "Maintenu par", "text", "qui fera vivre le livrable après la livraison"),
            ("licence_accepted", "Licence", "check", ""),
        ),
    ),
)
TOOLTIPS = {
    "headcount": "Nombre de salariés déclaré au dépôt ; l'appel vise les structures de moins "
    "de 20 salariés. Vide : l'effectif de l'annuaire est utilisé.",
    "licence_accepted": "La structure accepte les conditions de licence et de propriété "
    "intellectuelle du livrable.",
    "host_id": "Tapez une partie du nom pour chercher dans l'annuaire des structures.",
}
NEW_TITLE = "Nouveau projet"


class HostPicker(ChoiceBox):
    """A structure of the host directory, found by typing part of its name; value: its id."""

    def __init__(self) -> None:
        super().__init__([], allow_empty=False)
        self.setEditable(True)
        self.setInsertPolicy(ChoiceBox.InsertPolicy.NoInsert)
        # Long names must not widen the form past the window: the list shows them whole.
        self.setSizeAdjustPolicy(ChoiceBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        line, completer = self.lineEdit(), self.completer()
        assert line is not None and completer is not None
        line.setPlaceholderText("Tapez une partie du nom…")
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        line.editingFinished.connect(self._settle)

    def set_hosts(self, hosts: list[HostRow]) -> None:
        current = self.value()
        blocked = self.blockSignals(True)
        self.clear()
        for host in hosts:
            self.addItem(f"{host.name} ({host.city})" if host.city else host.name, str(host.id))
        self.blockSignals(blocked)
        self.set_value(current, quiet=True)

    def value(self) -> str:
        index = self.currentIndex()
        if index < 0 or self.itemText(index) != self.currentText():
            return ""
        return str(self.itemData(index))

    def set_value(self, value: str, *, quiet: bool = False) -> None:
        blocked = self.blockSignals(quiet or self.signalsBlocked())
        index = self.findData(value) if value else -1
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText("")
        self.blockSignals(blocked)

    def _settle(self) -> None:
        """Typed text that names no structure: back to the one chosen (or none)."""
        text = self.currentText().strip()
        if not text:
            self.setCurrentIndex(-1)
            return
        exact = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if exact >= 0:
            self.setCurrentIndex(exact)
            return
        index = self.currentIndex()
        self.setEditText(self.itemText(index) if index >= 0 else "")


class FiliereChecks(QWidget):
    """The filières the project fits: one check box each, named `filiere_<code>`."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("filieres")
        self.boxes: dict[str, QCheckBox] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.error = named(QLabel(), "filieresError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self._layout.addWidget(self.error)

    def set_choices(self, options: list[Option]) -> None:
        if self.boxes:
            return
        for option in options:
            box = named(QCheckBox(_capitalised(option.label)), f"filiere_{option.code}")
            box.setAccessibleName(f"Filière : {option.label}")
            box.toggled.connect(self.changed)
            self._layout.insertWidget(self._layout.count() - 1, box)
            self.boxes[option.code] = box

    def value(self) -> tuple[str, ...]:
        return tuple(code for code, box in self.boxes.items() if box.isChecked())

    def set_value(self, codes: tuple[str, ...]) -> None:
        for code, box in self.boxes.items():
            blocked = box.blockSignals(True)
            box.setChecked(code in codes)
            box.blockSignals(blocked)

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def set_read_only(self, read_only: bool) -> None:
        for box in self.boxes.values():
            box.setEnabled(not read_only)


class ProjectForm(QWidget):
    """Edits one project; `saved` carries its id. Read-only for a formateur."""

    saved = Signal(int)
    dirty_changed = Signal(bool)
    reload_requested = Signal(int)  # changed elsewhere: show its saved values again
    new_structure_requested = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("projectForm")
        self.context = context
        self.project_id: int | None = None
        self.version: int | None = None
        self.season_label: str | None = None
        self.read_only = False
        self.fields = FieldGroup(self)
        self._placeholders: dict[str, str] = {}
        self.filieres = FiliereChecks()
        self._saved_filieres: tuple[str, ...] = ()
        self.banner = named(QLabel(), "eligibilityBanner")
        self.banner.setProperty("role", "alert")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.read_only_note = named(QLabel(), "projectReadOnlyNote")
        self.read_only_note.setProperty("role", "notice")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()
        self.dirty_label = named(QLabel("Modifications non enregistrées"), "projectDirty")
        self.dirty_label.setProperty("role", "muted")
        self.dirty_label.hide()
        self.save_button = named(
            QPushButton(icon("device-floppy", "#ffffff"), "Enregistrer"), "saveProjectButton"
        )
        self.save_button.setProperty("accent", "true")
        self.save_button.setToolTip("Enregistrer le dossier du projet (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.new_structure_button = named(
            QPushButton(icon("building-community"), "Nouvelle structure…"), "newStructureButton"
        )
        self.new_structure_button.setToolTip(
            "Ajouter la structure à l'annuaire (vue Structures), puis revenir au projet"
        )
        self.new_structure_button.clicked.connect(self.new_structure_requested)
        self.fields.changed.connect(self._on_changed)
        self.filieres.changed.connect(self._on_changed)
        self._build()
        self.start_new(None)

    # ---- building

    def _build(self) -> None:
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 6, 0)
        for title, specs in SECTIONS:
            column.addWidget(self._section(title, specs))
        column.addStretch(1)
        self.fields.align_labels()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(content)
        bottom = QHBoxLayout()
        bottom.addWidget(self.read_only_note, 1)
        bottom.addStretch(0)
        bottom.addWidget(self.dirty_label)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(bottom)

    def _section(self, title: str, specs: tuple[Spec, ...]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label, kind, placeholder in specs:
            field = _make_field(name, label, kind, placeholder)
            self._placeholders[name] = placeholder
            if name in TOOLTIPS:
                field.setToolTip(TOOLTIPS[name])
            trailing = self.new_structure_button if kind == "host" else None
            self.fields.add_row(form, name, label, field, trailing=trailing)
            if kind == "check":
                field.setAccessibleName("Licence et propriété intellectuelle acceptées")
            if name == "deliverable_kind":
                caption = QLabel("Filières")
                caption.setBuddy(self.filieres)
                form.addRow(caption, self.filieres)
        return box

    # ---- values

    def field(self, name: str) -> FieldWidget:
        return self.fields.field(name)

    @property
    def host_picker(self) -> HostPicker:
        picker = self.fields.field("host_id")
        assert isinstance(picker, HostPicker)
        return picker

    def set_choices(self, hosts: list[HostRow], filieres: list[Option]) -> None:
        self.host_picker.set_hosts(hosts)
        self.filieres.set_choices(filieres)

    def values(self) -> ProjectInput:
        texts = self.fields.current()
        data = ProjectInput(host_id=int(texts["host_id"]) if texts["host_id"] else None)
        for item in dataclass_fields(ProjectInput):
            if item.name in texts and item.name not in ("host_id", "licence_accepted"):
                setattr(data, item.name, texts[item.name])
        data.licence_accepted = texts["licence_accepted"] == "oui"
        data.filieres = self.filieres.value()
        return data

    def is_dirty(self) -> bool:
        if self.read_only:
            return False
        return self.fields.is_dirty() or self.filieres.value() != self._saved_filieres

    def discard_changes(self) -> None:
        self.fields.discard_changes()
        self.filieres.set_value(self._saved_filieres)
        self.filieres.set_error("")
        self._on_changed()

    def _on_changed(self) -> None:
        dirty = self.is_dirty()
        self.dirty_label.setVisible(dirty)
        self.dirty_changed.emit(dirty)

    def _load(self, data: ProjectInput) -> None:
        texts = {item.name: getattr(data, item.name) for item in dataclass_fields(ProjectInput)}
        texts["host_id"] = str(data.host_id) if data.host_id is not None else ""
        texts["licence_accepted"] = "oui" if data.licence_accepted else "non"
        self.filieres.set_value(tuple(data.filieres))
        self.filieres.set_error("")
        self._saved_filieres = tuple(data.filieres)
        self.fields.load(SimpleNamespace(**texts))

    # ---- loading

    def start_new(self, season_label: str | None) -> None:
        self.project_id = None
        self.version = None
        self.season_label = season_label
        # Most projects are typed in as they arrive: submitted today, unless changed.
        self._load(ProjectInput(host_id=None, submitted_on=format_date(date.today())))
        self.show_warnings(())

    def load(self, details: ProjectDetails) -> None:
        self.project_id = details.id
        self.version = details.version
        self.season_label = details.season_label
        self._load(project_input(details))
        self.show_warnings(details.warnings)

    def show_warnings(self, warnings: tuple[str, ...]) -> None:
        if warnings:
            lines = "\n".join(f"• {warning}" for warning in warnings)
            self.banner.setText("⚠ Éligibilité à vérifier (la coordination décide) :\n" + lines)
        self.banner.setVisible(bool(warnings))

    def set_read_only(self, read_only: bool, note: str = "") -> None:
        """A formateur reads the file; the fields look frozen and the save button goes."""
        self.read_only = read_only
        for name in self.fields.names():
            field = self.fields.field(name)
            if isinstance(field, LineField | MultiLineField):
                field.setReadOnly(read_only)
                # No hint to type in a field one cannot change.
                hint = self._placeholders.get(name, "")
                field.setPlaceholderText("—" if read_only else hint)
            else:
                field.setEnabled(not read_only)
            _set_frozen_look(field, read_only)
        self.filieres.set_read_only(read_only)
        self.save_button.setVisible(not read_only)
        self.new_structure_button.setVisible(not read_only)
        self.read_only_note.setText(note)
        self.read_only_note.setVisible(bool(note))
        self._on_changed()

    # ---- saving

    def save(self) -> bool:
        if self.read_only:
            return False
        data = self.values()
        database, actor = self.context.database, self.context.actor
        try:
            if self.project_id is None:
                if self.season_label is None:
                    raise UserFacingError("Choisissez d'abord une saison dans l'en-tête.")
                project_id = projects.submit(database, self.season_label, data, actor=actor)
            else:
                assert self.version is not None
                project_id = self.project_id
                projects.update(database, project_id, data, self.version, actor=actor)
        except ValidationError as error:
            others = self.fields.show_errors(error.errors)
            self.filieres.set_error(others.pop("filieres", ""))
            if others:
                QMessageBox.warning(self, "Enregistrement impossible", "\n".join(others.values()))
            return False
        except ConflictError as error:
            self._offer_reload(str(error))
            return False
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return False
        self.project_id = project_id
        self.saved.emit(project_id)
        return True

    def _offer_reload(self, message: str) -> None:
        answer = QMessageBox.question(
            self,
            "Projet modifié ailleurs",
            message + "\n\nRecharger le projet ? Vos modifications non enregistrées "
            "seront perdues.",
        )
        if answer == QMessageBox.StandardButton.Yes and self.project_id is not None:
            self.discard_changes()
            self.reload_requested.emit(self.project_id)

    def confirm_leave(self) -> bool:
        """Ask what to do with unsaved edits; True when it is fine to show something else."""
        if not self.is_dirty():
            return True
        return confirm_unsaved(
            self,
            "Le projet en cours contient des modifications non enregistrées.",
            save=self.save,
            discard=self.discard_changes,
        )


def _make_field(name: str, label: str, kind: str, placeholder: str) -> FieldWidget:
    if kind == "host":
        return HostPicker()
    if kind == "choice":
        kinds = [(k.value, k.label) for k in DeliverableKind]
        return ChoiceBox(kinds, allow_empty=False)
    if kind == "check":
        return CheckField("Conditions de licence et de propriété intellectuelle acceptées")
    if kind in ("text", "long"):
        text = MultiLineField()
        text.setTabChangesFocus(True)  # keyboard-first: Tab goes on to the next field
        text.setPlaceholderText(placeholder)
        text.setFixedHeight(LONG_TEXT_HEIGHT if kind == "long" else TEXT_HEIGHT)
        return text
    line = LineField()
    line.setPlaceholderText(placeholder)
    if name == "title":
        line.setMaxLength(200)
    return line


def _set_frozen_look(widget: QWidget, frozen: bool) -> None:
    """The theme greys frozen fields (`frozen` property), like the agreement's form."""
    if widget.property("frozen") == ("true" if frozen else "false"):
        return
    widget.setProperty("frozen", "true" if frozen else "false")
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
