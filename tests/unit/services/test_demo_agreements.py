"""Demonstration data of the internship agreements: organisation, hosts, both seasons."""

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.fr import siret

from app.demo import seed as demo
from app.demo.agreements import HOSTS, ORGANISATION, AgreementsSummary, demo_siret
from app.demo.seed import seed_demo
from app.domain import Agreement, AgreementEvent, Candidate, Season, Stage, StageChange
from app.services.agreements import details
from app.services.base_access.opening import open_app_database
from app.services.hosts import directory as hosts
from app.services.settings import organisation
from app.storage import Database
from tests.conftest import TODAY

PAST = "2025-2026"


def _open(path: Path) -> Database:
    return open_app_database("sqlite:///" + str(path), today=TODAY)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = _open(tmp_path_factory.mktemp("agreements") / "demo.sqlite")
    with database.session() as session:
        seed_demo(session, today=TODAY)
    yield database
    database.dispose()


def _history(session: Session) -> list[tuple[int, str, str, str]]:
    rows = session.execute(
        select(StageChange.candidate_id, StageChange.changed_at, Stage.code, StageChange.author)
        .join(Stage, Stage.id == StageChange.to_stage_id)
        .order_by(StageChange.id)
    )
    return [(c, f"{when:%Y-%m-%d %H:%M}", code, author) for c, when, code, author in rows]


def _interns(session: Session) -> set[int]:
    return set(
        session.scalars(
            select(StageChange.candidate_id)
            .join(Stage, Stage.id == StageChange.to_stage_id)
            .join(Candidate, Candidate.id == StageChange.candidate_id)
            .join(Season, Season.id == Candidate.season_id)
            .where(Season.label == PAST, Stage.code == "en_stage")
        )
    )


def test_identifiers_are_valid() -> None:
    assert siret.is_valid(ORGANISATION.siret)
    assert siret.is_valid(demo_siret("12345678", "0001"))
    for demo_host in HOSTS:
        identifier = demo_host.data.identifiant
        if identifier.startswith("W"):
            assert demo_host.data.forme_juridique == "association"
            assert len(identifier) == 10 and identifier[1:].isdigit()
        else:
            assert siret.is_valid(identifier), demo_host.data.nom


def test_organisation_is_complete(seeded: Database) -> None:
    with seeded.session() as s:
        assert organisation.is_complete(s) == []
        saved = organisation.get_organisation(s)
        assert saved.declaration_activite == "75860123486"
        assert saved.ville_signature == "Poitiers"


def test_host_directory_with_tutors(seeded: Database) -> None:
    with seeded.session() as s:
        rows = hosts.search_hosts(s, "")
        assert len(rows) >= 10
        assert all(row.tutor_count >= 1 for row in rows)
        public = [
            hosts.get_host(s, row.id)
            for row in rows
            if row.legal_form_label in ("Collectivité territoriale", "Établissement public")
        ]
        assert public and all(h.is_public for h in public)
        labels = {row.legal_form_label for row in rows}
        assert not labels & set(hosts.LEGACY_LEGAL_FORMS.values())  # every form is precise


def test_every_intern_has_one_numbered_agreement(seeded: Database) -> None:
    with seeded.session() as s:
        interns = _interns(s)
        assert len(interns) >= 20
        rows = s.scalars(select(Agreement).order_by(Agreement.id)).all()
        assert sorted(a.candidate_id for a in rows) == sorted(interns)
        numbers = sorted(a.number or "" for a in rows)
        assert numbers == [f"FAB-2026-{n:04d}" for n in range(1, len(rows) + 1)]
        statuses = Counter(a.status for a in rows)
        assert statuses == {"terminee": len(rows) - 1, "rompue": 1}
        for row in rows:
            info = details.get_agreement(s, row.id)
            assert not info.missing_signatures and len(info.signatures) == 5
            assert all(sig.signed_on < info.start for sig in info.signatures)
            assert date(2026, 6, 1) <= info.start <= info.end <= date(2026, 7, 31)
            assert info.values.activites and info.values.competences
        broken = next(a for a in rows if a.status == "rompue")
        assert broken.ended_on is not None and broken.end_reason
        assert date(2026, 6, 15) <= broken.ended_on <= date(2026, 6, 30)


def test_one_signed_amendment_is_reflected(seeded: Database) -> None:
    with seeded.session() as s:
        amended = [
            details.get_agreement(s, a.id)
            for a in s.scalars(select(Agreement).order_by(Agreement.id))
            if details.get_agreement(s, a.id).amendments
        ]
        assert len(amended) == 1
        info = amended[0]
        assert info.status == "terminee"
        (amendment,) = info.amendments
        assert amendment.signed_on is not None and amendment.reason
        assert "horaires" in amendment.changes
        assert info.values.horaires[2] == "3,5"


def test_agreements_leave_histories_and_figures_unchanged(
    seeded: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def skip(*_: object) -> AgreementsSummary:
        return AgreementsSummary(0, 0, PAST, 0, 0, 0, "2026-2027", 0)

    monkeypatch.setattr(demo, "seed_agreements", skip)
    bare = _open(tmp_path / "bare.sqlite")
    with bare.session() as s:
        seed_demo(s, today=TODAY)
    with bare.session() as before, seeded.session() as after:
        assert _history(before) == _history(after)
        assert before.scalar(select(func.count(Agreement.id))) == 0
    bare.dispose()
    with seeded.session() as s:
        past = select(func.count(Candidate.id)).join(Season, Season.id == Candidate.season_id)
        total = s.scalar(past.where(Season.label == PAST))
        entered = s.scalar(
            past.join(Stage, Stage.id == Candidate.stage_id).where(
                Season.label == PAST, Stage.counts_as_entry.is_(True)
            )
        )
        assert (total, entered) == (40, 34)


def test_same_seed_gives_the_same_agreements(seeded: Database, tmp_path: Path) -> None:
    def signature(database: Database) -> list[tuple[object, ...]]:
        with database.session() as s:
            rows = [
                (a.number, a.candidate_id, a.host_id, a.tutor_id, a.status, a.schedule)
                for a in s.scalars(select(Agreement).order_by(Agreement.id))
            ]
            events = [
                (e.at, e.comment)
                for e in s.scalars(select(AgreementEvent).order_by(AgreementEvent.id))
            ]
            return [*rows, *events]

    again = _open(tmp_path / "again.sqlite")
    with again.session() as s:
        seed_demo(s, today=TODAY)
    assert signature(again) == signature(seeded)
    again.dispose()


def test_summary_line(tmp_path: Path) -> None:
    database = _open(tmp_path / "summary.sqlite")
    with database.session() as s:
        text = seed_demo(s, today=TODAY).describe()
    database.dispose()
    assert "signées et terminées (dont 1 avec avenant, 1 rompue)" in text
    assert "2026-2027 : aucun brouillon" in text
