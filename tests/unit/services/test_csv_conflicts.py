"""Stale imports (issue 12.7): a row of an older export whose file was changed in the base since
is a conflict, listed in the preview with what it would set back, and not applied unless asked."""

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.domain import Candidate
from app.services.candidates import records as candidates
from app.services.candidates.csv_exchange import (
    CANDIDATE_COLUMNS,
    EXPORT_COLUMNS,
    export_candidates,
)
from app.services.candidates.import_preview import (
    NO_VERSION_WARNING,
    ImportPreview,
    preview_import,
)
from app.services.candidates.import_writing import ImportResult, apply_import
from app.services.candidates.records import CandidateInput
from app.storage import Database
from tests.conftest import TODAY, make_actor

ROLE = "coordination"
CREATED = datetime(2026, 11, 20, 9, 0)
EDITED = datetime(2026, 11, 27, 16, 45)


def create_five(db: Database) -> list[int]:
    with db.session() as s:
        return [
            candidates.create_candidate(
                s,
                CandidateInput(
                    nom=f"Nom{index}",
                    prenom="Inès",
                    email=f"ancienne{index}@exemple.fr",
                    telephone=f"06 12 34 56 {10 + index}",
                    saison="2026-2027",
                    site="cobalt",
                    date_candidature="02/10/2026",
                ),
                actor=make_actor(ROLE, "test"),
                now=CREATED,
            ).id
            for index in range(5)
        ]


def export_bytes(db: Database) -> bytes:
    buffer = io.StringIO(newline="")
    with db.session(commit=False) as s:
        export_candidates(s, buffer)
    return buffer.getvalue().encode("utf-8")


def edit_at_the_desk(db: Database, ids: list[int], **changes: str) -> None:
    """What the front desk saves after the export: a new e-mail for each file."""
    with db.session() as s:
        for candidate_id in ids:
            current = candidates.get_candidate(s, candidate_id, actor=make_actor(ROLE))
            values = current.values
            for name, value in changes.items():
                setattr(values, name, value.format(id=candidate_id))
            candidates.update_candidate(
                s,
                candidate_id,
                values,
                expected_version=current.version,
                actor=make_actor(ROLE, "Nadia Belkacem"),
                now=EDITED,
            )


def state(db: Database) -> dict[str, tuple[str | None, str | None, int]]:
    with db.session() as s:
        return {c.uuid: (c.email, c.city, c.version) for c in s.scalars(select(Candidate))}


def without_version_column(content: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(
        row[: len(CANDIDATE_COLUMNS)] for row in rows
    )
    return ("\ufeff" + buffer.getvalue()).encode()


def edit_in_the_file(content: bytes, column: str, value: str) -> bytes:
    """What a person changes in the spreadsheet: one column of every row."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    at = rows[0].index(column)
    for row in rows[1:]:
        row[at] = value
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def preview(db: Database, content: bytes) -> ImportPreview:
    with db.session() as s:
        result = preview_import(s, content, today=TODAY)
        s.rollback()
    return result


def apply(db: Database, content: bytes, **kwargs: bool) -> ImportResult:
    with db.session() as s:
        return apply_import(
            s, content, valid_only=False, actor=make_actor(ROLE, "import"), **kwargs
        )


# ---------------------------------------------------------------- the case


def test_old_export_over_five_newer_files_gives_five_conflicts_and_changes_nothing(
    db: Database,
) -> None:
    ids = create_five(db)
    old_export = export_bytes(db)
    edit_at_the_desk(db, ids, email="nouvelle{id}@exemple.fr")
    edited = state(db)

    seen = preview(db, old_export)

    assert len(seen.conflicts) == 5
    assert (seen.count("update"), seen.count("conflict"), seen.count("unchanged")) == (0, 5, 0)
    first = seen.conflicts[0]
    assert first.person == "NOM0 Inès"
    assert (first.file_version, first.base_version) == (1, 2)
    assert first.updated_by == "Nadia Belkacem"
    assert [(c.column, c.in_file) for c in first.changes] == [("email", "ancienne0@exemple.fr")]
    text = seen.describe()
    assert "5 valides (0 nouveau, 0 mise à jour, 0 inchangé, 5 en conflit)" in text
    assert "5 fiches modifiées dans la base depuis l'export" in text
    assert (
        f"ligne 2 : NOM0 Inès — fiche modifiée dans la base le 27/11/2026 à 16:45 par "
        f"Nadia Belkacem (version 2, le fichier porte la version 1) ; l'import remettrait "
        f"email « nouvelle{ids[0]}@exemple.fr » → « ancienne0@exemple.fr »."
    ) in text

    result = apply(db, old_export)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert result.conflicts_kept == 5
    assert "5 fiches modifiées dans la base depuis l'export laissées telles quelles" in (
        result.describe()
    )
    assert state(db) == edited


def test_old_export_overwrites_the_five_when_asked(db: Database) -> None:
    ids = create_five(db)
    old_export = export_bytes(db)
    edit_at_the_desk(db, ids, email="nouvelle{id}@exemple.fr")

    result = apply(db, old_export, overwrite_newer=True)

    assert (result.updated, result.conflicts_kept, result.conflicts_overwritten) == (5, 0, 5)
    assert "dont 5 fiches modifiées dans la base depuis l'export, écrasées" in result.describe()
    assert sorted(email for email, _city, _version in state(db).values()) == [
        f"ancienne{index}@exemple.fr" for index in range(5)
    ]
    assert {version for _e, _c, version in state(db).values()} == {3}


def test_other_rows_of_the_file_are_imported_around_the_conflicts(db: Database) -> None:
    ids = create_five(db)
    in_spreadsheet = edit_in_the_file(export_bytes(db), "commune", "Niort")
    edit_at_the_desk(db, ids[:2], email="nouvelle{id}@exemple.fr")

    result = apply(db, in_spreadsheet)

    assert (result.updated, result.conflicts_kept) == (3, 2)
    with db.session() as s:
        cities = {c.id: (c.city, c.email) for c in s.scalars(select(Candidate))}
    assert [cities[i][0] for i in ids] == [None, None, "Niort", "Niort", "Niort"]
    assert cities[ids[0]][1] == f"nouvelle{ids[0]}@exemple.fr"


# ---------------------------------------------------------------- what is not a conflict


def test_the_same_export_imported_back_changes_nothing_and_has_no_conflict(db: Database) -> None:
    create_five(db)
    content = export_bytes(db)
    before = state(db)

    seen = preview(db, content)
    result = apply(db, content)

    assert seen.conflicts == [] and seen.warnings == []
    assert (result.unchanged, result.updated, result.conflicts_kept) == (5, 0, 0)
    assert state(db) == before


def test_a_change_outside_the_file_columns_is_not_a_conflict(db: Database) -> None:
    ids = create_five(db)
    content = export_bytes(db)
    edit_at_the_desk(db, ids, notes="Rappeler lundi")  # notes are not in the CSV

    seen = preview(db, content)

    assert seen.conflicts == []
    assert seen.count("unchanged") == 5


def test_importing_an_edited_file_twice_is_not_a_conflict(db: Database) -> None:
    create_five(db)
    in_spreadsheet = edit_in_the_file(export_bytes(db), "commune", "Niort")
    assert apply(db, in_spreadsheet).updated == 5  # the base is now at version 2

    again = apply(db, in_spreadsheet)

    assert (again.unchanged, again.conflicts_kept) == (5, 0)


# ---------------------------------------------------------------- older files, bad versions


def test_a_file_without_the_version_column_keeps_the_old_behaviour_with_a_warning(
    db: Database,
) -> None:
    ids = create_five(db)
    old_export = without_version_column(export_bytes(db))
    edit_at_the_desk(db, ids, email="nouvelle{id}@exemple.fr")

    seen = preview(db, old_export)

    assert seen.conflicts == []
    assert seen.count("update") == 5
    assert seen.warnings == [NO_VERSION_WARNING]
    assert "Attention : ce fichier n'a pas de colonne « version »" in seen.describe()
    assert apply(db, old_export).updated == 5


def test_empty_version_cells_of_updated_rows_are_warned_about(db: Database) -> None:
    ids = create_five(db)
    content = edit_in_the_file(export_bytes(db), "version", "")
    edit_at_the_desk(db, ids[:1], email="nouvelle{id}@exemple.fr")

    seen = preview(db, content)

    assert seen.conflicts == []
    assert seen.warnings == [
        "1 mise à jour (ligne 2) sans numéro de version : les modifications faites dans la base "
        "depuis l'export ne peuvent pas y être détectées, ces mises à jour les écraseraient."
    ]


@pytest.mark.parametrize("value", ["deux", "-1", "0", "1,5", "²"])
def test_a_version_that_is_not_a_whole_number_is_refused(db: Database, value: str) -> None:
    create_five(db)
    content = edit_in_the_file(export_bytes(db), "version", value)

    seen = preview(db, content)

    assert len(seen.invalid_rows) == 5
    problem = seen.problems[0]
    assert (problem.line, problem.column) == (2, "version")
    assert problem.message.startswith("Version invalide")


def test_a_file_from_another_base_keeps_its_versions(db: Database, tmp_path: Path) -> None:
    from app.services.base_access.opening import open_app_database

    ids = create_five(db)
    edit_at_the_desk(db, ids, email="nouvelle{id}@exemple.fr")
    content = export_bytes(db)
    other = open_app_database("sqlite:///" + str(tmp_path / "other.sqlite"), today=TODAY)
    try:
        assert apply(other, content).created == 5
        assert {version for _e, _c, version in state(other).values()} == {2}
        assert export_bytes(other) == content
    finally:
        other.dispose()


# ---------------------------------------------------------------- command line


def test_cli_dry_run_lists_the_conflicts_and_import_leaves_them(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = create_five(db)
    source = tmp_path / "ancien.csv"
    source.write_bytes(export_bytes(db))
    edit_at_the_desk(db, ids, email="nouvelle{id}@exemple.fr")
    edited = state(db)
    command = ["import", "candidates", str(source), "--db", db.url]

    assert main([*command, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "5 en conflit" in out
    assert "NOM3 Inès — fiche modifiée dans la base le 27/11/2026 à 16:45" in out
    assert f"email « nouvelle{ids[3]}@exemple.fr » → « ancienne3@exemple.fr »" in out
    assert "avec --overwrite-newer" in out

    assert main(command) == 0
    captured = capsys.readouterr()
    assert "0 mis à jour" in captured.out
    assert "--overwrite-newer" in captured.err
    assert state(db) == edited

    assert main([*command, "--overwrite-newer"]) == 0
    assert "5 mis à jour" in capsys.readouterr().out
    assert {email for email, _c, _v in state(db).values()} == {
        f"ancienne{index}@exemple.fr" for index in range(5)
    }
