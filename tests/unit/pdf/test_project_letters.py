"""The letters of the call for projects, read back from the PDF: the acknowledgement (the
reference, the dates, what happens next, the points to check) and the decision letter
(retained, waiting list, not retained with its reason)."""

import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from app.pdf.project_data import NOT_RETAINED, RETAINED, WAITING_LIST, Addressee
from app.pdf.project_letters import render_acknowledgement, render_decision_letter
from tests.unit.pdf.appointments_world import assert_fonts_embedded, one_line, page_texts
from tests.unit.pdf.projects_world import LETTER, REASON, acknowledgement, decision


def _pdf(render: object, data: object) -> bytes:
    buffer = io.BytesIO()
    render(data, buffer)  # type: ignore[operator]
    return buffer.getvalue()


def _text(pdf: bytes) -> str:
    return one_line(" ".join(page_texts(pdf)))


def test_the_acknowledgement_names_the_project_its_dates_and_what_comes_next() -> None:
    pdf = _pdf(render_acknowledgement, acknowledgement())
    assert len(page_texts(pdf)) == 1
    text = _text(pdf)
    assert "Objet : accusé de réception de votre projet" in text
    assert "AAP-2026-003" in text
    assert "Site web de l'association Dynamob" in text
    assert "Déposé le 03/12/2026" in text
    assert "Clôture de l'appel 31/01/2027" in text
    assert "appel à projets 2026-2027" in text
    assert "Instruction" in text and "Sélection" in text
    assert "elle est attendue fin février 2027" in text
    assert "Points à vérifier" not in text  # an eligible project has none
    assert_fonts_embedded(pdf)


def test_the_letter_is_addressed_to_the_structures_contact_and_signed_by_coordination() -> None:
    text = _text(_pdf(render_acknowledgement, acknowledgement()))
    assert "Association Dynamob" in text
    assert "À l'attention de Samia Haddad, Présidente" in text
    assert "12 rue Carnot 86200 Loudun" in text
    assert "Poitiers, le 6 décembre 2026" in text
    assert "La Fabrique du Numérique" in text and "5 rue Victor Hugo, 86000 Poitiers" in text
    assert "Pour la coordination de La Fabrique du Numérique, Claire Vasseur" in text
    assert "Votre contact : Claire Vasseur, coordination" in text


def test_a_letter_without_contact_name_is_addressed_to_the_structure() -> None:
    letter = replace(LETTER, addressee=Addressee("Compagnie du Si", "", "", ()))
    text = _text(_pdf(render_acknowledgement, replace(acknowledgement(), letter=letter)))
    assert "Compagnie du Si" in text
    assert "À l'attention" not in text


def test_eligibility_warnings_print_as_points_to_check() -> None:
    points = (
        "20 salariés ou plus (effectif déclaré : 35)",
        "structure non identifiée : ni SIRET ni RNA dans l'annuaire",
    )
    text = _text(_pdf(render_acknowledgement, acknowledgement(points)))
    assert "Points à vérifier" in text
    assert "Ces points ne valent pas refus" in text
    for point in points:
        assert point in text


def test_typed_markup_prints_literally() -> None:
    letter = replace(LETTER, title="<b>Site</b> & co")
    text = _text(_pdf(render_acknowledgement, replace(acknowledgement(), letter=letter)))
    assert "<b>Site</b> & co" in text


def test_the_retained_letter_gives_the_next_steps() -> None:
    pdf = _pdf(render_decision_letter, decision(RETAINED))
    assert len(page_texts(pdf)) == 1
    text = _text(pdf)
    assert "Objet : votre projet « Site web de l'association Dynamob » — décision" in text
    assert "Décision Projet retenu" in text
    assert "Date de la décision 12/02/2027" in text
    assert "est retenu" in text
    assert "Les équipes" in text and "Le calendrier" in text and "Vos contenus" in text
    assert "Calendrier souhaité Mise en ligne avant l'assemblée générale de juin" in text
    assert "Votre contact : Claire Vasseur, coordination" in text
    assert_fonts_embedded(pdf)


def test_the_waiting_list_letter() -> None:
    text = _text(_pdf(render_decision_letter, decision(WAITING_LIST)))
    assert "Projet placé sur liste d'attente" in text
    assert "Nous vous écrirons dès qu'une place se libère" in text
    assert "Les équipes" not in text


def test_the_letter_of_a_project_not_retained_gives_the_reason() -> None:
    text = _text(_pdf(render_decision_letter, decision(NOT_RETAINED, REASON)))
    assert "Projet non retenu" in text
    assert "n'est pas retenu pour cette saison" in text
    assert f"Motif {REASON}" in text
    assert "lors d'un prochain appel à projets" in text


def test_a_project_not_retained_needs_its_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        render_decision_letter(decision(NOT_RETAINED, "  "), io.BytesIO())


def test_an_unknown_decision_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown decision"):
        render_decision_letter(decision("en_instruction"), io.BytesIO())


def test_the_document_properties_name_the_reference() -> None:
    meta = PdfReader(io.BytesIO(_pdf(render_decision_letter, decision(RETAINED)))).metadata
    assert meta is not None
    assert meta.title == "Décision — AAP-2026-003"
