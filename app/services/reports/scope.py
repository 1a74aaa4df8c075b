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
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    MetaData,
    Subquery,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app.domain import Candidate, Filiere, Season, Site, Stage, StageChange
from app.domain.values import AFTER_EXIT_STAGES, EXIT_STAGE, STAGES
from app.services.errors import UserFacingError
from app.services.reports.sql import bit_union, whole_years_between


@dataclass(frozen=True)
class ReportScope:
    season_label: str
    site_code: str | None = None  # None: both sites
    filiere_code: str | None = None  # None: every filière


MAX_STAGE_ID = 62
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
_TEMPORARY_SCHEMA = {"sqlite": "temp", "postgresql": "pg_temp"}


@contextmanager
def facts_kept(session: Session, scope: ReportScope) -> Iterator[None]:
    """Compute the scope's facts once into a temporary table while several tables are built
    from them (the dashboard's, the exports'): each table then reads a few thousand ready
    rows instead of grouping the history again."""
    built = facts(session, scope)
    bind = session.get_bind()
    sql = select(built).compile(bind, compile_kwargs={"literal_binds": True})
    kept = f"{_TEMPORARY_SCHEMA.get(bind.dialect.name, 'temp')}.{_KEPT_TABLE}"
    session.execute(text(f"DROP TABLE IF EXISTS {kept}"))
    session.execute(text(f"CREATE TEMP TABLE {_KEPT_TABLE} AS {sql}"))
    table = Table(_KEPT_TABLE, MetaData(), *(Column(c.name, c.type) for c in built.c))
    session.info[_KEPT] = (scope, select(table).subquery("facts"))
    try:
        yield
    finally:
        session.info.pop(_KEPT, None)
        session.execute(text(f"DROP TABLE IF EXISTS {kept}"))


def _as_subquery(value: object) -> Subquery:
    assert isinstance(value, Subquery)
    return value


def facts_of(session: Session, conditions: Sequence[ColumnElement[bool]]) -> Subquery:
    """One row per application matching `conditions`: its columns the reports use, its current
    stage's code, a 0/1 flag per step reached (`reached_<step>`), entry and exit times."""
    ids = stage_ids(session)
    history = _history(ids, conditions)
    # Every stage the person has been at: their history's and the current one (a file
    # imported or built without history still counts where it is).
    visited = func.coalesce(history.c.stages, 0).bitwise_or(_bit(Candidate.stage_id))
    at_entry = _among(ids, Candidate.stage_id, ENTRY_STAGES)
    current_entry = case((at_entry, Candidate.stage_changed_at))
    current_exit = case((_among(ids, Candidate.stage_id, [EXIT_STAGE]), Candidate.stage_changed_at))
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
                step_reached(
                    ids, key, Candidate.stage_id, visited.bitwise_and(_mask(ids, codes)) != 0
                ).label(f"reached_{key}")
                for key, codes in REACHED.items()
            ),
            # The earlier of the first entry in the history and the current stage's date
            # (SQL's two-argument min/max is NULL as soon as one side is).
            func.coalesce(
                _earlier(history.c.entry_at, current_entry), history.c.entry_at, current_entry
            ).label("entry_at"),
            func.coalesce(history.c.exit_at, current_exit).label("exit_at"),
        )
        .outerjoin(history, history.c.candidate_id == Candidate.id)
        .join(current, current.id == Candidate.stage_id)
        .where(*conditions)
        .subquery("facts")
    )


def _history(ids: dict[str, int], conditions: Sequence[ColumnElement[bool]]) -> Subquery:
    """Per application of the scope with a stage history: the set of stages it went through
    (one bit per stage id), its first entry and its exit — the latest move into *sortie* from
    a stage before it (a move back from a follow-up stage corrects the stage, not the date: as
    outcomes.follow_up.exit_dates). One pass over the history, in the index's order."""
    exit_move = and_(
        _among(ids, StageChange.to_stage_id, [EXIT_STAGE]),
        func.coalesce(StageChange.from_stage_id, 0).not_in(
            sorted(ids[c] for c in AFTER_EXIT_STAGES if c in ids)
        ),
    )
    return (
        select(
            StageChange.candidate_id.label("candidate_id"),
            bit_union(_bit(StageChange.to_stage_id)).label("stages"),
            func.min(
                case((_among(ids, StageChange.to_stage_id, ENTRY_STAGES), StageChange.changed_at))
            ).label("entry_at"),
            func.max(case((exit_move, StageChange.changed_at))).label("exit_at"),
        )
        .where(StageChange.candidate_id.in_(select(Candidate.id).where(*conditions)))
        .group_by(StageChange.candidate_id)
        .subquery("history")
    )


def _bit(stage_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[int]:
    """The stage's bit in a set of stages (64-bit integers on both engines)."""
    return cast(literal(1), BigInteger).bitwise_lshift(stage_id)


def _mask(ids: dict[str, int], codes: Iterable[str]) -> int:
    return sum(1 << ids[code] for code in set(codes) if code in ids)


def _among(
    ids: dict[str, int],
    column: ColumnElement[int] | InstrumentedAttribute[int],
    codes: Iterable[str],
) -> ColumnElement[bool]:
    return column.in_(sorted(ids[code] for code in codes if code in ids))


def _earlier(
    first: ColumnElement[datetime | None], second: ColumnElement[datetime | None]
) -> ColumnElement[datetime | None]:
    return case((first <= second, first), else_=second)


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
        return _among(ids, stage_id, codes)

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
    found = dict(session.execute(select(Stage.code, Stage.id)).tuples().all())
    if any(not 0 < stage_id < MAX_STAGE_ID for stage_id in found.values()):
        # The facts keep the stages visited as bits of a 64-bit integer (`_bit`).
        raise UserFacingError(
            "La liste des étapes de la base est inattendue : les indicateurs ne peuvent pas "
            "être calculés."
        )
    return found


def age_at_entry(f: Subquery) -> ColumnElement[int]:
    """Whole years between the birth date and the entry."""
    return whole_years_between(f.c.birth_date, f.c.entry_at)


def yes(column: ColumnElement[object]) -> ColumnElement[bool]:
    return column == literal(1)
