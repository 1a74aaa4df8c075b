"""Sites' contact details (Paramètres › Sites) and the organisation's "À apporter" list."""

import json

import pytest
from sqlalchemy import select

from app.domain import AuditEntry, Site
from app.services.errors import PermissionDenied, ValidationError
from app.services.journal import audit_log as audit
from app.services.settings import actions as settings
from app.services.settings.organisation import DEFAULT_CONVOCATION_ITEMS, convocation_items
from app.services.settings.sites import SiteInput
from app.storage import Database
from tests.conftest import make_actor

COORDINATION = make_actor("coordination", "claire")
DESK = make_actor("accueil", "nadia")


def _cobalt(db: Database) -> int:
    return next(c.id for c in settings.site_contacts(db) if c.code == "cobalt")


def _stored(db: Database, site_id: int) -> tuple[str, str, str, str]:
    with db.session(commit=False) as session:
        site = session.get_one(Site, site_id)
        return site.address, site.postal_code, site.phone, site.email


def test_every_site_is_listed_with_its_known_address(db: Database) -> None:
    contacts = settings.site_contacts(db)
    assert [(c.code, c.title) for c in contacts] == [
        ("cobalt", "Cobalt (Poitiers)"),
        ("du-guesclin", "Centre Du Guesclin (Niort)"),
    ]
    assert contacts[0].values == SiteInput("5 rue Victor Hugo", "86000", "", "")


def test_saved_details_are_normalised_and_read_back(db: Database) -> None:
    cobalt = _cobalt(db)
    data = SiteInput(" 5 rue Victor Hugo ", "86 000", "+33 5 49 12 34 56", " accueil@exemple.fr ")
    saved = settings.save_site(db, cobalt, data, actor=COORDINATION)

    assert saved.values == SiteInput(
        "5 rue Victor Hugo", "86000", "05 49 12 34 56", "accueil@exemple.fr"
    )
    assert _stored(db, cobalt) == (
        "5 rue Victor Hugo",
        "86000",
        "+33549123456",
        "accueil@exemple.fr",
    )


def test_every_bad_field_is_refused_in_french_and_nothing_is_saved(db: Database) -> None:
    cobalt = _cobalt(db)
    before = _stored(db, cobalt)
    data = SiteInput("5 rue\nVictor Hugo", "8600", "05 49 12", "accueil@exemple")
    with pytest.raises(ValidationError) as refused:
        settings.save_site(db, cobalt, data, actor=COORDINATION)
    assert refused.value.errors == {
        "adresse": "L'adresse contient un retour à la ligne : ce champ tient sur une seule ligne.",
        "code_postal": "Le code postal a 5 chiffres.",
        "telephone": "Ce numéro de téléphone n'existe pas (10 chiffres attendus).",
        "email": "Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).",
    }
    assert _stored(db, cobalt) == before


def test_empty_fields_clear_the_details(db: Database) -> None:
    cobalt = _cobalt(db)
    settings.save_site(db, cobalt, SiteInput("", "", "", ""), actor=COORDINATION)
    assert _stored(db, cobalt) == ("", "", "", "")


def test_only_coordination_edits_a_site(db: Database) -> None:
    cobalt = _cobalt(db)
    with pytest.raises(PermissionDenied, match="Seule la coordination"):
        settings.save_site(db, cobalt, SiteInput(telephone="05 49 12 34 56"), actor=DESK)
    assert _stored(db, cobalt)[2] == ""


def test_a_change_is_journaled_with_before_and_after(db: Database) -> None:
    cobalt = _cobalt(db)
    data = SiteInput("5 rue Victor Hugo", "86000", "05 49 12 34 56", "")
    settings.save_site(db, cobalt, data, actor=COORDINATION)
    settings.save_site(db, cobalt, data, actor=COORDINATION)  # unchanged: no second entry

    with db.session(commit=False) as session:
        entries = [
            e
            for e in session.scalars(select(AuditEntry))
            if e.summary.startswith("Coordonnées du site")
        ]
        assert [(e.summary, e.author, e.action) for e in entries] == [
            ("Coordonnées du site Cobalt modifiées", "claire", "modification")
        ]
        assert json.loads(entries[0].changes or "{}") == {"Téléphone": [None, "05 49 12 34 56"]}


def test_what_to_bring_is_the_organisations_list_one_thing_a_line(db: Database) -> None:
    with db.session() as session:
        assert convocation_items(session) == DEFAULT_CONVOCATION_ITEMS
    form = settings.organisation_form(db).values
    form.a_apporter = "- une pièce d'identité\n\n• 2) un stylo\n  3. votre CV  \n"
    saved = settings.save_organisation(db, form, actor=COORDINATION).values
    assert saved.a_apporter == "- une pièce d'identité\n\n• 2) un stylo\n  3. votre CV"
    with db.session() as session:
        assert convocation_items(session) == ("une pièce d'identité", "2) un stylo", "votre CV")


def test_a_new_list_of_what_to_bring_is_journaled(db: Database) -> None:
    audit.attach(db, lambda: "claire")
    form = settings.organisation_form(db).values
    form.a_apporter = "un stylo"
    settings.save_organisation(db, form, actor=COORDINATION)
    with db.session(commit=False) as session:
        changes = [
            json.loads(e.changes or "{}")
            for e in session.scalars(select(AuditEntry))
            if e.entity_type == "organisation"
        ]
    assert [c["convocation_items"] for c in changes if "convocation_items" in c] == [
        ["", "un stylo"]
    ]
