"""Reference values are read by their code, their label, or a documented synonym, ignoring
case and accents (issue 14, point 3; app/domain/values.py REFERENCE_SYNONYMS and
DIPLOMA_SYNONYMS; a site also by its town)."""

import csv
import io

import pytest

from app.services import reference
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS
from app.services.candidates.import_preview import preview_import
from app.services.candidates.import_rows import diploma_level
from app.services.reference import Option, match_option
from app.storage import Database
from tests.conftest import TODAY


@pytest.mark.parametrize(
    "text",
    [
        "France Travail (ex Pôle emploi)",
        "france_travail",
        "France Travail",
        "FRANCE TRAVAIL",
        "Pôle emploi",
        "Pole-Emploi",
        "pole emploi",
        "FT",
        "pe",
        "ANPE",
    ],
)
def test_every_writing_of_france_travail_is_the_same_referrer(db: Database, text: str) -> None:
    with db.session(commit=False) as s:
        option = match_option(reference.referrers(s), text)
    assert option is not None and option.code == "france_travail"


@pytest.mark.parametrize(
    ("kind", "text", "code"),
    [
        ("referrers", "ML", "mission_locale"),
        ("referrers", "mission locale", "mission_locale"),
        ("referrers", "Cap emploi", "cap_emploi"),
        ("referrers", "bouche a oreille", "bouche_a_oreille"),
        ("referrers", "Internet", "site_web"),
        ("sites", "Poitiers", "cobalt"),
        ("sites", "NIORT", "du-guesclin"),
        ("sites", "Du Guesclin", "du-guesclin"),
        ("sites", "Centre Du Guesclin", "du-guesclin"),
        ("filieres", "Réseaux", "reseaux"),
        ("filieres", "dev web", "web"),
        ("filieres", "community manager", "contenus"),
        ("stages", "Reçue", "recue"),
        ("stages", "info collective", "information_collective"),
        ("stages", "Entrée en formation", "entre_formation"),
    ],
)
def test_synonyms_of_each_reference_column(db: Database, kind: str, text: str, code: str) -> None:
    with db.session(commit=False) as s:
        option = match_option(getattr(reference, kind)(s), text)
    assert option is not None and option.code == code


def test_codes_and_labels_come_first_and_shared_synonyms_mean_nothing() -> None:
    first = Option(1, "un", "Premier", ("Commun", "Deux"))
    second = Option(2, "deux", "Second", ("Commun",))
    options = [first, second]

    assert match_option(options, "Deux") == second  # the code of one beats the other's alias
    assert match_option(options, "commun") is None  # two options say it: neither
    assert match_option(options, "PREMIER") == first
    assert match_option(options, "inconnu") is None
    assert match_option([Option(3, "x", "Sans alias")], "sans alias") == Option(
        3, "x", "Sans alias"
    )


def test_options_compare_without_their_aliases() -> None:
    assert Option(1, "cobalt", "Cobalt", ("Poitiers",)) == Option(1, "cobalt", "Cobalt")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Bac", 4),
        ("baccalauréat", 4),
        ("Bac pro", 4),
        ("CAP", 3),
        ("bac+2", 5),
        ("Bac + 2", 5),
        ("BTS", 5),
        ("Licence", 6),
        ("Master", 7),
        ("Doctorat", 8),
        ("sans diplôme", 0),
        ("aucun", 0),
        ("niveau 4", 4),
        ("4", 4),
        ("", None),
    ],
)
def test_usual_names_of_diplomas(text: str, level: int | None) -> None:
    assert diploma_level(text) == level


def test_the_import_reads_the_synonyms_of_a_partner_s_spreadsheet(db: Database) -> None:
    values = {
        "nom": "Lefèvre",
        "prenom": "Léa",
        "email": "lea@exemple.fr",
        "saison": "2026-2027",
        "site": "Poitiers",
        "filiere_souhaitee": "dev web",
        "prescripteur": "Pôle emploi",
        "niveau_diplome": "Bac",
        "etape": "Reçue",
    }
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CANDIDATE_COLUMNS)
    writer.writerow([values.get(name, "") for name in CANDIDATE_COLUMNS])
    with db.session(commit=False) as s:
        (row,) = preview_import(s, buffer.getvalue().encode(), today=TODAY).rows
    assert row.problems == []
    written = row.written
    assert (written.site, written.filiere_souhaitee, written.prescripteur) == (
        "cobalt",
        "Développement web",
        "France Travail (ex Pôle emploi)",
    )
    assert (written.niveau_diplome, written.etape) == ("4", "candidature reçue")


def test_an_unknown_value_is_still_refused_with_the_possible_codes(db: Database) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CANDIDATE_COLUMNS)
    values = {"nom": "A", "prenom": "B", "email": "a@b.fr", "saison": "2026-2027"}
    values |= {"site": "Paris", "prescripteur": "Pôle"}
    writer.writerow([values.get(name, "") for name in CANDIDATE_COLUMNS])
    with db.session(commit=False) as s:
        (row,) = preview_import(s, buffer.getvalue().encode(), today=TODAY).rows
    assert [(p.column, p.message) for p in row.problems] == [
        ("site", "Site inconnu : « Paris » (valeurs possibles : cobalt, du-guesclin)."),
        (
            "prescripteur",
            "Prescripteur inconnu : « Pôle » (valeurs possibles : mission_locale, "
            "france_travail, cap_emploi, plie, ccas, association, bouche_a_oreille, salon, "
            "site_web, autre).",
        ),
    ]
