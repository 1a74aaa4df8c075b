"""Paramètres: the training organisation printed on every agreement, and what is still missing;
what convocations ask to bring; each site's address and contact (app/ui/settings/sites.py);
each funder's positive exits (app/ui/settings/funders.py)."""

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QPixmap, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.errors import UserFacingError, ValidationError
from app.services.settings import actions as settings
from app.services.settings.organisation import DEFAULT_CONVOCATION_ITEMS, OrganisationInput
from app.services.settings.organisation import MAX_IMAGE_SIDE as MAX_LOGO_SIDE
from app.ui.context import AppContext
from app.ui.settings.funders import FundersPart
from app.ui.settings.security import SecurityGroup
from app.ui.settings.sites import SitesPart
from app.ui.theme import WARNING_BG, icon
from app.ui.widgets.fields import FieldWidget, LineField, MultiLineField
from app.ui.widgets.file_dialogs import open_file
from app.ui.widgets.form_fields import FieldGroup, confirm_unsaved, show_status
from app.ui.widgets.naming import named

PREVIEW_WIDTH = 180
PREVIEW_HEIGHT = 80
FORM_MAX_WIDTH = 860

# (section title, ((field, French label, placeholder), ...))
SECTIONS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Organisme de formation",
        (
            ("nom", "Nom de l'organisme *", ""),
            ("adresse", "Adresse", "n° et rue, code postal, commune"),
            ("siret", "SIRET", "14 chiffres"),
            ("declaration_activite", "N° de déclaration d'activité", "11 chiffres"),
            ("logo", "Logo", "image PNG ou JPEG"),
        ),
    ),
    (
        "Signature des conventions",
        (
            ("directeur", "Directeur ou directrice", "Prénom Nom"),
            ("fonction_directeur", "Fonction", "ex. directrice"),
            ("ville_signature", "Ville de signature", "« Fait à … »"),
            ("tribunal_competent", "Tribunal compétent", "ex. tribunal judiciaire de Poitiers"),
        ),
    ),
    (
        "Assurance responsabilité civile",
        (
            ("assureur", "Assureur", ""),
            ("numero_police", "N° de police", ""),
        ),
    ),
    (
        "Convocations",
        (("a_apporter", "À apporter", "une chose par ligne"),),
    ),
)
ITEMS_HINT = (
    "Une chose par ligne. Laissé vide, les convocations demandent : "
    + ", ".join(DEFAULT_CONVOCATION_ITEMS)
    + "."
)


def choose_logo_file(parent: QWidget, start: str) -> str:
    """The image file chosen by the user, "" when cancelled (tests replace this function);
    the dialog opens in `start`, else the last folder used, else Documents."""
    path = open_file(
        parent,
        "Choisir le logo",
        "Images PNG ou JPEG (*.png *.jpg *.jpeg)",
        start=Path(start) if start else None,
    )
    return str(path) if path is not None else ""


class MissingBanner(QFrame):
    """What an agreement cannot be printed without yet; hidden when nothing is missing."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("organisationBanner")
        self.setStyleSheet(
            f"QFrame#organisationBanner {{ background: {WARNING_BG};"
            " border: 1px solid #ecd98b; border-radius: 6px; }"
        )
        badge = QLabel()
        badge.setPixmap(icon("alert-triangle", "#8a6d00").pixmap(22, 22))
        self.text = named(QLabel(), "missingFields")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)

    def show_missing(self, missing: list[str]) -> None:
        self.text.setText(
            "Pour imprimer les conventions, il manque encore : " + ", ".join(missing) + "."
        )
        self.setVisible(bool(missing))


class LogoPreview(QLabel):
    """The chosen logo, scaled down; says so when there is none or it cannot be read."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("logoPreview")
        self.setFixedSize(PREVIEW_WIDTH, PREVIEW_HEIGHT)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("QLabel#logoPreview { border: 1px dashed #b8c4cc; background: white; }")
        self.setAccessibleName("Aperçu du logo")

    def show_file(self, path: str) -> None:
        """The image decoded at the preview's size; a file over the size a logo may have is
        not decoded at all (its header says how large it is)."""
        reader = QImageReader(str(Path(path).expanduser())) if path.strip() else None
        size = reader.size() if reader is not None else QSize()
        too_large = size.isValid() and max(size.width(), size.height()) > MAX_LOGO_SIDE
        image = QImage()
        if reader is not None and not too_large:
            if size.isValid():
                reader.setScaledSize(
                    size.scaled(
                        PREVIEW_WIDTH - 8, PREVIEW_HEIGHT - 8, Qt.AspectRatioMode.KeepAspectRatio
                    )
                )
            image = reader.read()
        if image.isNull():
            self.setPixmap(QPixmap())
            if too_large:
                self.setText("Image trop grande")
            else:
                self.setText("Image illisible" if path.strip() else "Aucun logo")
            return
        self.setText("")
        self.setPixmap(QPixmap.fromImage(image))

    def has_image(self) -> bool:
        pixmap = self.pixmap()
        return not pixmap.isNull()


class SettingsView(QWidget):
    """The organisation form; `confirm_leave()` asks about unsaved edits before closing."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("settingsView")
        self.context = context
        self.fields = FieldGroup(self)
        self.logo_field = LineField()
        self.banner = MissingBanner()
        self.preview = LogoPreview()
        self.choose_button = QPushButton("Choisir…")
        self.choose_button.setObjectName("chooseLogoButton")
        self.choose_button.setToolTip("Choisir l'image du logo (PNG ou JPEG)")
        self.choose_button.clicked.connect(self.choose_logo)
        self.dirty_label = named(QLabel("Modifications non enregistrées"), "organisationDirty")
        self.dirty_label.setProperty("role", "muted")
        self.dirty_label.hide()
        self.save_button = QPushButton(icon("device-floppy", "#ffffff"), "Enregistrer")
        self.save_button.setObjectName("saveOrganisationButton")
        self.save_button.setProperty("accent", "true")
        self.save_button.setToolTip("Enregistrer les paramètres (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.sites = SitesPart(context)
        self.funders = FundersPart(context)
        self._captions: list[QLabel] = []
        self._build()
        self.fields.changed.connect(self._on_changed)
        self.logo_field.textChanged.connect(self.preview.show_file)
        QShortcut(
            QKeySequence.StandardKey.Save,
            self,
            self.save,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.reload()

    # ---- building

    def _build(self) -> None:
        self.form = QWidget()
        self.form.setObjectName("organisationForm")
        self.form.setMaximumWidth(FORM_MAX_WIDTH)
        column = QVBoxLayout(self.form)
        column.setContentsMargins(0, 0, 0, 0)
        for section, specs in SECTIONS:
            column.addWidget(self._section(section, specs))
        self.fields.align_labels()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.dirty_label)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        sites_note = QLabel(
            "Chaque site, tel que les convocations l'impriment : où venir, et qui appeler "
            "pour prévenir d'une absence (sans téléphone ni e-mail, la lettre invite à passer "
            "à l'accueil)."
        )
        sites_note.setProperty("role", "muted")
        sites_note.setWordWrap(True)
        column.addSpacing(8)
        column.addWidget(sites_note)
        column.addWidget(self.sites)
        column.addSpacing(8)
        column.addWidget(self.funders)
        self.security = SecurityGroup(self.context)
        column.addWidget(self.security)
        column.addStretch(1)
        content = QWidget()
        page = QHBoxLayout(content)
        page.setContentsMargins(0, 0, 0, 0)
        page.addWidget(self.form, 1)
        page.addStretch(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        title = QLabel("Paramètres")
        title.setProperty("role", "title")
        intro = QLabel(
            "L'organisme de formation tel qu'il est imprimé sur les conventions de stage, "
            "les avenants et les attestations ; les sites et ce qu'il faut apporter, tels "
            "qu'ils sont imprimés sur les convocations et les feuilles d'émargement."
        )
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        layout.addWidget(title)
        layout.addWidget(intro)
        self.banner.setMaximumWidth(FORM_MAX_WIDTH)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)

    def _section(self, title: str, specs: tuple[tuple[str, str, str], ...]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label, placeholder in specs:
            field = self._make_field(name, placeholder)
            trailing = self.choose_button if name == "logo" else None
            self._captions.append(self.fields.add_row(form, name, label, field, trailing=trailing))
            if name == "logo":
                form.addRow("", self.preview)
        return box

    def _make_field(self, name: str, placeholder: str) -> FieldWidget:
        if name == "logo":
            self.logo_field.setPlaceholderText(placeholder)
            return self.logo_field
        if name == "a_apporter":
            items = MultiLineField()
            items.setTabChangesFocus(True)
            items.setFixedHeight(84)
            items.setPlaceholderText(ITEMS_HINT)
            items.setToolTip(ITEMS_HINT)
            return items
        if name == "adresse":
            area = MultiLineField()
            area.setTabChangesFocus(True)
            area.setFixedHeight(56)
            area.setPlaceholderText(placeholder)
            return area
        line = LineField()
        line.setPlaceholderText(placeholder)
        if name == "tribunal_competent":
            line.setToolTip(
                "Juridiction imprimée dans l'article « Droit applicable » des conventions. "
                "Laissé vide : « le tribunal judiciaire dans le ressort duquel se trouve "
                "l'organisme de formation »."
            )
        return line

    # ---- values

    def field(self, name: str) -> FieldWidget:
        return self.fields.field(name)

    def values(self) -> OrganisationInput:
        return self.fields.read_into(OrganisationInput())

    def is_dirty(self) -> bool:
        return self.fields.is_dirty() or self.sites.is_dirty() or self.funders.is_dirty()

    def discard_changes(self) -> None:
        self.fields.discard_changes()
        self.sites.discard_changes()
        self.funders.discard_changes()

    def _on_changed(self) -> None:
        self.dirty_label.setVisible(self.fields.is_dirty())

    def reload(self) -> None:
        """The saved settings and the banner, read again from the database."""
        try:
            form = settings.organisation_form(self.context.database)
        except UserFacingError as error:
            QMessageBox.warning(self, "Paramètres illisibles", str(error))
            return
        self.fields.load(form.values)
        self.preview.show_file(form.values.logo)
        self.banner.show_missing(form.missing)
        self.sites.reload()
        self.funders.reload()
        if self._captions:
            self.sites.align_labels(self._captions[0].minimumWidth())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.is_dirty():
            self.reload()

    # ---- actions

    def choose_logo(self) -> None:
        current = self.field("logo").value()
        start = str(Path(current).expanduser().parent) if current.strip() else ""
        path = choose_logo_file(self, start)
        if path:
            self.field("logo").set_value(path)

    def save(self) -> bool:
        """The organisation, then every site with unsaved edits (Ctrl+S, or before leaving)."""
        saved = self._save_organisation()
        sites = self.sites.save_changed()
        return self.funders.save_changed() and sites and saved

    def _save_organisation(self) -> bool:
        try:
            saved = settings.save_organisation(
                self.context.database, self.values(), actor=self.context.actor
            )
        except ValidationError as error:
            others = self.fields.show_errors(error.errors)
            if others:
                QMessageBox.warning(self, "Enregistrement impossible", "\n".join(others.values()))
            return False
        except UserFacingError as error:
            QMessageBox.warning(self, "Enregistrement impossible", str(error))
            return False
        self.fields.load(saved.values)
        self.banner.show_missing(saved.missing)
        show_status(self, "Paramètres de l'organisme enregistrés.")
        return True

    def confirm_leave(self) -> bool:
        """False when the user chose to stay (Annuler) or the save was refused."""
        if not self.is_dirty():
            return True
        return confirm_unsaved(
            self,
            "Les paramètres de l'organisme contiennent des modifications non enregistrées.",
            save=self.save,
            discard=self.discard_changes,
        )
