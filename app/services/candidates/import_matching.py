"""What the base already holds for the rows of an import, looked up in bulk.

- The files the rows name by `identifiant`.
- The files that look like each row without one, by the form's duplicate rules
  (`records.find_duplicates`): same e-mail, same phone, or same name (birth or usage name)
  with the same birth date. Each key is looked up for many rows at once (`IN` lists of at most
  CHUNK values, on the indexes of `candidate`), never row by row.
- The rows of the file itself that look like an earlier row of the file (`FileKeys`).
- The stored values of those files, typed like a row's values, to tell what would change.
"""

import contextlib
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, bindparam, func, or_, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Season, Site, Stage
from app.domain.text import name_key
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS
from app.services.candidates.import_rows import RowValues, parse_french_phone
from app.services.candidates.records import DuplicateMatch, name_for_display
from app.services.validation import FieldError, format_date, format_phone

CHUNK = 900  # values of one IN list: below every engine's limit on parameters
# Above this many values to look up, a column is read whole instead: one pass over the files
# of the base costs less than hundreds of IN lists (measured: 100 000 e-mails, 0.2 s against
# 0.6 s; a few hundred rows, the other way round).
SCAN_ABOVE = 20 * CHUNK
MAX_LOOK_ALIKES = 20  # as the form's look-alike panel

SAME_EMAIL = "même e-mail"
SAME_PHONE = "même téléphone"
SAME_NAME_AND_BIRTH = "même nom et même date de naissance"


class Keys(NamedTuple):
    """What the duplicate rules compare of a row: e-mail key, phone, name keys, birth date."""

    email: str | None
    phone: str | None
    names: tuple[str, ...]
    birth: date | None


@functools.lru_cache(maxsize=65_536)
def _name_key(name: str | None) -> str | None:
    return name_key(name)  # a file repeats its names


def keys_of(values: RowValues) -> Keys:
    names = (_name_key(values.last_name), _name_key(values.usage_name))
    return Keys(
        email=values.email.lower() if values.email else None,
        phone=values.phone,
        names=tuple(dict.fromkeys(k for k in names if k)),
        birth=values.birth_date,
    )


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# The IN lists are bound as one expanding parameter: each statement is built and compiled
# once, not once per list of values. Statements run on the session's connection, without the
# ORM's result machinery (whole columns of 100 000 rows are read at times).
_VALUES: BindParameter[Any] = bindparam("values", expanding=True)


# ---------------------------------------------------------------- the base as a whole


BaseStamp = tuple[Any, ...]


def base_stamp(session: Session) -> BaseStamp:
    """What changes with any saved file: their count, last id, total of versions (every
    change through the services increments a file's version) and last change time. Equal
    stamps before and after a preview mean no file was created, erased or changed."""
    statement = select(
        func.count(),
        func.max(Candidate.id),
        func.sum(Candidate.version),
        func.max(Candidate.updated_at),
    )
    return tuple(session.execute(statement).one())


# ---------------------------------------------------------------- files named by identifiant


def ids_by_uuid(session: Session, uuids: Iterable[str]) -> dict[str, int]:
    """The ids of the files of the base among these uuids."""
    wanted = sorted(set(uuids))
    found: dict[str, int] = {}
    if len(wanted) > SCAN_ABOVE:
        known = set(wanted)
        rows = session.connection().execute(select(Candidate.uuid, Candidate.id))
        return {uuid: candidate_id for uuid, candidate_id in rows if uuid in known}
    statement = select(Candidate.uuid, Candidate.id).where(Candidate.uuid.in_(_VALUES))
    for part in chunks(wanted):
        rows = session.connection().execute(statement, {"values": list(part)})
        found.update((uuid, candidate_id) for uuid, candidate_id in rows)
    return found


# ---------------------------------------------------------------- look-alikes in the base


def look_alikes(session: Session, keys: Sequence[Keys]) -> list[dict[int, list[str]]]:
    """For each row's keys, the files of the base it looks like: id -> reasons, in the
    order of the form's rules (e-mail, phone, name and birth date), files by id."""
    by_email = _ids_matching(session, Candidate.email_key, {k.email for k in keys if k.email})
    by_phone = _ids_matching(session, Candidate.phone, {k.phone for k in keys if k.phone})
    by_name = _ids_by_name_and_birth(session, keys)
    found: list[dict[int, list[str]]] = []
    for key in keys:
        reasons: dict[int, list[str]] = {}
        for candidate_id in by_email.get(key.email, ()) if key.email else ():
            reasons.setdefault(candidate_id, []).append(SAME_EMAIL)
        for candidate_id in by_phone.get(key.phone, ()) if key.phone else ():
            reasons.setdefault(candidate_id, []).append(SAME_PHONE)
        if key.birth is not None:
            named = {i for name in key.names for i in by_name.get((key.birth, name), ())}
            for candidate_id in sorted(named):
                reasons.setdefault(candidate_id, []).append(SAME_NAME_AND_BIRTH)
        found.append({i: reasons[i] for i in sorted(reasons)[:MAX_LOOK_ALIKES]})
    return found


def _ids_matching(session: Session, column: Any, values: set[str]) -> dict[str, list[int]]:
    """value -> ids of the files holding it in `column`, in the order of the ids."""
    found: dict[str, list[int]] = {}
    if len(values) > SCAN_ABOVE:
        statement = select(column, Candidate.id).where(column.is_not(None))
        for value, candidate_id in session.connection().execute(statement):
            if value in values:
                found.setdefault(value, []).append(candidate_id)
        return {value: sorted(ids) for value, ids in found.items()}
    statement = select(column, Candidate.id).where(column.in_(_VALUES)).order_by(Candidate.id)
    for part in chunks(sorted(values)):
        for value, candidate_id in session.connection().execute(statement, {"values": list(part)}):
            found.setdefault(value, []).append(candidate_id)
    return found


def _ids_by_name_and_birth(
    session: Session, keys: Sequence[Keys]
) -> dict[tuple[date, str], list[int]]:
    """(birth date, name key) -> ids, for the birth or usage names of the rows with a birth
    date (the base has no index on birth dates: the names are looked up, then the dates)."""
    wanted = {(k.birth, name) for k in keys if k.birth is not None for name in k.names}
    names = sorted({name for _birth, name in wanted})
    found: dict[tuple[date, str], list[int]] = {}
    statement = (
        select(Candidate.id, Candidate.birth_date, Candidate.name_key, Candidate.usage_name_key)
        .where(or_(Candidate.name_key.in_(_VALUES), Candidate.usage_name_key.in_(_VALUES)))
        .order_by(Candidate.id)
    )
    connection = session.connection()
    if len(names) > SCAN_ABOVE:
        whole = select(*statement.selected_columns).where(Candidate.birth_date.is_not(None))
        parts: Iterable[Any] = [connection.execute(whole)]
    else:
        parts = (connection.execute(statement, {"values": list(part)}) for part in chunks(names))
    for rows in parts:
        for candidate_id, birth, last, usage in rows:
            for name in {last, usage}:
                if name is not None and (birth, name) in wanted:
                    found.setdefault((birth, name), []).append(candidate_id)
    return {key: sorted(ids) for key, ids in found.items()}


# ---------------------------------------------------------------- look-alikes in the file


class FileKeys:
    """The keys of the rows seen so far in the file: a later row with the same e-mail, phone,
    or name and birth date looks like the first row that had it."""

    def __init__(self) -> None:
        self._emails: dict[str, int] = {}
        self._phones: dict[str, int] = {}
        self._names: dict[tuple[date, str], int] = {}

    def look_alikes(self, line: int, key: Keys) -> dict[int, list[str]]:
        """Earlier lines of the file this row looks like (line -> reasons); the row's own keys
        are kept for the rows after it."""
        reasons: dict[int, list[str]] = {}
        if key.email is not None:
            _note(reasons, self._emails.setdefault(key.email, line), line, SAME_EMAIL)
        if key.phone is not None:
            _note(reasons, self._phones.setdefault(key.phone, line), line, SAME_PHONE)
        if key.birth is not None:
            for name in key.names:
                first = self._names.setdefault((key.birth, name), line)
                if SAME_NAME_AND_BIRTH not in reasons.get(first, ()):
                    _note(reasons, first, line, SAME_NAME_AND_BIRTH)
        return {earlier: reasons[earlier] for earlier in sorted(reasons)}


def _note(reasons: dict[int, list[str]], first: int, line: int, reason: str) -> None:
    if first != line:
        reasons.setdefault(first, []).append(reason)


# ---------------------------------------------------------------- stored values


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file of the base as an import compares it with a row and shows it."""

    id: int
    uuid: str
    person_uuid: str
    version: int
    updated_by: str | None
    updated_at: datetime | None
    values: RowValues
    site_name: str
    stage_label: str

    @property
    def display_name(self) -> str:
        return name_for_display(
            self.values.last_name, self.values.usage_name, self.values.first_name
        )

    def look_alike(self, reasons: Sequence[str]) -> DuplicateMatch:
        """The file as the form's look-alike panel shows it."""
        return DuplicateMatch(
            id=self.id,
            person_uuid=self.person_uuid,
            display_name=self.display_name,
            birth_date=format_date(self.values.birth_date),
            season=self.values.season,
            site=self.site_name,
            stage=self.stage_label,
            reasons=tuple(reasons),
        )


_STORED_COLUMNS = (
    Candidate.civility,
    Candidate.last_name,
    Candidate.usage_name,
    Candidate.first_name,
    Candidate.sex,
    Candidate.birth_date,
    Candidate.phone,
    Candidate.email,
    Candidate.address,
    Candidate.postal_code,
    Candidate.city,
    Season.label,
    Candidate.site_id,
    Candidate.filiere_id,
    Candidate.referrer_id,
    Candidate.diploma_level,
    Candidate.job_seeker,
    Candidate.rsa,
    Candidate.qpv,
    Candidate.application_date,
    Candidate.stage_id,
)
_TEXTS = frozenset(
    {
        "civility",
        "last_name",
        "usage_name",
        "first_name",
        "sex",
        "email",
        "address",
        "postal_code",
        "city",
    }
)


def stored_files(session: Session, ids: Iterable[int]) -> dict[int, StoredFile]:
    """The files of these ids (those that still exist), their CSV columns typed as a row's."""
    found: dict[int, StoredFile] = {}
    statement = (
        select(
            Candidate.id,
            Candidate.uuid,
            Candidate.person_uuid,
            Candidate.version,
            Candidate.updated_by,
            Candidate.updated_at,
            Site.name,
            Stage.label,
            *_STORED_COLUMNS,
        )
        .join(Season, Season.id == Candidate.season_id)
        .join(Site, Site.id == Candidate.site_id)
        .join(Stage, Stage.id == Candidate.stage_id)
        .where(Candidate.id.in_(_VALUES))
    )
    for part in chunks(sorted(set(ids))):
        for row in session.connection().execute(statement, {"values": list(part)}):
            candidate_id, uuid, person, version, updated_by, updated_at, site, stage = row[:8]
            found[candidate_id] = StoredFile(
                id=candidate_id,
                uuid=uuid,
                person_uuid=person,
                version=version,
                updated_by=updated_by,
                updated_at=updated_at,
                values=_as_row_values(row[8:]),
                site_name=site,
                stage_label=stage,
            )
    return found


def _as_row_values(columns: Sequence[Any]) -> RowValues:
    values = RowValues(*columns)
    # Empty texts stored as "" by older versions read as None, like an empty cell; a phone
    # stored in its national form by older imports reads in E.164, like a parsed one.
    blanks: dict[str, Any] = {name: None for name in _TEXTS if getattr(values, name) == ""}
    phone = values.phone
    if phone and not phone.startswith("+"):
        with contextlib.suppress(FieldError):
            blanks["phone"] = parse_french_phone(format_phone(phone))
    return values._replace(**blanks) if blanks else values


# The CSV column of each value of RowValues, in order.
COLUMN_OF = dict(zip(RowValues._fields, CANDIDATE_COLUMNS[1:], strict=True))
_KEPT_WHEN_EMPTY = frozenset({"application_date", "stage_id"})


def differing(stored: RowValues, incoming: RowValues) -> list[str]:
    """The CSV columns whose value in the row differs from the stored one (an empty
    application date or stage keeps the stored one: not a difference)."""
    return [
        COLUMN_OF[name]
        for name, before, after in zip(RowValues._fields, stored, incoming, strict=True)
        if before != after and not (after is None and name in _KEPT_WHEN_EMPTY)
    ]
