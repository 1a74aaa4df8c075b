"""Paramètres: the organisation printed on agreements, typed, saved, read back; the banner."""

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPixmap
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QWidget

from app.services.settings import actions as settings_actions
from app.services.settings import organisation as organisation_service
from app.services.settings.sites import SiteInput
from app.ui.main_window import MainWindow
from app.ui.settings import view as settings_module
from app.ui.settings.view import SettingsView
from tests.gui.conftest import answer_next_dialog, type_text

COMPLETE = {
    "siret": "73282932000074",
    "declaration_activite": "75 86 01234 86",
    "directeur": "Hélène Garnier",
    "fonction_directeur": "Directrice",
    "assureur": "MAIF",
    "numero_police": "4 512 387 M",
    "ville_signature": "Poitiers",
}


def _view(window: MainWindow) -> SettingsView:
    view = window.show_view("settings")
    assert isinstance(view, SettingsView)
    return view


def _field(view: QWidget, name: str) -> QWidget:
    form = view.findChild(QWidget, "organisationForm")
    widget = form.findChild(QWidget, name)
    assert widget is not None, name
    return widget


def _type(qtbot: QtBot, view: QWidget, name: str, text: str) -> None:
    widget = _field(view, name)
    assert isinstance(widget, QLineEdit | QPlainTextEdit)
    widget.setFocus()
    widget.clear()
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        type_text(qtbot, widget, line)


def _save(qtbot: QtBot, view: QWidget) -> None:
    button = view.findChild(QPushButton, "saveOrganisationButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _banner_text(view: QWidget) -> str:
    return view.findChild(QLabel, "missingFields").text()


def _button(answer: str):  # type: ignore[no-untyped-def]
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        next(b for b in box.buttons() if b.text() == answer).click()

    return act


def test_typed_settings_are_saved_with_ctrl_s_and_read_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _view(window)
    assert _field(view, "nom").text() == "La Fabrique du Numérique"  # type: ignore[attr-defined]
    _type(qtbot, view, "adresse", "12 rue de la Cathédrale\n86000 Poitiers")
    for name, text in COMPLETE.items():
        _type(qtbot, view, name, text)
    assert view.findChild(QLabel, "organisationDirty").isVisible()
    qtbot.keyClick(_field(view, "assureur"), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert window.statusBar().currentMessage() == "Paramètres de l'organisme enregistrés."
    assert not view.findChild(QLabel, "organisationDirty").isVisible()
    with window.context.database.session() as session:
        saved = organisation_service.get_organisation(session)
    assert saved.adresse == "12 rue de la Cathédrale\n86000 Poitiers"
    assert saved.directeur == "Hélène Garnier"
    assert saved.declaration_activite == "75860123486"

    again = SettingsView(window.context)
    qtbot.addWidget(again)
    assert _field(again, "directeur").text() == "Hélène Garnier"  # type: ignore[attr-defined]
    assert _field(again, "adresse").toPlainText() == "12 rue de la Cathédrale\n86000 Poitiers"  # type: ignore[attr-defined]
    assert _field(again, "declaration_activite").text() == "75860123486"  # type: ignore[attr-defined]
    assert not again.is_dirty()


def test_competent_court_is_typed_saved_and_read_back(qtbot: QtBot, window: MainWindow) -> None:
    view = _view(window)
    field = _field(view, "tribunal_competent")
    assert isinstance(field, QLineEdit)
    assert "tribunal judiciaire" in field.placeholderText()
    assert "ressort" in field.toolTip()
    _type(qtbot, view, "tribunal_competent", "tribunal judiciaire de Poitiers")
    _save(qtbot, view)
    with window.context.database.session() as session:
        saved = organisation_service.get_organisation(session)
    assert saved.tribunal_competent == "tribunal judiciaire de Poitiers"
    again = SettingsView(window.context)
    qtbot.addWidget(again)
    assert _field(again, "tribunal_competent").text() == "tribunal judiciaire de Poitiers"  # type: ignore[attr-defined]


def test_banner_lists_what_is_missing_and_disappears_when_complete(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _view(window)
    banner = view.findChild(QWidget, "organisationBanner")
    assert banner.isVisible()
    assert _banner_text(view) == (
        "Pour imprimer les conventions, il manque encore : Adresse, SIRET, "
        "N° de déclaration d'activité, Directeur, Assureur, N° de police d'assurance, "
        "Ville de signature."
    )
    _type(qtbot, view, "adresse", "12 rue de la Cathédrale, 86000 Poitiers")
    _save(qtbot, view)
    assert "Adresse" not in _banner_text(view)
    assert "SIRET" in _banner_text(view)

    for name, text in COMPLETE.items():
        _type(qtbot, view, name, text)
    _save(qtbot, view)
    assert not banner.isVisible()


def test_refused_fields_keep_their_text_and_say_why_in_french(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _view(window)
    _type(qtbot, view, "siret", "12345678901234")
    _type(qtbot, view, "declaration_activite", "1234")
    _type(qtbot, view, "directeur", "Hélène Garnier")
    _save(qtbot, view)

    siret_error = _field(view, "siretError")
    assert siret_error.isVisible()
    assert siret_error.text().startswith("SIRET invalide")  # type: ignore[attr-defined]
    assert "11 chiffres" in _field(view, "declaration_activiteError").text()  # type: ignore[attr-defined]
    assert _field(view, "siret").text() == "12345678901234"  # type: ignore[attr-defined]
    assert _field(view, "directeur").text() == "Hélène Garnier"  # type: ignore[attr-defined]
    assert _field(view, "siret").hasFocus()
    with window.context.database.session() as session:
        assert organisation_service.get_organisation(session).directeur == ""


def test_logo_chooser_fills_the_field_and_shows_a_preview(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logo = tmp_path / "logo.png"
    image = QPixmap(300, 120)
    image.fill(QColor("#1f6f8b"))
    assert image.save(str(logo), "PNG")
    asked: list[str] = []

    def choose(_parent: QWidget, start: str) -> str:
        asked.append(start)
        return str(logo)

    monkeypatch.setattr(settings_module, "choose_logo_file", choose)
    view = _view(window)
    preview = view.findChild(QLabel, "logoPreview")
    assert preview.text() == "Aucun logo"

    qtbot.mouseClick(view.findChild(QPushButton, "chooseLogoButton"), Qt.MouseButton.LeftButton)

    assert asked == [""]
    assert _field(view, "logo").text() == str(logo)  # type: ignore[attr-defined]
    assert not preview.pixmap().isNull()
    assert preview.pixmap().width() <= preview.width()
    _save(qtbot, view)
    with window.context.database.session() as session:
        assert organisation_service.get_organisation(session).logo == str(logo)

    _type(qtbot, view, "logo", str(tmp_path / "absent.png"))
    assert preview.text() == "Image illisible"
    _save(qtbot, view)
    assert "introuvable" in _field(view, "logoError").text()  # type: ignore[attr-defined]


def test_a_logo_too_large_is_not_previewed_and_is_refused_under_its_field(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    logo = tmp_path / "immense.png"
    image = QImage(5000, 10, QImage.Format.Format_Mono)
    image.fill(0)
    assert image.save(str(logo), "PNG")
    view = _view(window)
    preview = view.findChild(QLabel, "logoPreview")

    _type(qtbot, view, "logo", str(logo))
    assert preview.text() == "Image trop grande"
    assert preview.pixmap().isNull()
    _save(qtbot, view)

    error = _field(view, "logoError").text()  # type: ignore[attr-defined]
    assert error.startswith("Le logo mesure 5\u00a0000 × 10 pixels")
    with window.context.database.session() as session:
        assert organisation_service.get_organisation(session).logo == ""


def test_leaving_with_unsaved_settings_asks_first(qtbot: QtBot, window: MainWindow) -> None:
    view = _view(window)
    _type(qtbot, view, "assureur", "MAIF")

    answer_next_dialog(qtbot, _button("Annuler"))
    assert view.confirm_leave() is False
    assert _field(view, "assureur").text() == "MAIF"  # type: ignore[attr-defined]

    answer_next_dialog(qtbot, _button("Annuler"))
    window.close()
    assert window.isVisible()

    answer_next_dialog(qtbot, _button("Ignorer"))
    assert view.confirm_leave() is True
    assert _field(view, "assureur").text() == ""  # type: ignore[attr-defined]

    _type(qtbot, view, "assureur", "MAIF")
    answer_next_dialog(qtbot, _button("Enregistrer"))
    assert view.confirm_leave() is True
    with window.context.database.session() as session:
        assert organisation_service.get_organisation(session).assureur == "MAIF"


# ---------------------------------------------------------------- convocations and sites


def _site(view: QWidget, code: str = "cobalt") -> QWidget:
    form = view.findChild(QWidget, f"siteForm-{code}")
    assert form is not None, code
    return form


def _site_field(view: QWidget, name: str, code: str = "cobalt") -> QLineEdit:
    field = _site(view, code).findChild(QLineEdit, name)
    assert field is not None, name
    return field


def _type_in_site(qtbot: QtBot, view: QWidget, name: str, text: str) -> None:
    field = _site_field(view, name)
    field.setFocus()
    field.clear()
    type_text(qtbot, field, text)


def _save_site(qtbot: QtBot, view: QWidget, code: str = "cobalt") -> None:
    button = _site(view, code).findChild(QPushButton, "saveSiteButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _stored_site(window: MainWindow, code: str = "cobalt") -> SiteInput:
    contacts = settings_actions.site_contacts(window.context.database)
    return next(c.values for c in contacts if c.code == code)


def test_each_site_shows_its_address_and_saves_its_phone_and_e_mail(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _view(window)
    assert _site(view).title() == "Site : Cobalt (Poitiers)"
    assert _site(view, "du-guesclin").title() == "Site : Centre Du Guesclin (Niort)"
    assert _site_field(view, "adresse").text() == "5 rue Victor Hugo"
    assert _site_field(view, "code_postal").text() == "86000"
    assert _site_field(view, "telephone").accessibleName() == "Téléphone de l'accueil"

    _type_in_site(qtbot, view, "telephone", "0549123456")
    _type_in_site(qtbot, view, "email", "accueil.cobalt@exemple.fr")
    assert view.is_dirty()
    assert _site(view).findChild(QLabel, "siteDirty").isVisible()
    _save_site(qtbot, view)

    assert window.statusBar().currentMessage() == "Coordonnées du site Cobalt enregistrées."
    assert _site_field(view, "telephone").text() == "05 49 12 34 56"  # as the letters print it
    assert _stored_site(window) == SiteInput(
        "5 rue Victor Hugo", "86000", "05 49 12 34 56", "accueil.cobalt@exemple.fr"
    )
    assert not view.is_dirty()


def test_a_bad_phone_is_refused_under_its_field_until_it_is_fixed(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _view(window)
    _type_in_site(qtbot, view, "telephone", "05 49 12")
    _type_in_site(qtbot, view, "code_postal", "860")
    _save_site(qtbot, view)

    error = _site(view).findChild(QLabel, "telephoneError")
    assert error.isVisible()
    assert error.text() == "Ce numéro de téléphone n'existe pas (10 chiffres attendus)."
    postal_error = _site(view).findChild(QLabel, "code_postalError")
    assert postal_error.text() == "Le code postal a 5 chiffres."
    assert _site_field(view, "telephone").text() == "05 49 12"  # kept as typed
    assert _site_field(view, "code_postal").hasFocus()  # the first refused field
    assert _stored_site(window).telephone == ""

    _type_in_site(qtbot, view, "telephone", "05 49 12 34 56")
    _type_in_site(qtbot, view, "code_postal", "86000")
    _save_site(qtbot, view)
    assert not error.isVisible()
    assert _stored_site(window).telephone == "05 49 12 34 56"


def test_what_to_bring_is_typed_one_thing_a_line_and_saved(
    qtbot: QtBot, window: MainWindow
) -> None:
    view = _view(window)
    items = _field(view, "a_apporter")
    assert isinstance(items, QPlainTextEdit)
    assert "pièce d'identité" in items.placeholderText()  # what is printed while it is empty
    _type(qtbot, view, "a_apporter", "une pièce d'identité\nun stylo")
    _save(qtbot, view)
    with window.context.database.session() as session:
        assert organisation_service.get_organisation(session).a_apporter == (
            "une pièce d'identité\nun stylo"
        )
        assert organisation_service.convocation_items(session) == (
            "une pièce d'identité",
            "un stylo",
        )


def test_leaving_with_an_unsaved_site_asks_and_saves_it(qtbot: QtBot, window: MainWindow) -> None:
    view = _view(window)
    _type_in_site(qtbot, view, "email", "accueil@exemple.fr")
    answer_next_dialog(qtbot, _button("Enregistrer"))
    assert view.confirm_leave() is True
    assert _stored_site(window).email == "accueil@exemple.fr"
