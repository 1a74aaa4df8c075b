"""An import that knows people (issue 14, point 3): a row without identifiant that looks like
a file of the base (the form's duplicate rules) or an earlier row of the file is *déjà
connu(e)*, and the import does what was decided for it — ignore it, make it a new
application of that person, or create another person's file."""

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.domain import Candidate
from app.services.candidates import records
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS
from app.services.candidates.import_preview import (
    ImportPreview,
    KnownChoice,
    preview_import,
)
from app.services.candidates.import_writing import apply_import, apply_preview
from app.services.candidates.records import CandidateInput
from app.services.errors import UserFacingError
from app.storage import Database
from tests.conftest import TODAY, make_actor

DESK = make_actor("accueil", "nadia")
SEASON, PAST = "2026-2027", "2025-2026"
LEA = {
    "nom": "Lefèvre",
    "prenom": "Léa",
    "date_naissance": "14/03/1994",
    "telephone": "06 12 34 56 78",
    "email": "lea.lefevre@exemple.fr",
}


def _file(db: Database, season: str, **values: str) -> records.SavedCandidate:
    data = CandidateInput(saison=season, site="cobalt", **(LEA | values))
    with db.session() as s:
        return records.create_candidate(s, data, actor=DESK, now=datetime(2025, 10, 2, 9))


def _csv(*rows: dict[str, str]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CANDIDATE_COLUMNS)
    for values in rows:
        merged = {"saison": SEASON, "site": "cobalt"} | values
        writer.writerow([merged.get(name, "") for name in CANDIDATE_COLUMNS])
    return buffer.getvalue().encode("utf-8")


def _preview(db: Database, content: bytes, known: KnownChoice | None = None) -> ImportPreview:
    with db.session(commit=False) as s:
        return preview_import(s, content, today=TODAY, known=known)


def _people(db: Database) -> list[tuple[str, str, str, str]]:
    """(person, season, first name, first stage comment) of every file, in order."""
    with db.session(commit=False) as s:
        return [
            (c.person_uuid, c.season.label, c.first_name, c.history[0].comment or "")
            for c in s.scalars(select(Candidate).order_by(Candidate.id))
        ]


def test_a_known_person_without_a_file_this_season_waits_for_a_decision(db: Database) -> None:
    old = _file(db, PAST)
    preview = _preview(db, _csv(LEA | {"commune": "Niort"}))

    (row,) = preview.rows
    assert (row.action, row.choice) == ("known", None)
    assert row.known is not None and not row.known.same_season
    (match,) = row.known.files
    assert (match.id, match.season, match.site, match.stage) == (
        old.id,
        PAST,
        "Cobalt",
        "candidature reçue",
    )
    assert match.reasons == ("même e-mail", "même téléphone", "même nom et même date de naissance")
    assert preview.undecided == [row]
    assert preview.summary() == (
        "1 ligne lue : 1 valide (0 nouveau, 0 mise à jour, 0 inchangé, 1 déjà connu), 0 refusée."
    )
    assert (
        "- ligne 2 : LEFÈVRE Léa — déjà connu(e) : LEFÈVRE Léa, né(e) le 14/03/1994, "
        f"{PAST}, Cobalt, candidature reçue (même e-mail, même téléphone, même nom et même "
        "date de naissance) → à décider"
    ) in preview.describe()
    with db.session() as s, pytest.raises(UserFacingError) as refused:
        apply_preview(s, preview, valid_only=False, actor=DESK)
    assert str(refused.value) == (
        "Rien n'a été importé : 1 ligne d'une personne déjà connue attend une décision (ligne 2)."
    )


def test_a_new_application_is_a_new_file_of_the_same_person(db: Database) -> None:
    _file(db, PAST)
    preview = _preview(db, _csv(LEA | {"commune": "Niort", "telephone": "07 30 11 22 33"}))
    preview.decide(KnownChoice.NEW_APPLICATION)
    with db.session() as s:
        result = apply_preview(s, preview, valid_only=False, actor=DESK)

    assert (result.created, result.new_applications) == (1, 1)
    (first, _, _, _), (second, season, _, comment) = _people(db)
    assert second == first and season == SEASON
    assert comment == "Nouvelle candidature d'une personne déjà connue"
    assert "dont 1 nouvelle candidature d'une personne déjà connue" in result.describe()


def test_create_anyway_is_another_person_and_ignore_leaves_the_row_out(db: Database) -> None:
    _file(db, PAST)
    content = _csv(LEA | {"prenom": "Lina"})
    with db.session() as s:
        ignored = apply_import(
            s, content, valid_only=False, actor=DESK, today=TODAY, known=KnownChoice.IGNORE
        )
    assert (ignored.created, ignored.known_ignored) == (0, 1)
    assert "1 ligne d'une personne déjà connue ignorée" in ignored.describe()
    with db.session() as s:
        created = apply_import(
            s, content, valid_only=False, actor=DESK, today=TODAY, known=KnownChoice.CREATE
        )
    assert created.created == 1
    (first, _, _, _), (other, _, name, comment) = _people(db)
    assert other != first and (name, comment) == ("Lina", "Création du dossier")


def test_a_file_of_the_same_season_is_unchanged_or_ignored_by_default(db: Database) -> None:
    _file(db, SEASON, commune="Poitiers")
    preview = _preview(
        db,
        _csv(LEA | {"commune": "Poitiers"}, LEA | {"commune": "Niort"}),
        known=KnownChoice.NEW_APPLICATION,
    )

    same, changed = preview.rows
    assert same.action == "unchanged"  # that person's file of this season, as it is
    assert (changed.action, changed.choice) == ("known", KnownChoice.IGNORE)
    assert changed.known is not None and changed.known.same_season
    with db.session() as s:
        result = apply_preview(s, preview, valid_only=False, actor=DESK)
    assert (result.created, result.unchanged, result.known_ignored) == (0, 1, 1)


def test_rows_of_the_same_file_know_each_other(db: Database) -> None:
    lea_elsewhere = LEA | {"telephone": "07 30 00 00 01", "email": "lea@ailleurs.fr"}
    preview = _preview(
        db,
        _csv(LEA, {"nom": "Martin", "prenom": "Léo", "email": "leo@exemple.fr"}, lea_elsewhere),
    )

    first, other, again = preview.rows
    assert (first.action, other.action, again.action) == ("create", "create", "known")
    assert again.known is not None and again.known.files == ()
    assert [(r.line, r.reasons) for r in again.known.rows] == [
        (2, ("même nom et même date de naissance",))
    ]
    assert again.choice is KnownChoice.IGNORE  # the same season as line 2
    assert again.known.describe() == "ligne 2 du fichier (même nom et même date de naissance)"
    again.choice = KnownChoice.NEW_APPLICATION
    with db.session() as s:
        apply_preview(s, preview, valid_only=False, actor=DESK)
    people = _people(db)
    assert len(people) == 3 and people[2][0] == people[0][0] != people[1][0]


def test_rows_with_an_identifiant_are_never_look_alikes(db: Database) -> None:
    saved = _file(db, SEASON)
    preview = _preview(db, _csv(LEA | {"identifiant": saved.uuid, "commune": "Niort"}))
    assert [r.action for r in preview.rows] == ["update"]


# ---------------------------------------------------------------- command line


def test_the_dry_run_lists_the_known_people_and_known_says_what_to_do(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _file(db, PAST)
    source = tmp_path / "candidats.csv"
    source.write_bytes(
        _csv(LEA | {"commune": "Niort"}, {"nom": "Neuf", "prenom": "Noé", "email": "n@ex.fr"})
    )
    command = ["import", "candidates", str(source), "--db", db.url]

    assert main([*command, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "2 lignes lues : 2 valides (1 nouveau, 0 mise à jour, 0 inchangé, 1 déjà connu)"
    )
    assert "1 ligne ressemble à une personne déjà connue :" in out
    assert (
        f"- ligne 2 : LEFÈVRE Léa — déjà connu(e) : LEFÈVRE Léa, né(e) le 14/03/1994, {PAST}" in out
    )
    assert "→ ignorer" in out
    assert "--known ignorer" in out
    assert "rien n'a été importé" in out

    assert main([*command, "--known", "nouvelle-candidature"]) == 0
    assert "dont 1 nouvelle candidature" in capsys.readouterr().out
    (first, _, _, _), (second, season, _, _), (third, _, _, _) = _people(db)
    assert second == first and season == SEASON and third != first


def test_known_accepts_the_three_choices_only(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import KNOWN_CHOICES, build_parser

    assert tuple(choice.value for choice in KnownChoice) == KNOWN_CHOICES
    with pytest.raises(SystemExit) as usage:
        main(["import", "candidates", "x.csv", "--known", "fusionner"])
    assert usage.value.code == 2
    assert "choix invalide" in capsys.readouterr().err
    imp = build_parser()._subparsers._group_actions[0].choices["import"]  # type: ignore[union-attr]
    assert "--known" in imp.format_help()
