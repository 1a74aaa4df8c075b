"""A project's states: the moves allowed, the reason some need, the history and its journal."""

from datetime import datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.domain import AuditEntry
from app.domain.projects import ProjectState
from app.services.errors import ConflictError, UserFacingError, ValidationError
from app.services.journal import audit_log as audit
from app.services.projects import actions, states
from app.services.unit_of_work import writes
from app.storage import Database
from tests.conftest import make_actor
from tests.unit.services.test_projects_world import COORD, make_hosts, submit


@pytest.fixture
def project(db: Database) -> int:
    with db.session() as s:
        return submit(s, make_hosts(s).small)


def _walk(db: Database, project: int, *moves: tuple[str, str]) -> int:
    version = actions.details(db, project, actor=COORD).version
    for state, reason in moves:
        version = actions.change_state(db, project, state, reason, version, actor=COORD)
    return version


def test_next_states_follow_the_selection_then_the_realisation() -> None:
    assert states.next_states("recu") == [
        ProjectState.COMPLETE,
        ProjectState.INCOMPLETE,
        ProjectState.WITHDRAWN,
    ]
    assert states.next_states("en_instruction") == [
        ProjectState.RETAINED,
        ProjectState.WAITING_LIST,
        ProjectState.NOT_RETAINED,
        ProjectState.WITHDRAWN,
    ]
    assert states.next_states("en_realisation") == [
        ProjectState.DELIVERED,
        ProjectState.ABANDONED,
    ]
    for final in ("clos", "non_retenu", "retire", "abandonne"):
        assert states.next_states(final) == []
    # every state is reachable from `recu`
    reached, todo = {ProjectState.RECEIVED}, [ProjectState.RECEIVED]
    while todo:
        for after in states.NEXT_STATES[todo.pop()]:
            if after not in reached:
                reached.add(after)
                todo.append(after)
    assert reached == set(ProjectState)


def test_a_refused_transition_names_both_states(db: Database, project: int) -> None:
    with pytest.raises(UserFacingError) as refused:
        actions.change_state(db, project, "livre", "", 1, actor=COORD)
    assert str(refused.value) == (
        "Un projet « Reçu » ne peut pas passer à « Livré » : seulement à « Complet », "
        "« Incomplet » ou « Retiré »."
    )
    with pytest.raises(UserFacingError, match="État de projet inconnu"):
        actions.change_state(db, project, "perdu", "", 1, actor=COORD)
    assert actions.details(db, project, actor=COORD).state == "recu"


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ((("complet", ""), ("en_instruction", "")), "non_retenu"),
        ((), "retire"),
        (
            (("complet", ""), ("en_instruction", ""), ("retenu", ""), ("en_realisation", "")),
            "abandonne",
        ),
    ],
)
def test_a_reason_is_required_to_refuse_withdraw_or_abandon(
    db: Database, project: int, path: tuple[tuple[str, str], ...], final: str
) -> None:
    version = _walk(db, project, *path)
    with pytest.raises(ValidationError) as refused:
        actions.change_state(db, project, final, "  ", version, actor=COORD)
    label = ProjectState(final).label
    assert refused.value.errors == {
        "reason": f"Indiquez le motif : le passage à « {label} » en demande un."
    }
    actions.change_state(db, project, final, "Structure dissoute", version, actor=COORD)
    with pytest.raises(UserFacingError) as refused:
        actions.change_state(db, project, "recu", "", version + 1, actor=COORD)
    assert str(refused.value) == (
        f"Un projet « {ProjectState(final).label} » ne change plus d'état (« Reçu » refusé)."
    )
    details = actions.details(db, project, actor=COORD)
    assert (details.state, details.state_reason, details.next_states) == (
        final,
        "Structure dissoute",
        (),
    )
    assert details.history[-1][1:3] == (label, "Structure dissoute")


def test_history_and_versions_of_a_project_s_life(db: Database, project: int) -> None:
    version = _walk(db, project, ("incomplet", "Devis manquant"), ("complet", ""))
    assert version == 3
    with pytest.raises(ConflictError):
        actions.change_state(db, project, "en_instruction", "", 2, actor=COORD)
    version = _walk(
        db, project, ("en_instruction", ""), ("liste_attente", ""), ("retenu", "Désistement")
    )
    details = actions.details(db, project, actor=COORD)
    assert [(label, reason) for _at, label, reason, _who in details.history] == [
        ("Reçu", ""),
        ("Incomplet", "Devis manquant"),
        ("Complet", ""),
        ("En instruction", ""),
        ("Liste d'attente", ""),
        ("Retenu", "Désistement"),
    ]
    assert {who for *_rest, who in details.history} == {"claire"}  # no account: as recorded
    assert details.next_states == ("en_realisation", "retire")
    assert version == details.version == 6


def test_every_move_is_journaled_with_its_reason(db: Database, project: int) -> None:
    audit.attach(db, lambda: "claire")
    try:
        _walk(db, project, ("retire", "La structure a trouvé un prestataire"))
    finally:
        audit.detach(db)
    with db.session(commit=False) as s:
        (entry,) = s.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "project_state_change")
        )
        summary, changes = entry.summary, entry.changes or ""
    assert summary == "Changement d'état du projet AAP-2026-001 : Retiré"
    assert '"reason": [null, "La structure a trouvé un prestataire"]' in changes


def test_a_move_of_the_past_keeps_its_date(db: Database, project: int) -> None:
    """The demo records its past seasons' moves on the days they happened."""
    when = datetime(2026, 1, 12, 14, 30)
    with db.session() as s:
        states.change_state(s, project, "complet", "", 1, actor=COORD, now=when)
    assert actions.details(db, project, actor=COORD).history[-1][:2] == (when, "Complet")


def test_a_move_racing_another_desk_names_who_moved_it_first(db: Database, project: int) -> None:
    """Two desks change the same project's state at the same moment: the second one's
    version check in the UPDATE fails, and its message names the first from the history."""
    other_desk = Database(db.url)
    nadia = make_actor("coordination", "nadia", "Nadia Belkacem")

    def nadia_moves_it() -> None:
        with other_desk.session() as s:
            states.change_state(s, project, "incomplet", "Devis manquant", 1, actor=nadia)

    pending = [nadia_moves_it]
    if db.engine.dialect.name == "sqlite":
        # A save holds SQLite's write lock from its first read: the other desk's move comes
        # wholly before ours, which the version check refuses all the same.
        pending.pop()()

    @writes  # as the window runs it: run again after a write conflict (PostgreSQL)
    def coordination_moves_it(s: Session) -> None:
        def before_flush(*_args: object) -> None:
            while pending:
                pending.pop()()

        event.listen(s, "before_flush", before_flush)
        states.change_state(s, project, "complet", "", 1, actor=COORD)

    try:
        with pytest.raises(ConflictError) as refused:
            coordination_moves_it(db)
    finally:
        other_desk.dispose()
    assert str(refused.value).startswith("Ce projet a été modifié par nadia le ")
    details = actions.details(db, project, actor=COORD)
    assert (details.state, details.version) == ("incomplet", 2)
