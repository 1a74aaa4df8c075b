"""Many documents at once (render_documents): in the order asked, the same bytes as one by
one, in worker processes from PARALLEL_FROM documents on, and a document that cannot be
produced keeps its reason without stopping the others."""

import logging

import pytest

from app.errors import UserFacingError
from app.services.agreements import documents
from app.services.agreements.documents import (
    UNEXPECTED_ERROR,
    DocumentKind,
    RenderedDocument,
    render_document,
    render_documents,
)
from app.storage import Database
from tests.unit.pdf.documents_world import TODAY
from tests.unit.pdf.test_convention import _agreement

MISSING = 999_999
CONVENTION = DocumentKind.CONVENTION


@pytest.fixture
def agreement_id(db: Database) -> int:
    with db.session() as session:
        return _agreement(session)


def _one_by_one(db: Database, agreement_id: int, kind: DocumentKind) -> RenderedDocument:
    try:
        with db.session(commit=False) as session:
            return RenderedDocument(
                agreement_id, render_document(session, agreement_id, kind, today=TODAY)
            )
    except UserFacingError as error:
        return RenderedDocument(agreement_id, None, str(error))


def test_worker_processes_give_the_documents_in_order(
    db: Database, agreement_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "PARALLEL_FROM", 2)
    ids = [agreement_id, MISSING, agreement_id, agreement_id, MISSING]
    results = list(render_documents(db, ids, CONVENTION, today=TODAY, workers=2))
    assert [r.agreement_id for r in results] == ids
    expected = {i: _one_by_one(db, i, CONVENTION) for i in (agreement_id, MISSING)}
    assert expected[agreement_id].pdf is not None and expected[MISSING].pdf is None
    assert results == [expected[i] for i in ids]
    assert "n'existe plus" in results[1].error


def test_a_refused_document_keeps_its_reason(db: Database, agreement_id: int) -> None:
    # The agreement is only ready to sign: no attestation yet, from the URL as well.
    ids = [agreement_id, MISSING]
    results = list(render_documents(db.url, ids, DocumentKind.ATTESTATION, today=TODAY))
    assert results == [_one_by_one(db, i, DocumentKind.ATTESTATION) for i in ids]
    assert all(r.pdf is None for r in results)
    assert "L'attestation de stage se délivre à la fin du stage" in results[0].error


def test_a_bug_in_one_document_is_logged_and_the_batch_goes_on(
    db: Database,
    agreement_id: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    real = documents.render_document

    def broken_once(session: object, wanted: int, *args: object, **kwargs: object) -> bytes:
        if not caplog.records:
            raise RuntimeError("bogue de démonstration")
        return real(session, wanted, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(documents, "render_document", broken_once)
    with caplog.at_level(logging.ERROR, logger=documents.__name__):
        first, second = render_documents(db, [agreement_id] * 2, CONVENTION, today=TODAY)
    assert first == RenderedDocument(agreement_id, None, UNEXPECTED_ERROR)
    assert second.pdf is not None and not second.error
    assert "bogue de démonstration" in caplog.text


def test_stopping_early_cancels_the_rest(
    db: Database, agreement_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "PARALLEL_FROM", 2)
    batch = render_documents(db, [agreement_id] * 40, CONVENTION, today=TODAY, workers=2)
    assert next(batch).pdf is not None
    batch.close()  # returns once the documents under way are done; the others never start
    with pytest.raises(StopIteration):
        next(batch)
