"""PDF documents: markup typed by a user (`<b>`, `&amp;`, `</para>`, `<font size=80>`…) is
printed literally, never interpreted, and no storable text breaks a build. The documents are
made the way the app makes them: render_document for the convention, the avenant, the
evaluation sheet and the attestation; the orientation service and render_bilan for the bilan.

Each field gets its own marker (`[HN]` for the host's name…) in front of the same text, so that
a field whose markup were interpreted cannot hide behind another one printed literally."""

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.pdf.bilan import render_bilan
from app.services.agreements import amendments, life_cycle
from app.services.agreements.documents import DocumentKind, render_document
from app.services.candidates import records as candidates
from app.services.hosts import directory as hosts
from app.services.orientation import activities as orientation_activities
from app.services.orientation import bilan as orientation_bilan
from app.services.orientation import criteria, decisions, grid, projects
from app.services.settings import organisation
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.properties.strategies import MARKUP, expected_text, hostile_text, service_settings
from tests.unit.properties.worlds import (
    AGREEMENT_NOW,
    COORDINATION,
    Orientation,
    Placement,
    agreement_input,
    orientation_world,
    placement_world,
    signed_agreement,
)

ROLE = COORDINATION
FINISHED_ON = date(2026, 9, 1)

# Markup, entities and French text; every character prints with the embedded DejaVu fonts.
literal_text = st.one_of(
    st.sampled_from([MARKUP, "<b>gras</b> & <i>x</i>", "</para><br/>]]>", "a &lt; b &#60;"]),
    st.text(st.sampled_from("<>&;#/=\"'%_-[](){}!?.,: abcéèàçÉŒ«»0123456789\n"), max_size=30),
)
# What is printed in each document, by marker: agreement fields, parties, organisation.
AGREEMENT_FIELDS = {
    "RL": "representant_legal",
    "FR": "formateur_referent",
    "LI": "lieu",
    "AC": "activites",
    "CO": "competences",
    "MV": "mode_versement",
    "AV": "avantages",
}
PRINTED = {
    # The convention prints the current values: the activities of the signed amendment.
    DocumentKind.CONVENTION: {"RL", "FR", "LI", "AC+", "CO", "MV", "AV", "HN", "HR", "HA", "TU"}
    | {"TF", "PR", "CA", "CC", "ON", "OD", "OA"},
    DocumentKind.AVENANT: {"RL", "FR", "AC", "AC+", "RE", "HN", "HR", "HA", "TU", "TF", "PR"}
    | {"ON", "OD", "OA"},
    DocumentKind.EVALUATION: {"FR", "HN", "TU", "TF", "PR", "ON", "OA"},
    DocumentKind.ATTESTATION: {"AC+", "HN", "HA", "TU", "TF", "PR", "ON", "OD", "OA"},
}
BILAN_PRINTED = {"PR", "AT", "CM", "CL", "PJ", "PS", "DR"}
# The texts that may hold several lines; every other one holds a single line (names...).
MULTI_LINE_MARKERS = {"AC", "AC+", "CO", "AV", "RE", "HA", "CA", "OA", "CM", "PS", "DR"}


def pdf_text(pdf: bytes) -> str:
    """The text of every page, white space removed (lines wrap anywhere)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 1
    return "".join("".join(page.extract_text() or "" for page in pages).split())


def marked(marker: str, text: str) -> str:
    if marker not in MULTI_LINE_MARKERS:
        text = text.replace("\n", " ")
    return f"[{marker}]{text}"


def assert_printed_literally(pdf: bytes, markers: set[str], text: str) -> None:
    printed = pdf_text(pdf)
    for marker in markers:
        expected = "".join(marked(marker, text.strip()).split())
        assert expected in printed, (marker, text)


def name_the_parties(s: Session, world: Placement, value: Callable[[str], str]) -> None:
    """Host, tutor, learner and organisation texts replaced by `value(marker)`."""
    host = hosts.get_host(s, world.host)
    host_form = hosts.host_input(host)
    hosts.update_host(
        s,
        world.host,
        replace(host_form, nom=value("HN"), representant=value("HR"), adresse=value("HA")),
        actor=make_actor(ROLE),
    )
    tutor = host.tutors[0]
    tutor_form = replace(hosts.tutor_input(tutor), nom=value("TU"), fonction=value("TF"))
    hosts.update_tutor(s, tutor.id, tutor_form, actor=make_actor(ROLE))
    file = candidates.get_candidate(s, world.candidate, actor=make_actor(ROLE))
    candidates.update_candidate(
        s,
        world.candidate,
        replace(file.values, prenom=value("PR"), adresse=value("CA"), commune=value("CC")),
        expected_version=file.version,
        actor=make_actor(ROLE, "test"),
    )
    settings = organisation.get_organisation(s)
    organisation.save_organisation(
        s,
        replace(settings, nom=value("ON"), directeur=value("OD"), adresse=value("OA")),
        actor=make_actor(ROLE),
    )


def agreement_documents(s: Session, world: Placement, value: Callable[[str], str]) -> dict:
    """The four documents of an agreement whose every text is `value(marker)`; the amendment
    changes the activities to `value("AC+")` for the reason `value("RE")`."""
    name_the_parties(s, world, value)
    texts = {name: value(marker) for marker, name in AGREEMENT_FIELDS.items()}
    agreement_id = signed_agreement(s, world, **texts)
    changed = agreement_input(world, **{**texts, "activites": value("AC+")})
    rank = amendments.create_amendment(
        s, agreement_id, changed, value("RE"), actor=make_actor(ROLE, "C"), now=AGREEMENT_NOW
    ).rank
    amendments.sign_amendment(
        s, agreement_id, rank, AGREEMENT_NOW.date(), actor=make_actor(ROLE, "C")
    )
    today = AGREEMENT_NOW.date()
    documents = {
        kind: render_document(s, agreement_id, kind, today=today, rank=rank)
        for kind in (DocumentKind.CONVENTION, DocumentKind.AVENANT, DocumentKind.EVALUATION)
    }
    life_cycle.refresh_status(s, agreement_id, FINISHED_ON)
    documents[DocumentKind.ATTESTATION] = render_document(
        s, agreement_id, DocumentKind.ATTESTATION, today=FINISHED_ON
    )
    return documents


@pytest.fixture
def placement(db: Database) -> Placement:
    with db.session() as s:
        return placement_world(s)


@service_settings(4)
@given(text=literal_text)
@example(text=MARKUP)
def test_agreement_documents_print_markup_literally(
    db: Database, placement: Placement, text: str
) -> None:
    with db.session(commit=False) as s:
        documents = agreement_documents(s, placement, lambda marker: marked(marker, text))
    for kind, pdf in documents.items():
        assert_printed_literally(pdf, PRINTED[kind], text)


def bilan(s: Session, world: Orientation, value: Callable[[str], str]) -> bytes:
    """The bilan d'orientation of a learner whose every text is `value(marker)`."""
    file = candidates.get_candidate(s, world.learner, actor=make_actor(ROLE))
    candidates.update_candidate(
        s,
        world.learner,
        replace(file.values, prenom=value("PR")),
        expected_version=file.version,
        actor=make_actor(ROLE, "test"),
    )
    activity = orientation_activities.ActivityInput(day="03/12/2025", title=value("AT"))
    orientation_activities.update_activity(s, world.activity, activity, actor=make_actor(ROLE))
    criteria.rename_criterion(s, world.criterion, value("CL"), actor=make_actor(ROLE))
    grid.record_level(
        s, world.activity, world.learner, world.criterion, "1", actor=make_actor(ROLE, "S")
    )
    grid.record_note(s, world.activity, world.learner, value("CM"), actor=make_actor(ROLE, "Samir"))
    projects.save_project(
        s,
        world.learner,
        filiere="web",
        target_job=value("PJ"),
        steps=value("PS"),
        status="en_cours",
        actor=make_actor(ROLE, "Samir"),
    )
    decisions.decide(
        s,
        world.learner,
        outcome="reserves",
        filiere="web",
        reason=value("DR"),
        actor=make_actor(ROLE, "Claire"),
    )
    out = io.BytesIO()
    render_bilan(
        orientation_bilan.bilan_data(
            s, world.learner, actor=make_actor(ROLE), today=date(2026, 1, 16)
        ),
        out,
    )
    return out.getvalue()


@pytest.fixture
def orientation(db: Database) -> Orientation:
    with db.session() as s:
        return orientation_world(s)


@service_settings(4)
@given(text=literal_text)
@example(text=MARKUP)
def test_bilan_prints_markup_literally(db: Database, orientation: Orientation, text: str) -> None:
    with db.session(commit=False) as s:
        pdf = bilan(s, orientation, lambda marker: marked(marker, text))
    assert_printed_literally(pdf, BILAN_PRINTED, text)


# Any text the services store (emoji outside the fonts, right-to-left, combining marks…).
storable_text = hostile_text.map(lambda typed: expected_text(typed, 300, one_line=True)).filter(
    bool
)


def fitted(text: str | None) -> Callable[[str], str]:
    """The text cut to fit the shortest field (the payment mode, 60 characters)."""
    return lambda marker: (f"{marker} {text}"[:60]).strip()


@service_settings(3)
@given(text=storable_text)
@example(text="👩🏽💻 שלום مرحبا e\u0301\u0308 RTL \uffff\U0010ffff\u00ad")
def test_any_storable_text_builds_every_document(
    db: Database, placement: Placement, orientation: Orientation, text: str
) -> None:
    with db.session(commit=False) as s:
        documents = [*agreement_documents(s, placement, fitted(text)).values()]
        documents.append(bilan(s, orientation, fitted(text)))
    for pdf in documents:
        pdf_text(pdf)
