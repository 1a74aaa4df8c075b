"""CSV injection (issue 12.7): a cell a spreadsheet would take for a formula is exported after an
apostrophe, and the apostrophe is removed on import, so an export read back changes nothing."""

import csv
import io
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlalchemy import select

from app.domain import Candidate, Host
from app.services.agreements import life_cycle
from app.services.agreements.csv_export import export_agreements
from app.services.base_access.opening import open_app_database
from app.services.candidates import records as candidates
from app.services.candidates.csv_exchange import (
    EXPORT_COLUMNS,
    escape_cell,
    export_candidates,
    unescape_cell,
)
from app.services.candidates.import_preview import preview_import
from app.services.candidates.import_writing import apply_import
from app.services.candidates.records import CandidateInput
from app.services.errors import ValidationError
from app.storage import Database
from tests.conftest import TODAY, make_actor
from tests.unit.properties.strategies import ANY_CHARACTER, hostile_text, service_settings
from tests.unit.services.test_agreements import COORD, NOW, _form, _world

HYPERLINK = '=HYPERLINK("http://x","clic")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROLE = "coordination"
AT = datetime(2026, 11, 28, 10, 30)


def data(**overrides: str) -> CandidateInput:
    values = {
        "nom": "Martin",
        "prenom": "Léa",
        "email": "lea.martin@exemple.fr",
        "saison": "2026-2027",
        "site": "cobalt",
        "date_candidature": "02/10/2026",
    }
    values.update(overrides)
    return CandidateInput(**values)


def exported(session: object) -> str:
    buffer = io.StringIO(newline="")
    export_candidates(session, buffer)  # type: ignore[arg-type]
    return buffer.getvalue()


def records(text: str) -> list[dict[str, str]]:
    """The rows as a spreadsheet reads the file: raw cells, apostrophes included."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";")
    assert tuple(reader.fieldnames or ()) == EXPORT_COLUMNS
    return list(reader)


# ---------------------------------------------------------------- the cell rule


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_formula_start_gets_an_apostrophe_and_loses_it_on_the_way_back(start: str) -> None:
    text = start + "SOMME(A1:A9)"
    assert escape_cell(text) == "'" + text
    assert unescape_cell(escape_cell(text)) == text


@pytest.mark.parametrize(
    "text", ["Martin", "06 12 34 56 78", "", "'", "'texte", "a=b", " =1", "l'@dresse", "2+2"]
)
def test_other_text_is_written_as_it_is(text: str) -> None:
    assert escape_cell(text) == text
    assert unescape_cell(text) == text


def test_text_already_starting_with_an_apostrophe_before_a_formula_keeps_it() -> None:
    assert escape_cell("'=1") == "''=1"
    assert unescape_cell("''=1") == "'=1"
    assert escape_cell("''+x") == "'''+x"


def test_an_apostrophe_typed_in_the_spreadsheet_before_a_phone_is_removed() -> None:
    assert unescape_cell("'+33 6 12 34 56 78") == "+33 6 12 34 56 78"


# ---------------------------------------------------------------- candidate export and import


def test_hyperlink_in_a_name_is_exported_as_text_and_read_back_identical(db: Database) -> None:
    with db.session() as s:
        saved = candidates.create_candidate(
            s, data(nom=HYPERLINK, commune="@SOMME(1;2)"), actor=make_actor(ROLE, "t"), now=AT
        )
    with db.session(commit=False) as s:
        text = exported(s)
    row = records(text)[0]
    assert row["nom"] == "'" + HYPERLINK
    assert row["commune"] == "'@SOMME(1;2)"
    assert not any(cell.startswith(FORMULA_STARTS) for cell in row.values())

    with db.session() as s:
        preview = preview_import(s, text.encode("utf-8"), today=TODAY)
        s.rollback()
    assert [r.action for r in preview.rows] == ["unchanged"]
    with db.session() as s:
        result = apply_import(s, text.encode(), valid_only=False, actor=make_actor(ROLE, "i"))
    assert (result.updated, result.unchanged) == (0, 1)
    with db.session() as s:
        stored = s.scalars(select(Candidate).where(Candidate.uuid == saved.uuid)).one()
        assert (stored.last_name, stored.city, stored.version) == (HYPERLINK, "@SOMME(1;2)", 1)


def test_hyperlink_reaches_a_fresh_base_without_the_apostrophe(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as s:
        candidates.create_candidate(
            s, data(nom=HYPERLINK, adresse="-3 rue du Moulin"), actor=make_actor(ROLE, "t"), now=AT
        )
        source = tmp_path / "export.csv"
        export_candidates(s, source)
    other = open_app_database("sqlite:///" + str(tmp_path / "other.sqlite"), today=TODAY)
    try:
        with other.session() as s:
            result = apply_import(s, source, valid_only=False, actor=make_actor(ROLE, "i"))
        assert result.created == 1
        with other.session() as s:
            stored = s.scalars(select(Candidate)).one()
            assert (stored.last_name, stored.address) == (HYPERLINK, "-3 rue du Moulin")
            again = exported(s)
        assert again.encode() == source.read_bytes()
    finally:
        other.dispose()


def test_a_foreign_phone_survives_the_round_trip(db: Database) -> None:
    with db.session() as s:
        candidates.create_candidate(
            s, data(telephone="+32 470 12 34 56"), actor=make_actor(ROLE, "t"), now=AT
        )
    with db.session(commit=False) as s:
        text = exported(s)
    assert records(text)[0]["telephone"] == "'+32 470 12 34 56"
    with db.session() as s:
        result = apply_import(s, text.encode(), valid_only=False, actor=make_actor(ROLE, "i"))
    assert (result.updated, result.unchanged) == (0, 1)
    with db.session() as s:
        assert s.scalars(select(Candidate.phone)).one() == "+32470123456"


def test_a_hand_typed_apostrophe_before_a_phone_imports_the_number(db: Database) -> None:
    with db.session(commit=False) as s:
        text = exported(s)
    header = text.splitlines()[0]
    cells = dict.fromkeys(EXPORT_COLUMNS, "")
    for name in ("nom", "prenom", "email", "saison", "site"):
        cells[name] = getattr(data(), name)
    cells["telephone"] = "'+33 6 12 34 56 78"
    line = ";".join(cells[column] for column in EXPORT_COLUMNS)
    source = (header + "\r\n" + line + "\r\n").encode()
    with db.session() as s:
        result = apply_import(s, source, valid_only=False, actor=make_actor(ROLE, "i"))
    assert result.created == 1
    with db.session() as s:
        assert s.scalars(select(Candidate.phone)).one() == "+33612345678"


# ---------------------------------------------------------------- agreements export


def test_agreement_export_writes_formulas_as_text(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        world = _world(s)
        host = s.get(Host, world.host)
        assert host is not None
        host.name = HYPERLINK
        s.flush()
        life_cycle.create_draft(
            s,
            _form(world, formateur_referent="+Samir Haddad"),
            actor=make_actor(ROLE, COORD),
            now=NOW,
        )
    out = tmp_path / "conventions.csv"
    with db.session(commit=False) as s:
        assert export_agreements(s, out, today=NOW.date()) == 1
    with out.open(encoding="utf-8-sig", newline="") as handle:
        (row,) = list(csv.DictReader(handle, delimiter=";"))
    assert row["structure"] == "'" + HYPERLINK
    assert row["formateur_referent"] == "'+Samir Haddad"
    assert not any(cell.startswith(FORMULA_STARTS) for cell in row.values())


# ---------------------------------------------------------------- any text


formula_like = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["", "'", "''", *FORMULA_STARTS, "'=", "''+", "'\t", " ="]),
    st.one_of(st.text(ANY_CHARACTER, max_size=20), hostile_text),
)


@service_settings(300)
@given(text=formula_like)
@example(text=HYPERLINK)
@example(text="'" + HYPERLINK)
@example(text="\r\n=1")
def test_any_cell_text_round_trips_through_the_file(text: str) -> None:
    """escape_cell + csv.writer, then the import's own reader + unescape_cell: the same text."""
    from app.services.candidates.import_rows import records

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["a", "b"])
    writer.writerow([escape_cell(text), "x"])
    assert not escape_cell(text).startswith(FORMULA_STARTS)
    (_header, (_line, cells)) = list(records(buffer.getvalue()))
    assert [unescape_cell(cell) for cell in cells] == [text, "x"]


@service_settings(60)
@given(
    field=st.sampled_from(["nom", "nom_usage", "prenom", "adresse", "commune"]), text=formula_like
)
@example(field="nom", text=HYPERLINK)
@example(field="commune", text="'=1")
def test_any_stored_text_survives_export_then_import(db: Database, field: str, text: str) -> None:
    """Whatever a file accepts, exported then imported into the same base, changes nothing."""
    with db.session(commit=False) as s:
        try:
            saved = candidates.create_candidate(
                s, replace(data(), **{field: text}), actor=make_actor(ROLE, "t"), now=AT
            )
        except ValidationError:
            event("refused by the form's rules")
            return
        stored = getattr(candidates.candidate_input(s.get(Candidate, saved.id)), field)
        content = exported(s).encode("utf-8", "surrogatepass")
        preview = preview_import(s, content, today=TODAY)
        assert [(r.action, r.problems) for r in preview.rows] == [("unchanged", [])]
        assert getattr(preview.rows[0].data, field).strip() == stored
        result = apply_import(s, content, valid_only=False, actor=make_actor(ROLE, "i"))
        assert (result.unchanged, result.updated) == (1, 0)
        s.expire_all()
        candidate = s.get(Candidate, saved.id)
        assert candidate is not None and candidate.version == 1
        assert getattr(candidates.candidate_input(candidate), field) == stored
