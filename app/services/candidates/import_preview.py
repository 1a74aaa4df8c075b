"""The preview of a candidate import: every row of the file and what importing it would do.

The file is read once: each row checked (`import_rows`), then the identifiants and
look-alikes of all the rows looked up in bulk (`import_matching`). Nothing is written: the
preview reads only, and holds no lock on the base while it reads (SQLite starts a transaction
at the first write).

What a valid row would do (`ParsedRow.action`):

- "create" (*nouveau*): no identifiant, or one the base does not know, and nobody alike;
- "update" (*mise à jour*): a file named by its identifiant, with the columns that change;
- "conflict": an update of a file saved in the base since the export the row comes from
  (see `csv_exchange`), left alone unless the import is told to overwrite it;
- "unchanged" (*inchangé*): a file named by its identifiant without change, or a file of the
  same season that looks like the row and holds the same values;
- "known" (*déjà connu(e)*): the row looks like files of the base or earlier rows of the file
  (the form's duplicate rules). Its `choice` says what to do (`KnownChoice`): ignore it by
  default when that person already has a file in the row's season, else undecided (None)
  until someone decides, or the default the caller gives (the command line's `--known`).
"""

import enum
import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Literal, TypeVar

from sqlalchemy.orm import Session

from app.services.candidates import records
from app.services.candidates.csv_exchange import CANDIDATE_COLUMNS, VERSION_COLUMN
from app.services.candidates.import_matching import (
    BaseStamp,
    FileKeys,
    StoredFile,
    base_stamp,
    differing,
    ids_by_uuid,
    keys_of,
    look_alikes,
    stored_files,
)
from app.services.candidates.import_rows import (
    HEADER_ONLY,
    CheckedRow,
    FileRefused,
    Labels,
    RowChecker,
    RowProblem,
    RowValues,
    decode,
    header_and_records,
    input_of,
    line_count,
    read_source,
)
from app.services.candidates.records import CandidateInput, DuplicateMatch
from app.services.errors import UserFacingError, ValidationError

Action = Literal["create", "update", "unchanged", "conflict", "known"]

PREVIEW_CHUNK = 2_000  # rows checked between two reports of progress
MAX_REPORTED_PROBLEMS = 200
MAX_LISTED_KNOWN = 20  # rows of people already known the text report lists

T = TypeVar("T")


class ImportCancelled(UserFacingError):
    """The user stopped the preview or the import; nothing is saved."""


class KnownChoice(enum.StrEnum):
    """What to do with a row that looks like a person already known (the command line's
    `--known` takes these values)."""

    IGNORE = "ignorer"
    NEW_APPLICATION = "nouvelle-candidature"
    CREATE = "creer"

    @property
    def label(self) -> str:
        return _CHOICE_LABELS[self]


_CHOICE_LABELS = {
    KnownChoice.IGNORE: "Ignorer",
    KnownChoice.NEW_APPLICATION: "Nouvelle candidature",
    KnownChoice.CREATE: "Créer quand même",
}


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


# ---------------------------------------------------------------- what a row would do


@dataclass(frozen=True)
class Change:
    """One CSV column the import would set: the base's value and the file's."""

    column: str
    in_base: str
    in_file: str

    def describe(self) -> str:
        return f"{self.column} « {self.in_base} » → « {self.in_file} »"


@dataclass(frozen=True)
class Conflict:
    """A row whose file was saved in the base after the export the row comes from."""

    line: int
    person: str
    file_version: int
    base_version: int
    updated_by: str | None
    updated_at: datetime | None
    changes: tuple[Change, ...]

    def describe(self) -> str:
        when = f" le {self.updated_at:%d/%m/%Y à %H:%M}" if self.updated_at else ""
        who = f" par {self.updated_by}" if self.updated_by else ""
        return (
            f"ligne {self.line} : {self.person} — fiche modifiée dans la base{when}{who} "
            f"(version {self.base_version}, le fichier porte la version {self.file_version}) ; "
            "l'import remettrait " + ", ".join(change.describe() for change in self.changes) + "."
        )


@dataclass(frozen=True)
class EarlierRow:
    """An earlier row of the same file that a row looks like."""

    line: int
    reasons: tuple[str, ...]

    def describe(self) -> str:
        return f"ligne {self.line} du fichier ({', '.join(self.reasons)})"


@dataclass(frozen=True)
class KnownPerson:
    """Who a row looks like: files of the base (as the form's look-alike panel shows them)
    and earlier rows of the file; `same_season` when one of them is of the row's season."""

    files: tuple[DuplicateMatch, ...]
    rows: tuple[EarlierRow, ...]
    same_season: bool

    def describe(self) -> str:
        """ "MARTIN Léa, née le 02/03/1990, 2025-2026, Cobalt, admis (même e-mail)"."""
        if self.files:
            first = self.files[0]
            born = f", né(e) le {first.birth_date}" if first.birth_date else ""
            text = (
                f"{first.display_name}{born}, {first.season}, {first.site}, {first.stage} "
                f"({', '.join(first.reasons)})"
            )
        else:
            text = self.rows[0].describe()
        others = len(self.files) + len(self.rows) - 1
        if others:
            text += " et " + _plural(others, "autre", "autres")
        return text


class ParsedRow:
    """One data row of the file: its values when valid (`problems` otherwise) and what the
    import would do with it. Small on purpose: a preview holds every row of the file."""

    __slots__ = (
        "_labels",
        "action",
        "base_version",
        "cells",
        "changes",
        "choice",
        "conflict",
        "file_version",
        "identifiant",
        "known",
        "line",
        "problems",
        "values",
    )

    def __init__(self, checked: CheckedRow, labels: Labels) -> None:
        self.line = checked.line
        self.values: RowValues | None = checked.values
        self.problems: list[RowProblem] = checked.problems
        self.identifiant = checked.identifiant
        self.file_version = checked.file_version
        self.cells = checked.cells
        self.action: Action = "create"
        self.base_version: int | None = None
        self.changes: tuple[Change, ...] = ()
        self.conflict: Conflict | None = None
        self.known: KnownPerson | None = None
        self.choice: KnownChoice | None = None
        self._labels = labels

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def data(self) -> CandidateInput:
        """The row as a form's input: as written for a refused row or an update, as the export
        writes it otherwise."""
        if self.cells is not None:
            data = input_of(self.cells)
            if self.identifiant:
                data.identifiant = self.identifiant
            return data
        return self.written

    @property
    def written(self) -> CandidateInput:
        """A valid row's values as the export writes them (site code, labels, dates)."""
        assert self.values is not None
        return self._labels.data(self.values, self.identifiant)

    def text(self, column: str) -> str:
        """One CSV column of the row: as written, or as the export writes it."""
        if self.cells is not None or self.values is None:
            return (self.cells or {}).get(column, "")
        return self._labels.text(self.values, column)

    @property
    def display_name(self) -> str:
        if self.values is not None:
            values = self.values
            return records.name_for_display(values.last_name, values.usage_name, values.first_name)
        cells = self.cells or {}
        first = cells.get("prenom", "").strip()
        return " ".join(p for p in (cells.get("nom", "").strip().upper(), first) if p)

    @property
    def decided(self) -> bool:
        return self.action != "known" or self.choice is not None


NO_VERSION_WARNING = (
    "Ce fichier n'a pas de colonne « version » (export d'une version précédente de "
    "l'application, ou fichier fait à la main) : les modifications faites dans la base depuis "
    "l'export ne peuvent pas être détectées, et les mises à jour de ce fichier les écraseraient."
)
MISSING_VERSIONS_WARNING = (
    "{rows} sans numéro de version : les modifications faites dans la base depuis l'export "
    "ne peuvent pas y être détectées, ces mises à jour les écraseraient."
)


@dataclass
class ImportPreview:
    rows: list[ParsedRow] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)
    has_versions: bool = True
    base_stamp: BaseStamp | None = None  # the base's files when the preview began to read

    @property
    def conflicts(self) -> list[Conflict]:
        return [r.conflict for r in self.valid_rows if r.conflict is not None]

    @property
    def warnings(self) -> list[str]:
        """What the person should know before importing, besides refused rows and conflicts."""
        unversioned = [
            r for r in self.valid_rows if r.action == "update" and r.file_version is None
        ]
        if not unversioned:
            return []
        if not self.has_versions:
            return [NO_VERSION_WARNING]
        lines = ", ".join(str(r.line) for r in unversioned[:20])
        more = "…" if len(unversioned) > 20 else ""
        rows = _plural(len(unversioned), "mise à jour", "mises à jour")
        return [MISSING_VERSIONS_WARNING.format(rows=f"{rows} (ligne {lines}{more})")]

    @functools.cached_property
    def valid_rows(self) -> list[ParsedRow]:
        """The rows that may be imported (read once: a preview's rows and their problems do
        not change; their decisions do)."""
        return [] if self.fatal else [r for r in self.rows if r.valid]

    @functools.cached_property
    def invalid_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if not r.valid]

    @property
    def problems(self) -> list[RowProblem]:
        return [p for r in self.rows for p in r.problems]

    @property
    def known_rows(self) -> list[ParsedRow]:
        """The rows of people already known, in the file's order."""
        return [r for r in self.valid_rows if r.action == "known"]

    @property
    def undecided(self) -> list[ParsedRow]:
        """The rows of people already known that wait for a decision."""
        return [r for r in self.known_rows if r.choice is None]

    def count(self, action: Action) -> int:
        return self._counts[action]

    @functools.cached_property
    def _counts(self) -> Counter[str]:
        return Counter(r.action for r in self.valid_rows)

    def decide(self, choice: KnownChoice, rows: Iterable[ParsedRow] | None = None) -> None:
        """Give `choice` to these rows of people already known (every one of them by
        default)."""
        for row in self.known_rows if rows is None else rows:
            if row.action == "known":
                row.choice = choice

    def describe(self) -> str:
        if self.fatal:
            return "\n".join(["Fichier refusé :", *(f"- {m}" for m in self.fatal)])
        lines = [self.summary()]
        problems = self.problems
        lines.extend(p.describe() for p in problems[:MAX_REPORTED_PROBLEMS])
        hidden = len(problems) - MAX_REPORTED_PROBLEMS
        if hidden > 0:
            lines.append(f"… et {_plural(hidden, 'autre problème', 'autres problèmes')}.")
        lines.extend(self.describe_conflicts())
        lines.extend(self.describe_known())
        lines.extend(self.warning_lines())
        return "\n".join(lines)

    def summary(self) -> str:
        """ "3 lignes lues : 2 valides (1 nouveau, …), 1 refusée." """
        valid = len(self.valid_rows)
        extra = ""
        if conflicts := self.count("conflict"):
            extra += f", {conflicts} en conflit"
        if known := self.count("known"):
            extra += ", " + _plural(known, "déjà connu", "déjà connus")
        return (
            f"{_plural(len(self.rows), 'ligne lue', 'lignes lues')} : "
            f"{_plural(valid, 'valide', 'valides')} ("
            f"{_plural(self.count('create'), 'nouveau', 'nouveaux')}, "
            f"{_plural(self.count('update'), 'mise à jour', 'mises à jour')}, "
            f"{_plural(self.count('unchanged'), 'inchangé', 'inchangés')}{extra}), "
            f"{_plural(len(self.invalid_rows), 'refusée', 'refusées')}."
        )

    def warning_lines(self) -> list[str]:
        """The warnings as the preview shows them: « Attention : ce fichier … »."""
        return [f"Attention : {w[:1].lower()}{w[1:]}" for w in self.warnings]

    def describe_conflicts(self) -> list[str]:
        """A title and one line per conflict (at most MAX_REPORTED_PROBLEMS), or nothing."""
        conflicts = self.conflicts
        if not conflicts:
            return []
        title = _plural(
            len(conflicts),
            "fiche modifiée dans la base depuis l'export de ce fichier (conflit), laissée telle "
            "quelle sauf demande expresse :",
            "fiches modifiées dans la base depuis l'export de ce fichier (conflits), laissées "
            "telles quelles sauf demande expresse :",
        )
        lines = [title, *(f"- {c.describe()}" for c in conflicts[:MAX_REPORTED_PROBLEMS])]
        hidden = len(conflicts) - MAX_REPORTED_PROBLEMS
        if hidden > 0:
            lines.append(f"… et {_plural(hidden, 'autre conflit', 'autres conflits')}.")
        return lines

    def describe_known(self, limit: int = MAX_LISTED_KNOWN) -> list[str]:
        """A title, then the rows of people already known (those to decide first), each with
        the file it looks like and what will be done, at most `limit` of them."""
        known = self.known_rows
        if not known:
            return []
        undecided = [r for r in known if r.choice is None]
        title = _plural(
            len(known),
            "ligne ressemble à une personne déjà connue",
            "lignes ressemblent à des personnes déjà connues",
        )
        if undecided:
            title += " (" + _plural(len(undecided), "à décider", "à décider") + ")"
        ordered = undecided + [r for r in known if r.choice is not None]
        lines = [title + " :"]
        for row in ordered[:limit]:
            assert row.known is not None
            what = "à décider" if row.choice is None else row.choice.label.lower()
            lines.append(
                f"- ligne {row.line} : {row.display_name} — déjà connu(e) : "
                f"{row.known.describe()} → {what}"
            )
        hidden = len(known) - limit
        if hidden > 0:
            lines.append(f"… et {_plural(hidden, 'autre', 'autres')}.")
        return lines


# ---------------------------------------------------------------- reading the file


def preview_import(
    session: Session,
    source: Path | bytes,
    *,
    today: date | None = None,
    known: KnownChoice | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> ImportPreview:
    """Read and check every row, and say what importing it would do; writes nothing.

    `known`: the choice given to the rows of people already known that would otherwise wait
    for a decision. `progress(line, lines)` follows the reading; returning False cancels
    (ImportCancelled).
    """
    stamp = base_stamp(session)
    try:
        text = decode(read_source(source))
        header, found = header_and_records(text)
        checker = RowChecker(session, header, today or date.today())
        outcomes = _Outcomes(session, checker, today or date.today(), known)
        total = line_count(text)
        rows: list[ParsedRow] = []
        labels = checker.labels
        for part in _batched(found, PREVIEW_CHUNK):
            rows.extend(ParsedRow(checker.check(line, cells), labels) for line, cells in part)
            if progress is not None and not progress(min(part[-1][0], total), total):
                raise ImportCancelled("Analyse annulée : rien n'a été importé.")
        if not rows:
            raise FileRefused(HEADER_ONLY)
        outcomes.decide(rows)
    except FileRefused as refused:
        return ImportPreview(fatal=refused.messages)
    return ImportPreview(rows=rows, has_versions=VERSION_COLUMN in header, base_stamp=stamp)


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while part := list(itertools.islice(iterator, size)):
        yield part


class _Outcomes:
    """What each checked row would do, chunk after chunk, in the file's order."""

    def __init__(
        self, session: Session, checker: RowChecker, today: date, known: KnownChoice | None
    ) -> None:
        self.session = session
        self.labels = checker.labels
        self.today = today
        self.default = known
        self.file_keys = FileKeys()
        self.seasons: dict[int, str] = {}  # line -> season, of the rows without identifiant

    def decide(self, rows: list[ParsedRow]) -> None:
        """The base looked up once for all the rows (a column read whole beats hundreds of
        lookups when the file is large)."""
        self._named([r for r in rows if r.valid and r.identifiant])
        self._new([r for r in rows if r.valid and not r.identifiant])

    # ---- rows naming a file by its identifiant

    def _named(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        ids = ids_by_uuid(self.session, [r.identifiant for r in rows])
        stored = stored_files(self.session, ids.values())
        for row in rows:
            file = stored.get(ids.get(row.identifiant, 0))
            if file is None:
                row.action, row.cells = "create", None
            else:
                self._compare(row, file)

    def _compare(self, row: ParsedRow, file: StoredFile) -> None:
        assert row.values is not None and row.cells is not None
        columns = differing(file.values, row.values)
        if not columns:
            row.action, row.cells = "unchanged", None
            return
        problems = self._merged_problems(row, file)
        if problems:
            row.values, row.problems = None, problems
            return
        before = self.labels.data(file.values)
        row.changes = tuple(
            Change(name, getattr(before, name), row.cells[name].strip()) for name in columns
        )
        row.action, row.base_version = "update", file.version
        if row.file_version is not None and file.version > row.file_version:
            row.action = "conflict"
            row.conflict = Conflict(
                line=row.line,
                person=file.display_name,
                file_version=row.file_version,
                base_version=file.version,
                updated_by=file.updated_by,
                updated_at=file.updated_at,
                changes=row.changes,
            )

    def _merged_problems(self, row: ParsedRow, file: StoredFile) -> list[RowProblem]:
        """The form's service checks the whole file an update saves, the fields the CSV does
        not hold too (a note grown too long in the base, say)."""
        try:
            records.validate_candidate(
                self.session, merged_input(self.session, row, file.id), self.today
            )
        except ValidationError as error:
            return [
                RowProblem(row.line, column, message) for column, message in error.errors.items()
            ]
        return []

    # ---- rows without identifiant

    def _new(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        keys = [keys_of(r.values) for r in rows if r.values is not None]
        in_base = look_alikes(self.session, keys)
        in_file = [self.file_keys.look_alikes(r.line, k) for r, k in zip(rows, keys, strict=True)]
        stored = stored_files(self.session, {i for found in in_base for i in found})
        for row, base, earlier in zip(rows, in_base, in_file, strict=True):
            assert row.values is not None
            self.seasons[row.line] = row.values.season
            if base or earlier:
                self._look_alike(row, [stored[i] for i in base if i in stored], base, earlier)

    def _look_alike(
        self,
        row: ParsedRow,
        files: list[StoredFile],
        reasons: dict[int, list[str]],
        earlier: dict[int, list[str]],
    ) -> None:
        assert row.values is not None
        season = row.values.season
        same_season = [f for f in files if f.values.season == season]
        if any(not differing(f.values, row.values) for f in same_season):
            row.action = "unchanged"
            return
        row.action = "known"
        row.known = KnownPerson(
            files=tuple(f.look_alike(reasons[f.id]) for f in files),
            rows=tuple(EarlierRow(line, tuple(why)) for line, why in earlier.items()),
            same_season=bool(same_season)
            or any(self.seasons.get(line) == season for line in earlier),
        )
        row.choice = KnownChoice.IGNORE if row.known.same_season else self.default


def merged_input(session: Session, row: ParsedRow, candidate_id: int) -> CandidateInput:
    """The stored file with the row's CSV columns laid over it (as the export writes them):
    what an update saves; the other fields are kept."""
    stored = records.candidate_input(records.load_candidate(session, candidate_id))
    written = row.written
    return replace(stored, **{name: getattr(written, name) for name in CANDIDATE_COLUMNS})
