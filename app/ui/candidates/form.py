"""The candidate file (Dossier tab): every intake field, validated by the service on save.

An error shown under a field goes as soon as the field is edited, and comes back when the
field is left if the service still refuses it. The form fits the file panel of a 1366×768
window: its combos may shrink, and a row whose label and field do not fit side by side puts
the field under its label."""

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
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

from app.domain.values import CIVILITIES, DIPLOMA_LEVELS, SEXES
from app.services import lists, reference
from app.services.candidates import actions as candidate_actions
from app.services.candidates.actions import SamePersonDecision
from app.services.candidates.checks import refused_fields
from app.services.candidates.records import CandidateFile, CandidateInput, DuplicateMatch
from app.services.errors import ConflictError, NotFoundError, UserFacingError, ValidationError
from app.services.lists import ReferenceLists
from app.services.permissions import can_edit_candidates, can_read_rqth
from app.services.validation import format_date
from app.ui.candidates.duplicates import DuplicatesDialog
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.fields import ChoiceBox, FieldWidget, FieldWithError, LineField, MultiLineField

YES_NO = [("oui", "Oui"), ("non", "Non")]
MIN_COMBO_CHARACTERS = 12


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | date | multiline | readonly | choice
    placeholder: str = ""


SECTIONS: tuple[tuple[str, tuple[FieldSpec, ...]], ...] = (
    (
        "Identité",
        (
            FieldSpec("civilite", "Civilité", "choice"),
            FieldSpec("nom", "Nom de naissance *"),
            FieldSpec("nom_usage", "Nom d'usage"),
            FieldSpec("prenom", "Prénom *"),
            FieldSpec("sexe", "Sexe", "choice"),
            FieldSpec("date_naissance", "Date de naissance", "date"),
            FieldSpec("commune_naissance", "Commune de naissance"),
        ),
    ),
    (
        "Contact (téléphone ou e-mail obligatoire)",
        (
            FieldSpec("telephone", "Téléphone", placeholder="06 12 34 56 78"),
            FieldSpec("email", "E-mail", placeholder="prenom.nom@exemple.fr"),
            FieldSpec("adresse", "Adresse"),
            FieldSpec("code_postal", "Code postal", placeholder="86000"),
            FieldSpec("commune", "Commune"),
        ),
    ),
    (
        "Candidature",
        (
            FieldSpec("saison", "Saison *", "choice"),
            FieldSpec("site", "Site *", "choice"),
            FieldSpec("filiere_souhaitee", "Filière souhaitée", "choice"),
            FieldSpec("prescripteur", "Prescripteur", "choice"),
            FieldSpec("contact_prescripteur", "Contact du prescripteur"),
            FieldSpec("source", "Source"),
            FieldSpec("disponibilite", "Disponibilité"),
            FieldSpec("date_candidature", "Date de candidature", "date"),
            FieldSpec("responsable", "Suivi par"),
            FieldSpec("date_information_rgpd", "Information RGPD donnée le", "date"),
            FieldSpec("etape", "Étape", "readonly"),
            FieldSpec("identifiant", "Identifiant", "readonly"),
        ),
    ),
    (
        "Situation",
        (
            FieldSpec("demandeur_emploi", "Inscrit à France Travail", "choice"),
            FieldSpec("identifiant_france_travail", "Identifiant France Travail"),
            FieldSpec("date_inscription_france_travail", "Inscrit depuis le", "date"),
            FieldSpec("rsa", "Bénéficiaire du RSA", "choice"),
            FieldSpec("mission_locale", "Suivi Mission locale", "choice"),
            FieldSpec("neet", "Ni emploi ni formation (NEET)", "choice"),
            FieldSpec("rqth", "RQTH (travailleur handicapé)", "choice"),
            FieldSpec("qpv", "Résidant d'un QPV", "choice"),
            FieldSpec("quartier_qpv", "Quartier"),
            FieldSpec("zrr", "Résidant en ZRR", "choice"),
        ),
    ),
    (
        "Parcours scolaire et professionnel",
        (
            FieldSpec("niveau_diplome", "Plus haut diplôme", "choice"),
            FieldSpec("derniere_classe", "Dernière classe suivie"),
            FieldSpec("experience_professionnelle", "Expérience professionnelle", "choice"),
            FieldSpec("experience_detail", "Détail de l'expérience", "multiline"),
        ),
    ),
    ("Notes", (FieldSpec("notes", "Notes", "multiline"),)),
)


class CandidateForm(QWidget):
    """Edits one file; `saved` carries the candidate id, `open_requested` a duplicate's id."""

    saved = Signal(int)
    open_requested = Signal(int)
    dirty_changed = Signal(bool)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("candidateForm")
        self.context = context
        self.candidate_id: int | None = None
        self.version: int | None = None
        self._snapshot = CandidateInput()
        self._fields: dict[str, FieldWithError] = {}
        self._labels: dict[str, QLabel] = {}
        self._loading = False
        self._site_codes: dict[int, str] = {}  # site id -> code, for the header's site
        self._recheck: set[str] = set()  # fields whose error an edit cleared: checked on leaving
        self.title = QLabel("Nouveau candidat")
        self.title.setProperty("role", "title")
        self.save_button = QPushButton(icon("device-floppy", "#ffffff"), "Enregistrer")
        self.save_button.setObjectName("saveButton")
        self.save_button.setProperty("accent", "true")
        self.save_button.setToolTip("Enregistrer le dossier (Ctrl+S)")
        self.cancel_button = QPushButton("Annuler les modifications")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Revenir à la dernière version enregistrée (Échap)")
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        self._build()
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self,
            self.cancel,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.start_new()
        self.apply_role()

    def apply_role(self) -> None:
        """RQTH shows for coordination only (the service blanks it for the others anyway);
        trainers read the file without editing it."""
        shown = can_read_rqth(self.context.role)
        self._fields["rqth"].setVisible(shown)
        self._labels["rqth"].setVisible(shown)
        editable = can_edit_candidates(self.context.role)
        for holder in self._fields.values():
            holder.field.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.cancel_button.setVisible(editable)

    # ---- building

    def _build(self) -> None:
        options = lists.every_list(self.context.database)
        self._site_codes = {o.id: o.code for o in options.sites}
        content = QWidget()
        column = QVBoxLayout(content)
        for title, specs in SECTIONS:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for spec in specs:
                holder = FieldWithError(spec.name, self._make_field(spec, options))
                holder.changed.connect(lambda name=spec.name: self._on_changed(name))
                holder.field.installEventFilter(self)  # leaving the field: see eventFilter
                label = QLabel(spec.label)
                label.setBuddy(holder.field)
                holder.field.setAccessibleName(spec.label.rstrip(" *"))
                form.addRow(label, holder)
                self._fields[spec.name] = holder
                self._labels[spec.name] = label
            column.addWidget(box)
        column.addStretch(1)
        self._align_labels()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        buttons = QHBoxLayout()
        buttons.addWidget(self.title, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(scroll, 1)

    def _align_labels(self) -> None:
        """One label column across all sections, so the fields line up."""
        labels = list(self._labels.values())
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def _make_field(self, spec: FieldSpec, options: ReferenceLists) -> FieldWidget:
        if spec.kind == "choice":
            if spec.name in ("saison", "site"):
                box = ChoiceBox(_choices(spec.name, options), empty_label="Choisir…")
            else:
                box = ChoiceBox(_choices(spec.name, options))
            # As narrow as the panel needs (its list still opens at full width), so that a
            # long prescripteur or diploma label never widens the form past the window.
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(MIN_COMBO_CHARACTERS)
            return box
        if spec.kind == "multiline":
            field = MultiLineField()
            field.setTabChangesFocus(True)
            field.setFixedHeight(70)
            return field
        line = LineField()
        if spec.kind == "date":
            line.setPlaceholderText("JJ/MM/AAAA")
            line.setMaxLength(10)
        elif spec.placeholder:
            line.setPlaceholderText(spec.placeholder)
        if spec.kind == "readonly":
            line.setReadOnly(True)
            line.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        return line

    # ---- values

    def field(self, name: str) -> FieldWidget:
        return self._fields[name].field

    def values(self) -> CandidateInput:
        data = CandidateInput()
        for name, holder in self._fields.items():
            setattr(data, name, holder.field.value())
        return data

    def _set_values(self, data: CandidateInput) -> None:
        self._loading = True
        self._recheck.clear()
        try:
            for name, holder in self._fields.items():
                holder.field.set_value(getattr(data, name))
                holder.set_error("")
        finally:
            self._loading = False
        self._snapshot = self.values()
        self.dirty_changed.emit(False)

    def discard_changes(self) -> None:
        self._set_values(self._snapshot)

    def is_dirty(self) -> bool:
        return self.values() != self._snapshot

    def _on_changed(self, name: str) -> None:
        if self._loading:
            return
        self._clear_error(name)
        self.dirty_changed.emit(self.is_dirty())

    # ---- errors that go once fixed

    def _clear_error(self, name: str) -> None:
        """The edited field's message goes at once, and a message it shares with others
        (no phone nor e-mail) goes with it; the field is checked again when left."""
        message = self.error_text(name)
        if not message:
            return
        for other, holder in self._fields.items():
            if self.error_text(other) == message:
                holder.set_error("")
                self._recheck.add(other)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and watched.objectName() in self._recheck:
            self._check_again(watched.objectName())
        return False

    def _check_again(self, name: str) -> None:
        """The service's word on the field just left (and those sharing its message)."""
        try:
            refused = refused_fields(self.context.database, self.values(), actor=self.context.actor)
        except UserFacingError:
            return  # the save will tell
        for other in list(self._recheck):
            if other == name or refused.get(other) == refused.get(name):
                self._recheck.discard(other)
                self._fields[other].set_error(refused.get(other, ""))

    def error_text(self, name: str) -> str:
        """The message shown under the field, "" when none is."""
        error = self._fields[name].error
        return error.text() if not error.isHidden() else ""

    # ---- loading a file

    def start_new(self, *, season: str = "", site: str = "") -> None:
        """A blank file: the header's `season` unless it is over (then the current one), the
        header's `site` (a code; "" for every site)."""
        self.candidate_id = None
        self.version = None
        self.title.setText("Nouveau candidat")
        defaults = CandidateInput(
            saison=season_for_new_file(season, date.today()),
            site=site,
            date_candidature=format_date(date.today()),
            responsable=self.context.display_name or self.context.username,
            etape="candidature reçue",
        )
        self._set_values(defaults)

    def follow_scope(self, season: str | None, site_id: int | None) -> None:
        """The header changed: a blank new file nobody has typed into takes its scope."""
        if self.candidate_id is None and not self.is_dirty():
            self.start_new(season=season or "", site=self._site_codes.get(site_id or 0, ""))

    def load(self, file: CandidateFile) -> None:
        self.candidate_id = file.id
        self.version = file.version
        self.title.setText(file.display_name)
        self._set_values(file.values)

    def reload(self) -> None:
        if self.candidate_id is None:
            return
        self.load(
            candidate_actions.get_candidate(
                self.context.database, self.candidate_id, actor=self.context.actor
            )
        )

    # ---- saving

    def show_errors(self, errors: dict[str, str]) -> None:
        self._recheck.clear()
        for name, holder in self._fields.items():
            holder.set_error(errors.get(name, ""))
        first = next((n for n in self._fields if n in errors), None)
        if first is not None:
            field = self._fields[first].field
            field.setFocus()
            scroll = self.findChild(QScrollArea)
            if scroll is not None:
                scroll.ensureWidgetVisible(self._fields[first])

    def save(self) -> bool:
        """Validate and save; a new file that looks like others is saved once the person
        chose what it is (the check and the creation are one unit of work)."""
        data = self.values()
        decision: SamePersonDecision | None = None
        while True:
            try:
                outcome = candidate_actions.save_candidate(
                    self.context.database,
                    data,
                    actor=self.context.actor,
                    candidate_id=self.candidate_id,
                    expected_version=self.version,
                    decision=decision,
                )
            except ValidationError as error:
                self.show_errors(error.errors)
                return False
            except ConflictError as error:
                self._offer_reload(str(error))
                return False
            except NotFoundError as error:
                QMessageBox.warning(self, "Dossier introuvable", str(error))
                return False
            except UserFacingError as error:
                QMessageBox.warning(self, "Enregistrement impossible", str(error))
                return False
            self.show_errors({})
            if outcome.file is not None:
                break
            decision = self._decide(outcome.look_alikes)
            if decision is None:
                return False
        self.load(outcome.file)
        self.saved.emit(outcome.file.id)
        return True

    def _decide(self, look_alikes: list[DuplicateMatch]) -> SamePersonDecision | None:
        """Ask whether the new file is one of these people's; None means do not save."""
        dialog = DuplicatesDialog(look_alikes, self)
        choice = dialog.exec()
        shown = frozenset(match.id for match in look_alikes)
        if choice == DuplicatesDialog.OPEN_EXISTING and dialog.chosen_id is not None:
            self._set_values(self._snapshot)
            self.open_requested.emit(dialog.chosen_id)
            return None
        if choice == DuplicatesDialog.NEW_APPLICATION:
            return SamePersonDecision(shown, dialog.chosen_match().person_uuid)
        return SamePersonDecision(shown) if choice == DuplicatesDialog.CREATE_ANYWAY else None

    def _offer_reload(self, message: str) -> None:
        answer = QMessageBox.question(
            self,
            "Dossier modifié ailleurs",
            message
            + "\n\nRecharger le dossier ? Vos modifications non enregistrées seront perdues.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.reload()
        except UserFacingError as error:
            QMessageBox.warning(self, "Rechargement impossible", str(error))

    def cancel(self) -> None:
        """Échap: go back to the saved file, after asking, so nothing typed vanishes by accident."""
        if not self.is_dirty():
            return
        answer = QMessageBox.question(
            self,
            "Annuler les modifications",
            "Abandonner les modifications non enregistrées de ce dossier ?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._set_values(self._snapshot)

    def confirm_leave(self) -> bool:
        """Ask what to do with unsaved changes; True when it is fine to move away."""
        if not self.is_dirty():
            return True
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Modifications non enregistrées",
            "Le dossier en cours contient des modifications non enregistrées.",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("Voulez-vous les enregistrer ?")
        box.button(QMessageBox.StandardButton.Discard).setText("Abandonner les modifications")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self._set_values(self._snapshot)
            return True
        return False


def season_for_new_file(season: str, today: date) -> str:
    """The header's season for a new file, unless it is over or not one: then the current
    season (one does not apply for a season already finished)."""
    current = reference.season_start_year(today)
    start = reference.parse_season_label(season) if season else None
    return season if start is not None and start >= current else reference.season_label(current)


def _choices(name: str, options: ReferenceLists) -> list[tuple[str, str]]:
    if name == "civilite":
        return [(code, code) for code in CIVILITIES]
    if name == "sexe":
        return list(SEXES.items())
    if name == "niveau_diplome":
        return [
            ("aucun" if level == 0 else str(level), label)
            for level, label in DIPLOMA_LEVELS.items()
        ]
    if name == "saison":
        labels = [o.label for o in options.seasons]
        upcoming = reference.season_label(reference.season_start_year(date.today()) + 1)
        if upcoming not in labels:
            labels.insert(0, upcoming)
        return [(label, label) for label in labels]
    if name == "site":
        return [(o.code, o.label) for o in options.sites]
    if name == "filiere_souhaitee":
        return [(o.label, o.label) for o in options.filieres]
    if name == "prescripteur":
        return [(o.label, o.label) for o in options.referrers]
    return YES_NO
