"""The Sites part of Paramètres: each site's address, postal code, phone and e-mail, printed on
convocations (where to come, who to call) and sign-in sheets. One small form per site, saved
on its own."""

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

from app.services.errors import UserFacingError, ValidationError
from app.services.settings import actions as settings
from app.services.settings.sites import SiteContact, SiteInput
from app.ui.context import AppContext
from app.ui.theme import icon
from app.ui.widgets.fields import LineField
from app.ui.widgets.form_fields import FieldGroup, show_status
from app.ui.widgets.naming import named

# (field, French label, placeholder)
SITE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("adresse", "Adresse", "n° et rue"),
    ("code_postal", "Code postal", "5 chiffres"),
    ("telephone", "Téléphone de l'accueil", "ex. 05 49 12 34 56"),
    ("email", "E-mail de l'accueil", "ex. accueil@exemple.fr"),
)


class SiteForm(QGroupBox):
    """One site's contact details; `changed` fires on user edits."""

    changed = Signal()

    def __init__(self, context: AppContext, contact: SiteContact) -> None:
        super().__init__(f"Site : {contact.title}")
        self.setObjectName(f"siteForm-{contact.code}")
        self.context = context
        self.site_id = contact.id
        self.site_name = contact.name
        self.fields = FieldGroup(self)
        self.captions: list[QLabel] = []
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label, placeholder in SITE_FIELDS:
            field = LineField()
            field.setPlaceholderText(placeholder)
            self.captions.append(self.fields.add_row(form, name, label, field))
        self.save_button = named(QPushButton("Enregistrer ce site"), "saveSiteButton")
        self.save_button.setToolTip(f"Enregistrer les coordonnées du site {contact.name}")
        self.save_button.setIcon(icon("device-floppy"))
        self.save_button.clicked.connect(self.save)
        self.dirty_label = named(QLabel("Modifications non enregistrées"), "siteDirty")
        self.dirty_label.setProperty("role", "muted")
        self.dirty_label.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.dirty_label)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        self.fields.changed.connect(self._on_changed)
        self.load(contact)

    def load(self, contact: SiteContact) -> None:
        self.fields.load(contact.values)

    def values(self) -> SiteInput:
        return self.fields.read_into(SiteInput())

    def is_dirty(self) -> bool:
        return self.fields.is_dirty()

    def discard_changes(self) -> None:
        self.fields.discard_changes()

    def _on_changed(self) -> None:
        self.dirty_label.setVisible(self.is_dirty())
        self.changed.emit()

    def save(self) -> bool:
        """Saved, or each refusal under its field (French); False when refused."""
        try:
            saved = settings.save_site(
                self.context.database, self.site_id, self.values(), actor=self.context.actor
            )
        except ValidationError as error:
            self.fields.show_errors(error.errors)
            return False
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return False
        self.load(saved)
        show_status(self, f"Coordonnées du site {self.site_name} enregistrées.")
        return True


class SitesPart(QWidget):
    """A form per site of the base (read from it: a base may hold other sites)."""

    changed = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("sitesSettings")
        self.context = context
        self.forms: list[SiteForm] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.error = named(QLabel(), "sitesError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self._layout.addWidget(self.error)

    def reload(self) -> None:
        """Every site's saved details (a form is made for a site seen the first time)."""
        try:
            contacts = settings.site_contacts(self.context.database)
        except UserFacingError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.error.hide()
        known = {form.site_id: form for form in self.forms}
        for contact in contacts:
            form = known.get(contact.id)
            if form is None:
                form = SiteForm(self.context, contact)
                form.changed.connect(self.changed)
                self.forms.append(form)
                self._layout.addWidget(form)
            else:
                form.load(contact)

    def align_labels(self, width: int) -> None:
        """The labels as wide as the organisation's, so every field lines up."""
        for form in self.forms:
            for caption in form.captions:
                caption.setMinimumWidth(width)

    def is_dirty(self) -> bool:
        return any(form.is_dirty() for form in self.forms)

    def discard_changes(self) -> None:
        for form in self.forms:
            form.discard_changes()

    def save_changed(self) -> bool:
        """Save every site with unsaved edits; False when any was refused."""
        results = [form.save() for form in self.forms if form.is_dirty()]
        return all(results)
