"""An import locks the base only while it writes (issue 14, point 4): another desk saves
while the file is read and checked; what it saved meanwhile is checked again under the lock,
and an import that no longer holds is refused whole."""

import csv
import threading
from pathlib import Path
from typing import Any

import pytest

from app.services.candidates import actions, import_preview, records
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS, export_candidates
from app.services.candidates.import_writing import BaseChanged
from app.services.candidates.records import CandidateInput
from app.storage import Database
from tests.conftest import make_actor

DESK = make_actor("accueil", "nadia")
OTHER_DESK = make_actor("accueil", "samir")
SEASON = "2026-2027"


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(CANDIDATE_COLUMNS)
        for values in rows:
            merged = {"saison": SEASON, "site": "cobalt", "prenom": "Léa"} | values
            writer.writerow([merged.get(name, "") for name in CANDIDATE_COLUMNS])
    return path


def _people(count: int) -> list[dict[str, str]]:
    return [{"nom": f"Nom{n}", "email": f"personne{n}@exemple.fr"} for n in range(count)]


def test_another_desk_saves_while_the_file_is_checked(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_preview, "PREVIEW_CHUNK", 5)
    path = _write(tmp_path / "candidats.csv", _people(20))
    reading, saved = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def checking(_line: int, _lines: int) -> bool:
        reading.set()
        saved.wait(timeout=60)  # the file stays half read until the other desk has saved
        return True

    def import_the_file() -> None:
        try:
            preview = actions.preview_import(db, path, progress=checking)
            outcome["result"] = actions.import_previewed(db, preview, valid_only=False, actor=DESK)
        except Exception as error:  # reported by the test below
            outcome["error"] = error

    importing = threading.Thread(target=import_the_file)
    importing.start()
    try:
        assert reading.wait(timeout=60)
        other = CandidateInput(nom="Durand", prenom="Hélène", email="h@exemple.fr")
        other.saison, other.site = SEASON, "du-guesclin"
        desk_saved = actions.save_candidate(db, other, actor=OTHER_DESK)
    finally:
        saved.set()
        importing.join(timeout=120)

    assert desk_saved.file is not None  # not refused, not kept waiting for the import
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].created == 20
    with db.session(commit=False) as s:
        assert len(records.search_ids(s, records.CandidateQuery())) == 21


def test_a_look_alike_saved_meanwhile_refuses_the_whole_import(
    db: Database, tmp_path: Path
) -> None:
    path = _write(tmp_path / "candidats.csv", _people(3))
    preview = actions.preview_import(db, path)
    assert [r.action for r in preview.rows] == ["create"] * 3

    # Another desk registers the second person of the file before the import is confirmed.
    data = CandidateInput(nom="Nom1", prenom="Léa", email="personne1@exemple.fr")
    data.saison, data.site = SEASON, "cobalt"
    actions.save_candidate(db, data, actor=OTHER_DESK)

    with pytest.raises(BaseChanged) as refused:
        actions.import_previewed(db, preview, valid_only=False, actor=DESK)
    assert str(refused.value) == (
        "Rien n'a été importé : la base a changé depuis la vérification du fichier (dossiers "
        "enregistrés entre-temps sur un autre poste, ligne 3). Relancez l'import pour revoir "
        "ces lignes."
    )
    with db.session(commit=False) as s:
        assert len(records.search_ids(s, records.CandidateQuery())) == 1


def test_an_update_of_a_file_changed_meanwhile_refuses_the_whole_import(
    db: Database, tmp_path: Path
) -> None:
    data = CandidateInput(nom="Martin", prenom="Léo", email="leo@exemple.fr")
    data.saison, data.site = SEASON, "cobalt"
    saved = actions.save_candidate(db, data, actor=DESK).file
    assert saved is not None
    exported = tmp_path / "export.csv"
    with db.session(commit=False) as s:
        export_candidates(s, exported)
    text = exported.read_text(encoding="utf-8-sig").replace("leo@exemple.fr", "leo@neuf.fr")
    exported.write_text(text, encoding="utf-8")
    preview = actions.preview_import(db, exported)
    assert [r.action for r in preview.rows] == ["update"]

    changed = saved.values
    changed.commune = "Niort"
    actions.save_candidate(
        db, changed, actor=OTHER_DESK, candidate_id=saved.id, expected_version=saved.version
    )

    with pytest.raises(BaseChanged, match="ligne 2"):
        actions.import_previewed(db, preview, valid_only=False, actor=DESK)
    with db.session(commit=False) as s:
        stored = records.get_candidate(s, saved.id, actor=DESK).values
    assert (stored.email, stored.commune) == ("leo@exemple.fr", "Niort")
