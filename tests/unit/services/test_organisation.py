"""The training organisation's settings: get, save, validation, completeness, role."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import OrganisationSettings
from app.services.errors import UserFacingError, ValidationError
from app.services.settings import organisation as o
from app.storage import Database
from tests.conftest import make_actor

COORD = "coordination"


@pytest.fixture
def s(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


def _complete(**changes: str) -> o.OrganisationInput:
    values = {
        "nom": "La Fabrique du Numérique",
        "adresse": "3 place de la République, 46000 Cahors",
        "siret": "443 061 841 00047",
        "declaration_activite": "76 46 01234 46",
        "directeur": "Claire Morel",
        "fonction_directeur": "Directrice",
        "assureur": "MAIF",
        "numero_police": "4242424 B",
        "logo": "",
        "ville_signature": "Cahors",
    }
    values.update(changes)
    return o.OrganisationInput(**values)


def test_get_creates_the_single_row_with_default_name(s: Session) -> None:
    first = o.get_organisation(s)
    assert first == o.OrganisationInput(nom="La Fabrique du Numérique")
    o.get_organisation(s)
    assert s.scalar(select(func.count()).select_from(OrganisationSettings)) == 1


def test_default_name_only_when_creating(s: Session) -> None:
    o.save_organisation(s, _complete(nom="Numérique 46"), actor=make_actor(COORD))
    assert o.get_organisation(s).nom == "Numérique 46"


def test_save_normalises_and_reads_back(s: Session, db: Database) -> None:
    saved = o.save_organisation(s, _complete(nom="  Fabrique  "), actor=make_actor(COORD))
    assert saved.nom == "Fabrique"
    assert saved.siret == "44306184100047"
    assert saved.declaration_activite == "76460123446"
    s.commit()
    with db.session() as other:
        assert o.get_organisation(other) == saved
        assert other.scalar(select(func.count()).select_from(OrganisationSettings)) == 1


def test_every_error_at_once(s: Session, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        o.save_organisation(
            s,
            _complete(
                nom=" ",
                siret="44306184100048",
                declaration_activite="1234",
                logo=str(tmp_path / "absent.png"),
                numero_police="x" * 61,
            ),
            actor=make_actor(COORD),
        )
    assert caught.value.errors == {
        "nom": "Le nom de l'organisme est obligatoire.",
        "siret": "SIRET invalide : la clé de contrôle ne correspond pas, vérifier la saisie.",
        "declaration_activite": (
            "Le n° de déclaration d'activité comporte 11 chiffres (ex. 11 75 12345 75)."
        ),
        "logo": "Fichier du logo introuvable : vérifier le chemin.",
        "numero_police": "Le numéro de police dépasse 60 caractères.",
    }
    assert o.get_organisation(s).nom == "La Fabrique du Numérique"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("123", "Le SIRET doit comporter 14 chiffres (3 saisis)."),
        ("4430618410004A", "Le SIRET ne doit contenir que des chiffres."),
    ],
)
def test_siret_messages(s: Session, typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        o.save_organisation(s, _complete(siret=typed), actor=make_actor(COORD))
    assert caught.value.errors == {"siret": message}


def test_optional_fields_may_stay_empty(s: Session) -> None:
    saved = o.save_organisation(s, o.OrganisationInput(nom="Fabrique"), actor=make_actor(COORD))
    assert saved == o.OrganisationInput(nom="Fabrique")


def test_competent_court_is_saved_trimmed_and_optional(s: Session) -> None:
    saved = o.save_organisation(
        s, _complete(tribunal_competent="  tribunal judiciaire de Cahors "), actor=make_actor(COORD)
    )
    assert saved.tribunal_competent == "tribunal judiciaire de Cahors"
    row = s.scalars(select(OrganisationSettings)).one()
    assert row.competent_court == "tribunal judiciaire de Cahors"
    assert o.get_organisation(s).tribunal_competent == "tribunal judiciaire de Cahors"
    assert "Tribunal" not in " ".join(o.is_complete(s))  # the agreement has a default wording
    with pytest.raises(ValidationError) as caught:
        o.save_organisation(s, _complete(tribunal_competent="x" * 121), actor=make_actor(COORD))
    assert caught.value.errors == {
        "tribunal_competent": "Le tribunal compétent dépasse 120 caractères."
    }


def test_activity_declaration_letters_refused(s: Session) -> None:
    with pytest.raises(ValidationError) as caught:
        o.save_organisation(
            s, _complete(declaration_activite="7646O123446"), actor=make_actor(COORD)
        )
    assert set(caught.value.errors) == {"declaration_activite"}


@pytest.mark.parametrize(("name", "kind"), [("logo.png", "PNG"), ("logo.jpg", "JPEG")])
def test_logo_png_or_jpeg(s: Session, tmp_path: Path, name: str, kind: str) -> None:
    path = tmp_path / name
    Image.new("RGB", (240, 80), (31, 111, 139)).save(path, kind)
    assert o.save_organisation(s, _complete(logo=str(path)), actor=make_actor(COORD)).logo == str(
        path
    )


def test_logo_other_format_refused(s: Session, tmp_path: Path) -> None:
    fake = tmp_path / "logo.png"
    fake.write_text("GIF89a not a png")
    folder = tmp_path / "dossier"
    folder.mkdir()
    for path, message in (
        (fake, "Le logo doit être une image PNG ou JPEG."),
        (folder, "Fichier du logo introuvable : vérifier le chemin."),
    ):
        with pytest.raises(ValidationError) as caught:
            o.save_organisation(s, _complete(logo=str(path)), actor=make_actor(COORD))
        assert caught.value.errors == {"logo": message}


def test_is_complete_lists_missing_labels(s: Session) -> None:
    assert o.is_complete(s) == [
        "Adresse",
        "SIRET",
        "N° de déclaration d'activité",
        "Directeur",
        "Assureur",
        "N° de police d'assurance",
        "Ville de signature",
    ]
    o.save_organisation(s, _complete(assureur="", ville_signature=""), actor=make_actor(COORD))
    assert o.is_complete(s) == ["Assureur", "Ville de signature"]
    o.save_organisation(s, _complete(), actor=make_actor(COORD))
    assert o.is_complete(s) == []


@pytest.mark.parametrize("role", ["formateur", "accueil", ""])
def test_only_coordination_saves(s: Session, role: str) -> None:
    with pytest.raises(UserFacingError, match="Seule la coordination"):
        o.save_organisation(s, _complete(nom="Pirate"), actor=make_actor(role))
    with pytest.raises(o.PermissionDenied):
        o.save_organisation(s, _complete(nom="Pirate"), actor=make_actor(role))
    assert o.get_organisation(s).nom == "La Fabrique du Numérique"
