"""Agreements CSV export (CONTRACT.md): columns, current values, French numbers."""

import csv
from pathlib import Path

import pytest

from app.cli import main
from app.domain import Candidate
from app.services.agreements import life_cycle
from app.services.agreements.csv_export import AGREEMENT_COLUMNS, export_agreements
from app.services.errors import UserFacingError
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_agreements import COORD, NOW, TODAY, _form, _world


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        assert tuple(reader.fieldnames or ()) == AGREEMENT_COLUMNS
        return list(reader)


def test_export_lists_drafts_and_numbered_agreements(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        world = _world(session)
        ready = life_cycle.create_draft(
            session, _form(world), actor=make_actor("coordination", COORD), now=NOW
        )
        life_cycle.mark_ready(session, ready.id, actor=make_actor("coordination", COORD), now=NOW)
        half = {day: "3,5" for day in range(5)}
        life_cycle.create_draft(
            session,
            _form(world, world.marc, horaires=half),
            actor=make_actor("coordination", COORD),
            now=NOW,
        )
        lea_uuid = session.get(Candidate, world.lea).uuid  # type: ignore[union-attr]
    out = tmp_path / "conventions.csv"
    with db.session(commit=False) as session:
        assert export_agreements(session, out, season="2025-2026", today=TODAY) == 2
    rows = {row["apprenant"]: row for row in _read(out)}
    lea = next(row for name, row in rows.items() if "Léa" in name)
    marc = next(row for name, row in rows.items() if "Marc" in name)
    assert lea["numero"] == "FAB-2026-0001"
    assert lea["statut"] == "prête à signer"
    assert lea["identifiant_apprenant"] == lea_uuid
    assert (lea["structure"], lea["siret"]) == ("Atelier Vélo Solidaire", "73282932000074")
    assert (lea["tuteur"], lea["formateur_referent"]) == ("Jeanne Petit", "Samir Haddad")
    assert (lea["date_debut"], lea["date_fin"]) == ("01/06/2026", "31/07/2026")
    assert lea["heures_effectives"] == "308"
    assert lea["avenants"] == "0"
    assert marc["numero"] == ""
    assert marc["statut"] == "brouillon"
    assert marc["heures_effectives"] == "154"


def test_unknown_season_is_refused_in_french(db: Database, tmp_path: Path) -> None:
    with db.session() as session, pytest.raises(UserFacingError, match="Saison inconnue"):
        export_agreements(session, tmp_path / "x.csv", season="2025")
    assert not (tmp_path / "x.csv").exists()


def test_cli_export_agreements(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "d.sqlite"
    out = tmp_path / "conventions.csv"
    assert main(["export", "agreements", "--db", str(db), "--out", str(out)]) == 0
    assert _read(out) == []
    assert "0 convention(s) exportée(s)" in capsys.readouterr().out
