"""Which applications a report counts (season × site × filière) and, for each of them, the
facts every indicator is computed from — one SQL subquery, never ORM objects.

The stage history says where a person has been: a candidate *reached* a step of the funnel if
one of their stage changes (or their current stage: files written before the history existed)
is that step or a later one. Entry is the first change into a stage that counts as entry;
the exit date is the latest move into *sortie* from a stage before it.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Subquery,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app.domain import Candidate, Filiere, Season, Site, Stage, StageChange
from app.domain.values import AFTER_EXIT_STAGES, EXIT_STAGE, STAGES
from app.services.errors import UserFacingError


@dataclass(frozen=True)
class ReportScope:
    season_label: str
    site_code: str | None = None  # None: both sites
    filiere_code: str | None = None  # None: every filière


ENTRY_STAGES = frozenset(s.code for s in STAGES if s.counts_as_entry)
VALIDATED_STAGES = frozenset({"orientation_validee", "orientation_reserves", "en_stage"})
# Each step: the person was once at one of these stages (a later step implies the earlier);
# from the entry on, the current stage decides (see `step_reached`).
REACHED: dict[str, frozenset[str]] = {
    "information_collective": frozenset({"information_collective", "entretien", "admis"})
    | ENTRY_STAGES,
    "entretien": frozenset({"entretien", "admis"}) | ENTRY_STAGES,
    "admis": frozenset({"admis"}) | ENTRY_STAGES,
    "entres": ENTRY_STAGES,
    "orientation_validee": VALIDATED_STAGES,
    "en_stage": frozenset({"en_stage"}),
    "sortis": AFTER_EXIT_STAGES,
}


def scope_conditions(session: Session, scope: ReportScope) -> list[ColumnElement[bool]]:
    """The WHERE of the scope's applications; a French error for an unknown code."""
    conditions = [Candidate.season_id == season_id(session, scope.season_label)]
    if scope.site_code:
        site = session.scalar(select(Site.id).where(Site.code == scope.site_code))
        if site is None:
            raise UserFacingError(f"Site inconnu : « {scope.site_code} ».")
        conditions.append(Candidate.site_id == site)
    if scope.filiere_code:
        filiere = session.scalar(select(Filiere.id).where(Filiere.code == scope.filiere_code))
        if filiere is None:
            raise UserFacingError(f"Filière inconnue : « {scope.filiere_code} ».")
        conditions.append(Candidate.filiere_id == filiere)
    return conditions


def season_id(session: Session, label: str) -> int:
    found = session.scalar(select(Season.id).where(Season.label == label))
    if found is None:
        raise UserFacingError(f"Saison inconnue : « {label} ».")
    return found


def facts(session: Session, scope: ReportScope) -> Subquery:
    """One row per application of the scope (see `facts_of`); read from the temporary table
    of `facts_kept` while one is open for this scope."""
    kept = session.info.get(_KEPT)
    if kept is not None and kept[0] == scope:
        return _as_subquery(kept[1])
    return facts_of(session, scope_conditions(session, scope))


_KEPT = "reports.facts_kept"
_KEPT_TABLE = "report_facts"


@contextmanager
def facts_kept(session: Session, scope: ReportScope) -> Iterator[None]:
    """Compute the scope's facts once into a temporary table while several tables are built
    from them (the dashboard's, the exports'): each table then reads a few thousand ready
    rows instead of grouping the history again."""
    built = facts(session, scope)
    sql = select(built).compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    session.execute(text(f"DROP TABLE IF EXISTS temp.{_KEPT_TABLE}"))
    session.execute(text(f"CREATE TEMP TABLE {_KEPT_TABLE} AS {sql}"))
    table = Table(_KEPT_TABLE, MetaData(), *(Column(c.name, c.type) for c in built.c))
    session.info[_KEPT] = (scope, select(table).subquery("facts"))
    try:
        yield
    finally:
        session.info.pop(_KEPT, None)
        session.execute(text(f"DROP TABLE IF EXISTS temp.{_KEPT_TABLE}"))


def _as_subquery(value: object) -> Subquery:
    assert isinstance(value, Subquery)
    return value


def facts_of(session: Session, conditions: Sequence[ColumnElement[bool]]) -> Subquery:
    """One row per application matching `conditions`: its columns the reports use, its current
    stage's code, a 0/1 flag per step reached (`reached_<step>`), entry and exit times."""
    visits = _visits(conditions)
    ids = stage_ids(session)

    def among(column: ColumnElement[int], codes: Iterable[str]) -> ColumnElement[bool]:
        return column.in_(sorted(ids[code] for code in codes if code in ids))

    # The exit is the latest move into *sortie* from a stage before it (a move back from a
    # follow-up stage corrects the stage, not the date: as outcomes.follow_up.exit_dates);
    # the current stage's date only for a file without history.
    exit_move = and_(
        among(visits.c.stage_id, [EXIT_STAGE]),
        func.coalesce(visits.c.from_stage_id, 0).not_in(
            sorted(ids[c] for c in AFTER_EXIT_STAGES if c in ids)
        ),
    )
    flags = [
        func.max(case((among(visits.c.stage_id, codes), 1), else_=0)).label(f"ever_{key}")
        for key, codes in REACHED.items()
    ]
    # Stage ids rather than a join on the stage table: the history is grouped without a join.
    history = (
        select(
            visits.c.candidate_id,
            *flags,
            func.min(case((among(visits.c.stage_id, ENTRY_STAGES), visits.c.at))).label("entry_at"),
            func.coalesce(
                func.max(case((and_(exit_move, visits.c.moved == 1), visits.c.at))),
                func.max(case((and_(exit_move, visits.c.moved == 0), visits.c.at))),
            ).label("exit_at"),
        )
        .group_by(visits.c.candidate_id)
        .subquery("history")
    )
    current = aliased(Stage)
    return (
        select(
            Candidate.id,
            Candidate.season_id,
            Candidate.site_id,
            Candidate.filiere_id,
            Candidate.referrer_id,
            Candidate.sex,
            Candidate.birth_date,
            Candidate.qpv,
            Candidate.zrr,
            Candidate.rsa,
            Candidate.rqth,
            Candidate.neet,
            Candidate.job_seeker,
            Candidate.job_seeker_since,
            Candidate.diploma_level,
            Candidate.exit_type,
            Candidate.pathway_end,
            current.code.label("stage_code"),
            *(
                step_reached(ids, key, Candidate.stage_id, history.c[f"ever_{key}"] == 1).label(
                    f"reached_{key}"
                )
                for key in REACHED
            ),
            history.c.entry_at,
            history.c.exit_at,
        )
        .join(history, history.c.candidate_id == Candidate.id)
        .join(current, current.id == Candidate.stage_id)
        .subquery("facts")
    )


def _visits(conditions: Sequence[ColumnElement[bool]]) -> Subquery:
    """Every stage each application has been at, with when: its history, and its current
    stage (a file imported or built without history still counts where it is)."""
    moves = (
        select(
            StageChange.candidate_id.label("candidate_id"),
            StageChange.to_stage_id.label("stage_id"),
            StageChange.changed_at.label("at"),
            StageChange.from_stage_id.label("from_stage_id"),
            literal(1).label("moved"),
        )
        .join(Candidate, Candidate.id == StageChange.candidate_id)
        .where(*conditions)
    )
    now = select(
        Candidate.id, Candidate.stage_id, Candidate.stage_changed_at, null(), literal(0)
    ).where(*conditions)
    return union_all(moves, now).subquery("visits")


def step_reached(
    ids: dict[str, int],
    key: str,
    stage_id: ColumnElement[int] | InstrumentedAttribute[int],
    ever: ColumnElement[bool],
) -> ColumnElement[int]:
    """1 when an application at stage `stage_id` reached step `key`, `ever` saying whether its
    history went through the step's stages. From the entry on, the current stage decides: a
    move backwards (a correction) undoes the entry, and a learner who left reached the
    orientation or the internship only if their history went through it."""

    def at(codes: Iterable[str]) -> ColumnElement[bool]:
        return stage_id.in_(sorted(ids[code] for code in codes if code in ids))

    if key == "entres":
        reached = at(ENTRY_STAGES)
    elif key == "sortis":
        reached = at(AFTER_EXIT_STAGES)
    elif key in ("orientation_validee", "en_stage"):
        reached = or_(at(REACHED[key]), and_(at(AFTER_EXIT_STAGES), ever))
    else:
        reached = ever
    return case((reached, 1), else_=0)


def stage_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Stage.code, Stage.id)).tuples().all())


def age_at_entry(f: Subquery) -> ColumnElement[int]:
    """Whole years between the birth date and the entry (SQLite dates are ISO text)."""
    entry, birth = f.c.entry_at, f.c.birth_date
    years = cast(func.strftime("%Y", entry), Integer) - cast(func.strftime("%Y", birth), Integer)
    before_birthday = case(
        (func.strftime("%m-%d", entry) < func.strftime("%m-%d", birth), 1), else_=0
    )
    return years - before_birthday


def yes(column: ColumnElement[object]) -> ColumnElement[bool]:
    return column == literal(1)
