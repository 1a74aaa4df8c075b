"""The one entry point of the agreement documents: what each status allows, the file
names, the PDF bytes, and the French refusals."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.domain import Agreement
from app.services.agreements import life_cycle
from app.services.agreements.documents import (
    DocumentChoice,
    DocumentKind,
    available_documents,
    document_filename,
    render_document,
)
from app.services.errors import NotFoundError, ValidationError
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.pdf.documents_world import (
    COORD,
    NOW,
    TODAY,
    amend,
    break_off,
    finish,
    flat,
    signed,
)
from tests.unit.pdf.test_convention import _agreement

K = DocumentKind
CONVENTION = DocumentChoice(K.CONVENTION, None, "Convention de stage")
EVALUATION = DocumentChoice(K.EVALUATION, None, "Fiche d'évaluation")
ATTESTATION = DocumentChoice(K.ATTESTATION, None, "Attestation de stage")


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


def test_what_each_status_allows(session: Session) -> None:
    draft = _agreement(session, ready=False)
    assert available_documents(session, draft) == [CONVENTION]
    life_cycle.cancel(session, draft, "Doublon", actor=make_actor("coordination", COORD), now=NOW)
    assert available_documents(session, draft) == [CONVENTION]

    ready = _agreement(session, date_debut="01/09/2026", date_fin="30/09/2026")
    assert available_documents(session, ready) == [CONVENTION]
    life_cycle.cancel(session, ready, "Reporté", actor=make_actor("coordination", COORD), now=NOW)

    agreement_id = signed(session)
    assert available_documents(session, agreement_id) == [CONVENTION, EVALUATION]
    amend(session, agreement_id, "Lieu", lieu="Atelier annexe")
    amend(session, agreement_id, "Fin", sign=False, date_fin="24/07/2026")
    avenants = [
        DocumentChoice(K.AVENANT, 1, "Avenant n° 1"),
        DocumentChoice(K.AVENANT, 2, "Avenant n° 2"),
    ]
    assert available_documents(session, agreement_id) == [CONVENTION, *avenants, EVALUATION]
    finish(session, agreement_id)
    assert available_documents(session, agreement_id) == [
        CONVENTION,
        *avenants,
        ATTESTATION,
        EVALUATION,
    ]


def test_broken_off_agreement_gets_its_attestation(session: Session) -> None:
    agreement_id = signed(session)
    break_off(session, agreement_id, date(2026, 6, 12))
    assert available_documents(session, agreement_id) == [CONVENTION, ATTESTATION, EVALUATION]


def test_render_document_gives_each_pdf(session: Session) -> None:
    agreement_id = signed(session)
    amend(session, agreement_id, "Prolongation", date_fin="07/08/2026")
    finish(session, agreement_id)
    expected = {
        K.CONVENTION: "Convention de stage en milieu professionnel",
        K.AVENANT: "Avenant n° 1 à la convention de stage",
        K.ATTESTATION: "Attestation de stage",
        K.EVALUATION: "Fiche d'évaluation du stage",
    }
    for choice in available_documents(session, agreement_id):
        pdf = render_document(session, agreement_id, choice.kind, today=TODAY, rank=choice.rank)
        assert pdf.startswith(b"%PDF")
        assert expected[choice.kind] in flat(pdf)
        again = render_document(session, agreement_id, choice.kind, today=TODAY, rank=choice.rank)
        if choice.kind is K.ATTESTATION:  # its first print issued it: the next is a duplicate
            assert "DUPLICATA" in flat(again) and "DUPLICATA" not in flat(pdf)
            pdf = again
            again = render_document(session, agreement_id, choice.kind, today=TODAY)
        assert again == pdf
    # The attestation counts up to the amended end: 308 h + 5 August weekdays.
    attestation = flat(render_document(session, agreement_id, K.ATTESTATION, today=TODAY))
    assert "Heures effectuées 343 h, soit 49 journées de 7 h" in attestation


def test_refusals_are_french(session: Session) -> None:
    agreement_id = signed(session)
    with pytest.raises(ValidationError) as refused:
        render_document(session, agreement_id, K.ATTESTATION, today=TODAY)
    assert set(refused.value.errors) == {"statut"}
    assert "cette convention est signée" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        render_document(session, agreement_id, K.AVENANT, today=TODAY)
    assert refused.value.errors == {"avenant": "Préciser le numéro de l'avenant à imprimer."}
    with pytest.raises(NotFoundError, match="L'avenant n° 1 n'existe pas pour cette convention"):
        render_document(session, agreement_id, K.AVENANT, today=TODAY, rank=1)
    draft = _agreement(session, ready=False, date_debut="01/09/2026", date_fin="30/09/2026")
    with pytest.raises(ValidationError, match="cette convention est brouillon"):
        render_document(session, draft, K.EVALUATION, today=TODAY)
    with pytest.raises(NotFoundError):
        render_document(session, 999, K.CONVENTION, today=TODAY)


def test_file_names_are_ascii_and_safe(session: Session) -> None:
    agreement_id = signed(session)
    assert (
        document_filename(session, agreement_id, K.CONVENTION)
        == "convention-FAB-2026-0001-dupont-lea.pdf"
    )
    assert (
        document_filename(session, agreement_id, K.AVENANT, 1)
        == "avenant-1-FAB-2026-0001-dupont-lea.pdf"
    )
    assert (
        document_filename(session, agreement_id, K.ATTESTATION)
        == "attestation-FAB-2026-0001-dupont-lea.pdf"
    )
    assert (
        document_filename(session, agreement_id, K.EVALUATION)
        == "evaluation-FAB-2026-0001-dupont-lea.pdf"
    )
    draft = _agreement(session, ready=False, date_debut="01/09/2026", date_fin="30/09/2026")
    candidate = session.get(Agreement, draft).candidate  # type: ignore[union-attr]
    candidate.last_name, candidate.first_name = "D'Almeida / Ñúñez", "Océane-Zoé"
    name = document_filename(session, draft, K.CONVENTION)
    assert name == "convention-projet-d-almeida-nunez-oceane-zoe.pdf"
    assert name.isascii()
    with pytest.raises(NotFoundError):
        document_filename(session, 999, K.CONVENTION)
