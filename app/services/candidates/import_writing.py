"""Writing a previewed candidate import: all or nothing, the base locked only while writing.

`apply_preview` takes a preview (`import_preview`, read without any lock), then in one
transaction:

1. takes the write lock (`storage.bulk.begin_writing`) and checks that nothing the preview
   relied on changed meanwhile: the files it updates still have the version it saw, the
   identifiants it creates are still free, and the new rows still look like the same files
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

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.domain import Candidate, Stage, StageChange
from app.domain.audit import AuditAction, AuditEntry
from app.domain.base import new_uuid
from app.domain.text import digits, fold, number_endings
from app.domain.values import FIRST_STAGE
from app.services import reference
from app.services.actor import Actor
from app.services.candidates import records
from app.services.candidates.import_matching import (
    chunks,
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
from app.storage.bulk import begin_writing, insert_rows

CANDIDATES = cast(Table, Candidate.__table__)
STAGE_CHANGES = cast(Table, StageChange.__table__)
JOURNAL = cast(Table, AuditEntry.__table__)

PROGRESS_EVERY = 1_000  # rows written between two reports of progress (and two batches)
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
    _refuse_if_base_changed(session, valid, overwrite_newer=overwrite_newer)
    writer = _Writer(session, actor, now or datetime.now(), overwrite_newer=overwrite_newer)
    writer.prepare(valid)
    for start in range(0, len(valid), PROGRESS_EVERY):
        writer.write(valid[start : start + PROGRESS_EVERY])
        done = min(start + PROGRESS_EVERY, len(valid))
        if progress is not None and not progress(done, len(valid)):
            raise ImportCancelled("Import annulé : rien n'a été importé.")
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
    created = [r for r in rows if not r.identifiant and _creates(r)]
    changed = []
    for part in chunks(created, 10 * 900):
        keys = [keys_of(r.values) for r in part if r.values is not None]
        for row, found in zip(part, look_alikes(session, keys), strict=True):
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


@dataclass
class _NewFile:
    row: ParsedRow
    uuid: str
    person_uuid: str
    comment: str


class _Writer:
    def __init__(
        self, session: Session, actor: Actor, now: datetime, *, overwrite_newer: bool
    ) -> None:
        self.session = session
        self.actor = actor
        self.now = now
        self.overwrite_newer = overwrite_newer
        self.result = ImportResult()
        self.index = SearchIndex()
        self.journal = _Journal(session, now)
        self.first_stage = session.scalars(select(Stage.id).where(Stage.code == FIRST_STAGE)).one()
        self.season_ids: dict[str, int] = {}
        self.persons: dict[int, str] = {}  # line -> person, of the rows later rows look like
        self.referred: set[int] = set()

    def prepare(self, rows: list[ParsedRow]) -> None:
        """Seasons named by new files are created first (as the form's service does, once)."""
        for row in rows:
            if row.known is not None:
                self.referred.update(earlier.line for earlier in row.known.rows)
        for label in sorted({r.values.season for r in rows if r.values is not None}):
            self.season_ids[label] = reference.ensure_season(self.session, label).id

    def write(self, rows: list[ParsedRow]) -> None:
        created: list[_NewFile] = []
        counts = {"updated": 0, "unchanged": 0, "kept": 0, "overwritten": 0, "ignored": 0}
        applications = 0
        for row in rows:
            if row.action == "create":
                created.append(self._new_file(row, new_uuid(), NEW_FILE))
            elif row.action == "known":
                if row.choice is KnownChoice.NEW_APPLICATION:
                    created.append(self._new_file(row, self._person_of(row), NEW_APPLICATION))
                    applications += 1
                elif row.choice is KnownChoice.CREATE:
                    created.append(self._new_file(row, new_uuid(), NEW_FILE))
                else:
                    counts["ignored"] += 1
                    self._remember(row, self._person_of(row))
            elif row.action == "unchanged":
                counts["unchanged"] += 1
            elif row.action == "conflict" and not self.overwrite_newer:
                counts["kept"] += 1
            else:
                changed = self._update(row)
                counts["updated" if changed else "unchanged"] += 1
                counts["overwritten"] += changed and row.action == "conflict"
        self._insert(created)
        result = self.result
        self.result = replace(
            result,
            created=result.created + len(created),
            updated=result.updated + counts["updated"],
            unchanged=result.unchanged + counts["unchanged"],
            conflicts_kept=result.conflicts_kept + counts["kept"],
            conflicts_overwritten=result.conflicts_overwritten + counts["overwritten"],
            known_ignored=result.known_ignored + counts["ignored"],
            new_applications=result.new_applications + applications,
        )

    def _new_file(self, row: ParsedRow, person_uuid: str, comment: str) -> _NewFile:
        self._remember(row, person_uuid)
        return _NewFile(row, row.identifiant or new_uuid(), person_uuid, comment)

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
            return self.persons.get(known.rows[0].line) or new_uuid()
        return new_uuid()

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

    def _insert(self, files: list[_NewFile]) -> None:
        if not files:
            return
        self.session.flush()
        author = self.actor.author or None
        candidates = [self._candidate_row(file, author) for file in files]
        found = insert_rows(
            self.session,
            CANDIDATES,
            _CANDIDATE_COLUMNS,
            candidates,
            returning=("uuid", "id"),
        )
        ids = dict(found)
        stages = [
            (
                new_uuid(),
                ids[file.uuid],
                self.now,
                self._stage_of(file.row),
                self.actor.author,
                file.comment,
            )
            for file in files
        ]
        insert_rows(self.session, STAGE_CHANGES, _STAGE_COLUMNS, stages)
        if self.journal.enabled:
            entries = self.journal.entries(files, stages, self)
            audit.chain_bulk_entries(self.session.connection(), entries)
            insert_rows(
                self.session,
                JOURNAL,
                _JOURNAL_COLUMNS,
                [tuple(getattr(e, name) for name in _JOURNAL_COLUMNS) for e in entries],
            )

    def _stage_of(self, row: ParsedRow) -> int:
        assert row.values is not None
        return row.values.stage_id or self.first_stage

    def _candidate_row(self, file: _NewFile, author: str | None) -> tuple[Any, ...]:
        values = file.row.values
        assert values is not None
        now = self.now
        return (
            file.uuid,
            file.person_uuid,
            max(file.row.file_version or 1, 1),
            author,
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
            self.season_ids[values.season],
            values.site_id,
            values.filiere_id,
            values.referrer_id,
            values.application_date or now.date(),
            values.stage_id or self.first_stage,
            now,
            now,
            *self.index.columns(values),
        )


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
    """A journal entry written in bulk (AuditEntry's columns, without an ORM object)."""

    __slots__ = _JOURNAL_COLUMNS

    def __init__(self, **values: Any) -> None:
        for name in _JOURNAL_COLUMNS:
            setattr(self, name, values.get(name))


class _Journal:
    """The entries the session's journal (`audit_log`) records of a file created by the form's
    service: the file with every value it holds, then its first stage change."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.author = audit.acting_author(session, "")
        self.enabled = bool(self.author) and not session.info.get(audit.SUPPRESS_KEY)
        self.now = now
        self.fields = list(audit.field_labels("candidate"))
        self.sites = {o.id: o.label for o in reference.sites(session)}
        self.filieres = {o.id: o.label for o in reference.filieres(session)}
        self.referrers = {o.id: o.label for o in reference.referrers(session)}
        self.stages = {o.id: o.label for o in reference.stages(session)}
        self._stage_changes: dict[tuple[int, str], str] = {}
        self._texts: dict[tuple[str, Any], str] = {}

    def entries(
        self, files: list[_NewFile], stages: list[tuple[Any, ...]], writer: _Writer
    ) -> list[_Entry]:
        entries = []
        for file, stage in zip(files, stages, strict=True):
            stage_uuid, _candidate_id, _at, stage_id, _author, comment = stage
            entries.append(
                self._entry(
                    "candidate",
                    file.uuid,
                    file.uuid,
                    "Dossier de candidature créé",
                    self._file_changes(file.row.values, writer.now.date()),
                )
            )
            entries.append(
                self._entry(
                    "stage_change",
                    stage_uuid,
                    file.uuid,
                    f"Changement d'étape : — → {self.stages[stage_id]}",
                    self._stage_change(stage_id, comment),
                )
            )
        return entries

    def _entry(
        self, kind: str, entity: str, candidate: str, summary: str, changes: str | None
    ) -> _Entry:
        return _Entry(
            uuid=new_uuid(),
            at=self.now,
            author=self.author,
            action=AuditAction.CREATION.value,
            entity_type=kind,
            entity_uuid=entity,
            candidate_uuid=candidate,
            summary=summary,
            changes=changes,
            redacted=False,
        )

    def _stage_change(self, stage_id: int, comment: str) -> str:
        key = (stage_id, comment)
        if key not in self._stage_changes:
            changes = {"to_stage": [None, self.stages[stage_id]], "comment": [None, comment]}
            self._stage_changes[key] = json.dumps(changes, ensure_ascii=False)
        return self._stage_changes[key]

    def _file_changes(self, values: RowValues | None, today: date) -> str | None:
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
            "application_date": self._text("application_date", values.application_date or today),
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
