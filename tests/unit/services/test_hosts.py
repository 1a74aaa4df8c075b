"""Host directory: validation messages, legal forms (and the former codes), duplicates,
search, tutors, roles."""

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.fr import siret as stdnum_siret

from app.domain import Host
from app.services.errors import NotFoundError, UserFacingError, ValidationError
from app.services.hosts import directory as h
from app.storage import Database
from tests.conftest import make_actor

COORD = "coordination"
SIRET_A = "73282932000074"
SIRET_B = "55208131766522"
SIRET_C = "44306184100047"
RNA = "W751234567"


@pytest.fixture
def s(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session


def _company(**changes: str) -> h.HostInput:
    values = {
        "nom": "Coopérative Numérique du Lot",
        "forme_juridique": "sarl",
        "identifiant": SIRET_A,
        "code_naf": "6201Z",
        "effectif": "10 à 19",
        "adresse": "12 rue de la Paix",
        "code_postal": "46000",
        "commune": "Cahors",
        "representant": "Hélène Durand",
        "fonction_representant": "Gérante",
        "telephone": "05 65 12 34 56",
        "email": "contact@coop-lot.fr",
        "assureur": "MAIF",
        "numero_police": "POL-123",
    }
    values.update(changes)
    return h.HostInput(**values)


def _errors(s: Session, data: h.HostInput) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        h.create_host(s, data, actor=make_actor(COORD))
    return caught.value.errors


def test_sample_sirets_are_valid() -> None:
    for number in (SIRET_A, SIRET_B, SIRET_C):
        assert stdnum_siret.is_valid(number)


# ---------------------------------------------------------------- create and normalise


def test_create_host_normalises_fields(s: Session) -> None:
    info = h.create_host(s, _company(identifiant="732 829 320 00074"), actor=make_actor(COORD))
    assert info.name == "Coopérative Numérique du Lot"
    assert info.legal_form == "sarl"
    assert info.legal_form_label == "SARL"
    assert info.siret == SIRET_A
    assert info.rna == ""
    assert info.naf_code == "62.01Z"
    assert info.headcount_band == "10 à 19"
    assert info.headcount_label == "10 à 19 salariés"
    assert info.phone == "05 65 12 34 56"
    assert info.is_public is False
    assert info.tutors == ()
    stored = s.get(Host, info.id)
    assert stored is not None
    assert stored.phone == "+33565123456"
    assert "cooperative numerique du lot" in stored.search_text


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("SARL", "sarl"),
        ("ASSOCIATION", "association"),
        ("Association loi 1901", "association"),
        ("sasu", "sas"),
        ("SAS / SASU", "sas"),
        ("SA", "sa"),
        ("scic", "scop"),
        ("micro-entreprise", "ei"),
        ("EURL", "eurl"),
        ("Collectivité territoriale", "collectivite"),
        ("mairie", "collectivite"),
        ("établissement public", "etablissement_public"),
        ("autre", "autre"),
    ],
)
def test_legal_form_accepts_codes_labels_and_aliases(s: Session, typed: str, code: str) -> None:
    identifier = "" if code in ("collectivite", "etablissement_public", "autre") else SIRET_A
    info = h.create_host(
        s, _company(forme_juridique=typed, identifiant=identifier), actor=make_actor(COORD)
    )
    assert info.legal_form == code
    assert info.legal_form_label == h.LEGAL_FORMS[code]
    assert info.is_public is (code in ("collectivite", "etablissement_public"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "entreprise",
            "Préciser la forme juridique : SARL, SAS / SASU, SA, EURL, SCOP / SCIC, "
            "EI / micro-entreprise…",
        ),
        (
            "Société",
            "Préciser la forme juridique : SARL, SAS / SASU, SA, EURL, SCOP / SCIC, "
            "EI / micro-entreprise…",
        ),
        (
            "Organisme public",
            "Préciser la forme juridique : « Collectivité territoriale » ou "
            "« Établissement public ».",
        ),
    ],
)
def test_former_vague_forms_are_refused_for_a_new_host(
    s: Session, typed: str, message: str
) -> None:
    assert _errors(s, _company(forme_juridique=typed)) == {"forme_juridique": message}


def test_a_host_with_a_former_code_stays_readable_and_editable(s: Session) -> None:
    old = Host(name="Garage Martin", legal_form="entreprise", siret=SIRET_A, headcount_band="1 à 9")
    public = Host(name="Mairie de Lauzerte", legal_form="public")
    s.add_all([old, public])
    s.flush()
    info = h.get_host(s, old.id)
    assert info.legal_form_label == "Entreprise (forme à préciser)"
    assert info.headcount_label == "1 à 9 salariés"
    assert h.get_host(s, public.id).legal_form_label == "Organisme public"
    assert h.get_host(s, public.id).is_public is True
    assert [r.legal_form_label for r in h.search_hosts(s)] == [
        "Entreprise (forme à préciser)",
        "Organisme public",
    ]
    # Saved again with its former code (another field changed): kept as it is.
    data = replace(h.host_input(info), commune="Moissac")
    kept = h.update_host(s, old.id, data, actor=make_actor(COORD))
    assert (kept.legal_form, kept.city) == ("entreprise", "Moissac")
    # The coordinator picks the precise form; going back to the vague one is refused.
    precise = h.update_host(
        s, old.id, replace(data, forme_juridique="eurl"), actor=make_actor(COORD)
    )
    assert precise.legal_form_label == "EURL"
    with pytest.raises(ValidationError) as caught:
        h.update_host(
            s, old.id, replace(data, forme_juridique="entreprise"), actor=make_actor(COORD)
        )
    assert set(caught.value.errors) == {"forme_juridique"}


@pytest.mark.parametrize(
    ("band", "label"),
    [
        ("0 salarié", "aucun salarié"),
        ("1 à 9", "1 à 9 salariés"),
        ("10 à 19", "10 à 19 salariés"),
        ("250 et plus", "250 salariés et plus"),
        ("", ""),
    ],
)
def test_headcount_printed_with_its_unit(band: str, label: str) -> None:
    assert h.headcount_label(band) == label
    assert not band or band in h.HEADCOUNT_BANDS


@pytest.mark.parametrize(
    ("typed", "band"),
    [
        ("0 salarié", "0 salarié"),
        ("aucun", "0 salarié"),
        ("1-9", "1 à 9"),
        ("12", "10 à 19"),
        ("50 a 249", "50 à 249"),
        ("250+", "250 et plus"),
        ("1200 salariés", "250 et plus"),
    ],
)
def test_headcount_band_forms(s: Session, typed: str, band: str) -> None:
    assert (
        h.create_host(s, _company(effectif=typed), actor=make_actor(COORD)).headcount_band == band
    )


@pytest.mark.parametrize("typed", ["62.01Z", "6201Z", "62.01z", " 62 01 Z "])
def test_naf_code_stored_with_dot(s: Session, typed: str) -> None:
    assert h.create_host(s, _company(code_naf=typed), actor=make_actor(COORD)).naf_code == "62.01Z"


# ---------------------------------------------------------------- validation messages


def test_every_error_is_reported_at_once(s: Session) -> None:
    errors = _errors(
        s,
        h.HostInput(
            nom="",
            forme_juridique="coopérative agricole",
            identifiant="123",
            code_naf="620Z",
            effectif="beaucoup",
            code_postal="460",
            telephone="12",
            email="pas-un-mail",
        ),
    )
    assert errors == {
        "nom": "Le nom de la structure est obligatoire.",
        "forme_juridique": (
            "Forme juridique inconnue : choisir parmi « Association loi 1901 », « SARL », "
            "« SAS / SASU », « SA », « SCOP / SCIC », « EI / micro-entreprise », « EURL », "
            "« Collectivité territoriale », « Établissement public », « Autre »."
        ),
        "identifiant": "Le SIRET doit comporter 14 chiffres (3 saisis).",
        "code_naf": "Code NAF attendu : 4 chiffres et une lettre (ex. 62.01Z).",
        "effectif": (
            "Tranche d'effectif : choisir parmi « 0 salarié », « 1 à 9 », « 10 à 19 », "
            "« 20 à 49 », « 50 à 249 », « 250 et plus »."
        ),
        "code_postal": "Le code postal a 5 chiffres.",
        "telephone": "Ce numéro de téléphone n'existe pas (10 chiffres attendus).",
        "email": "Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).",
    }
    assert s.scalars(select(Host)).first() is None


def test_missing_legal_form(s: Session) -> None:
    assert _errors(s, _company(forme_juridique=""))["forme_juridique"] == (
        "Indiquer la forme juridique."
    )


def test_siret_with_bad_luhn_key(s: Session) -> None:
    assert _errors(s, _company(identifiant="73282932000075")) == {
        "identifiant": "SIRET invalide : la clé de contrôle ne correspond pas, vérifier la saisie."
    }


def test_identifier_neither_siret_nor_rna(s: Session) -> None:
    assert _errors(s, _company(identifiant="ABC12345678901")) == {
        "identifiant": "SIRET à 14 chiffres ou numéro RNA (W suivi de 9 chiffres) attendu."
    }


def test_rna_format(s: Session) -> None:
    errors = _errors(s, _company(forme_juridique="association", identifiant="W12345"))
    assert errors == {"identifiant": "Numéro RNA attendu : W suivi de 9 chiffres (ex. W751234567)."}


def test_association_with_rna(s: Session) -> None:
    info = h.create_host(
        s,
        _company(nom="Les Amis du Code", forme_juridique="Association", identifiant="w751234567"),
        actor=make_actor(COORD),
    )
    assert (info.rna, info.siret) == (RNA, "")


def test_association_with_siret(s: Session) -> None:
    info = h.create_host(s, _company(forme_juridique="association"), actor=make_actor(COORD))
    assert (info.siret, info.rna) == (SIRET_A, "")


def test_rna_refused_for_a_company(s: Session) -> None:
    assert _errors(s, _company(identifiant=RNA)) == {
        "identifiant": (
            "Le numéro RNA est réservé aux associations : indiquer le SIRET (14 chiffres)."
        )
    }


def test_missing_identifier_for_an_association(s: Session) -> None:
    assert _errors(s, _company(forme_juridique="association", identifiant="")) == {
        "identifiant": (
            "Indiquer le SIRET ou le numéro RNA (W suivi de 9 chiffres) de l'association."
        )
    }


def test_missing_identifier_for_a_company(s: Session) -> None:
    assert _errors(s, _company(identifiant="")) == {
        "identifiant": "Indiquer le SIRET de l'entreprise (14 chiffres)."
    }


def test_public_host_without_identifier_is_accepted(s: Session) -> None:
    info = h.create_host(
        s,
        _company(nom="Mairie de Figeac", forme_juridique="collectivite", identifiant=""),
        actor=make_actor(COORD),
    )
    assert info.is_public is True
    assert (info.siret, info.rna) == ("", "")


def test_other_host_without_identifier_is_accepted(s: Session) -> None:
    info = h.create_host(
        s, _company(forme_juridique="autre", identifiant=""), actor=make_actor(COORD)
    )
    assert info.legal_form_label == "Autre"


def test_control_characters_and_length(s: Session) -> None:
    errors = _errors(s, _company(nom="A\x00B", numero_police="9" * 61))
    assert errors == {
        "nom": "Le nom contient un caractère invisible ou de contrôle refusé (U+0000) : "
        "retaper le texte.",
        "numero_police": "Le numéro de police dépasse 60 caractères.",
    }


# ---------------------------------------------------------------- duplicates


def test_duplicate_siret_refused_naming_the_existing_host(s: Session) -> None:
    h.create_host(s, _company(), actor=make_actor(COORD))
    errors = _errors(s, _company(nom="Autre nom", identifiant="73282932000074"))
    assert errors == {
        "identifiant": (
            "Ce SIRET est déjà celui de « Coopérative Numérique du Lot » (Cahors) dans "
            "l'annuaire : ouvrir cette structure plutôt que d'en créer une nouvelle."
        )
    }


def test_duplicate_rna_refused(s: Session) -> None:
    h.create_host(
        s,
        _company(nom="Les Amis", forme_juridique="association", identifiant=RNA),
        actor=make_actor(COORD),
    )
    errors = _errors(s, _company(nom="Bis", forme_juridique="association", identifiant=RNA))
    assert errors["identifiant"].startswith("Ce numéro RNA est déjà celui de « Les Amis »")


def test_update_keeps_own_identifier_but_refuses_another_hosts(s: Session) -> None:
    first = h.create_host(s, _company(), actor=make_actor(COORD))
    second = h.create_host(
        s, _company(nom="Deuxième", identifiant=SIRET_B), actor=make_actor(COORD)
    )
    h.update_host(s, first.id, h.host_input(first), actor=make_actor(COORD))  # same SIRET: fine
    with pytest.raises(ValidationError) as caught:
        h.update_host(
            s, second.id, _company(nom="Deuxième", identifiant=SIRET_A), actor=make_actor(COORD)
        )
    assert "Coopérative Numérique du Lot" in caught.value.errors["identifiant"]


# ---------------------------------------------------------------- update and tutors


def test_update_keeps_tutors_and_refreshes_search(s: Session) -> None:
    host = h.create_host(s, _company(), actor=make_actor(COORD))
    h.add_tutor(
        s, host.id, h.TutorInput(nom="Zoé Martin", fonction="Développeuse"), actor=make_actor(COORD)
    )
    h.add_tutor(s, host.id, h.TutorInput(nom="Élodie Blanc"), actor=make_actor(COORD))
    data = h.host_input(h.get_host(s, host.id))
    data.nom = "Coop du Quercy"
    data.commune = "Figeac"
    updated = h.update_host(s, host.id, data, actor=make_actor(COORD))
    assert updated.name == "Coop du Quercy"
    assert [t.name for t in updated.tutors] == ["Élodie Blanc", "Zoé Martin"]
    assert [r.name for r in h.search_hosts(s, "figeac")] == ["Coop du Quercy"]
    assert h.search_hosts(s, "cahors") == []


def test_host_input_round_trips(s: Session) -> None:
    info = h.create_host(s, _company(), actor=make_actor(COORD))
    again = h.update_host(s, info.id, h.host_input(info), actor=make_actor(COORD))
    assert again == info


def test_tutors_listed_with_formatted_phone(s: Session) -> None:
    host = h.create_host(s, _company(), actor=make_actor(COORD))
    tutor = h.add_tutor(
        s,
        host.id,
        h.TutorInput(
            nom="Karim Benali", fonction="Chef de projet", telephone="0612345678", email="k@b.fr"
        ),
        actor=make_actor(COORD),
    )
    assert tutor == h.TutorInfo(
        id=tutor.id,
        host_id=host.id,
        name="Karim Benali",
        function="Chef de projet",
        phone="06 12 34 56 78",
        email="k@b.fr",
    )
    assert h.get_host(s, host.id).tutors == (tutor,)
    assert h.search_hosts(s)[0].tutor_count == 1


def test_tutor_validation(s: Session) -> None:
    host = h.create_host(s, _company(), actor=make_actor(COORD))
    with pytest.raises(ValidationError) as caught:
        h.add_tutor(
            s, host.id, h.TutorInput(nom=" ", telephone="abc", email="x@"), actor=make_actor(COORD)
        )
    assert caught.value.errors == {
        "nom": "Le nom du tuteur est obligatoire.",
        "telephone": "Numéro de téléphone illisible.",
        "email": "Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).",
    }


def test_update_tutor(s: Session) -> None:
    host = h.create_host(s, _company(), actor=make_actor(COORD))
    tutor = h.add_tutor(s, host.id, h.TutorInput(nom="Karim Benali"), actor=make_actor(COORD))
    changed = h.update_tutor(
        s,
        tutor.id,
        h.TutorInput(nom="Karim Benali-Roux", fonction="Directeur"),
        actor=make_actor(COORD),
    )
    assert (changed.name, changed.function) == ("Karim Benali-Roux", "Directeur")
    assert h.tutor_input(changed).nom == "Karim Benali-Roux"
    assert [r.id for r in h.search_hosts(s, "roux")] == [host.id]


def test_unknown_ids(s: Session) -> None:
    with pytest.raises(NotFoundError, match="n'existe plus"):
        h.get_host(s, 999)
    with pytest.raises(NotFoundError, match="n'existe plus"):
        h.add_tutor(s, 999, h.TutorInput(nom="X"), actor=make_actor(COORD))
    with pytest.raises(NotFoundError, match="tuteur"):
        h.update_tutor(s, 999, h.TutorInput(nom="X"), actor=make_actor(COORD))


# ---------------------------------------------------------------- search


def _directory(s: Session) -> dict[str, int]:
    coop = h.create_host(s, _company(nom="Coopérative Élan"), actor=make_actor(COORD))
    h.add_tutor(s, coop.id, h.TutorInput(nom="Gaëlle Lefèvre"), actor=make_actor(COORD))
    asso = h.create_host(
        s,
        _company(
            nom="Les Amis du Code",
            forme_juridique="association",
            identifiant=RNA,
            commune="Saint-Céré",
            code_postal="46400",
        ),
        actor=make_actor(COORD),
    )
    mairie = h.create_host(
        s,
        _company(nom="Mairie d'Assier", forme_juridique="collectivite", identifiant=SIRET_B),
        actor=make_actor(COORD),
    )
    return {"coop": coop.id, "asso": asso.id, "mairie": mairie.id}


def test_search_ignores_accents_and_case(s: Session) -> None:
    ids = _directory(s)
    assert [r.id for r in h.search_hosts(s, "cooperative")] == [ids["coop"]]
    assert [r.id for r in h.search_hosts(s, "COOPÉRATIVE élan")] == [ids["coop"]]
    assert [r.id for r in h.search_hosts(s, "saint cere")] == [ids["asso"]]
    assert [r.id for r in h.search_hosts(s, "d'assier")] == [ids["mairie"]]


def test_search_by_identifier_and_tutor(s: Session) -> None:
    ids = _directory(s)
    assert [r.id for r in h.search_hosts(s, "w751234567")] == [ids["asso"]]
    assert [r.id for r in h.search_hosts(s, "552 081 317")] == [ids["mairie"]]
    assert [r.id for r in h.search_hosts(s, "lefevre")] == [ids["coop"]]
    assert h.search_hosts(s, "inconnu") == []


def test_search_rows_sorted_and_limited(s: Session) -> None:
    ids = _directory(s)
    rows = h.search_hosts(s)
    assert [r.name for r in rows] == ["Coopérative Élan", "Les Amis du Code", "Mairie d'Assier"]
    assert rows[0] == h.HostRow(
        id=ids["coop"],
        name="Coopérative Élan",
        city="Cahors",
        legal_form_label="SARL",
        identifier="732 829 320 00074",
        tutor_count=1,
    )
    assert rows[1].identifier == RNA
    assert rows[2].legal_form_label == "Collectivité territoriale"
    assert len(h.search_hosts(s, limit=2)) == 2


def test_search_treats_wildcards_literally(s: Session) -> None:
    _directory(s)
    assert h.search_hosts(s, "%") == []
    assert h.search_hosts(s, "_") == []


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("role", ["formateur", "accueil", ""])
def test_read_only_roles_are_refused(s: Session, role: str) -> None:
    host = h.create_host(s, _company(), actor=make_actor(COORD))
    tutor = h.add_tutor(s, host.id, h.TutorInput(nom="Karim"), actor=make_actor(COORD))
    message = "Seule la coordination peut modifier l'annuaire des structures d'accueil"
    with pytest.raises(h.PermissionDenied, match=message):
        h.create_host(s, _company(identifiant=SIRET_C), actor=make_actor(role))
    with pytest.raises(UserFacingError, match=message):
        h.update_host(s, host.id, _company(), actor=make_actor(role))
    with pytest.raises(UserFacingError, match=message):
        h.add_tutor(s, host.id, h.TutorInput(nom="X"), actor=make_actor(role))
    with pytest.raises(UserFacingError, match=message):
        h.update_tutor(s, tutor.id, h.TutorInput(nom="X"), actor=make_actor(role))
    # Reading stays open to every role.
    assert h.get_host(s, host.id).name == "Coopérative Numérique du Lot"
    assert len(h.search_hosts(s)) == 1
