"""The fiche projet, read back from the PDF: the need, the contact, the deliverable, the
constraints, the milestones' table, the teams and their learners."""

import io

from app.pdf.project_sheet import NO_MILESTONE, NO_TEAM, render_project_sheet
from tests.unit.pdf.appointments_world import assert_fonts_embedded, one_line, page_texts
from tests.unit.pdf.projects_world import sheet


def _pdf(**changes: object) -> bytes:
    buffer = io.BytesIO()
    render_project_sheet(sheet(**changes), buffer)
    return buffer.getvalue()


def _text(pdf: bytes) -> str:
    return one_line(" ".join(page_texts(pdf)))


def test_the_sheet_holds_what_the_team_needs() -> None:
    pdf = _pdf()
    text = _text(pdf)
    assert "Fiche projet" in text and "AAP-2026-003" in text
    assert "Site web de l'association Dynamob" in text
    assert "Association Dynamob — W861234567" in text
    assert "Saison 2026-2027" in text and "En réalisation" in text
    assert "Développeur web" in text
    assert "Les habitants appellent pour tout" in text
    assert "Les habitants sans voiture du Loudunais." in text
    for value in ("Samia Haddad", "Présidente", "05 49 98 12 34", "contact@dynamob.fr"):
        assert value in text
    assert "Disponibilités Mardi et jeudi après-midi" in text
    assert "Un site simple avec un formulaire" in text
    assert "Ce qui existe aujourd'hui Une page Facebook." in text
    assert "Textes, photos, logo." in text
    assert "Données personnelles Nom, téléphone et adresse des demandeurs." in text
    assert "Accessibilité Gros caractères, contrastes forts." in text
    assert "Un bénévole formé par l'équipe." in text
    assert "Acceptées par la structure" in text
    assert_fonts_embedded(pdf)


def test_the_milestones_print_as_a_table_in_date_order() -> None:
    text = _text(_pdf())
    assert "Jalon Échéance État Fait le" in text
    assert "Rencontre avec l'association 02/03/2027 Fait 02/03/2027" in text
    assert "Maquette validée 16/03/2027 En retard" in text
    assert text.index("Maquette validée") < text.index("Mise en ligne 10/04/2027 Prévu")
    assert NO_MILESTONE not in text


def test_the_teams_and_their_learners() -> None:
    text = _text(_pdf())
    assert "Saison 2026-2027 — Cobalt Équipe Dynamob Léa DUPONT Karim BENALI" in text
    assert NO_TEAM not in text


def test_a_project_not_yet_given_to_a_team_says_so() -> None:
    text = _text(_pdf(milestones=(), teams=(), state_label="Retenu"))
    assert NO_MILESTONE in text
    assert NO_TEAM in text


def test_empty_fields_print_as_not_given_and_an_unaccepted_licence_is_flagged() -> None:
    text = _text(_pdf(contact_phone="", existing="", licence_accepted=False, filieres=()))
    assert "Téléphone Non renseigné" in text
    assert "Ce qui existe aujourd'hui Non renseigné" in text
    assert "Non acceptées : à régler avec la coordination avant de commencer" in text
    assert "Filière(s) Non précisée" in text


def test_a_delivered_project_shows_its_delivery_date() -> None:
    assert "Livré le 15/05/2027" in _text(_pdf(delivered_on="15/05/2027"))


def test_typed_markup_prints_literally() -> None:
    assert "<i>besoin</i> & <b>" in _text(_pdf(need="<i>besoin</i> & <b>"))
