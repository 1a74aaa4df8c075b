"""The candidate use cases the window calls: each one unit of work, refused as a whole."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.domain import AuditAction, AuditEntry, Candidate, StageChange
from app.services.candidates import actions, records
from app.services.candidates.actions import SamePersonDecision
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS
from app.services.candidates.import_preview import ImportCancelled
from app.services.candidates.records import CandidateInput, CandidateQuery
from app.services.errors import PermissionDenied, StorageError, ValidationError
from app.storage import Database
from tests.conftest import make_actor

DESK = make_actor("accueil", "nadia")
TRAINER = make_actor("formateur", "marc")
SEASON = "2026-2027"


def _entry(**overrides: str) -> CandidateInput:
    values = {
        "nom": "Lefèvre",
        "prenom": "Amélie",
        "email": "amelie.lefevre@exemple.fr",
        "date_naissance": "14/03/1994",
        "saison": SEASON,
        "site": "cobalt",
    }
    values.update(overrides)
    return CandidateInput(**values)


def _count(db: Database, table: type) -> int:
    with db.session(commit=False) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def _exports(db: Database) -> list[str]:
    with db.session(commit=False) as session:
        return list(
            session.scalars(
                select(AuditEntry.summary).where(AuditEntry.action == AuditAction.EXPORT.value)
            )
        )


# ---------------------------------------------------------------- saving a file


def test_a_new_file_like_no_other_is_saved_and_read_back(db: Database) -> None:
    outcome = actions.save_candidate(db, _entry(), actor=DESK)

    assert outcome.look_alikes == []
    assert outcome.file is not None
    assert outcome.file.display_name == "LEFÈVRE Amélie"
    assert [entry.to_label for entry in outcome.file.history] == ["candidature reçue"]
    assert _count(db, Candidate) == 1


def test_look_alikes_come_back_unsaved_until_the_person_decides(db: Database) -> None:
    first = actions.save_candidate(db, _entry(), actor=DESK).file
    assert first is not None

    asked = actions.save_candidate(db, _entry(saison="2027-2028"), actor=DESK)

    assert asked.file is None
    assert [(m.id, m.reasons) for m in asked.look_alikes] == [
        (first.id, ("même e-mail", "même nom et même date de naissance"))
    ]
    assert _count(db, Candidate) == 1

    decision = SamePersonDecision(frozenset({first.id}), asked.look_alikes[0].person_uuid)
    saved = actions.save_candidate(db, _entry(saison="2027-2028"), actor=DESK, decision=decision)

    assert saved.file is not None and saved.file.values.saison == "2027-2028"
    with db.session(commit=False) as session:
        people = {c.person_uuid for c in session.scalars(select(Candidate))}
    assert len(people) == 1  # a new application of the same person


def test_another_person_is_created_once_the_look_alikes_were_seen(db: Database) -> None:
    first = actions.save_candidate(db, _entry(), actor=DESK).file
    assert first is not None
    decision = SamePersonDecision(frozenset({first.id}))

    saved = actions.save_candidate(db, _entry(prenom="Léa"), actor=DESK, decision=decision)

    assert saved.file is not None
    with db.session(commit=False) as session:
        assert len({c.person_uuid for c in session.scalars(select(Candidate))}) == 2


def test_a_look_alike_saved_since_the_decision_is_shown_before_saving(db: Database) -> None:
    first = actions.save_candidate(db, _entry(), actor=DESK).file
    assert first is not None
    decided_on_first_only = SamePersonDecision(frozenset({first.id}))
    other_desk = SamePersonDecision(frozenset({first.id}))
    second = actions.save_candidate(db, _entry(prenom="Léa"), actor=DESK, decision=other_desk)
    assert second.file is not None

    asked = actions.save_candidate(
        db, _entry(prenom="Zoé"), actor=DESK, decision=decided_on_first_only
    )

    assert asked.file is None
    assert {m.id for m in asked.look_alikes} == {first.id, second.file.id}
    assert _count(db, Candidate) == 2


def test_an_invalid_file_is_refused_before_any_look_alike_is_searched(db: Database) -> None:
    actions.save_candidate(db, _entry(), actor=DESK)

    with pytest.raises(ValidationError) as refused:
        actions.save_candidate(db, _entry(email="amelie.lefevre@exemple"), actor=DESK)

    assert set(refused.value.errors) == {"email"}
    assert _count(db, Candidate) == 1


def test_a_trainer_is_refused_and_shown_no_look_alike(db: Database) -> None:
    actions.save_candidate(db, _entry(), actor=DESK)

    with pytest.raises(PermissionDenied):
        actions.save_candidate(db, _entry(saison="2027-2028"), actor=TRAINER)

    assert _count(db, Candidate) == 1


def test_an_update_saves_the_new_values_and_returns_the_new_version(db: Database) -> None:
    first = actions.save_candidate(db, _entry(), actor=DESK).file
    assert first is not None

    changed = actions.save_candidate(
        db,
        _entry(commune="Loudun"),
        actor=DESK,
        candidate_id=first.id,
        expected_version=first.version,
    ).file

    assert changed is not None
    assert changed.values.commune == "Loudun"
    assert changed.version > first.version


def test_a_failure_after_the_creation_leaves_nothing_saved(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(*_args: object, **_kwargs: object) -> object:
        raise StorageError("La base de données ne répond pas.")

    monkeypatch.setattr(records, "get_candidate", unreadable)

    with pytest.raises(StorageError):
        actions.save_candidate(db, _entry(), actor=DESK)

    assert _count(db, Candidate) == 0
    assert _count(db, StageChange) == 0


# ---------------------------------------------------------------- the list


def test_the_list_starts_with_a_chunk_and_counts_the_rest(db: Database) -> None:
    for n in range(5):
        actions.save_candidate(
            db, _entry(nom=f"Nom{n}", email=f"p{n}@exemple.fr", date_naissance=""), actor=DESK
        )
    query = CandidateQuery(text="nom")

    start = actions.list_start(db, query, sort="name", descending=False, chunk=3)
    rest = actions.list_ids(db, query, sort="name", descending=False, limit=10, offset=3)
    rows = actions.list_rows(db, start.ids)

    assert (len(start.ids), start.more, start.total) == (3, True, 5)
    assert len(set(start.ids + rest)) == 5
    assert [rows[i].name for i in start.ids] == ["NOM0 Amélie", "NOM1 Amélie", "NOM2 Amélie"]


# ---------------------------------------------------------------- CSV


def test_an_export_is_written_and_journaled_together(db: Database, tmp_path: Path) -> None:
    actions.save_candidate(db, _entry(), actor=DESK)
    target = tmp_path / "candidats.csv"

    written = actions.export_candidates(db, target, season=SEASON, site_id=None, actor=DESK)

    assert written == 1
    assert "Lefèvre" in target.read_text(encoding="utf-8-sig")
    assert _exports(db) == [f"Export des candidats (CSV) : 1 ligne — saison {SEASON}"]


def test_an_export_whose_journal_entry_fails_leaves_the_file_as_it_was(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions.save_candidate(db, _entry(), actor=DESK)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "candidats.csv"
    target.write_text("ancien contenu", encoding="utf-8")

    def journal_unavailable(*_args: object, **_kwargs: object) -> None:
        raise StorageError("La base de données ne répond pas.")

    monkeypatch.setattr(actions.audit, "record_export", journal_unavailable)

    with pytest.raises(StorageError):
        actions.export_candidates(db, target, season=None, site_id=None, actor=DESK)

    assert target.read_text(encoding="utf-8") == "ancien contenu"
    assert [p.name for p in folder.iterdir()] == ["candidats.csv"]  # no temporary file left
    assert _exports(db) == []


@pytest.mark.sqlite_only  # the base's own file
def test_an_export_over_the_base_is_refused_and_not_journaled(db: Database) -> None:
    base = Path(db.url.removeprefix("sqlite:///"))
    size = base.stat().st_size

    with pytest.raises(Exception, match="base de données elle-même"):
        actions.export_candidates(db, base, season=None, site_id=None, actor=DESK)

    assert base.stat().st_size == size
    assert _exports(db) == []


def _csv(path: Path, *people: tuple[str, str]) -> Path:
    """A file of these (nom, e-mail) in the CSV format, every other column empty."""
    lines = [";".join(CANDIDATE_COLUMNS)]
    for last_name, email in people:
        values = {"nom": last_name, "prenom": "Léo", "email": email, "saison": SEASON}
        values["site"] = "cobalt"
        lines.append(";".join(values.get(column, "") for column in CANDIDATE_COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_is_previewed_without_saving_then_applied(db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path / "in.csv", ("Martin", "leo@exemple.fr"))

    preview = actions.preview_import(db, path)
    assert (len(preview.valid_rows), preview.fatal) == (1, [])
    assert _count(db, Candidate) == 0

    result = actions.apply_import(db, path, valid_only=False, actor=DESK)
    assert result.describe().startswith("Import terminé : 1 nouveau candidat")
    assert _count(db, Candidate) == 1


def test_a_cancelled_import_saves_nothing(db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path / "in.csv", *[(f"Nom{n}", f"leo{n}@exemple.fr") for n in range(300)])

    with pytest.raises(ImportCancelled):
        actions.apply_import(
            db, path, valid_only=False, actor=DESK, progress=lambda done, _total: done == 0
        )

    assert _count(db, Candidate) == 0


def test_a_trainer_cannot_import(db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path / "in.csv", ("Martin", "leo@exemple.fr"))

    with pytest.raises(PermissionDenied):
        actions.apply_import(db, path, valid_only=False, actor=TRAINER)

    assert _count(db, Candidate) == 0


# ---------------------------------------------------------------- opening a file


def test_opening_a_file_says_whether_an_agreement_can_be_made(db: Database) -> None:
    saved = actions.save_candidate(db, _entry(), actor=DESK).file
    assert saved is not None

    opened = actions.open_file(db, saved.id, actor=TRAINER)

    assert opened.file.id == saved.id
    assert opened.in_training is False
