"""Broken candidate CSV files: wrong encoding, missing or extra columns, binary files, empty
files, a header alone, quotes never closed, 100 000 rows with some bad ones. Each gives a French
report and imports nothing, or only the valid rows when asked to; never a partial import by
accident, never a traceback (service and `main.py import candidates`)."""

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cli import main
from app.domain import Candidate
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS
from app.services.candidates.import_preview import (
    MAX_REPORTED_PROBLEMS,
    ImportCancelled,
    preview_import,
)
from app.services.candidates.import_rows import (
    EMPTY,
    HEADER_ONLY,
    NOT_CSV,
    NOT_UTF8,
    SPREADSHEET,
)
from app.services.candidates.import_writing import apply_import
from app.services.errors import UserFacingError
from app.storage import Database
from tests.conftest import TODAY, make_actor
from tests.unit.properties.strategies import service_settings

ROLE = "coordination"
HEADER = ";".join(CANDIDATE_COLUMNS)
NOTHING_IMPORTED = "Erreur : rien n'a été importé."


def phone(index: int) -> str:
    """A mobile number of its own for each row: rows sharing one are the same person."""
    return f"06 12 {index // 10_000 % 100:02d} {index // 100 % 100:02d} {index % 100:02d}"


def row(index: int, **overrides: str) -> list[str]:
    values = {
        "nom": f"Nom{index}",
        "prenom": "Inès",
        "date_naissance": "14/07/1990",
        "telephone": phone(index),
        "email": f"personne{index}@exemple.fr",
        "saison": "2026-2027",
        "site": "cobalt",
    }
    values.update(overrides)
    return [values.get(name, "") for name in CANDIDATE_COLUMNS]


def csv_text(rows: list[list[str]], header: list[str] | None = None) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header or CANDIDATE_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Candidate)) or 0


def stored_count(db: Database) -> int:
    with db.session(commit=False) as s:
        return count(s)


def zipped(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06" * 20
GOOD = csv_text([row(1), row(2)])
NEVER_CLOSED = (
    csv_text([row(1)])
    + ';"jamais refermé;\r\n'
    + csv_text([row(i) for i in range(3, 2_000)]).split("\r\n", 1)[1]
)

# name -> (file content, what the report says)
BROKEN_FILES: dict[str, tuple[bytes, list[str]]] = {
    "latin-1": (
        csv_text([row(1, prenom="Ines"), row(2, prenom="Hélène")]).encode("latin-1"),
        [NOT_UTF8, "Premier caractère illisible : ligne 3."],
    ),
    "windows-1252": (
        csv_text([row(1, adresse="2 € la séance")]).encode("cp1252"),
        [NOT_UTF8, "Premier caractère illisible : ligne 2."],
    ),
    "utf-16 with BOM": (("\ufeff" + GOOD).encode("utf-16"), [NOT_UTF8]),
    "utf-16 without BOM": (GOOD.encode("utf-16-le"), [NOT_UTF8]),
    "utf-16 big endian": (GOOD.encode("utf-16-be"), [NOT_UTF8]),
    "missing columns": (
        csv_text([row(1)[:-2]], header=list(CANDIDATE_COLUMNS[:-2])).encode(),
        ["Colonnes manquantes : date_candidature, etape."],
    ),
    "extra columns": (
        csv_text([[*row(1), "bleu", "x"]], header=[*CANDIDATE_COLUMNS, "couleur", "note"]).encode(),
        ["Colonnes inconnues : couleur, note."],
    ),
    "png": (PNG, [NOT_CSV]),
    "zip": (zipped("candidats.csv", GOOD.encode()), [SPREADSHEET]),
    "xlsx": (zipped("[Content_Types].xml", b"<Types/>"), [SPREADSHEET]),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), [SPREADSHEET]),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\x00\x01\x02", [NOT_CSV]),
    "empty": (b"", [EMPTY]),
    "blank lines": (b"\xef\xbb\xbf\r\n  \r\n\t\r\n", [EMPTY]),
    "header only": ((HEADER + "\r\n").encode(), [HEADER_ONLY]),
    "header only, BOM, no line end": (("\ufeff" + HEADER).encode(), [HEADER_ONLY]),
    "header and blank lines": ((HEADER + "\r\n;;;\r\n\r\n").encode(), [HEADER_ONLY]),
    "no header": (
        csv_text([row(2)], header=row(1)).encode(),
        ["La première ligne doit être la ligne d'en-tête : " + HEADER],
    ),
    "quote never closed at the end": (
        (csv_text([row(1)]) + ';"jamais refermé;\r\n').encode(),
        ["Ligne 3 : guillemets mal placés ou non refermés, le fichier n'est pas un CSV lisible."],
    ),
    "quote never closed, 2 000 lines swallowed": (
        NEVER_CLOSED.encode(),
        [
            f"Ligne 3 : un champ dépasse {csv.field_size_limit()} caractères (guillemets jamais "
            "refermés ?), le fichier n'est pas un CSV lisible."
        ],
    ),
}


@pytest.mark.parametrize(("content", "report"), BROKEN_FILES.values(), ids=BROKEN_FILES.keys())
def test_broken_file_is_reported_and_nothing_imported(
    db: Database, content: bytes, report: list[str]
) -> None:
    with db.session(commit=False) as s:
        preview = preview_import(s, content, today=TODAY)
    assert preview.fatal == report
    assert preview.rows == [] and preview.valid_rows == []
    assert preview.describe() == "\n".join(["Fichier refusé :", *(f"- {m}" for m in report)])
    for valid_only in (False, True):
        with (
            pytest.raises(UserFacingError, match=r"^Rien n'a été importé : ") as refusal,
            db.session() as s,
        ):
            apply_import(
                s, content, valid_only=valid_only, actor=make_actor(ROLE, "t"), today=TODAY
            )
        assert report[0] in str(refusal.value)
    assert stored_count(db) == 0


@pytest.mark.parametrize(("content", "report"), BROKEN_FILES.values(), ids=BROKEN_FILES.keys())
def test_command_line_refuses_a_broken_file_in_french(
    db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    report: list[str],
) -> None:
    source = tmp_path / "candidats.csv"
    source.write_bytes(content)

    code = main(["import", "candidates", str(source), "--db", db.url, "--valid-only"])

    out, err = capsys.readouterr()
    assert code == 1
    assert err.startswith(NOTHING_IMPORTED)
    assert all(message in err and message in out for message in report)
    assert "Traceback" not in out + err
    assert stored_count(db) == 0


# ---------------------------------------------------------------- bad rows


def test_rows_of_the_wrong_width_are_reported_with_their_line(db: Database) -> None:
    content = csv_text([row(1), row(2)[:5], [*row(3), "de trop"], row(4)]).encode()
    with db.session(commit=False) as s:
        preview = preview_import(s, content, today=TODAY)
    assert [(p.line, p.column) for p in preview.problems] == [(3, ""), (4, "")]
    assert preview.problems[0].message.startswith("5 champs au lieu de 22")
    assert preview.problems[1].message.startswith("23 champs au lieu de 22")
    with db.session() as s:
        result = apply_import(s, content, valid_only=True, actor=make_actor(ROLE, "t"), today=TODAY)
    assert (result.created, result.skipped) == (2, 2)
    assert stored_count(db) == 2


# Any bytes, and valid files damaged the way files get damaged.
def damaged(content: bytes) -> st.SearchStrategy[bytes]:
    cut = st.integers(0, len(content))
    return st.one_of(
        st.binary(max_size=400),
        st.builds(lambda at: content[:at], cut),
        st.builds(lambda at, junk: content[:at] + junk + content[at:], cut, st.binary(max_size=8)),
        st.builds(
            lambda at, char: content[:at] + char + content[at:],
            cut,
            st.sampled_from([b'"', b";", b"\r", b"\n", b"\x00", b"\xe9", b"\xff\xfe"]),
        ),
    )


SAMPLE = csv_text([row(1), row(2, email="pas-une-adresse"), row(3, site="lune"), row(4)]).encode()


@service_settings(150)
@given(content=damaged(SAMPLE), valid_only=st.booleans())
def test_any_file_is_imported_whole_valid_rows_only_or_not_at_all(
    db: Database, content: bytes, valid_only: bool
) -> None:
    with db.session(commit=False) as s:
        preview = preview_import(s, content, today=TODAY)
        s.rollback()
        assert preview.describe()
        try:
            result = apply_import(
                s, content, valid_only=valid_only, actor=make_actor(ROLE, "t"), today=TODAY
            )
        except UserFacingError as refusal:
            assert str(refusal).startswith("Rien n'a été importé : ")
            assert preview.fatal or (preview.invalid_rows and not valid_only)
            return
        assert not preview.fatal
        assert valid_only or not preview.invalid_rows
        assert result.created == count(s) == len(preview.valid_rows)
        assert result.skipped == len(preview.invalid_rows)


# ---------------------------------------------------------------- 100 000 rows

ROWS = 100_000
# line of the file (the header is line 1) -> (column, what is wrong in it)
BAD_ROWS: dict[int, tuple[str, Callable[[list[str]], list[str]]]] = {
    2: ("email", lambda r: _set(r, "email", "pas-une-adresse")),
    777: ("date_naissance", lambda r: _set(r, "date_naissance", "31/02/1990")),
    12_345: ("site", lambda r: _set(r, "site", "lune")),
    50_001: ("", lambda r: r[:10]),
    76_543: ("telephone", lambda r: _set(_set(r, "telephone", "123"), "email", "")),
    ROWS + 1: ("nom", lambda r: _set(r, "nom", "")),
}


def _set(cells: list[str], column: str, value: str) -> list[str]:
    changed = list(cells)
    changed[CANDIDATE_COLUMNS.index(column)] = value
    return changed


def write_rows(path: Path, rows: int) -> Path:
    """`rows` candidates, the lines of BAD_ROWS among them made bad."""
    template = row(0)
    name_at = CANDIDATE_COLUMNS.index("nom")
    email_at = CANDIDATE_COLUMNS.index("email")
    phone_at = CANDIDATE_COLUMNS.index("telephone")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(CANDIDATE_COLUMNS)
        for line in range(2, rows + 2):
            cells = list(template)
            cells[name_at] = f"Nom{line}"
            cells[email_at] = f"personne{line}@exemple.fr"
            cells[phone_at] = phone(line)
            if line in BAD_ROWS:
                cells = BAD_ROWS[line][1](cells)
            writer.writerow(cells)
    return path


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_rows(tmp_path_factory.mktemp("csv") / "candidats.csv", ROWS)


@pytest.mark.slow
def test_100000_rows_with_some_bad_are_reported_and_nothing_imported(
    db: Database, big_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", "candidates", str(big_file), "--db", db.url])

    out, err = capsys.readouterr()
    assert code == 1
    assert "--valid-only" in err and err.startswith(NOTHING_IMPORTED)
    assert out.startswith(f"100000 lignes lues : {ROWS - len(BAD_ROWS)} valides")
    reported = [line for line in out.splitlines() if line.startswith("ligne ")]
    assert len(reported) == len(BAD_ROWS) < MAX_REPORTED_PROBLEMS
    for (line, (column, _)), report in zip(sorted(BAD_ROWS.items()), reported, strict=True):
        where = f"ligne {line}, colonne {column} : " if column else f"ligne {line} : "
        assert report.startswith(where), report
    assert "Traceback" not in out + err
    assert stored_count(db) == 0


@pytest.mark.slow
def test_valid_only_import_of_100000_rows_stopped_midway_imports_nothing(
    db: Database, big_file: Path
) -> None:
    seen: list[int] = []

    def stop_after_3000(done: int, _total: int) -> bool:
        seen.append(done)
        return done < 3000

    with pytest.raises(ImportCancelled), db.session() as s:
        apply_import(
            s, big_file, valid_only=True, actor=make_actor(ROLE, "t"), progress=stop_after_3000
        )
    assert seen == [1000, 2000, 3000]
    assert stored_count(db) == 0


def test_valid_only_imports_exactly_the_valid_rows(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_rows(tmp_path / "candidats.csv", 1_000)
    bad = {line for line in BAD_ROWS if line <= 1_001}

    code = main(["import", "candidates", str(source), "--db", db.url, "--valid-only"])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"{len(bad)} lignes refusées ignorées" in out.splitlines()[-1]
    with db.session(commit=False) as s:
        names = set(s.scalars(select(Candidate.last_name)))
    assert names == {f"Nom{line}" for line in range(2, 1_002) if line not in bad}
