"""The import of submitted projects: the preview of every row of the file and what importing it
would do, then the import of what the preview showed, all or nothing.

The preview tries each row for real — the structure found in the directory or added to it,
the project submitted (`submissions.submit_project`) or corrected (`update_project`) — each in
a savepoint of a session that is never committed: the rules, messages and numbering are those
of the form, without a second copy of them. A refused row's savepoint is rolled back, so the
rows after it see the base as the import would leave it.

What a row would do (`PreviewRow.action`):

- "create" (*nouveau*): no reference, and no project of that season by that structure with that
  title; it receives the call's next number (shown: "AAP-2026-004");
- "update" (*mise à jour*): a reference of the base, with the columns that change;
- "unchanged" (*inchangé*): a reference whose project already holds what the row says, or a
  row without reference that is a project already imported, as it is;
- refused (`problems`): line, column, French reason.

The import runs the rows the preview accepted again, in one unit of work, each expected to do
what the preview said (the version it read for an update); anything else undoes all of it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import Host
from app.domain.projects import Project, ProjectCall, ProjectState
from app.domain.reference import Season
from app.domain.text import fold
from app.services.actor import Actor
from app.services.errors import UserFacingError, ValidationError
from app.services.hosts import directory
from app.services.hosts.directory import HostInput
from app.services.permissions import require_project_editor
from app.services.projects.calls import project_reference
from app.services.projects.csv_exchange import INPUT_COLUMNS, PROJECT_COLUMNS, project_cells
from app.services.projects.import_rows import (
    FileRefused,
    RowProblem,
    RowReading,
    decode,
    read_file,
    read_source,
)
from app.services.projects.submissions import (
    ProjectInput,
    load_project,
    submit_project,
    update_project,
)

Action = Literal["create", "update", "unchanged"]
RESULT_LABELS: dict[str, str] = {
    "create": "nouveau",
    "update": "mise à jour",
    "unchanged": "inchangé",
}
REFUSED = "refusée"
MAX_REPORTED_PROBLEMS = 200
# Columns compared to say what a row changes: the state changes only in the project's page,
# the version is the export's.
_COMPARED = tuple(c for c in PROJECT_COLUMNS if c != "etat")
# Fields of the structure's form -> the CSV column that holds them.
_HOST_COLUMNS = {
    "nom": "structure",
    "forme_juridique": "forme_juridique",
    "effectif": "effectif",
    "adresse": "adresse",
    "code_postal": "code_postal",
    "commune": "commune",
}


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


class _Refused(Exception):
    """The row is refused: its problems."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__()
        self.problems = problems

    @classmethod
    def at(cls, line: int, column: str, message: str) -> "_Refused":
        return cls([RowProblem(line, column, message)])


@dataclass(frozen=True)
class Change:
    """One column the import would set: the base's value and the file's."""

    column: str
    in_base: str
    in_file: str

    def describe(self) -> str:
        return f"{self.column} « {_short(self.in_base)} » → « {_short(self.in_file)} »"


def _short(text: str, length: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= length else one_line[: length - 1] + "…"


@dataclass
class PreviewRow:
    """One data row of the file and what importing it would do."""

    reading: RowReading
    action: Action | None = None
    reference: str = ""  # the project's, or the one it would receive
    base_version: int | None = None  # the version an update was tried over
    changes: tuple[Change, ...] = ()
    new_structure: bool = False
    duplicate_of: str = ""  # a row without reference: the project it already is

    @property
    def line(self) -> int:
        return self.reading.line

    @property
    def problems(self) -> list[RowProblem]:
        return self.reading.problems

    @property
    def valid(self) -> bool:
        return self.reading.valid and self.action is not None

    @property
    def result_label(self) -> str:
        return RESULT_LABELS[self.action] if self.valid and self.action else REFUSED

    @property
    def title(self) -> str:
        return self.reading.title

    @property
    def structure(self) -> str:
        return self.reading.structure

    def detail(self) -> str:
        """Why the row is refused, what it changes, or what it creates, on one line."""
        return " ; ".join(self.detail_lines())

    def detail_lines(self) -> list[str]:
        """The same, one item a line."""
        if not self.valid:
            return [f"{p.column} : {p.message}" if p.column else p.message for p in self.problems]
        notes = []
        if self.new_structure:
            notes.append("structure ajoutée à l'annuaire")
        if self.action == "update":
            notes.extend(change.describe() for change in self.changes)
        if self.duplicate_of:
            notes.append(f"déjà importé ({self.duplicate_of})")
        return notes


@dataclass
class ProjectImportPreview:
    rows: list[PreviewRow] = field(default_factory=list)
    fatal: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[PreviewRow]:
        return [] if self.fatal else [r for r in self.rows if r.valid]

    @property
    def invalid_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if not r.valid]

    @property
    def problems(self) -> list[RowProblem]:
        return [p for r in self.rows for p in r.problems]

    def count(self, action: Action) -> int:
        return sum(1 for r in self.valid_rows if r.action == action)

    @property
    def new_structures(self) -> int:
        return sum(1 for r in self.valid_rows if r.new_structure)

    def summary(self) -> str:
        """ "3 lignes lues : 2 valides (1 nouveau, 1 mise à jour, 0 inchangé), 1 refusée." """
        text = (
            f"{_plural(len(self.rows), 'ligne lue', 'lignes lues')} : "
            f"{_plural(len(self.valid_rows), 'valide', 'valides')} ("
            f"{_plural(self.count('create'), 'nouveau', 'nouveaux')}, "
            f"{_plural(self.count('update'), 'mise à jour', 'mises à jour')}, "
            f"{_plural(self.count('unchanged'), 'inchangé', 'inchangés')}), "
            f"{_plural(len(self.invalid_rows), 'refusée', 'refusées')}."
        )
        if self.new_structures:
            added = _plural(
                self.new_structures,
                "structure sera ajoutée",
                "structures seront ajoutées",
            )
            text += f" {added} à l'annuaire."
        return text

    def describe(self) -> str:
        """The preview as the command line prints it: the summary, each row, each problem."""
        if self.fatal:
            return "\n".join(["Fichier refusé :", *(f"- {m}" for m in self.fatal)])
        lines = [self.summary()]
        for row in self.valid_rows:
            what = f"ligne {row.line} : {row.result_label} — {row.reference} {row.title}"
            detail = row.detail()
            lines.append(f"{what} ({detail})" if detail else what)
        problems = self.problems
        lines.extend(p.describe() for p in problems[:MAX_REPORTED_PROBLEMS])
        hidden = len(problems) - MAX_REPORTED_PROBLEMS
        if hidden > 0:
            lines.append(f"… et {_plural(hidden, 'autre problème', 'autres problèmes')}.")
        return "\n".join(lines)


@dataclass(frozen=True)
class ProjectImportResult:
    created: tuple[str, ...]  # the references given
    updated: tuple[str, ...]
    unchanged: int
    skipped: int  # refused rows left out (valid rows only)
    structures_added: int

    def describe(self) -> str:
        text = (
            f"Import terminé : {_plural(len(self.created), 'projet créé', 'projets créés')}"
            + (f" ({', '.join(self.created)})" if self.created else "")
            + f", {_plural(len(self.updated), 'mis à jour', 'mis à jour')}"
            + (f" ({', '.join(self.updated)})" if self.updated else "")
            + f", {_plural(self.unchanged, 'inchangé', 'inchangés')}"
        )
        if self.structures_added:
            text += ", " + _plural(
                self.structures_added,
                "structure ajoutée à l'annuaire",
                "structures ajoutées à l'annuaire",
            )
        if self.skipped:
            text += ", " + _plural(
                self.skipped, "ligne refusée ignorée", "lignes refusées ignorées"
            )
        return text + "."


# ---------------------------------------------------------------- trying a row


class _Rows:
    """Tries rows against the base (the session's), in the file's order."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.created_by_line: dict[int, int] = {}  # project id -> the line that created it

    def attempt(self, row: PreviewRow, expected_version: int | None = None) -> None:
        """Do what the row says; `_Refused` (or a user-facing error) when it cannot."""
        reading = row.reading
        project = self._project(reading) if reading.number is not None else None
        try:
            host_id, row.new_structure = self._host(reading)
        except _Refused as refused:
            raise _Refused(refused.problems + self.project_problems(reading)) from None
        data = replace(reading.data, host_id=host_id)
        if project is not None:
            self._update(row, project, data, expected_version)
            return
        same = self._same_project(reading, host_id)
        if same is None:
            self._create(row, data)
            return
        self._update(row, same, data, expected_version)
        if row.action != "unchanged":
            first = self.created_by_line.get(same.id)
            where = f"la ligne {first} du fichier" if first else f"le projet {row.reference}"
            raise _Refused.at(
                row.line,
                "titre",
                f"Même structure et même titre que {where} : indiquez sa référence dans la "
                "colonne reference pour le modifier.",
            )

    def project_problems(self, reading: RowReading) -> list[RowProblem]:
        """What the form would refuse in the project's own columns, for a row refused already
        (its structure, or what only the file says): every problem of the row told at once.
        Tried without a structure, the project is always refused: nothing is written."""
        try:
            submit_project(self.session, reading.season, reading.data, actor=self.actor)
        except ValidationError as error:
            errors = {k: v for k, v in error.errors.items() if k != "host_id"}
            return _problems(reading.line, ValidationError(errors), INPUT_COLUMNS)
        raise AssertionError("a project without structure was accepted")

    # ---- the project

    def _project(self, reading: RowReading) -> Project:
        assert reading.number is not None
        project_id = self.session.scalar(
            select(Project.id)
            .join(Project.call)
            .join(ProjectCall.season)
            .where(Season.label == reading.season, Project.number == reading.number)
        )
        if project_id is None:
            written = reading.texts["reference"].strip()
            raise _Refused.at(
                reading.line,
                "reference",
                f"Aucun projet {written} dans la base (laisser la référence vide pour un "
                "nouveau projet).",
            )
        return load_project(self.session, project_id)

    def _same_project(self, reading: RowReading, host_id: int) -> Project | None:
        """A project of the row's season by the same structure with the same title."""
        wanted = fold(reading.title)
        found = self.session.execute(
            select(Project.id, Project.title)
            .join(Project.call)
            .join(ProjectCall.season)
            .where(Season.label == reading.season, Project.host_id == host_id)
            .order_by(Project.number)
        )
        for project_id, title in found:
            if fold(title) == wanted:
                return load_project(self.session, project_id)
        return None

    def _create(self, row: PreviewRow, data: ProjectInput) -> None:
        reading = row.reading
        if reading.state is not None and reading.state != ProjectState.RECEIVED.value:
            label = ProjectState(reading.state).label
            raise _Refused.at(
                row.line,
                "etat",
                f"Un nouveau projet arrive à l'état « Reçu » (lu : « {label} ») : son "
                "état se change ensuite dans sa fiche.",
            )
        try:
            project_id = submit_project(self.session, reading.season, data, actor=self.actor)
        except ValidationError as error:
            raise _Refused(_problems(row.line, error, INPUT_COLUMNS)) from None
        project = load_project(self.session, project_id)
        self.created_by_line[project.id] = row.line
        row.action = "create"
        row.reference = project_reference(reading.season, project.number)

    def _update(
        self,
        row: PreviewRow,
        project: Project,
        data: ProjectInput,
        expected_version: int | None,
    ) -> None:
        reading = row.reading
        row.reference = project_reference(reading.season, project.number)
        if reading.number is None:
            row.duplicate_of = row.reference
        self._check_state(reading, project)
        version = self._version(reading, project, expected_version)
        before = project_cells(project)
        try:
            saved = update_project(self.session, project.id, data, version, actor=self.actor)
        except ValidationError as error:
            raise _Refused(_problems(row.line, error, INPUT_COLUMNS)) from None
        row.base_version = version
        if saved == version:  # nothing to save: the project holds what the row says
            row.action = "unchanged"
            return
        self.session.expire(project)
        after = project_cells(load_project(self.session, project.id))
        row.changes = tuple(
            Change(column, before[column], after[column])
            for column in _COMPARED
            if column != "reference" and before[column] != after[column]
        )
        row.action = "update" if row.changes else "unchanged"

    @staticmethod
    def _check_state(reading: RowReading, project: Project) -> None:
        if reading.state is None or reading.state == project.state:
            return
        raise _Refused.at(
            reading.line,
            "etat",
            f"État « {ProjectState(reading.state).label} » dans le fichier, "
            f"« {ProjectState(project.state).label} » dans la base : l'état ne change "
            "pas par import, mais dans la fiche du projet.",
        )

    @staticmethod
    def _version(reading: RowReading, project: Project, expected: int | None) -> int:
        """The version the update is made over: the preview's, else the file's, else the
        base's (a file without versions cannot tell a project saved since its export)."""
        if expected is not None:
            return expected
        if reading.file_version is None or reading.number is None:
            return project.version
        if reading.file_version != project.version:
            raise _Refused.at(
                reading.line,
                "version",
                f"Projet modifié dans la base depuis l'export de ce fichier (version "
                f"{project.version} dans la base, {reading.file_version} dans le "
                "fichier) : exportez de nouveau les projets et reportez-y vos "
                "corrections.",
            )
        return project.version

    # ---- the structure

    def _host(self, reading: RowReading) -> tuple[int, bool]:
        """The structure's id in the directory, and whether it was added for this row."""
        found = self._find_host(reading)
        if found is not None:
            return found, False
        try:
            info = directory.create_host(self.session, _host_input(reading), actor=self.actor)
        except ValidationError as error:
            columns = dict(_HOST_COLUMNS, identifiant="siret" if reading.siret else "rna")
            problems = _problems(reading.line, error, columns, prefix="structure à créer : ")
            raise _Refused(problems) from None
        return info.id, True

    def _find_host(self, reading: RowReading) -> int | None:
        """By SIRET, then RNA number, then the exact name (case, accents and spaces folded)
        of a structure whose identifiers do not contradict the row's."""
        for column, value in (("siret", reading.siret), ("rna", reading.rna)):
            if value:
                found = self.session.scalar(
                    select(Host.id).where(getattr(Host, column) == value).order_by(Host.id)
                )
                if found is not None:
                    return found
        wanted = fold(reading.structure)
        same_name = [
            host_id
            for host_id, name, siret, rna in self.session.execute(
                select(Host.id, Host.name, Host.siret, Host.rna).order_by(Host.id)
            )
            if fold(name) == wanted
            and not (reading.siret and siret and siret != reading.siret)
            and not (reading.rna and rna and rna != reading.rna)
        ]
        if len(same_name) > 1:
            raise _Refused.at(
                reading.line,
                "structure",
                f"{len(same_name)} structures de l'annuaire s'appellent "
                f"« {reading.structure} » : indiquez son SIRET ou son numéro RNA.",
            )
        return same_name[0] if same_name else None


def _host_input(reading: RowReading) -> HostInput:
    host = reading.host
    identifier = reading.siret or reading.rna or ""
    return replace(host, identifiant=identifier)


def _problems(
    line: int, error: ValidationError, columns: dict[str, str], prefix: str = ""
) -> list[RowProblem]:
    return [
        RowProblem(line, columns.get(name, ""), prefix + message)
        for name, message in error.errors.items()
    ]


# ---------------------------------------------------------------- preview and import


def preview_import(
    session: Session,
    source: Path | bytes,
    *,
    actor: Actor,
    progress: Callable[[int, int], bool] | None = None,
) -> ProjectImportPreview:
    """Read and try every row; nothing is kept (the caller's session is rolled back)."""
    require_project_editor(actor)
    try:
        _header, readings = read_file(decode(read_source(source)))
    except FileRefused as refused:
        return ProjectImportPreview(fatal=refused.messages)
    rows = [PreviewRow(reading) for reading in readings]
    trying = _Rows(session, actor)
    for done, row in enumerate(rows, start=1):
        _hold_transaction(session)  # again: a refused save may have rolled the session back
        if row.reading.valid:
            _try_in_savepoint(session, trying, row)
        else:
            _add_form_problems(session, trying, row.reading)
        if progress is not None and not progress(done, len(rows)):
            raise UserFacingError("Analyse annulée : rien n'a été importé.")
    return ProjectImportPreview(rows=rows)


def _hold_transaction(session: Session) -> None:
    """Python's sqlite3 opens a transaction only to write, and a savepoint outside one is
    committed when released: open it first, so that all the preview tries goes with the
    rollback of its session. (The preview holds the base's write lock while it runs.)"""
    connection = session.connection()
    if not getattr(connection.connection.dbapi_connection, "in_transaction", True):
        connection.exec_driver_sql("BEGIN")


def _add_form_problems(session: Session, trying: _Rows, reading: RowReading) -> None:
    """A row the file alone refuses: what the form would refuse too, so that every problem
    of the row is told at once (a row with missing cells has nothing more to say)."""
    if len(reading.texts) < len(PROJECT_COLUMNS) or any(not p.column for p in reading.problems):
        return
    refused = {p.column for p in reading.problems}
    savepoint = session.begin_nested()
    try:
        more = trying.project_problems(reading)
    finally:
        savepoint.rollback()
    reading.problems.extend(p for p in more if p.column not in refused)


def _try_in_savepoint(session: Session, trying: _Rows, row: PreviewRow) -> None:
    savepoint = session.begin_nested()
    try:
        trying.attempt(row)
    except _Refused as refused:
        savepoint.rollback()
        row.action = None
        row.reading.problems.extend(refused.problems)
        return
    except UserFacingError as error:
        savepoint.rollback()
        row.action = None
        row.reading.refuse("", str(error))
        return
    if row.action == "unchanged":
        savepoint.rollback()
    else:
        savepoint.commit()


def import_previewed(
    session: Session,
    preview: ProjectImportPreview,
    *,
    valid_only: bool,
    actor: Actor,
) -> ProjectImportResult:
    """Import what the preview showed: every row, or the valid ones only when `valid_only`.
    A row that no longer does what the preview said stops the import (nothing is kept)."""
    require_project_editor(actor)
    if preview.fatal:
        raise UserFacingError("Ce fichier ne peut pas être importé : " + " ".join(preview.fatal))
    if preview.invalid_rows and not valid_only:
        raise UserFacingError(
            "Rien n'a été importé : corrigez les lignes refusées, ou importez les lignes "
            "valides seulement."
        )
    trying = _Rows(session, actor)
    created: list[str] = []
    updated: list[str] = []
    added = 0
    for row in preview.valid_rows:
        if row.action == "unchanged":
            continue
        again = PreviewRow(row.reading)
        try:
            trying.attempt(again, expected_version=row.base_version)
        except _Refused as refused:
            raise _changed(row, refused.problems[0].message) from None
        except UserFacingError as error:
            raise _changed(row, str(error)) from None
        if again.action != row.action:
            raise _changed(row, f"elle serait maintenant : {again.result_label}")
        (created if again.action == "create" else updated).append(again.reference)
        added += again.new_structure
    return ProjectImportResult(
        created=tuple(created),
        updated=tuple(updated),
        unchanged=preview.count("unchanged"),
        skipped=len(preview.invalid_rows),
        structures_added=added,
    )


def _changed(row: PreviewRow, why: str) -> UserFacingError:
    return UserFacingError(
        f"Ligne {row.line} : la base a changé depuis l'aperçu ({why}). Rien n'a été importé : "
        "relancez l'import pour voir l'aperçu à jour."
    )
