"""`main.py import candidates` and `main.py export candidates` of CONTRACT.md."""

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.domain import Candidate
from app.services.candidates import records as candidates
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS, EXPORT_COLUMNS
from app.services.candidates.import_rows import NOT_UTF8
from app.services.candidates.records import CandidateInput
from app.storage import Database
from tests.conftest import make_actor

SEASON = "2026-2027"
HEADER = ";".join(CANDIDATE_COLUMNS)


def row(index: int, **overrides: str) -> list[str]:
    values = {
        "nom": f"Nom{index}",
        "prenom": "Inès",
        "date_naissance": "14/07/1990",
        "telephone": f"06 12 34 56 {10 + index:02d}",
        "email": f"personne{index}@exemple.fr",
        "saison": SEASON,
        "site": "cobalt",
        "etape": "contacté",
    }
    values.update(overrides)
    return [values.get(name, "") for name in CANDIDATE_COLUMNS]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CANDIDATE_COLUMNS)
    writer.writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8", newline="")
    return path


def count_candidates(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Candidate)) or 0


@pytest.fixture
def seeded(db: Database) -> Database:
    with db.session() as s:
        for index, site in enumerate(["cobalt", "du-guesclin", "cobalt"]):
            data = CandidateInput(**dict(zip(CANDIDATE_COLUMNS, row(index), strict=True)))
            data.site = site
            candidates.create_candidate(
                s, data, now=datetime(2026, 11, 28, 9), actor=make_actor("coordination", "test")
            )
    return db


def test_export_writes_the_file_and_reports_the_count(
    seeded: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "candidats.csv"

    code = main(["export", "candidates", "--db", str(db_path), "--out", str(out)])

    assert code == 0
    export_header = ";".join(EXPORT_COLUMNS)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + export_header.encode() + b"\r\n")
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 4
    assert "3 candidat(s) exporté(s)" in capsys.readouterr().out


def test_export_accepts_db_before_the_subcommand_and_filters(
    seeded: Database, db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cobalt.csv"
    argv = ["--db", str(db_path), "export", "candidates", "--out", str(out)]

    assert main([*argv, "--season", SEASON, "--site", "cobalt"]) == 0

    lines = out.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(lines) == 2
    assert all(";cobalt;" in line for line in lines)


def test_export_of_an_unknown_season_is_refused(
    seeded: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "candidats.csv"

    argv = ["export", "candidates", "--db", str(db_path), "--out", str(out)]

    code = main([*argv, "--season", "1999-2000"])

    err = capsys.readouterr().err
    assert code == 1
    assert "Saison inconnue : « 1999-2000 »" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_import_of_a_bad_file_exits_1_and_imports_nothing(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "in.csv", [row(1), row(2, email="pas-une-adresse"), row(3)])

    code = main(["import", "candidates", str(source), "--db", str(db_path)])

    captured = capsys.readouterr()
    assert code == 1
    assert "ligne 3, colonne email : Adresse e-mail invalide" in captured.out
    assert "rien n'a été importé" in captured.err
    assert "--valid-only" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert count_candidates(db) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nom;prénom\r\nÉlodie;Durand\r\n".encode("cp1252"), NOT_UTF8),
        (bytes(range(256)) * 10, "contenu binaire"),
        (b"", "Le fichier est vide."),
    ],
    ids=["cp1252", "binary", "empty"],
)
def test_import_of_an_unreadable_file_exits_1_in_french(
    db: Database,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    message: str,
) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(content)

    code = main(["import", "candidates", str(source), "--db", str(db_path)])

    captured = capsys.readouterr()
    assert code == 1
    assert message in captured.out
    assert "Erreur : rien n'a été importé." in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert count_candidates(db) == 0


def test_import_of_a_missing_file_exits_1(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", "candidates", str(tmp_path / "absent.csv"), "--db", str(db_path)])

    captured = capsys.readouterr()
    assert code == 1
    assert "Fichier introuvable" in captured.out
    assert "Traceback" not in captured.err


def test_dry_run_imports_nothing(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "in.csv", [row(1), row(2)])

    code = main(["import", "candidates", str(source), "--db", str(db_path), "--dry-run"])

    out = capsys.readouterr().out
    assert code == 0
    assert "2 lignes lues : 2 valides (2 nouveaux" in out
    assert "rien n'a été importé" in out
    assert count_candidates(db) == 0


def test_valid_only_imports_the_good_rows(
    db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_csv(tmp_path / "in.csv", [row(1), row(2, email="pas-une-adresse"), row(3)])

    code = main(["import", "candidates", str(source), "--db", str(db_path), "--valid-only"])

    out = capsys.readouterr().out
    assert code == 0
    assert "Import terminé : 2 nouveaux candidats" in out
    assert count_candidates(db) == 2
    with db.session() as s:
        names = set(s.scalars(select(Candidate.last_name)))
        stages = {c.stage.code for c in s.scalars(select(Candidate))}
    assert names == {"Nom1", "Nom3"}
    assert stages == {"contacte"}


def test_export_import_export_through_the_command_line(
    seeded: Database, db_path: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    other = tmp_path / "other.sqlite"

    assert main(["export", "candidates", "--db", str(db_path), "--out", str(first)]) == 0
    assert main(["import", "candidates", str(first), "--db", str(other)]) == 0
    assert main(["export", "candidates", "--db", str(other), "--out", str(second)]) == 0
    assert main(["import", "candidates", str(second), "--db", str(db_path)]) == 0

    assert second.read_bytes() == first.read_bytes()
    assert count_candidates(seeded) == 3
