"""Candidate files: validation, create / update, duplicates, search, sorting, stage changes."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Season, StageChange
from app.domain.values import ALLOWED_TRANSITIONS, STAGES
from app.services import reference
from app.services.candidates.records import (
    SORT_COLUMNS,
    CandidateInput,
    CandidateQuery,
    SavedCandidate,
    allowed_next_stages,
    change_stage,
    count,
    create_candidate,
    find_duplicates,
    get_candidate,
    rows,
    search_ids,
    stage_history,
    update_candidate,
    validate_candidate,
)
from app.services.errors import ConflictError, NotFoundError, ValidationError
from app.storage import Database
from tests.conftest import make_actor

NOW = datetime(2026, 11, 28, 10, 0)
TODAY = NOW.date()
SEASON = "2026-2027"
AT_LEAST_ONE_CONTACT = "Indiquer au moins un téléphone ou un e-mail."


def entry(**overrides: str) -> CandidateInput:
    values = {
        "nom": "Lefèvre",
        "prenom": "Camille",
        "saison": SEASON,
        "site": "cobalt",
        "telephone": "06 12 34 56 78",
        "email": "camille.lefevre@exemple.fr",
        "date_naissance": "15/03/1995",
        "code_postal": "86000",
        "commune": "Poitiers",
    }
    values.update(overrides)
    return CandidateInput(**values)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


def add(session: Session, now: datetime = NOW, **overrides: str) -> SavedCandidate:
    return create_candidate(
        session, entry(**overrides), now=now, actor=make_actor("coordination", "accueil")
    )


def errors_of(session: Session, **overrides: str) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        add(session, **overrides)
    return info.value.errors


def stored(session: Session, candidate_id: int) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    assert candidate is not None
    return candidate


def option_id(options: list[reference.Option], code: str) -> int:
    return next(o.id for o in options if o.code == code)


def row_counts(database: Database) -> tuple[int, int, int]:
    with database.session() as s:
        return (
            s.scalar(select(func.count()).select_from(Candidate)) or 0,
            s.scalar(select(func.count()).select_from(StageChange)) or 0,
            s.scalar(select(func.count()).select_from(Season)) or 0,
        )


# ---------------------------------------------------------------- creating a file


def test_a_complete_file_is_created(session: Session) -> None:
    saved = add(session, civilite="Mme", sexe="F", filiere_souhaitee="web", rsa="oui", qpv="non")

    assert saved.version == 1
    assert saved.display_name == "LEFÈVRE Camille"
    candidate = stored(session, saved.id)
    assert candidate.uuid == saved.uuid
    assert candidate.person_uuid
    assert candidate.last_name == "Lefèvre"
    assert candidate.phone == "+33612345678"
    assert candidate.email == "camille.lefevre@exemple.fr"
    assert candidate.postal_code == "86000"
    assert candidate.birth_date == date(1995, 3, 15)
    assert candidate.season.label == SEASON
    assert candidate.site.code == "cobalt"
    assert candidate.filiere is not None and candidate.filiere.code == "web"
    assert candidate.stage.code == "recue"
    assert (candidate.civility, candidate.sex) == ("Mme", "F")
    assert (candidate.rsa, candidate.qpv, candidate.neet) == (True, False, None)
    assert candidate.application_date == TODAY
    assert candidate.stage_changed_at == NOW
    assert candidate.last_action_at == NOW


def test_values_are_trimmed(session: Session) -> None:
    saved = add(session, nom="  Lefèvre ", prenom=" Camille", email=" c.l@exemple.fr ")
    candidate = stored(session, saved.id)
    assert (candidate.last_name, candidate.first_name) == ("Lefèvre", "Camille")
    assert candidate.email == "c.l@exemple.fr"


def test_a_given_identifier_becomes_the_uuid(session: Session) -> None:
    saved = add(session, identifiant="3f1c2a7e-0000-4000-8000-000000000001")
    assert saved.uuid == "3f1c2a7e-0000-4000-8000-000000000001"


def test_a_new_season_label_creates_the_season(session: Session) -> None:
    saved = add(session, saison="2030-2031")
    season = stored(session, saved.id).season
    assert season.label == "2030-2031"
    assert season.start_date == date(2030, 12, 1)


# ---------------------------------------------------------------- required fields


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("nom", "Le nom est obligatoire."),
        ("prenom", "Le prénom est obligatoire."),
        ("saison", "La saison est obligatoire."),
        ("site", "Site : champ obligatoire."),
    ],
)
@pytest.mark.parametrize("blank", ["", "   "])
def test_required_fields(session: Session, field: str, message: str, blank: str) -> None:
    assert errors_of(session, **{field: blank}) == {field: message}


def test_a_phone_or_an_email_is_required_and_both_fields_say_so(session: Session) -> None:
    errors = errors_of(session, telephone="", email=" ")
    assert errors == {"telephone": AT_LEAST_ONE_CONTACT, "email": AT_LEAST_ONE_CONTACT}


@pytest.mark.parametrize(
    "contact",
    [{"telephone": "", "email": "a@exemple.fr"}, {"telephone": "0612345678", "email": ""}],
)
def test_a_phone_or_an_email_is_enough(session: Session, contact: dict[str, str]) -> None:
    assert add(session, **contact).id


def test_an_invalid_phone_without_email_reports_the_phone_only(session: Session) -> None:
    errors = errors_of(session, telephone="0612", email="")
    assert set(errors) == {"telephone"}


# ---------------------------------------------------------------- e-mail, phone, postal code


@pytest.mark.parametrize(
    "email",
    [
        "camille@",
        "camille.exemple.fr",
        "camille lefevre@exemple.fr",
        "a@@exemple.fr",
        "x@y",
        "@a.fr",
    ],
)
def test_invalid_emails_are_refused(session: Session, email: str) -> None:
    errors = errors_of(session, email=email)
    assert errors == {"email": "Adresse e-mail invalide (exemple : prenom.nom@exemple.fr)."}


@pytest.mark.parametrize(
    "email", ["Camille.Lefevre+candidature@exemple.co.uk", "c@exemple.fr", "jean-luc.o'neil@a.org"]
)
def test_valid_emails_are_kept_as_typed(session: Session, email: str) -> None:
    assert stored(session, add(session, email=email).id).email == email


@pytest.mark.parametrize(
    "phone",
    [
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "0033612345678",
    ],
)
def test_phone_formats_are_stored_e164_and_shown_french(session: Session, phone: str) -> None:
    saved = add(session, telephone=phone)
    assert stored(session, saved.id).phone == "+33612345678"
    assert (
        get_candidate(session, saved.id, actor=make_actor("coordination")).values.telephone
        == "06 12 34 56 78"
    )
    assert rows(session, [saved.id], TODAY)[saved.id].phone == "06 12 34 56 78"


def test_a_landline_is_accepted(session: Session) -> None:
    saved = add(session, telephone="05 49 12 34 56")
    assert stored(session, saved.id).phone == "+33549123456"
    assert (
        get_candidate(session, saved.id, actor=make_actor("coordination")).values.telephone
        == "05 49 12 34 56"
    )


def test_an_overseas_number_written_internationally_is_accepted(session: Session) -> None:
    saved = add(session, telephone="+262 692 12 34 56")  # La Réunion
    assert stored(session, saved.id).phone == "+262692123456"
    assert search_ids(session, CandidateQuery(text="+262 692 12 34 56")) == [saved.id]


@pytest.mark.parametrize(
    ("phone", "e164"), [("06 92 12 34 56", "+262692123456"), ("06 90 12 34 56", "+590690123456")]
)
def test_an_overseas_number_written_nationally_is_accepted(
    session: Session, phone: str, e164: str
) -> None:
    saved = add(session, telephone=phone)
    assert stored(session, saved.id).phone == e164
    assert (
        get_candidate(session, saved.id, actor=make_actor("coordination")).values.telephone == phone
    )
    assert search_ids(session, CandidateQuery(text=phone.replace(" ", ""))) == [saved.id]


def test_a_foreign_phone_is_shown_in_international_form(session: Session) -> None:
    saved = add(session, telephone="+44 20 7946 0958")
    assert stored(session, saved.id).phone == "+442079460958"
    assert (
        get_candidate(session, saved.id, actor=make_actor("coordination")).values.telephone
        == "+44 20 7946 0958"
    )
    assert search_ids(session, CandidateQuery(text="+44 20 7946 0958")) == [saved.id]
    assert search_ids(session, CandidateQuery(text="0044 20 7946 0958")) == [saved.id]


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("12345", "Ce numéro de téléphone n'existe pas (10 chiffres attendus)."),
        ("0612", "Ce numéro de téléphone n'existe pas (10 chiffres attendus)."),
        ("06 12 34 56 7", "Ce numéro de téléphone n'existe pas (10 chiffres attendus)."),
        ("téléphone", "Numéro de téléphone illisible."),
    ],
)
def test_invalid_phones_are_refused(session: Session, phone: str, message: str) -> None:
    assert errors_of(session, telephone=phone) == {"telephone": message}


@pytest.mark.parametrize(("typed", "kept"), [("86000", "86000"), (" 79 000 ", "79000"), ("", None)])
def test_postal_codes_accepted(session: Session, typed: str, kept: str | None) -> None:
    assert stored(session, add(session, code_postal=typed).id).postal_code == kept


@pytest.mark.parametrize("code", ["8600", "860000", "86OOO", "2A004", "F-86000"])
def test_postal_codes_refused(session: Session, code: str) -> None:
    assert errors_of(session, code_postal=code) == {"code_postal": "Le code postal a 5 chiffres."}


# ---------------------------------------------------------------- birth date and age


@pytest.mark.parametrize(
    ("birth", "age"),
    [("28/11/2010", 16), ("29/11/1945", 80), ("15/03/1995", 31)],
)
def test_ages_accepted(session: Session, birth: str, age: int) -> None:
    saved = add(session, date_naissance=birth)
    assert rows(session, [saved.id], TODAY)[saved.id].age == age


@pytest.mark.parametrize(
    ("birth", "age"), [("29/11/2010", 15), ("28/11/1945", 81), ("01/01/2030", -4)]
)
def test_ages_refused(session: Session, birth: str, age: int) -> None:
    assert errors_of(session, date_naissance=birth) == {
        "date_naissance": f"L'âge doit être compris entre 16 et 80 ans (ici {age} ans)."
    }


def test_birth_date_is_optional(session: Session) -> None:
    saved = add(session, date_naissance="")
    assert rows(session, [saved.id], TODAY)[saved.id].age is None


@pytest.mark.parametrize("birth", ["31/02/2000", "29/02/2001", "00/01/2000", "12/13/2000"])
def test_impossible_dates_are_refused(session: Session, birth: str) -> None:
    assert errors_of(session, date_naissance=birth) == {
        "date_naissance": "Cette date n'existe pas."
    }


@pytest.mark.parametrize("birth", ["2000/02/15", "15/02/00", "quinze mars", "15-02", "15 03 1995"])
def test_badly_written_dates_are_refused(session: Session, birth: str) -> None:
    assert errors_of(session, date_naissance=birth) == {
        "date_naissance": "Date attendue au format JJ/MM/AAAA."
    }


@pytest.mark.parametrize("birth", ["15.03.1995", "15-03-1995", "1995-03-15", "15/3/1995"])
def test_other_date_writings_are_accepted(session: Session, birth: str) -> None:
    saved = add(session, date_naissance=birth)
    assert stored(session, saved.id).birth_date == date(1995, 3, 15)


# ---------------------------------------------------------------- other fields


@pytest.mark.parametrize(
    ("field", "typed", "attribute", "value"),
    [
        ("civilite", "Madame", "civility", "Mme"),
        ("civilite", "m.", "civility", "M."),
        ("sexe", "femme", "sex", "F"),
        ("sexe", "Autre", "sex", "autre"),
        ("niveau_diplome", "aucun", "diploma_level", 0),
        ("niveau_diplome", "Aucun diplôme", "diploma_level", 0),
        ("niveau_diplome", "niveau 4", "diploma_level", 4),
        ("niveau_diplome", "8", "diploma_level", 8),
        ("demandeur_emploi", "Oui", "job_seeker", True),
        ("demandeur_emploi", "non", "job_seeker", False),
        ("date_candidature", "01/10/2026", "application_date", date(2026, 10, 1)),
    ],
)
def test_choices_and_flags(
    session: Session, field: str, typed: str, attribute: str, value: object
) -> None:
    saved = add(session, **{field: typed})
    assert getattr(stored(session, saved.id), attribute) == value


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("site", "paris"),
        ("filiere_souhaitee", "cuisine"),
        ("prescripteur", "voisin"),
        ("civilite", "Dr"),
        ("sexe", "X"),
        ("niveau_diplome", "9"),
        ("demandeur_emploi", "peut-être"),
        ("saison", "2026"),
        ("saison", "2026-2028"),
        ("etape", "promu"),
    ],
)
def test_unknown_choices_are_refused(session: Session, field: str, typed: str) -> None:
    errors = errors_of(session, **{field: typed})
    assert set(errors) == {field}
    assert errors[field]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("sexe", "X", "Sexe inconnu : choisir parmi « F », « M », « autre »."),
        ("civilite", "Dr", "Civilité inconnue : choisir parmi « Mme », « M. »."),
        ("site", "paris", "Site inconnu : « paris » (valeurs possibles : cobalt, du-guesclin)."),
    ],
)
def test_unknown_choice_messages(session: Session, field: str, typed: str, message: str) -> None:
    assert errors_of(session, **{field: typed}) == {field: message}


def test_unknown_filiere_message_is_feminine(session: Session) -> None:
    assert errors_of(session, filiere_souhaitee="cuisine")["filiere_souhaitee"].startswith(
        "Filière inconnue : « cuisine »"
    )


def test_too_long_and_invisible_characters_are_refused(session: Session) -> None:
    errors = errors_of(session, nom="x" * 121, prenom="Ca\x00mille")
    assert errors == {
        "nom": "Le nom dépasse 120 caractères.",
        "prenom": "Le prénom contient un caractère invisible ou de contrôle refusé (U+0000) : "
        "retaper le texte.",
    }


def test_all_errors_are_reported_at_once(session: Session) -> None:
    errors = errors_of(
        session,
        nom="",
        prenom="",
        saison="",
        site="",
        email="pas-une-adresse",
        telephone="12345",
        code_postal="860",
        date_naissance="31/02/2000",
        niveau_diplome="12",
    )
    assert set(errors) == {
        "nom",
        "prenom",
        "saison",
        "site",
        "email",
        "telephone",
        "code_postal",
        "date_naissance",
        "niveau_diplome",
    }


def test_the_error_summary_is_french(session: Session) -> None:
    with pytest.raises(ValidationError) as info:
        add(session, nom="", code_postal="1")
    assert str(info.value) == (
        "Le formulaire contient des erreurs : Le nom est obligatoire. ; "
        "Le code postal a 5 chiffres."
    )


def test_nothing_is_saved_when_invalid(db: Database) -> None:
    before = row_counts(db)
    with pytest.raises(ValidationError), db.session() as s:
        # A valid new season label (which validation creates) next to a refused field.
        add(s, saison="2031-2032", code_postal="1")
    assert row_counts(db) == before


def test_validate_candidate_checks_without_saving(db: Database) -> None:
    before = row_counts(db)
    with db.session() as s:
        validate_candidate(s, entry(saison="2031-2032"), today=TODAY)
        with pytest.raises(ValidationError) as info:
            validate_candidate(s, entry(nom=""), today=TODAY)
        assert set(info.value.errors) == {"nom"}
        s.rollback()
    assert row_counts(db) == before


# ---------------------------------------------------------------- updating a file


def test_update_with_a_stale_version_is_refused(db: Database) -> None:
    with db.session() as s:
        saved = add(s)
    with db.session() as s:
        update_candidate(
            s,
            saved.id,
            entry(prenom="Camilla"),
            expected_version=1,
            now=NOW + timedelta(hours=2),
            actor=make_actor("coordination", "marie"),
        )
    with pytest.raises(ConflictError) as info, db.session() as s:
        update_candidate(
            s,
            saved.id,
            entry(prenom="Camillo"),
            expected_version=1,
            actor=make_actor("coordination", "paul"),
        )
    assert str(info.value) == (
        "Ce dossier a été modifié par marie le 28/11/2026 à 12:00, depuis que vous l'avez "
        "ouvert. Vos modifications n'ont pas été enregistrées, pour ne pas effacer ce changement."
    )
    with db.session() as s:
        candidate = stored(s, saved.id)
        assert (candidate.first_name, candidate.version) == ("Camilla", 2)


def test_update_without_change_keeps_the_version(session: Session) -> None:
    saved = add(session, filiere_souhaitee="web", prescripteur="mission_locale", rsa="oui")
    shown = get_candidate(session, saved.id, actor=make_actor("coordination")).values

    again = update_candidate(
        session,
        saved.id,
        shown,
        expected_version=1,
        now=NOW + timedelta(days=1),
        actor=make_actor("coordination", "marie"),
    )

    assert again.version == 1
    candidate = stored(session, saved.id)
    assert candidate.last_action_at == NOW
    assert len(stage_history(session, saved.id)) == 1


def test_update_with_a_change_bumps_the_version_and_the_index(session: Session) -> None:
    saved = add(session)
    later = NOW + timedelta(days=1)

    again = update_candidate(
        session,
        saved.id,
        entry(nom="Garnier", email="camille.garnier@exemple.fr"),
        expected_version=1,
        now=later,
        actor=make_actor("coordination", "marie"),
    )

    assert again.version == 2
    assert again.display_name == "GARNIER Camille"
    assert stored(session, saved.id).last_action_at == later
    assert search_ids(session, CandidateQuery(text="garnier")) == [saved.id]
    assert search_ids(session, CandidateQuery(text="lefevre")) == []


def test_update_without_expected_version_skips_the_check(session: Session) -> None:
    saved = add(session)
    update_candidate(
        session,
        saved.id,
        entry(prenom="Léa"),
        expected_version=None,
        actor=make_actor("coordination", "x"),
    )
    assert stored(session, saved.id).version == 2


def test_update_keeps_the_application_date_when_left_empty(session: Session) -> None:
    saved = add(session, date_candidature="02/10/2026")
    update_candidate(
        session,
        saved.id,
        entry(prenom="Léa", date_candidature=""),
        expected_version=1,
        now=NOW + timedelta(days=30),
        actor=make_actor("coordination", "x"),
    )
    assert stored(session, saved.id).application_date == date(2026, 10, 2)


def test_an_invalid_update_changes_nothing(session: Session) -> None:
    saved = add(session)
    with pytest.raises(ValidationError) as info:
        update_candidate(
            session,
            saved.id,
            entry(nom="", email="x"),
            expected_version=1,
            actor=make_actor("coordination", "x"),
        )
    assert set(info.value.errors) == {"nom", "email"}
    candidate = stored(session, saved.id)
    assert (candidate.last_name, candidate.email, candidate.version) == (
        "Lefèvre",
        "camille.lefevre@exemple.fr",
        1,
    )


def test_updating_a_deleted_file_is_refused(session: Session) -> None:
    with pytest.raises(NotFoundError, match=r"^Ce dossier n'existe plus\.$"):
        update_candidate(
            session, 999, entry(), expected_version=None, actor=make_actor("coordination", "x")
        )
    with pytest.raises(NotFoundError):
        get_candidate(session, 999, actor=make_actor("coordination"))


def test_a_stage_named_by_an_update_is_logged(session: Session) -> None:
    saved = add(session)
    update_candidate(
        session,
        saved.id,
        entry(etape="contacté"),
        expected_version=1,
        now=NOW + timedelta(hours=1),
        actor=make_actor("coordination", "import"),
    )
    last = stage_history(session, saved.id)[-1]
    assert (last.from_label, last.to_label, last.author, last.comment) == (
        "candidature reçue",
        "contacté",
        "import",
        "Import",
    )
    assert stored(session, saved.id).version == 2


def test_get_candidate_gives_back_what_was_typed(session: Session) -> None:
    saved = add(
        session,
        nom_usage="Martin",
        civilite="Mme",
        filiere_souhaitee="web",
        niveau_diplome="aucun",
        neet="oui",
        date_candidature="01/10/2026",
    )
    file = get_candidate(session, saved.id, actor=make_actor("coordination"))
    values = file.values
    assert file.display_name == "LEFÈVRE (Martin) Camille"
    assert (values.nom, values.nom_usage, values.prenom) == ("Lefèvre", "Martin", "Camille")
    assert values.date_naissance == "15/03/1995"
    assert values.telephone == "06 12 34 56 78"
    assert (values.saison, values.site) == (SEASON, "cobalt")
    assert values.filiere_souhaitee == "Développement web"
    assert (values.niveau_diplome, values.neet, values.rsa) == ("aucun", "oui", "")
    assert values.date_candidature == "01/10/2026"
    assert (values.etape, file.stage_code) == ("candidature reçue", "recue")
    assert values.identifiant == saved.uuid


# ---------------------------------------------------------------- duplicates


def other_person(**overrides: str) -> CandidateInput:
    """Nothing in common with `entry()` unless overridden."""
    values = {
        "nom": "Durand",
        "prenom": "Paul",
        "telephone": "07 98 76 54 32",
        "email": "paul.durand@ailleurs.fr",
        "date_naissance": "02/02/1992",
    }
    values.update(overrides)
    return entry(**values)


def test_no_duplicate_for_another_person(session: Session) -> None:
    add(session)
    assert find_duplicates(session, other_person()) == []


def test_same_email_whatever_its_case(session: Session) -> None:
    saved = add(session, email="Camille.Lefevre@Exemple.fr")
    [match] = find_duplicates(session, other_person(email=" camille.lefevre@EXEMPLE.FR "))
    assert match.id == saved.id
    assert match.reasons == ("même e-mail",)


def test_same_phone_written_otherwise(session: Session) -> None:
    saved = add(session, telephone="06 12 34 56 78")
    [match] = find_duplicates(session, other_person(telephone="+33 6.12.34.56.78"))
    assert (match.id, match.reasons) == (saved.id, ("même téléphone",))


@pytest.mark.parametrize(
    ("stored_name", "typed_name"),
    [
        ("Le Goff", "legoff"),
        ("LEGOFF", "Le-Goff"),
        ("N'Diaye", "NDIAYE"),
        ("N’Diaye", "n diaye"),
        ("Lefèvre", "LEFEVRE"),
        ("Dupont-Moretti", "dupont moretti"),
    ],
)
def test_same_folded_name_and_birth_date(
    session: Session, stored_name: str, typed_name: str
) -> None:
    saved = add(session, nom=stored_name, date_naissance="01/02/1990")
    [match] = find_duplicates(
        session, other_person(nom=typed_name, prenom="Autre", date_naissance="1/2/1990")
    )
    assert match.id == saved.id
    assert match.reasons == ("même nom et même date de naissance",)


def test_usage_name_matches_birth_name_both_ways(session: Session) -> None:
    married = add(session, nom="Martin", nom_usage="Le Goff", date_naissance="01/02/1990")
    [match] = find_duplicates(session, other_person(nom="LEGOFF", date_naissance="01/02/1990"))
    assert match.id == married.id

    born = add(
        session,
        nom="Kerouac",
        telephone="07 81 00 00 01",
        email="k@exemple.fr",
        date_naissance="03/04/1985",
    )
    [match] = find_duplicates(
        session, other_person(nom="Dupuis", nom_usage="kerouac", date_naissance="03/04/1985")
    )
    assert match.id == born.id


def test_same_name_with_another_birth_date_is_not_a_duplicate(session: Session) -> None:
    add(session, nom="Le Goff", date_naissance="01/02/1990")
    assert find_duplicates(session, other_person(nom="Le Goff", date_naissance="02/02/1990")) == []
    assert find_duplicates(session, other_person(nom="Le Goff", date_naissance="")) == []


def test_a_duplicate_can_match_for_several_reasons(session: Session) -> None:
    saved = add(session)
    [match] = find_duplicates(session, entry())
    assert match.id == saved.id
    assert match.reasons == (
        "même e-mail",
        "même téléphone",
        "même nom et même date de naissance",
    )
    assert match.display_name == "LEFÈVRE Camille"
    assert match.birth_date == "15/03/1995"
    assert (match.season, match.site, match.stage) == (SEASON, "Cobalt", "candidature reçue")


def test_the_file_being_edited_is_excluded(session: Session) -> None:
    saved = add(session)
    twin = add(session, prenom="Jeanne", email="jeanne@exemple.fr", telephone="07 81 00 00 02")
    matches = find_duplicates(session, entry(), exclude_id=saved.id)
    assert [m.id for m in matches] == [twin.id]  # same name and birth date
    assert find_duplicates(session, entry(), exclude_id=twin.id)[0].id == saved.id


def test_unreadable_values_do_not_break_the_duplicate_search(session: Session) -> None:
    add(session)
    data = other_person(telephone="n/a", date_naissance="hier", email="")
    assert find_duplicates(session, data) == []
    assert find_duplicates(session, CandidateInput()) == []


# ---------------------------------------------------------------- search


@pytest.fixture
def people(session: Session) -> dict[str, int]:
    created = {
        "lefevre": add(session, filiere_souhaitee="web"),
        "ndiaye": add(
            session,
            nom="N'Diaye",
            prenom="Aminata",
            telephone="07 81 22 33 44",
            email="aminata_nd@exemple.fr",
            commune="Niort",
            site="du-guesclin",
            filiere_souhaitee="reseaux",
            date_naissance="",
        ),
        "legoff": add(
            session,
            nom="Le Goff",
            prenom="Yann",
            telephone="05 49 00 00 01",
            email="yann.legoff@courriel.fr",
            commune="Châtellerault",
            saison="2025-2026",
            filiere_souhaitee="contenus",
            date_naissance="",
        ),
        "martin": add(
            session,
            nom="Martin",
            prenom="Camille",
            telephone="",
            email="camille.martin@exemple.fr",
            commune="Niort",
            site="du-guesclin",
            filiere_souhaitee="web",
            date_naissance="",
        ),
    }
    return {name: saved.id for name, saved in created.items()}


def found(session: Session, people: dict[str, int], query: CandidateQuery) -> set[str]:
    names = {candidate_id: name for name, candidate_id in people.items()}
    ids = search_ids(session, query)
    assert count(session, query) == len(ids)
    return {names[i] for i in ids}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lefevre", {"lefevre"}),
        ("LEFÈVRE", {"lefevre"}),
        ("Lefev", {"lefevre"}),
        ("ndiaye", {"ndiaye"}),
        ("N'Diaye", {"ndiaye"}),
        ("legoff", {"legoff"}),
        ("Le Goff", {"legoff"}),
        ("0612345678", {"lefevre"}),
        ("06 12 34 56 78", {"lefevre"}),
        ("06.12.34.56.78", {"lefevre"}),
        ("+33 6 12 34 56 78", {"lefevre"}),
        ("0033612345678", {"lefevre"}),
        ("+33 (0)6 12 34 56 78", {"lefevre"}),
        ("56 78", {"lefevre"}),
        ("@courriel", {"legoff"}),
        ("camille.martin@", {"martin"}),
        ("YANN.LEGOFF@COURRIEL.FR", {"legoff"}),
        ("chatellerault", {"legoff"}),
        ("niort", {"ndiaye", "martin"}),
        ("camille", {"lefevre", "martin"}),
        ("camille niort", {"martin"}),
        ("niort camille", {"martin"}),
        ("camille yann", set()),
        ("dupont", set()),
        ("", {"lefevre", "ndiaye", "legoff", "martin"}),
        ("   ", {"lefevre", "ndiaye", "legoff", "martin"}),
    ],
)
def test_search_text(
    session: Session, people: dict[str, int], text: str, expected: set[str]
) -> None:
    assert found(session, people, CandidateQuery(text=text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("%", set()), ("a%a", set()), ("_", {"ndiaye"}), ("aminata_", {"ndiaye"}), ("\\", set())],
)
def test_like_wildcards_are_literal(
    session: Session, people: dict[str, int], text: str, expected: set[str]
) -> None:
    assert found(session, people, CandidateQuery(text=text)) == expected


def test_filters_combine_with_the_text(session: Session, people: dict[str, int]) -> None:
    sites = reference.sites(session)
    filieres = reference.filieres(session)
    seasons = reference.seasons(session)
    stages = reference.stages(session)
    cobalt, guesclin = option_id(sites, "cobalt"), option_id(sites, "du-guesclin")
    web = option_id(filieres, "web")
    change_stage(
        session, people["lefevre"], "contacte", comment="", actor=make_actor("coordination", "x")
    )

    def q(**kwargs: object) -> set[str]:
        return found(session, people, CandidateQuery(**kwargs))  # type: ignore[arg-type]

    assert q(site_id=guesclin) == {"ndiaye", "martin"}
    assert q(text="camille", site_id=guesclin) == {"martin"}
    assert q(text="camille", site_id=cobalt) == {"lefevre"}
    assert q(season_id=option_id(seasons, "2025-2026")) == {"legoff"}
    assert q(text="camille", season_id=option_id(seasons, "2025-2026")) == set()
    assert q(filiere_id=web) == {"lefevre", "martin"}
    assert q(filiere_id=web, text="niort") == {"martin"}
    assert q(stage_id=option_id(stages, "contacte")) == {"lefevre"}
    assert q(stage_id=option_id(stages, "recue"), text="camille") == {"martin"}
    assert q(stage_id=option_id(stages, "recue"), site_id=cobalt) == {"legoff"}
    assert q(
        text="camille",
        site_id=cobalt,
        season_id=option_id(seasons, SEASON),
        filiere_id=web,
        stage_id=option_id(stages, "contacte"),
    ) == {"lefevre"}


# ---------------------------------------------------------------- sorting


@pytest.fixture
def trio(session: Session) -> dict[str, int]:
    """Three files whose order differs from the name order for every other column."""
    reference.ensure_season(session, "2027-2028")
    a = add(
        session,
        now=NOW - timedelta(days=1),
        nom="Abadie",
        telephone="06 33 33 33 33",
        email="a@exemple.fr",
        date_naissance="01/06/2000",
        site="cobalt",
        saison="2027-2028",
        filiere_souhaitee="contenus",
    )
    b = add(
        session,
        now=NOW - timedelta(days=5),
        nom="Bernard",
        telephone="06 11 11 11 11",
        email="b@exemple.fr",
        date_naissance="01/06/1980",
        site="du-guesclin",
        saison="2025-2026",
        filiere_souhaitee="reseaux",
    )
    c = add(
        session,
        now=NOW - timedelta(days=4),
        nom="Chevalier",
        telephone="06 22 22 22 22",
        email="c@exemple.fr",
        date_naissance="01/06/1990",
        site="du-guesclin",
        saison="2026-2027",
        filiere_souhaitee="web",
    )
    change_stage(
        session,
        a.id,
        "information_collective",
        comment="",
        now=NOW - timedelta(days=1),
        actor=make_actor("coordination", "x"),
    )
    change_stage(
        session,
        c.id,
        "contacte",
        comment="",
        now=NOW - timedelta(days=2),
        actor=make_actor("coordination", "x"),
    )
    # b stays at `candidature reçue`, last touched five days ago.
    return {"A": a.id, "B": b.id, "C": c.id}


SORTED = {
    # key: (ascending, descending); ties (same site) are broken by creation order.
    "name": ("ABC", "CBA"),
    "age": ("ACB", "BCA"),
    "site": ("BCA", "ABC"),
    "season": ("BCA", "ACB"),
    "filiere": ("BCA", "ACB"),
    "stage": ("BCA", "ACB"),
    "last_action": ("BCA", "ACB"),
    "phone": ("BCA", "ACB"),
}


def test_every_sort_column_is_tested() -> None:
    assert set(SORTED) == set(SORT_COLUMNS)


@pytest.mark.parametrize("key", SORT_COLUMNS)
@pytest.mark.parametrize("descending", [False, True])
def test_sorting(session: Session, trio: dict[str, int], key: str, descending: bool) -> None:
    expected = SORTED[key][1 if descending else 0]
    ids = search_ids(session, CandidateQuery(), sort=key, descending=descending)
    assert ids == [trio[letter] for letter in expected]


def test_an_unknown_sort_key_sorts_by_name(session: Session, trio: dict[str, int]) -> None:
    ids = search_ids(session, CandidateQuery(), sort="nimporte")
    assert ids == [trio["A"], trio["B"], trio["C"]]


def test_unknown_ages_come_last_when_sorting_by_age(session: Session, trio: dict[str, int]) -> None:
    unknown = add(session, nom="Zola", email="z@exemple.fr", telephone="", date_naissance="")
    ids = search_ids(session, CandidateQuery(), sort="age")
    assert ids[-1] == unknown.id


def test_sorting_by_name_uses_the_folded_name_then_the_first_name(session: Session) -> None:
    e = add(session, nom="Émery", prenom="Zoé", email="e@exemple.fr", telephone="")
    d = add(session, nom="Dupont", prenom="Luc", email="d@exemple.fr", telephone="")
    e2 = add(session, nom="emery", prenom="Anne", email="e2@exemple.fr", telephone="")
    assert search_ids(session, CandidateQuery(), sort="name") == [d.id, e2.id, e.id]


# ---------------------------------------------------------------- stage changes


def test_an_allowed_change_is_logged(session: Session) -> None:
    saved = add(session)
    later = NOW + timedelta(hours=3)

    logged = change_stage(
        session,
        saved.id,
        "contacte",
        comment="Appelée ce matin",
        now=later,
        actor=make_actor("coordination", "marie"),
    )

    assert (logged.changed_at, logged.from_label, logged.to_label) == (
        later,
        "candidature reçue",
        "contacté",
    )
    assert (logged.author, logged.comment) == ("marie", "Appelée ce matin")
    candidate = stored(session, saved.id)
    assert candidate.stage.code == "contacte"
    assert candidate.stage_changed_at == later
    assert candidate.last_action_at == later
    assert candidate.version == 2
    assert (
        get_candidate(session, saved.id, actor=make_actor("coordination")).stage_label == "contacté"
    )


def test_the_first_history_entry_is_the_creation(session: Session) -> None:
    saved = add(session)
    [first] = stage_history(session, saved.id)
    assert (first.changed_at, first.from_label, first.to_label) == (
        NOW,
        "—",
        "candidature reçue",
    )
    assert (first.author, first.comment) == ("accueil", "Création du dossier")


def test_a_file_can_be_created_at_another_stage(session: Session) -> None:
    saved = add(session, etape="admis")
    [first] = stage_history(session, saved.id)
    assert (first.from_label, first.to_label) == ("—", "admis")


def test_a_refused_change_raises_in_french_and_changes_nothing(session: Session) -> None:
    saved = add(session)
    with pytest.raises(ValidationError) as info:
        change_stage(
            session, saved.id, "entre_formation", comment="", actor=make_actor("coordination", "x")
        )
    assert info.value.errors == {
        "etape": "Passage impossible de « candidature reçue » à « entré en formation »."
    }
    candidate = stored(session, saved.id)
    assert (candidate.stage.code, candidate.version) == ("recue", 1)
    assert len(stage_history(session, saved.id)) == 1


def test_an_unknown_stage_is_refused(session: Session) -> None:
    saved = add(session)
    with pytest.raises(ValidationError) as info:
        change_stage(session, saved.id, "promu", comment="", actor=make_actor("coordination", "x"))
    assert info.value.errors == {"etape": "Étape inconnue : « promu »."}


@pytest.mark.parametrize(("code", "label"), [("non_retenu", "non retenu"), ("desiste", "désisté")])
def test_a_reason_is_required_for_refusals_and_withdrawals(
    session: Session, code: str, label: str
) -> None:
    saved = add(session)
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as info:
            change_stage(
                session, saved.id, code, comment=blank, actor=make_actor("coordination", "x")
            )
        assert info.value.errors == {
            "commentaire": f"Indiquer le motif (obligatoire pour « {label} »)."
        }
    assert stored(session, saved.id).stage.code == "recue"

    logged = change_stage(
        session, saved.id, code, comment="A trouvé un emploi", actor=make_actor("coordination", "x")
    )
    assert (logged.to_label, logged.comment) == (label, "A trouvé un emploi")


def test_a_too_long_comment_is_refused(session: Session) -> None:
    saved = add(session)
    with pytest.raises(ValidationError) as info:
        change_stage(
            session, saved.id, "contacte", comment="x" * 2001, actor=make_actor("coordination", "x")
        )
    assert set(info.value.errors) == {"commentaire"}


def to_training(session: Session, candidate_id: int) -> None:
    for code in ("entretien", "admis", "entre_formation"):
        change_stage(session, candidate_id, code, comment="", actor=make_actor("coordination", "x"))


@pytest.mark.parametrize("exit_type", [None, "", "vacances"])
def test_an_exit_requires_its_type(session: Session, exit_type: str | None) -> None:
    saved = add(session)
    to_training(session, saved.id)
    with pytest.raises(ValidationError) as info:
        change_stage(
            session,
            saved.id,
            "sortie",
            comment="",
            exit_type=exit_type,
            actor=make_actor("coordination", "x"),
        )
    assert info.value.errors == {"type_sortie": "Choisir le type de sortie."}
    assert stored(session, saved.id).stage.code == "entre_formation"


def test_an_exit_records_its_type(session: Session) -> None:
    saved = add(session)
    to_training(session, saved.id)
    change_stage(
        session,
        saved.id,
        "sortie",
        comment="",
        exit_type="cdi",
        actor=make_actor("coordination", "x"),
    )
    assert get_candidate(session, saved.id, actor=make_actor("coordination")).exit_type == "cdi"
    assert stored(session, saved.id).stage.code == "sortie"


def test_history_is_append_only(session: Session) -> None:
    saved = add(session)
    steps = [
        ("contacte", "Premier appel"),
        ("information_collective", ""),
        ("entretien", "Motivée"),
        ("admis", ""),
    ]
    snapshots = []
    for n, (code, comment) in enumerate(steps, start=1):
        change_stage(
            session,
            saved.id,
            code,
            comment=comment,
            now=NOW + timedelta(hours=n),
            actor=make_actor("coordination", f"p{n}"),
        )
        snapshots.append(stage_history(session, saved.id))
        session.expire_all()

    final = snapshots[-1]
    assert len(final) == 1 + len(steps)
    for earlier in snapshots:
        assert final[: len(earlier)] == earlier
    assert [(h.from_label, h.to_label) for h in final] == [
        ("—", "candidature reçue"),
        ("candidature reçue", "contacté"),
        ("contacté", "information collective"),
        ("information collective", "entretien"),
        ("entretien", "admis"),
    ]
    assert [h.author for h in final] == ["accueil", "p1", "p2", "p3", "p4"]
    assert final[3].comment == "Motivée"
    assert final[2].comment == ""
    assert stored(session, saved.id).version == 1 + len(steps)


def test_a_stage_change_makes_an_open_form_stale(db: Database) -> None:
    with db.session() as s:
        saved = add(s)
    with db.session() as s:
        change_stage(s, saved.id, "contacte", comment="", actor=make_actor("coordination", "marie"))
    with pytest.raises(ConflictError), db.session() as s:
        update_candidate(
            s,
            saved.id,
            entry(prenom="Léa"),
            expected_version=1,
            actor=make_actor("coordination", "paul"),
        )


def test_allowed_next_stages_follow_the_transitions(session: Session) -> None:
    saved = add(session)
    allowed = allowed_next_stages(session, saved.id)
    assert {o.code for o in allowed} == set(ALLOWED_TRANSITIONS["recue"])
    positions = [o.code for o in reference.stages(session)]
    assert [o.code for o in allowed] == [c for c in positions if c in ALLOWED_TRANSITIONS["recue"]]


def test_every_transition_names_known_stages() -> None:
    codes = {s.code for s in STAGES}
    assert set(ALLOWED_TRANSITIONS) == codes
    for targets in ALLOWED_TRANSITIONS.values():
        assert set(targets) <= codes


# ---------------------------------------------------------------- table rows


def test_rows_give_what_the_table_shows(session: Session) -> None:
    saved = add(session, nom_usage="Martin", filiere_souhaitee="web")
    bare = add(session, nom="Zola", telephone="", email="z@exemple.fr", date_naissance="")

    shown = rows(session, [saved.id, bare.id], TODAY)

    row = shown[saved.id]
    assert row.name == "LEFÈVRE (Martin) Camille"
    assert row.age == 31
    assert (row.site, row.season, row.filiere) == ("Cobalt", SEASON, "Développement web")
    assert (row.stage, row.stage_code) == ("candidature reçue", "recue")
    assert row.last_action == NOW
    assert row.phone == "06 12 34 56 78"
    other = shown[bare.id]
    assert (other.age, other.phone, other.filiere) == (None, "", "")


def test_rows_age_depends_on_the_day(session: Session) -> None:
    saved = add(session, date_naissance="29/11/2000")
    assert rows(session, [saved.id], TODAY)[saved.id].age == 25
    assert rows(session, [saved.id], TODAY + timedelta(days=1))[saved.id].age == 26


def test_rows_of_nothing(session: Session) -> None:
    assert rows(session, []) == {}


def test_rows_skip_unknown_ids(session: Session) -> None:
    saved = add(session)
    assert set(rows(session, [saved.id, 12345], TODAY)) == {saved.id}


def test_input_dataclass_is_a_plain_copyable_value() -> None:
    data = entry()
    assert replace(data, nom="X").nom == "X"
    assert "nom" in CandidateInput.field_names()


def test_moving_back_from_exit_clears_the_exit_type(session: Session) -> None:
    saved = add(session)
    for code in ("entretien", "admis", "entre_formation", "orientation_validee", "en_stage"):
        change_stage(session, saved.id, code, comment="", actor=make_actor("coordination", "test"))
    change_stage(
        session,
        saved.id,
        "sortie",
        comment="",
        exit_type="cdi",
        actor=make_actor("coordination", "test"),
    )
    change_stage(
        session, saved.id, "suivi_6_mois", comment="", actor=make_actor("coordination", "test")
    )
    assert stored(session, saved.id).exit_type == "cdi"
    change_stage(
        session,
        saved.id,
        "sortie",
        comment="",
        exit_type="cdi",
        actor=make_actor("coordination", "test"),
    )
    change_stage(
        session,
        saved.id,
        "en_stage",
        comment="Sortie saisie par erreur",
        actor=make_actor("coordination", "test"),
    )
    assert stored(session, saved.id).exit_type is None


def test_creating_with_an_identifier_already_used_is_refused_in_french(session: Session) -> None:
    first = add(session)
    with pytest.raises(ValidationError) as refused:
        add(session, identifiant=first.uuid, email="autre@exemple.fr")
    assert refused.value.errors == {
        "identifiant": "Cet identifiant est déjà celui d'un autre dossier."
    }
