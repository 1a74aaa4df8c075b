"""The host directory's use cases the window calls: each its own unit of work, roles checked
there, a host's file read with its agreements in one go."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.domain import Host, Tutor
from app.services.errors import ConflictError, PermissionDenied, ValidationError
from app.services.hosts import actions
from app.services.hosts.directory import HostInput, TutorInput
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_agreements import _draft, _signed, _world

COORDINATION = make_actor("coordination", "Claire Morel")
TRAINER = make_actor("formateur", "Samir Haddad")


def _count(db: Database, table: type[Host] | type[Tutor]) -> int:
    with db.session(commit=False) as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def test_save_host_creates_then_updates_with_its_version(db: Database) -> None:
    created = actions.save_host(
        db, None, HostInput(nom="Dynamob", forme_juridique="autre"), actor=COORDINATION
    )
    assert (created.name, created.version) == ("Dynamob", 1)
    updated = actions.save_host(
        db,
        created.id,
        HostInput(nom="Dynamob", forme_juridique="autre", commune="Loudun"),
        actor=COORDINATION,
        expected_version=created.version,
    )
    assert (updated.id, updated.city, updated.version) == (created.id, "Loudun", 2)
    with pytest.raises(ConflictError):
        actions.save_host(
            db,
            created.id,
            HostInput(nom="Dynamob", forme_juridique="autre", commune="Niort"),
            actor=COORDINATION,
            expected_version=created.version,
        )
    assert actions.get_host(db, created.id).city == "Loudun"


def test_a_refused_host_or_role_leaves_nothing(db: Database) -> None:
    with pytest.raises(PermissionDenied):
        actions.save_host(
            db, None, HostInput(nom="Dynamob", forme_juridique="autre"), actor=TRAINER
        )
    with pytest.raises(ValidationError):
        actions.save_host(db, None, HostInput(nom="", forme_juridique="autre"), actor=COORDINATION)
    assert _count(db, Host) == 0


def test_save_tutor_adds_then_updates_and_the_search_counts_it(db: Database) -> None:
    host = actions.save_host(
        db, None, HostInput(nom="Dynamob", forme_juridique="autre"), actor=COORDINATION
    )
    added = actions.save_tutor(db, host.id, None, TutorInput(nom="Inès Moreau"), actor=COORDINATION)
    edited = actions.save_tutor(
        db,
        host.id,
        added.id,
        TutorInput(nom="Inès Moreau", fonction="Chargée de projets"),
        actor=COORDINATION,
    )
    assert (edited.id, edited.function) == (added.id, "Chargée de projets")
    [row] = actions.search_hosts(db, "moreau")
    assert (row.id, row.tutor_count) == (host.id, 1)
    with pytest.raises(PermissionDenied):
        actions.save_tutor(db, host.id, None, TutorInput(nom="Paul Roy"), actor=TRAINER)
    assert _count(db, Tutor) == 1


def test_a_host_file_comes_with_its_agreements(db: Database) -> None:
    with db.session() as s:
        world = _world(s)
        _signed(s, world)  # 1 June - 31 July 2026
        _draft(s, world, world.marc)
    file = actions.host_file(db, world.host, today=date(2026, 6, 15))
    assert file.info.id == world.host
    assert file.agreements == "2 conventions de stage (dont 1 en cours)"
    later = actions.host_file(db, world.host, today=date(2026, 9, 1))
    assert later.agreements == "2 conventions de stage"
    none = actions.host_file(db, world.public_host, today=date(2026, 6, 15))
    assert none.agreements == "Aucune convention de stage pour l'instant"
