"""Writing a previewed candidate import: all or nothing, the base locked only while writing.

`apply_preview` takes a preview (`import_preview`, read without any lock), then in one
transaction:

1. takes the write lock (`storage.bulk.begin_writing`) and checks that nothing the preview
   relied on changed meanwhile: when any file was saved since the preview began (its
   `base_stamp` differs), the files it updates must still have the version it saw, the
   identifiants it creates be still free, and its new rows still look like the same files
   of the base (no look-alike saved by another desk in between). Otherwise nothing is
   written and the person is asked to import again (`BaseChanged`);
2. writes the rows in the file's order, PROGRESS_EVERY at a time. New files are inserted in
   bulk — one multi-row INSERT per batch of candidates (their search index rows follow by
   trigger), their first stage change, and their journal entries chained like the session's —
   the very rows the form's service writes for each (`records.create_candidate`, and what
   `audit_log` records of it), without an ORM object per file. Updates go through the form's
   service itself (`records.update_candidate`), one by one, journaled by the session.

`progress(done, total)` follows each batch; returning False cancels: ImportCancelled, and the
caller rolls everything back.
"""

import contextlib
import json
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Stage, StageChange
from app.domain.audit import AuditAction, AuditEntry
from app.domain.text import digits, fold, number_endings
from app.domain.values import FIRST_STAGE
from app.services import reference
from app.services.actor import Actor
from app.services.candidates import records
from app.services.candidates.import_matching import (
    base_stamp,
    ids_by_uuid,
    keys_of,
    look_alikes,
    stored_files,
)
from app.services.candidates.import_preview import (
    ImportCancelled,
    ImportPreview,
    KnownChoice,
    ParsedRow,
    merged_input,
    preview_import,
)
from app.services.candidates.import_rows import RowValues
from app.services.errors import UserFacingError
from app.services.journal import audit_log as audit
from app.services.permissions import require_candidate_editor
from app.services.validation import format_phone
from app.storage.bulk import Inserter, begin_writing, page_cache

CANDIDATES = cast(Table, Candidate.__table__)
STAGE_CHANGES = cast(Table, StageChange.__table__)
JOURNAL = cast(Table, AuditEntry.__table__)

PROGRESS_EVERY = 1_000  # rows written between two reports of progress (and two batches)
# The page cache while writing: the indexes of 100 000 new files and their journal stay in
# memory (measured: 10 % less time than the connection's usual 64 MiB).
WRITING_CACHE_MIB = 160
SWITCH_INTERVAL = 0.0005  # seconds (Python's default: 0.005)
MAX_LISTED_LINES = 20

NEW_FILE = "Création du dossier"
NEW_APPLICATION = "Nouvelle candidature d'une personne déjà connue"


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


class BaseChanged(UserFacingError):
    """Another desk saved, between the preview and the import, something the preview relied
    on; nothing was imported."""


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    conflicts_kept: int = 0  # newer in the base: left as they are
    conflicts_overwritten: int = 0  # newer in the base, overwritten on request (in `updated`)
    known_ignored: int = 0  # rows of people already known, left out
    new_applications: int = 0  # new files of people already known (in `created`)

    def describe(self) -> str:
        text = (
            "Import terminé : "
            f"{_plural(self.created, 'nouveau candidat', 'nouveaux candidats')}, "
            f"{_plural(self.updated, 'mis à jour', 'mis à jour')}, "
            f"{_plural(self.unchanged, 'inchangé', 'inchangés')}, "
            f"{_plural(self.skipped, 'ligne refusée ignorée', 'lignes refusées ignorées')}"
        )
        if self.new_applications:
            text += " ; dont " + _plural(
                self.new_applications,
                "nouvelle candidature d'une personne déjà connue",
                "nouvelles candidatures de personnes déjà connues",
            )
        if self.known_ignored:
            text += " ; " + _plural(
                self.known_ignored,
                "ligne d'une personne déjà connue ignorée",
                "lignes de personnes déjà connues ignorées",
            )
        if self.conflicts_overwritten:
            text += " ; dont " + _plural(
                self.conflicts_overwritten,
                "fiche modifiée dans la base depuis l'export, écrasée à votre demande",
                "fiches modifiées dans la base depuis l'export, écrasées à votre demande",
            )
        if self.conflicts_kept:
            text += " ; " + _plural(
                self.conflicts_kept,
                "fiche modifiée dans la base depuis l'export laissée telle quelle",
                "fiches modifiées dans la base depuis l'export laissées telles quelles",
            )
        return text + "."


def apply_import(
    session: Session,
    source: Path | bytes,
    *,
    valid_only: bool,
    actor: Actor,
    overwrite_newer: bool = False,
    progress: Callable[[int, int], bool] | None = None,
    today: date | None = None,
    known: KnownChoice = KnownChoice.IGNORE,
) -> ImportResult:
    """Preview the file, then import it (`apply_preview`) in the caller's transaction; any
    exception means the caller rolls back. `known` says what to do with the rows of people
    already known that have no file in the row's season (those with one are ignored)."""
    require_candidate_editor(actor)
    now = datetime.combine(today, datetime.now().time()) if today else datetime.now()
    preview = preview_import(session, source, today=now.date(), known=known)
    return apply_preview(
        session,
        preview,
        valid_only=valid_only,
        actor=actor,
        overwrite_newer=overwrite_newer,
        progress=progress,
        now=now,
    )


def apply_preview(
    session: Session,
    preview: ImportPreview,
    *,
    valid_only: bool,
    actor: Actor,
    overwrite_newer: bool = False,
    progress: Callable[[int, int], bool] | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Import what `preview` shows, with the choices made on its rows of people already
    known, in the caller's transaction (see the module's docstring)."""
    require_candidate_editor(actor)
    _refuse_unready(preview, valid_only=valid_only)
    begin_writing(session, CANDIDATES)
    valid = preview.valid_rows
    if preview.base_stamp is None or base_stamp(session) != preview.base_stamp:
        _refuse_if_base_changed(session, valid, overwrite_newer=overwrite_newer)
    writer = _Writer(session, actor, now or datetime.now(), overwrite_newer=overwrite_newer)
    writer.prepare(valid)
    journal = _Journal.of(session, writer.now) if any(map(_creates, valid)) else None
    planner = _Planner(writer, journal)
    planner.referred = {e.line for r in valid if r.known is not None for e in r.known.rows}
    planner.expect(sum(map(_creates, valid)))
    batches = [
        valid[start : start + PROGRESS_EVERY] for start in range(0, len(valid), PROGRESS_EVERY)
    ]
    done = 0
    with page_cache(session, WRITING_CACHE_MIB), _Planned(planner, batches) as plans:
        for plan in plans:
            writer.write(plan)
            done += plan.rows
            if progress is not None and not progress(done, len(valid)):
                raise ImportCancelled("Import annulé : rien n'a été importé.")
    if journal is not None:
        journal.chain.seal(session.connection())
    return replace(writer.result, skipped=len(preview.invalid_rows))


def _refuse_unready(preview: ImportPreview, *, valid_only: bool) -> None:
    if preview.fatal:
        raise UserFacingError("Rien n'a été importé : " + " ".join(preview.fatal))
    refused = len(preview.invalid_rows)
    if refused and not valid_only:
        raise UserFacingError(
            f"Rien n'a été importé : {_plural(refused, 'ligne refusée', 'lignes refusées')}."
        )
    undecided = preview.undecided
    if undecided:
        raise UserFacingError(
            "Rien n'a été importé : "
            + _plural(
                len(undecided),
                "ligne d'une personne déjà connue attend",
                "lignes de personnes déjà connues attendent",
            )
            + f" une décision ({_lines(undecided)})."
        )


def _lines(rows: list[ParsedRow]) -> str:
    listed = ", ".join(str(r.line) for r in rows[:MAX_LISTED_LINES])
    more = "…" if len(rows) > MAX_LISTED_LINES else ""
    return ("ligne " if len(rows) == 1 else "lignes ") + listed + more


# ---------------------------------------------------------------- what may have changed


def _refuse_if_base_changed(
    session: Session, rows: list[ParsedRow], *, overwrite_newer: bool
) -> None:
    """Under the write lock: what the preview saw of the base is still true for every row
    the import writes, else BaseChanged (nothing is written)."""
    changed = _named_rows_changed(session, rows, overwrite_newer=overwrite_newer)
    changed += _look_alikes_changed(session, rows)
    if changed:
        changed.sort(key=lambda r: r.line)
        raise BaseChanged(
            "Rien n'a été importé : la base a changé depuis la vérification du fichier "
            f"(dossiers enregistrés entre-temps sur un autre poste, {_lines(changed)}). "
            "Relancez l'import pour revoir ces lignes."
        )


def _named_rows_changed(
    session: Session, rows: list[ParsedRow], *, overwrite_newer: bool
) -> list[ParsedRow]:
    written = {"create", "update"} | ({"conflict"} if overwrite_newer else set())
    named = [r for r in rows if r.identifiant and r.action in written]
    ids = ids_by_uuid(session, [r.identifiant for r in named])
    versions = {f.uuid: f.version for f in stored_files(session, ids.values()).values()}
    return [r for r in named if versions.get(r.identifiant) != r.base_version]


def _look_alikes_changed(session: Session, rows: list[ParsedRow]) -> list[ParsedRow]:
    created = [r for r in rows if not r.identifiant and _creates(r) and r.values is not None]
    keys = [keys_of(r.values) for r in created if r.values is not None]
    changed = []
    for row, found in zip(created, look_alikes(session, keys), strict=True):
        seen = {f.id for f in row.known.files} if row.known is not None else set()
        if set(found) != seen:
            changed.append(row)
    return changed


def _creates(row: ParsedRow) -> bool:
    if row.action == "known":
        return row.choice in (KnownChoice.NEW_APPLICATION, KnownChoice.CREATE)
    return row.action == "create"


# ---------------------------------------------------------------- writing

_CANDIDATE_COLUMNS = (
    "uuid",
    "person_uuid",
    "version",
    "updated_by",
    "updated_at",
    "civility",
    "last_name",
    "usage_name",
    "first_name",
    "sex",
    "birth_date",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "job_seeker",
    "rsa",
    "qpv",
    "diploma_level",
    "season_id",
    "site_id",
    "filiere_id",
    "referrer_id",
    "application_date",
    "stage_id",
    "stage_changed_at",
    "last_action_at",
    "search_text",
    "email_key",
    "name_key",
    "usage_name_key",
    "first_name_key",
)
_STAGE_COLUMNS = ("uuid", "candidate_id", "changed_at", "to_stage_id", "author", "comment")
_JOURNAL_COLUMNS = (
    "id",
    "uuid",
    "at",
    "author",
    "action",
    "entity_type",
    "entity_uuid",
    "candidate_uuid",
    "summary",
    "changes",
    "redacted",
    "changes_digest",
    "chain",
)


def fresh_uuids(count: int) -> list[str]:
    """`count` random uuids (version 4, as `new_uuid`), made from one call for randomness."""
    return [_formatted(int.from_bytes(raw)) for raw in _random_blocks(count)]


class AscendingUuids:
    """Random uuids (version 4) handed out in increasing order: the k-th of `count` is drawn
    at random within the k-th of `count` equal slices of all uuids. Still unpredictable (over
    100 random bits each) and spread over the whole range, but an index receives a whole
    import's new keys in order, page after page, instead of all over (the journal's three
    indexes of uuids cost half as much to fill)."""

    def __init__(self, count: int) -> None:
        self._slice = (1 << 128) // max(count, 1)
        self._next = 0

    def take(self, count: int) -> list[str]:
        start, width = self._next, self._slice
        self._next += count
        return [
            _formatted((start + k) * width + int.from_bytes(raw) % width)
            for k, raw in enumerate(_random_blocks(count))
        ]


def _random_blocks(count: int) -> list[bytes]:
    raw = os.urandom(16 * count)
    return [raw[i : i + 16] for i in range(0, 16 * count, 16)]


# A uuid's version (4: random) and variant (RFC 4122) bits; with at most 2**48 uuids in an
# AscendingUuids, setting them never moves a uuid out of its slice.
_VERSION_MASK, _VERSION_4 = 0xF << 76, 0x4 << 76
_VARIANT_MASK, _VARIANT_RFC = 0x3 << 62, 0x2 << 62


def _formatted(value: int) -> str:
    value = (value & ~_VERSION_MASK) | _VERSION_4
    value = (value & ~_VARIANT_MASK) | _VARIANT_RFC
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class _Plan:
    """What one batch of rows writes, prepared off the window's (or command's) thread: the
    updates to run, and the new files' rows with their first stage and journal entries."""

    rows: int
    updates: list[ParsedRow]
    candidates: list[Sequence[Any]]  # converted for the driver
    stages: list[tuple[str, str, int, str]]  # (file uuid, stage change uuid, stage, comment)
    entries: list[Sequence[Any]]  # chained, converted for the driver
    counts: dict[str, int]


class _Planner:
    """Turns batches of rows into _Plans, in the file's order. Touches no session: it runs
    on its own thread while the session writes the batch before."""

    def __init__(self, writer: "_Writer", journal: "_Journal | None") -> None:
        self.writer = writer
        self.journal = journal
        self.index = SearchIndex()
        self.persons: dict[int, str] = {}  # line -> person, of the rows later rows look like
        self.referred: set[int] = set()
        self.inserter = writer.candidate_inserter
        self.file_uuids = self.stage_uuids = self.entry_uuids = AscendingUuids(0)

    def expect(self, created: int) -> None:
        """How many files the import creates: their uuids ascend over the whole import."""
        self.file_uuids = AscendingUuids(created)
        self.stage_uuids = AscendingUuids(created)
        self.entry_uuids = AscendingUuids(2 * created)

    def plan(self, rows: list[ParsedRow]) -> _Plan:
        """The batch's plan, its rows taken in the file's order (a new application's person
        may be the person of an earlier row of the batch)."""
        creating = [row for row in rows if _creates(row)]
        file_uuids = iter(self.file_uuids.take(sum(1 for r in creating if not r.identifiant)))
        stage_uuids = iter(self.stage_uuids.take(len(creating)))
        persons = iter(fresh_uuids(len(creating)))
        entry_uuids = iter(self.entry_uuids.take(2 * len(creating) if self.journal else 0))
        updates: list[ParsedRow] = []
        candidates: list[tuple[Any, ...]] = []
        stages: list[tuple[str, str, int, str]] = []
        entries: list[_Entry] = []
        counts = dict.fromkeys(("unchanged", "kept", "ignored", "applications"), 0)
        for row in rows:
            if row.action == "known" and row.choice is KnownChoice.NEW_APPLICATION:
                person, comment = self._person_of(row), NEW_APPLICATION
                counts["applications"] += 1
            elif _creates(row):
                person, comment = next(persons), NEW_FILE
            else:
                self._leave(row, updates, counts)
                continue
            self._remember(row, person)
            file_uuid, stage_uuid = row.identifiant or next(file_uuids), next(stage_uuids)
            stage_id = self.writer.stage_of(row)
            candidates.append(self._candidate_row(row, file_uuid, person, stage_id))
            stages.append((file_uuid, stage_uuid, stage_id, comment))
            if self.journal is not None:
                entries += self.journal.entries(row, file_uuid, stage_uuid, stage_id, comment)
                entries[-2].uuid, entries[-1].uuid = next(entry_uuids), next(entry_uuids)
        journal: list[Sequence[Any]] = []
        if self.journal is not None:
            self.journal.chain.link(entries)
            journal = self.writer.journal_inserter.convert([e.values() for e in entries])
        return _Plan(len(rows), updates, self.inserter.convert(candidates), stages, journal, counts)

    def _leave(self, row: ParsedRow, updates: list[ParsedRow], counts: dict[str, int]) -> None:
        """A row that creates no file: an update (the writing thread runs it), or nothing."""
        if row.action == "known":  # ignored: later rows alike are the same person
            counts["ignored"] += 1
            if row.line in self.referred:
                self._remember(row, self._person_of(row))
        elif row.action == "unchanged":
            counts["unchanged"] += 1
        elif row.action == "conflict" and not self.writer.overwrite_newer:
            counts["kept"] += 1
        else:
            updates.append(row)

    def _remember(self, row: ParsedRow, person_uuid: str) -> None:
        if row.line in self.referred:
            self.persons[row.line] = person_uuid

    def _person_of(self, row: ParsedRow) -> str:
        """The person a row of someone already known is: the first file of the base it looks
        like, else the person of the first earlier row it looks like."""
        known = row.known
        if known is not None and known.files:
            return known.files[0].person_uuid
        if known is not None and known.rows:
            return self.persons.get(known.rows[0].line) or fresh_uuids(1)[0]
        return fresh_uuids(1)[0]

    def _candidate_row(
        self, row: ParsedRow, file_uuid: str, person_uuid: str, stage_id: int
    ) -> tuple[Any, ...]:
        values = row.values
        assert values is not None
        writer = self.writer
        now = writer.now
        return (
            file_uuid,
            person_uuid,
            max(row.file_version or 1, 1),
            writer.author,
            now,
            values.civility,
            values.last_name,
            values.usage_name,
            values.first_name,
            values.sex,
            values.birth_date,
            values.phone,
            values.email,
            values.address,
            values.postal_code,
            values.city,
            values.job_seeker,
            values.rsa,
            values.qpv,
            values.diploma_level,
            writer.season_ids[values.season],
            values.site_id,
            values.filiere_id,
            values.referrer_id,
            values.application_date or now.date(),
            stage_id,
            now,
            now,
            *self.index.columns(values),
        )


class _Writer:
    """Writes the _Plans in the session, in order."""

    def __init__(
        self, session: Session, actor: Actor, now: datetime, *, overwrite_newer: bool
    ) -> None:
        self.session = session
        self.actor = actor
        self.author = actor.author or None
        self.now = now
        self.overwrite_newer = overwrite_newer
        self.result = ImportResult()
        self.first_stage = session.scalars(select(Stage.id).where(Stage.code == FIRST_STAGE)).one()
        self.season_ids: dict[str, int] = {}
        dialect = session.get_bind().dialect
        self.candidate_inserter = Inserter(dialect, CANDIDATES, _CANDIDATE_COLUMNS)
        self.stage_inserter = Inserter(dialect, STAGE_CHANGES, _STAGE_COLUMNS)
        self.journal_inserter = Inserter(dialect, JOURNAL, _JOURNAL_COLUMNS)

    def prepare(self, rows: list[ParsedRow]) -> None:
        """The seasons the rows name exist before anything is planned (created if new, as the
        form's service does)."""
        for label in sorted({r.values.season for r in rows if r.values is not None}):
            self.season_ids[label] = reference.ensure_season(self.session, label).id

    def stage_of(self, row: ParsedRow) -> int:
        assert row.values is not None
        return row.values.stage_id or self.first_stage

    def write(self, plan: _Plan) -> None:
        updated = overwritten = unchanged = 0
        for row in plan.updates:
            changed = self._update(row)
            updated += changed
            unchanged += not changed
            overwritten += changed and row.action == "conflict"
        self._insert(plan)
        counts, result = plan.counts, self.result
        self.result = replace(
            result,
            created=result.created + len(plan.stages),
            updated=result.updated + updated,
            unchanged=result.unchanged + unchanged + counts["unchanged"],
            conflicts_kept=result.conflicts_kept + counts["kept"],
            conflicts_overwritten=result.conflicts_overwritten + overwritten,
            known_ignored=result.known_ignored + counts["ignored"],
            new_applications=result.new_applications + counts["applications"],
        )

    def _update(self, row: ParsedRow) -> bool:
        """Through the form's service; whether the file changed."""
        candidate_id = ids_by_uuid(self.session, [row.identifiant])[row.identifiant]
        saved = records.update_candidate(
            self.session,
            candidate_id,
            merged_input(self.session, row, candidate_id),
            expected_version=None,
            actor=self.actor,
            now=self.now,
        )
        return saved.version != row.base_version

    def _insert(self, plan: _Plan) -> None:
        if not plan.stages:
            return
        self.session.flush()
        ids = self.candidate_inserter.insert_numbered(self.session, plan.candidates)
        author = self.actor.author
        stages = [
            (stage_uuid, candidate_id, self.now, stage_id, author, comment)
            for candidate_id, (_file, stage_uuid, stage_id, comment) in zip(
                ids, plan.stages, strict=True
            )
        ]
        self.stage_inserter.insert(self.session, self.stage_inserter.convert(stages))
        self.journal_inserter.insert(self.session, plan.entries)


class _Planned:
    """The plans of the batches, made one or two ahead on a thread of their own (Python work
    that overlaps the database's writing of the batch before)."""

    def __init__(self, planner: _Planner, batches: list[list[ParsedRow]]) -> None:
        self._planner = planner
        self._batches = batches
        self._plans: queue.Queue[_Plan | BaseException | None] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-planner", daemon=True)

    def __enter__(self) -> "_Planned":
        # The writing thread waits in the database most of the time, then needs the
        # interpreter back at once to send the next statement: hand it over sooner than
        # every 5 ms while both threads run.
        self._interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        sys.setswitchinterval(self._interval)
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._plans.get(timeout=0.05)
        self._thread.join()

    def __iter__(self) -> Iterator[_Plan]:
        while True:
            plan = self._plans.get()
            if plan is None:
                return
            if isinstance(plan, BaseException):
                raise plan
            yield plan

    def _run(self) -> None:
        try:
            for batch in self._batches:
                if self._stop.is_set():
                    return
                self._put(self._planner.plan(batch))
        except BaseException as error:  # handed to the writing thread, which raises it
            self._put(error)
            return
        self._put(None)

    def _put(self, item: _Plan | BaseException | None) -> None:
        while not self._stop.is_set():
            try:
                self._plans.put(item, timeout=0.05)
                return
            except queue.Full:
                continue


class SearchIndex:
    """The folded copies `records._index_text` stores with a file for search and duplicate
    detection, from a row's values; folded names remembered (a file repeats them)."""

    def __init__(self) -> None:
        self._folded: dict[str, str] = {}

    def fold(self, text: str) -> str:
        folded = self._folded.get(text)
        if folded is None:
            if len(self._folded) > 50_000:
                self._folded.clear()
            folded = self._folded[text] = fold(text)
        return folded

    def columns(
        self, values: RowValues
    ) -> tuple[str, str | None, str | None, str | None, str | None]:
        """search_text, email_key, name_key, usage_name_key, first_name_key."""
        last = self.fold(values.last_name)
        usage = self.fold(values.usage_name) if values.usage_name else ""
        first = self.fold(values.first_name)
        parts = [last, usage, first, last.replace(" ", ""), usage.replace(" ", "")]
        parts.append(first.replace(" ", ""))
        email_key = values.email.lower() if values.email else None
        if email_key:
            parts.append(email_key)
        phone = _phone_digits(values.phone)
        parts.append(phone)
        if values.city:
            parts.append(self.fold(values.city))
        parts += number_endings(phone)
        return (
            " ".join(p for p in parts if p),
            email_key,
            last.replace(" ", "") or None,
            (usage.replace(" ", "") or None) if values.usage_name else None,
            first or None,
        )


def _phone_digits(e164: str | None) -> str:
    """`digits(format_phone(e164))`, at once for a metropolitan number."""
    if not e164:
        return ""
    if e164.startswith("+33") and len(e164) == 12:
        return "0" + e164[3:]
    return digits(format_phone(e164))


# ---------------------------------------------------------------- journal


class _Entry:
    """A journal entry written in bulk: AuditEntry's columns, without an ORM object (its id,
    digest and chain are set by `audit_log.BulkChain`)."""

    __slots__ = _JOURNAL_COLUMNS

    def __init__(
        self, at: datetime, author: str, kind: str, entity: str, candidate: str, summary: str
    ) -> None:
        self.id: int | None = None
        self.uuid: str | None = None
        self.at = at
        self.author = author
        self.action = AuditAction.CREATION.value
        self.entity_type = kind
        self.entity_uuid = entity
        self.candidate_uuid = candidate
        self.summary = summary
        self.changes: str | None = None
        self.redacted = False
        self.changes_digest: str | None = None
        self.chain: str | None = None

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _JOURNAL_COLUMNS)


class _Journal:
    """The entries the session's journal (`audit_log`) records of a file created by the form's
    service: the file with every value it holds, then its first stage change. None when the
    session records nothing (no journal attached, or suppressed)."""

    @classmethod
    def of(cls, session: Session, now: datetime) -> "_Journal | None":
        """Opened once the write lock is held: the chain starts after the last entry."""
        author = audit.acting_author(session, "")
        if not author or session.info.get(audit.SUPPRESS_KEY):
            return None
        return cls(session, author, now)

    def __init__(self, session: Session, author: str, now: datetime) -> None:
        self.chain = audit.BulkChain(session.connection())
        self.author = author
        self.now = now
        self.fields = list(audit.field_labels("candidate"))
        self.sites = {o.id: o.label for o in reference.sites(session)}
        self.filieres = {o.id: o.label for o in reference.filieres(session)}
        self.referrers = {o.id: o.label for o in reference.referrers(session)}
        self.stages = {o.id: o.label for o in reference.stages(session)}
        self._stage_changes: dict[tuple[int, str], str] = {}
        self._texts: dict[tuple[str, Any], str] = {}

    def entries(
        self, row: ParsedRow, file_uuid: str, stage_uuid: str, stage_id: int, comment: str
    ) -> list[_Entry]:
        created = _Entry(
            self.now, self.author, "candidate", file_uuid, file_uuid, "Dossier de candidature créé"
        )
        created.changes = self._file_changes(row.values)
        stage = self.stages[stage_id]
        moved = _Entry(
            self.now,
            self.author,
            "stage_change",
            stage_uuid,
            file_uuid,
            f"Changement d'étape : — → {stage}",
        )
        moved.changes = self._stage_change(stage_id, comment)
        return [created, moved]

    def _stage_change(self, stage_id: int, comment: str) -> str:
        key = (stage_id, comment)
        if key not in self._stage_changes:
            changes = {"to_stage": [None, self.stages[stage_id]], "comment": [None, comment]}
            self._stage_changes[key] = json.dumps(changes, ensure_ascii=False)
        return self._stage_changes[key]

    def _file_changes(self, values: RowValues | None) -> str | None:
        assert values is not None
        held = {
            "civility": values.civility,
            "last_name": values.last_name,
            "usage_name": values.usage_name,
            "first_name": values.first_name,
            "sex": self._text("sex", values.sex),
            "birth_date": self._text("birth_date", values.birth_date),
            "phone": records.phone_for_list(values.phone) if values.phone else None,
            "email": values.email,
            "address": values.address,
            "postal_code": values.postal_code,
            "city": values.city,
            "job_seeker": self._text("job_seeker", values.job_seeker),
            "rsa": self._text("rsa", values.rsa),
            "qpv": self._text("qpv", values.qpv),
            "diploma_level": self._text("diploma_level", values.diploma_level),
            "season": values.season,
            "site": self.sites[values.site_id],
            "filiere": self.filieres.get(values.filiere_id or 0),
            "referrer": self.referrers.get(values.referrer_id or 0),
            "application_date": self._text(
                "application_date", values.application_date or self.now.date()
            ),
        }
        changes = {
            name: [None, held[name]] for name in self.fields if held.get(name) not in (None, "")
        }
        return json.dumps(changes, ensure_ascii=False) if changes else None

    def _text(self, name: str, value: Any) -> str | None:
        """`audit_log.as_text`, remembered for the values a file repeats."""
        if value is None:
            return None
        key = (name, value)
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) > 50_000:
                self._texts.clear()
            text = self._texts[key] = audit.as_text(value, name) or ""
        return text
