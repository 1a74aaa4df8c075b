"""The 'done when' of the intake issue, through the command line as a user would run it."""

import csv
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.domain.values import STAGES
from app.services import reference

ENTRY_OR_LATER = {s.label for s in STAGES if s.counts_as_entry}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_demo_past_season_exports_40_rows_34_entered_and_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    past = reference.season_label(reference.season_start_year(date.today()) - 1)
    demo, empty = tmp_path / "demo.sqlite", tmp_path / "empty.sqlite"
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"

    assert main(["seed-demo", "--db", str(demo)]) == 0
    assert (
        main(["export", "candidates", "--db", str(demo), "--out", str(first), "--season", past])
        == 0
    )
    rows = _rows(first)
    assert len(rows) == 40
    assert sum(row["etape"] in ENTRY_OR_LATER for row in rows) == 34
    assert {row["site"] for row in rows} == {"cobalt", "du-guesclin"}

    assert main(["import", "candidates", str(first), "--db", str(empty)]) == 0
    assert (
        main(["export", "candidates", "--db", str(empty), "--out", str(second), "--season", past])
        == 0
    )
    assert _rows(second) == rows
    assert second.read_bytes() == first.read_bytes()
    assert "Traceback" not in capsys.readouterr().err
