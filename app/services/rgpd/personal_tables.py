"""The tables that hold data about a candidate, and what each personal-data right does with
each of them: one entry per table, so a new table is one decision written in one place.

For every table linked to a candidate (`links`), an entry says where the right of access
shows it, what anonymisation does to it, what erasure does to it, and whether the journal
captures its changes. `Kept` is a deliberate exclusion and says why. `coverage.coverage_gaps`
checks this list against the schema and the journal's specs; a test runs it, so a new table
linked to a candidate cannot escape the rights unnoticed.

Erasure deletes the `Deleted` tables and anonymisation overwrites the `Replaced` columns, both
read from here (`person_data`); `ByCode` names the function that does the rest.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from app.domain import (
    ActivityParticipant,
    Agreement,
    AgreementAbsence,
    AgreementDocument,
    AgreementEvent,
    AgreementSignature,
    Amendment,
    Attendee,
    AuditEntry,
    Base,
    Candidate,
    CandidateAnonymisation,
    LearnerNote,
    LearnerOutcome,
    Observation,
    OrientationDecision,
    ProfessionalProject,
    StageChange,
    TeamMember,
)
from app.services.rgpd.links import table_of

ANONYMISED_TEXT = "(anonymisé)"


@dataclass(frozen=True)
class Kept:
    """Left out of this right on purpose: `why` says so for the next maintainer."""

    why: str


@dataclass(frozen=True)
class Shown:
    """Where the right of access shows the rows: keys into one application of the export
    (`person_data.export_person`), through lists ("conventions", then each agreement's
    "avenants")."""

    path: tuple[str, ...]


@dataclass(frozen=True)
class Replaced:
    """Anonymisation overwrites these columns of the person's rows: None empties a column; a
    text stands in for what was written, and an empty column stays empty (no reason given
    stays visibly so). `also` names what code does besides."""

    values: Mapping[str, str | None]
    also: str = ""


@dataclass(frozen=True)
class Deleted:
    """Erasure deletes the person's rows (found through the table's link to the candidate)."""


@dataclass(frozen=True)
class Journaled:
    """The journal captures the table's changes: a spec in `journal.audit_log` that ties each
    entry to the application, so erasure and anonymisation redact them."""


@dataclass(frozen=True)
class ByCode:
    """Done by a dedicated function, named here for the reader."""

    where: str


Export = Shown | Kept
Anonymisation = Replaced | ByCode | Kept
Erasure = Deleted | ByCode | Kept
Journal = Journaled | Kept

DELETED = Deleted()
JOURNALED = Journaled()
# The four things decided for each table, by the name of the field that holds the decision.
RIGHTS = ("export", "anonymise", "erase", "journal")


@dataclass(frozen=True)
class PersonalTable:
    model: type[Base]
    export: Export
    anonymise: Anonymisation
    erase: Erasure
    journal: Journal

    @property
    def table(self) -> str:
        return table_of(self.model).name

    def handling(self, right: str) -> Export | Anonymisation | Erasure | Journal:
        handling: Export | Anonymisation | Erasure | Journal = getattr(self, right)
        return handling


_REDACTED = ByCode(
    "journal.audit_log.redact_about: the entries stay (append-only) but lose the values they "
    "held; summaries never name the person"
)

PERSONAL_TABLES: tuple[PersonalTable, ...] = (
    PersonalTable(
        Candidate,
        export=Shown(("dossier",)),
        anonymise=ByCode(
            "person_data._replace_identity: identity, contact and free texts replaced, the "
            "funders' counts kept"
        ),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        StageChange,
        export=Shown(("parcours",)),
        anonymise=Replaced({"comment": None}),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        LearnerOutcome,
        export=Shown(("suivis",)),
        anonymise=Replaced({"comment": ANONYMISED_TEXT}),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        Attendee,
        export=Shown(("rendez_vous",)),
        anonymise=Kept("attendance at sessions is one of the counts anonymisation keeps"),
        erase=DELETED,
        journal=Kept(
            "a registration and its attendance mark, the bookkeeping of a session: no value "
            "typed about the person"
        ),
    ),
    PersonalTable(
        Observation,
        export=Shown(("orientation", "observations")),
        anonymise=Kept("orientation levels are kept for the counts; no free text"),
        erase=DELETED,
        journal=Kept(
            "append-only, each row names its author and time, a correction is a new row: the "
            "table is its own log"
        ),
    ),
    PersonalTable(
        LearnerNote,
        export=Shown(("orientation", "commentaires")),
        anonymise=Replaced({"text": ANONYMISED_TEXT}),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        TeamMember,
        export=Shown(("orientation", "equipes")),
        anonymise=Kept("which team, in which activity: no identity, kept with the activity"),
        erase=DELETED,
        journal=Kept("the make-up of an activity's teams: planning, no value about the person"),
    ),
    PersonalTable(
        ActivityParticipant,
        export=Shown(("orientation", "evenements")),
        anonymise=Kept("who took part in an event: no identity, kept with the event"),
        erase=DELETED,
        journal=Kept("an event's list of participants: planning, no value about the person"),
    ),
    PersonalTable(
        ProfessionalProject,
        export=Shown(("orientation", "projet")),
        anonymise=Replaced({"target_job": None, "steps": None}),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        OrientationDecision,
        export=Shown(("orientation", "decisions")),
        anonymise=Replaced({"reason": ANONYMISED_TEXT}),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        Agreement,
        export=Shown(("conventions",)),
        anonymise=Replaced({"legal_representative": None, "end_reason": None}),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        Amendment,
        export=Shown(("conventions", "avenants")),
        anonymise=Replaced(
            {"reason": ""},
            also="person_data._forget_representative_in_amendments: the legal representative "
            "leaves the terms and the changes kept by each amendment",
        ),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        AgreementSignature,
        export=Shown(("conventions", "signatures")),
        anonymise=Kept("which party signed, when, recorded by whom: no identity of the trainee"),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        AgreementEvent,
        export=Shown(("conventions", "historique")),
        anonymise=Replaced({"comment": ""}),
        erase=DELETED,
        journal=Kept(
            "the agreement's own log of transitions and prints: append-only, each row names "
            "its author and time"
        ),
    ),
    PersonalTable(
        AgreementAbsence,
        export=Shown(("conventions", "absences")),
        anonymise=Replaced({"reason": ""}),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        AgreementDocument,
        export=Shown(("conventions", "documents_delivres")),
        anonymise=Kept("the kind, number and date of an issued document, kept like the agreement"),
        erase=DELETED,
        journal=JOURNALED,
    ),
    PersonalTable(
        CandidateAnonymisation,
        export=Shown(("anonymisation",)),
        anonymise=Kept("the mark of the anonymisation itself: when and why"),
        erase=DELETED,
        journal=Kept("written with the explicit « anonymisation » entry of the journal"),
    ),
    PersonalTable(
        AuditEntry,
        export=Shown(("journal",)),
        anonymise=_REDACTED,
        erase=_REDACTED,
        journal=Kept("the journal itself"),
    ),
)


def replaced_tables() -> list[tuple[type[Base], Replaced]]:
    """The tables whose columns anonymisation overwrites, in the registry's order."""
    return [(t.model, t.anonymise) for t in PERSONAL_TABLES if isinstance(t.anonymise, Replaced)]


def deleted_tables() -> list[type[Base]]:
    """The tables erasure deletes from, in an order the foreign keys accept (rows that refer
    to others first, the candidate last)."""
    order = [table.name for table in reversed(Base.metadata.sorted_tables)]
    deleted = [t.model for t in PERSONAL_TABLES if isinstance(t.erase, Deleted)]
    return sorted(deleted, key=lambda model: order.index(table_of(model).name))


def exclusions(
    tables: tuple[PersonalTable, ...] = PERSONAL_TABLES,
) -> list[tuple[str, str, str]]:
    """(table, right, why) of every deliberate exclusion."""
    return [
        (entry.table, right, handling.why)
        for entry in tables
        for right in RIGHTS
        for handling in [entry.handling(right)]
        if isinstance(handling, Kept)
    ]
