"""Invisible characters and line breaks: refused in names and one-line values, with the
character named; multi-line texts keep their line breaks (issue 12, point 9)."""

import csv
import io
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from app.services.agreements import details, life_cycle
from app.services.candidates import csv_exchange as csv_io
from app.services.candidates import records as c
from app.services.candidates.import_preview import preview_import
from app.services.errors import ValidationError
from app.services.validation import FieldError, clean_line, clean_text, search_text
from app.storage import Database
from tests.conftest import TODAY, make_actor
from tests.unit.properties.worlds import (
    AGREEMENT_NOW,
    COORDINATION,
    NOW,
    Placement,
    agreement_input,
    candidate_input,
    placement_world,
)

INVISIBLE = [
    ("\u202e", "U+202E"),  # right-to-left override
    ("\u202a", "U+202A"),
    ("\u2066", "U+2066"),  # left-to-right isolate
    ("\u2069", "U+2069"),
    ("\u200e", "U+200E"),  # left-to-right mark
    ("\u200f", "U+200F"),
    ("\u061c", "U+061C"),  # Arabic letter mark
    ("\u200b", "U+200B"),  # zero-width space
    ("\u2060", "U+2060"),  # word joiner
    ("\ufeff", "U+FEFF"),  # byte-order mark
    ("\x00", "U+0000"),
    ("\x1b", "U+001B"),
    ("\x85", "U+0085"),  # C1 "next line"
]


def refusal(label: str, code: str) -> str:
    return (
        f"{label} contient un caractère invisible ou de contrôle refusé ({code}) : "
        "retaper le texte."
    )


def newline_refusal(label: str) -> str:
    return f"{label} contient un retour à la ligne : ce champ tient sur une seule ligne."


def candidate_errors(s: Session, **fields: str) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        c.create_candidate(
            s, candidate_input(**fields), actor=make_actor(COORDINATION, "accueil"), now=NOW
        )
    return raised.value.errors


@pytest.fixture
def s(db: Database) -> Session:
    with db.session(commit=False) as session:
        yield session  # type: ignore[misc]


# ---------------------------------------------------------------- the rule itself


@pytest.mark.parametrize(("character", "code"), INVISIBLE)
def test_every_invisible_or_control_character_is_named(character: str, code: str) -> None:
    for clean in (clean_text, clean_line):
        with pytest.raises(FieldError) as raised:
            clean(f"Ca{character}mille", 120, "Le prénom")
        assert str(raised.value) == refusal("Le prénom", code)


@pytest.mark.parametrize("line_break", ["\n", "\r", "\r\n", "\u2028", "\u2029"])
def test_line_breaks_refused_in_one_line_values_kept_in_texts(line_break: str) -> None:
    with pytest.raises(FieldError) as raised:
        clean_line(f"Jean{line_break}Pierre", 120, "Le prénom")
    assert str(raised.value) == newline_refusal("Le prénom")
    assert clean_text(f"Première ligne{line_break}seconde", 2000) == (
        f"Première ligne{line_break}seconde"
    )


def test_joiners_refused_in_names_kept_in_emoji_of_notes() -> None:
    emoji = "Atelier 👩🏽\u200d💻 réussi"
    assert clean_text(emoji, 2000, "Les notes") == emoji
    with pytest.raises(FieldError) as raised:
        clean_line("Ca\u200cmille", 120, "Le prénom")
    assert str(raised.value) == refusal("Le prénom", "U+200C")


def test_visible_text_of_every_script_is_kept() -> None:
    for text in ("Lefèvre-N'Diaye", "שלום", "مرحبا", "Ngô Bảo", "e\u0301", "Œuvre «x»"):
        assert clean_line(text, 120) == text


def test_search_drops_invisible_characters() -> None:
    assert search_text("Du\u200bpont\u202e") == "Dupont"


# ---------------------------------------------------------------- through the services


def test_candidate_name_with_a_direction_override_is_refused(s: Session) -> None:
    assert candidate_errors(s, nom="Dupont\u202eteg") == {"nom": refusal("Le nom", "U+202E")}


def test_candidate_one_line_fields_refuse_invisible_characters_and_line_breaks(
    s: Session,
) -> None:
    errors = candidate_errors(
        s,
        prenom="\ufeffCamille",
        nom_usage="Martin\nLefèvre",
        commune="Poi\u200btiers",
        telephone="06 12 34 56 78\u202e",
        email="camille\u200b@exemple.fr",
    )
    assert errors == {
        "prenom": refusal("Le prénom", "U+FEFF"),
        "nom_usage": newline_refusal("Le nom d'usage"),
        "commune": refusal("La commune", "U+200B"),
        "telephone": refusal("Le numéro de téléphone", "U+202E"),
        "email": refusal("L'adresse e-mail", "U+200B"),
    }


def test_candidate_notes_and_address_keep_their_lines_but_not_invisible_characters(
    s: Session,
) -> None:
    saved = c.create_candidate(
        s,
        candidate_input(adresse="3 allée des Pins\nRésidence Alpha", notes="Appel\nRappel"),
        actor=make_actor(COORDINATION, "accueil"),
        now=NOW,
    )
    values = c.get_candidate(s, saved.id, actor=make_actor(COORDINATION)).values
    assert (values.adresse, values.notes) == ("3 allée des Pins\nRésidence Alpha", "Appel\nRappel")
    assert candidate_errors(s, notes="Appel\n\u2067rappel") == {
        "notes": refusal("Les notes", "U+2067")
    }


def test_candidate_update_refuses_the_same_characters(s: Session) -> None:
    saved = c.create_candidate(
        s, candidate_input(), actor=make_actor(COORDINATION, "accueil"), now=NOW
    )
    data = replace(
        c.get_candidate(s, saved.id, actor=make_actor(COORDINATION)).values, prenom="Cam\u200dille"
    )
    with pytest.raises(ValidationError) as raised:
        c.update_candidate(
            s,
            saved.id,
            data,
            expected_version=saved.version,
            actor=make_actor(COORDINATION, "accueil"),
            now=NOW,
        )
    assert raised.value.errors == {"prenom": refusal("Le prénom", "U+200D")}


@pytest.fixture
def placement(db: Database) -> Placement:
    with db.session() as session:
        return placement_world(session)


def draft_errors(s: Session, world: Placement, **fields: str) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        life_cycle.create_draft(
            s,
            agreement_input(world, **fields),
            actor=make_actor(COORDINATION, "C"),
            now=AGREEMENT_NOW,
        )
    return raised.value.errors


def test_agreement_one_line_fields_refuse_line_breaks_and_invisible_characters(
    db: Database, placement: Placement
) -> None:
    with db.session(commit=False) as s:
        errors = draft_errors(
            s, placement, lieu="Atelier\nArrière-boutique", formateur_referent="Samir\u2066 H."
        )
    assert errors == {
        "lieu": newline_refusal("Le lieu"),
        "formateur_referent": refusal("Le formateur référent", "U+2066"),
    }


def test_agreement_activities_keep_their_lines_but_not_a_direction_override(
    db: Database, placement: Placement
) -> None:
    activities = "Accueil des usagers\nPetites réparations"
    with db.session(commit=False) as s:
        draft = life_cycle.create_draft(
            s,
            agreement_input(placement, activites=activities),
            actor=make_actor(COORDINATION, "C"),
            now=AGREEMENT_NOW,
        )
        assert details.get_agreement(s, draft.id).values.activites == activities
        errors = draft_errors(s, placement, activites="Accueil\n\u202esrengasu")
    assert errors == {"activites": refusal("Les activités", "U+202E")}


# ---------------------------------------------------------------- the CSV import


def test_csv_row_with_a_direction_override_is_refused_with_line_and_column(db: Database) -> None:
    def cells(**overrides: str) -> list[str]:
        data = candidate_input(**overrides)
        return [getattr(data, name) for name in csv_io.CANDIDATE_COLUMNS]

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(csv_io.CANDIDATE_COLUMNS)
    writer.writerow(cells(nom="Durand", email="a.durand@exemple.fr"))
    writer.writerow(cells(nom="Martin", prenom="Lé\u202ea", email="l.martin@exemple.fr"))
    with db.session(commit=False) as s:
        checked = preview_import(s, buffer.getvalue().encode("utf-8"), today=TODAY)
    assert [(p.line, p.column, p.message) for p in checked.problems] == [
        (3, "prenom", refusal("Le prénom", "U+202E"))
    ]
    assert len(checked.valid_rows) == 1
