"""The use cases the agreements window calls: each one unit of work, all or nothing, and
refused to a role that may not act."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import backup_dir
from app.domain import AuditEntry
from app.domain.agreement import AgreementAbsence, AgreementDocument
from app.domain.audit import AuditAction
from app.services.agreements import actions
from app.services.agreements.documents import DocumentChoice, DocumentKind
from app.services.agreements.presence import AbsenceInput
from app.services.errors import PermissionDenied, UserFacingError
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.pdf.documents_world import COORD, finish, signed
from tests.unit.pdf.test_convention import _agreement

COORDINATION = make_actor("coordination", COORD)
TRAINER = make_actor("formateur", "formateur")
DESK = make_actor("accueil", "accueil")
TODAY = date(2026, 9, 2)  # the internship (01/06 → 31/07/2026) is over
CONVENTION = DocumentChoice(DocumentKind.CONVENTION, None, "Convention de stage")
ATTESTATION = DocumentChoice(DocumentKind.ATTESTATION, None, "Attestation de stage")


class Broken(Exception):
    """A step that fails after the ones before it wrote."""


def _signed_and_finished(db: Database) -> int:
    with db.session() as s:
        agreement_id = signed(s)
        finish(s, agreement_id)
    return agreement_id


def _print_entries(db: Database) -> list[str]:
    with db.session(commit=False) as s:
        entries = select(AuditEntry.summary).where(AuditEntry.action == AuditAction.IMPRESSION)
        return list(s.scalars(entries))


def _count(db: Database, model: type) -> int:
    with db.session(commit=False) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _broken(*_args: object, **_kwargs: object) -> None:
    raise Broken


# ---------------------------------------------------------------- printing one document


def test_print_document_renders_names_and_journals_in_one_go(db: Database) -> None:
    with db.session() as s:
        agreement_id = _agreement(s)
    printed = actions.print_document(db, agreement_id, CONVENTION, actor=COORDINATION, today=TODAY)
    assert printed.pdf.startswith(b"%PDF")
    assert printed.filename.startswith("convention-FAB-") and printed.filename.endswith(".pdf")
    number = printed.filename.removeprefix("convention-")[:13]
    assert _print_entries(db) == [f"Convention de stage — {number}"]


def test_a_journal_that_cannot_be_written_undoes_the_attestation_number(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreement_id = _signed_and_finished(db)
    monkeypatch.setattr(actions.audit, "record_document_printed", _broken)
    with pytest.raises(Broken):
        actions.print_document(db, agreement_id, ATTESTATION, actor=COORDINATION, today=TODAY)
    # The attestation took its number while rendering: rolled back with the failed journal.
    assert _count(db, AgreementDocument) == 0

    monkeypatch.undo()
    actions.print_document(db, agreement_id, ATTESTATION, actor=COORDINATION, today=TODAY)
    assert _count(db, AgreementDocument) == 1
    assert _print_entries(db) and _print_entries(db)[-1].startswith("Attestation de stage — ")


def test_a_file_name_that_cannot_be_given_leaves_neither_number_nor_journal(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreement_id = _signed_and_finished(db)
    monkeypatch.setattr(actions.documents, "document_filename", _broken)
    with pytest.raises(Broken):
        actions.print_document(db, agreement_id, ATTESTATION, actor=COORDINATION, today=TODAY)
    assert _count(db, AgreementDocument) == 0
    assert _print_entries(db) == []


@pytest.mark.parametrize("actor", [TRAINER, DESK])
def test_printing_is_for_coordination(db: Database, actor: object) -> None:
    with db.session() as s:
        agreement_id = _agreement(s)
    with pytest.raises(PermissionDenied, match="Seule la coordination peut imprimer"):
        actions.print_document(db, agreement_id, CONVENTION, actor=actor, today=TODAY)  # type: ignore[arg-type]
    assert _print_entries(db) == []


# ---------------------------------------------------------------- a batch


def test_a_batch_is_named_rendered_and_journaled(db: Database) -> None:
    with db.session() as s:
        ids = [_agreement(s), _agreement(s, date_debut="01/09/2026", date_fin="30/09/2026")]
    names = actions.document_filenames(db, ids, DocumentKind.CONVENTION, actor=COORDINATION)
    assert [n.startswith("convention-FAB-") for n in names] == [True, True]
    rendered = list(
        actions.render_batch(db, ids, DocumentKind.CONVENTION, actor=COORDINATION, today=TODAY)
    )
    assert [r.agreement_id for r in rendered] == ids
    assert all(r.pdf is not None and r.pdf.startswith(b"%PDF") for r in rendered)

    actions.journal_printed(db, ids, "Convention de stage", actor=COORDINATION)
    assert len(_print_entries(db)) == 2


def test_a_batch_journal_is_all_or_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with db.session() as s:
        ids = [_agreement(s), _agreement(s, date_debut="01/09/2026", date_fin="30/09/2026")]
    real = actions.audit.record_document_printed
    calls: list[int] = []

    def second_fails(session: object, agreement_id: int, label: str) -> None:
        calls.append(agreement_id)
        if len(calls) == 2:
            raise Broken
        real(session, agreement_id, label)  # type: ignore[arg-type]

    monkeypatch.setattr(actions.audit, "record_document_printed", second_fails)
    with pytest.raises(Broken):
        actions.journal_printed(db, ids, "Convention de stage", actor=COORDINATION)
    assert _print_entries(db) == []


def test_a_batch_is_for_coordination(db: Database) -> None:
    with db.session() as s:
        ids = [_agreement(s)]
    with pytest.raises(PermissionDenied):
        actions.document_filenames(db, ids, DocumentKind.CONVENTION, actor=TRAINER)
    with pytest.raises(PermissionDenied):  # refused before any document is read
        actions.render_batch(db, ids, DocumentKind.CONVENTION, actor=TRAINER, today=TODAY)
    with pytest.raises(PermissionDenied):
        actions.journal_printed(db, ids, "Convention de stage", actor=DESK)
    assert _print_entries(db) == []


# ---------------------------------------------------------------- presence


def test_an_absence_saved_comes_back_with_the_presence_it_leaves(db: Database) -> None:
    agreement_id = _signed_and_finished(db)
    saved = actions.save_absence(
        db,
        agreement_id,
        AbsenceInput(day="02/06/2026", half_day="matin"),
        absence_id=None,
        actor=TRAINER,
        today=TODAY,
    )
    assert saved.absence.hours == 3.5
    assert [a.id for a in saved.presence.absences] == [saved.absence.id]
    assert saved.presence.summary.absent_hours == 3.5

    changed = actions.save_absence(
        db,
        agreement_id,
        AbsenceInput(day="02/06/2026", half_day="apres_midi"),
        absence_id=saved.absence.id,
        actor=TRAINER,
        today=TODAY,
    )
    assert changed.absence.id == saved.absence.id
    assert [a.half_day for a in changed.presence.absences] == ["apres_midi"]

    left = actions.delete_absence(db, agreement_id, saved.absence.id, actor=TRAINER, today=TODAY)
    assert left.absences == ()
    assert _count(db, AgreementAbsence) == 0


def test_an_absence_whose_presence_cannot_be_read_is_not_saved(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreement_id = _signed_and_finished(db)
    saved = actions.save_absence(
        db,
        agreement_id,
        AbsenceInput(day="02/06/2026", half_day="matin"),
        absence_id=None,
        actor=TRAINER,
        today=TODAY,
    )
    monkeypatch.setattr(actions.presence, "presence", _broken)
    with pytest.raises(Broken):
        actions.save_absence(
            db,
            agreement_id,
            AbsenceInput(day="03/06/2026", half_day="matin"),
            absence_id=None,
            actor=TRAINER,
            today=TODAY,
        )
    with pytest.raises(Broken):
        actions.delete_absence(db, agreement_id, saved.absence.id, actor=TRAINER, today=TODAY)
    assert _count(db, AgreementAbsence) == 1  # neither the new one nor the deletion


def test_absences_are_not_for_the_desk(db: Database) -> None:
    agreement_id = _signed_and_finished(db)
    with pytest.raises(PermissionDenied):
        actions.save_absence(
            db,
            agreement_id,
            AbsenceInput(day="02/06/2026", half_day="matin"),
            absence_id=None,
            actor=DESK,
            today=TODAY,
        )
    assert _count(db, AgreementAbsence) == 0


# ---------------------------------------------------------------- the list and the files


def test_the_list_reads_rows_hosts_and_missing_settings_at_once(db: Database) -> None:
    with db.session() as s:
        agreement_id = _agreement(s)
    read = actions.agreement_list(db, season_id=None, site_id=None, today=TODAY)
    assert [row.id for row in read.rows] == [agreement_id]
    assert [host.name for host in read.hosts] == ["Atelier Vélo Solidaire"]
    assert read.missing_settings == actions.missing_settings(db)


def test_a_pdf_is_written_whole_and_never_into_the_backups(tmp_path: Path) -> None:
    target = tmp_path / "sortie" / "convention.pdf"
    actions.write_pdf_file(target, b"%PDF-1.4 test")
    assert target.read_bytes() == b"%PDF-1.4 test"
    actions.refuse_unsafe_target(target)  # an ordinary file: accepted
    with pytest.raises(UserFacingError):
        actions.refuse_unsafe_target(backup_dir() / "convention.pdf")
