"""Reference data: seeding on a new database, lists for forms and filters, seasons.

The sites are named here only, to seed a new database: every other part of the application
reads them from the database (a base may hold other sites), never from a list in the code.
"""

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.domain import Criterion, Filiere, Referrer, Season, Site, Stage
from app.domain.text import fold
from app.domain.values import (
    CRITERIA_SEED,
    FILIERES_SEED,
    REFERENCE_SYNONYMS,
    REFERRERS_SEED,
    STAGES,
)
from app.services.unit_of_work import writes

# The sites a new database starts with: code (the CSV's `site` column), name, city, department,
# street address and postal code (migration 0012 gives an older base the same addresses).
SITES_SEED = (
    ("cobalt", "Cobalt", "Poitiers", "86", "5 rue Victor Hugo", "86000"),
    ("du-guesclin", "Centre Du Guesclin", "Niort", "79", "Place Chanzy", "79000"),
)
_SITE_FIELDS = ("code", "name", "city", "department", "address", "postal_code")
# Other writings of the seeded sites a CSV import accepts (besides code, name and town); see
# REFERENCE_SYNONYMS in app/domain/values.py for the other reference columns.
SITE_SYNONYMS = {
    "cobalt": ("Cobalt Poitiers",),
    "du-guesclin": ("Du Guesclin", "Centre Du Guesclin Niort"),
}
SEASON_LABEL = re.compile(r"^([0-9]{4})-([0-9]{4})$")
SEASON_MONTHS = 8
ORIENTATION_WEEKS = 6


@dataclass(frozen=True)
class Option:
    """One choice of a combo box or filter: database id, stable code, French label.

    `aliases`: other writings `match_option` accepts for it (REFERENCE_SYNONYMS, a site's
    town); not part of what the option is (equality, display).
    """

    id: int
    code: str
    label: str
    aliases: tuple[str, ...] = field(default=(), compare=False, repr=False)


def season_start_year(today: date) -> int:
    """The season under way or in recruitment: it starts on 1 December of the returned year."""
    return today.year if today.month >= 8 else today.year - 1


def season_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


def parse_season_label(label: str) -> int | None:
    match = SEASON_LABEL.match(label.strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        return None
    return int(match.group(1))


def cached(session: Session, loader: Callable[[Session], list[Option]]) -> list[Option]:
    """Reference lists read once per session (one session = one user action or one import)."""
    cache: dict[str, list[Option]] = session.info.setdefault("reference_options", {})
    name = loader.__name__
    if name not in cache:
        cache[name] = loader(session)
    return cache[name]


def ensure_season(session: Session, label: str) -> Season:
    """The season with this label, created (1 December start) if it is new; two desks
    creating the same season at once get the same row (`insert_if_missing`)."""
    known: dict[str, Season] = session.info.setdefault("seasons_by_label", {})
    if label in known:
        return known[label]
    statement = select(Season).where(Season.label == label)
    season = session.scalar(statement)
    if season is None:
        start_year = parse_season_label(label)
        if start_year is None:
            raise ValueError(f"invalid season label {label!r}")
        insert_if_missing(
            session, Season, [{"label": label, "start_date": date(start_year, 12, 1)}], "label"
        )
        season = session.scalars(statement).one()
    known[label] = season
    return season


def ensure_reference_data(session: Session, today: date | None = None) -> None:
    """Insert whatever reference rows are missing; never changes rows coordination edited."""
    today = today or date.today()
    _ensure(
        session,
        Site,
        "code",
        [dict(zip(_SITE_FIELDS, s, strict=True)) for s in SITES_SEED],
    )
    _ensure(
        session,
        Filiere,
        "code",
        [{"code": c, "label": lbl, "position": i} for i, (c, lbl) in enumerate(FILIERES_SEED)],
    )
    _ensure(
        session,
        Referrer,
        "code",
        [{"code": c, "label": lbl, "position": i} for i, (c, lbl) in enumerate(REFERRERS_SEED)],
    )
    _ensure(
        session,
        Stage,
        "code",
        [
            {
                "code": s.code,
                "label": s.label,
                "position": i,
                "counts_as_entry": s.counts_as_entry,
                "reason_required": s.reason_required,
            }
            for i, s in enumerate(STAGES)
        ],
    )
    _ensure(
        session,
        Criterion,
        "code",
        [
            {"code": code, "label": label, "grounding": grounding, "position": i}
            for i, (code, label, grounding) in enumerate(CRITERIA_SEED)
        ],
    )
    current = season_start_year(today)
    for year in (current - 1, current):
        ensure_season(session, season_label(year))
    session.flush()


# What a seat runs at every start (app.services.base_access.opening): its own unit of work, run
# again when another seat seeding the same base at the same instant wins (PostgreSQL).
seed_reference_data = writes(ensure_reference_data)


def _ensure(session: Session, model: type, key: str, rows: list[dict[str, object]]) -> None:
    """The rows whose `key` the table lacks; nothing is written when none is missing (a
    seat's every start)."""
    existing = set(session.scalars(select(getattr(model, key))))
    insert_if_missing(session, model, [row for row in rows if row[key] not in existing], key)


def insert_if_missing(
    session: Session, model: type, rows: Sequence[dict[str, Any]], key: str
) -> None:
    """Insert the rows, but none whose `key` (a unique column) is already taken, even by a
    desk doing the same at this instant: one INSERT … ON CONFLICT (key) DO NOTHING, where a
    check then an INSERT would let both desks pass the check and the second fail on the
    unique constraint. (PostgreSQL, at SERIALIZABLE, still refuses the second when the first
    has not committed before it began: a WriteConflict, which `writes` runs again.)"""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(model)
    elif dialect == "sqlite":
        statement = sqlite.insert(model)
    else:  # pragma: no cover - the application runs on SQLite or PostgreSQL only
        raise ValueError(f"unsupported database engine: {dialect}")
    session.execute(statement.on_conflict_do_nothing(index_elements=[key]), list(rows))


def sites(session: Session) -> list[Option]:
    """The sites, each also found by its town ("Poitiers") and its synonyms."""
    return [
        Option(s.id, s.code, s.name, _aliases(s.code, _site_writings(s)))
        for s in session.scalars(select(Site).order_by(Site.id))
    ]


def _site_writings(site: Site) -> tuple[str, ...]:
    town = (site.city,) if site.city else ()
    return (*SITE_SYNONYMS.get(site.code, ()), *town)


def _aliases(code: str, more: Iterable[str] = ()) -> tuple[str, ...]:
    return (*REFERENCE_SYNONYMS.get(code, ()), *more)


def site_places(session: Session) -> list[Option]:
    """The sites with their town, as the header's filter shows them: "Cobalt (Poitiers)"."""
    return [
        Option(s.id, s.code, f"{s.name} ({s.city})" if s.city else s.name)
        for s in session.scalars(select(Site).order_by(Site.id))
    ]


def filieres(session: Session) -> list[Option]:
    rows = session.scalars(select(Filiere).order_by(Filiere.position, Filiere.id))
    return [Option(f.id, f.code, f.label, _aliases(f.code)) for f in rows]


def referrers(session: Session) -> list[Option]:
    rows = session.scalars(select(Referrer).order_by(Referrer.position, Referrer.id))
    return [Option(r.id, r.code, r.label, _aliases(r.code)) for r in rows]


def stages(session: Session) -> list[Option]:
    rows = session.scalars(select(Stage).order_by(Stage.position))
    return [Option(s.id, s.code, s.label, _aliases(s.code)) for s in rows]


def seasons(session: Session) -> list[Option]:
    """Most recent first."""
    rows = session.scalars(select(Season).order_by(Season.start_date.desc()))
    return [Option(s.id, s.label, s.label) for s in rows]


def current_season_label(today: date | None = None) -> str:
    return season_label(season_start_year(today or date.today()))


def match_option(options: list[Option], text: str) -> Option | None:
    """Find an option by code or by label, ignoring case and accents, else by one of its
    aliases (REFERENCE_SYNONYMS, a site's town) when no other option shares it."""
    return option_index(options).get(fold(text))


def option_index(options: list[Option]) -> dict[str, Option]:
    """Every folded writing `match_option` accepts, to its option (do not change it)."""
    return _index(tuple((option, option.aliases) for option in options))


@functools.lru_cache(maxsize=64)
def _index(options: tuple[tuple[Option, tuple[str, ...]], ...]) -> dict[str, Option]:
    """Codes and labels first (the first option wins, as a search in list order would), then
    the aliases no other option has. Keyed with the aliases: options compare without them."""
    index: dict[str, Option] = {}
    for option, _aliases in options:
        for writing in (option.code, option.label):
            index.setdefault(fold(writing), option)
    claimed: dict[str, set[Option]] = {}
    for option, aliases in options:
        for alias in aliases:
            claimed.setdefault(fold(alias), set()).add(option)
    for alias, owners in claimed.items():
        if len(owners) == 1 and alias not in index:
            index[alias] = next(iter(owners))
    return index
