"""Is every table about a candidate covered by every personal-data right?

`coverage_gaps` walks the schema's foreign keys from `candidate` (`links`) and compares what it
finds with `personal_tables.PERSONAL_TABLES` and the journal's specs: a linked table must be
shown by the right of access, anonymised, erased and journaled, or be deliberately kept out
of each with a reason. It takes the metadata as a parameter, so a test can run it on a schema
with one more table. Messages are for developers (English).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import MetaData

from app.domain import Base
from app.services.journal.audit_log import journaled_tables
from app.services.rgpd.links import candidate_links, path_to_candidate
from app.services.rgpd.personal_tables import (
    PERSONAL_TABLES,
    RIGHTS,
    ByCode,
    Journaled,
    Kept,
    PersonalTable,
    Replaced,
    Shown,
)

_WHAT = {
    "export": "the right of access (export)",
    "anonymise": "the anonymisation",
    "erase": "the erasure",
    "journal": "the journal's specs",
}


@dataclass(frozen=True)
class Gap:
    table: str
    right: str  # one of RIGHTS, or "registry" for an entry that should not be there
    problem: str

    def __str__(self) -> str:
        return f"{self.table} ({self.right}): {self.problem}"


def coverage_gaps(
    metadata: MetaData | None = None,
    tables: Sequence[PersonalTable] = PERSONAL_TABLES,
    journaled: Mapping[str, bool] | None = None,
) -> list[Gap]:
    """What is missing or wrong, table by table; empty when every right covers every table
    linked to a candidate. `journaled`: table -> whether its journal entries name the
    application (the journal's own specs by default)."""
    metadata = metadata if metadata is not None else Base.metadata
    journaled = journaled if journaled is not None else journaled_tables()
    links = candidate_links(metadata)
    entries: dict[str, PersonalTable] = {}
    gaps: list[Gap] = []
    for entry in tables:
        if entry.table in entries:
            gaps.append(Gap(entry.table, "registry", "listed twice in PERSONAL_TABLES"))
        entries[entry.table] = entry
    for name in links:
        listed = entries.get(name)
        if listed is None:
            gaps += _unlisted(name, path_to_candidate(links, name), journaled)
        else:
            gaps += _entry_gaps(listed, metadata, journaled)
    for name in entries.keys() - links.keys():
        gaps.append(
            Gap(name, "registry", "listed in PERSONAL_TABLES but does not refer to a candidate")
        )
    return gaps


def _unlisted(name: str, path: str, journaled: Mapping[str, bool]) -> list[Gap]:
    missing = [right for right in RIGHTS if right != "journal" or not journaled.get(name)]
    return [
        Gap(
            name,
            right,
            f"refers to a candidate ({path}) but is missing from {_WHAT[right]}: add it to "
            "PERSONAL_TABLES (app/services/rgpd/personal_tables.py)",
        )
        for right in missing
    ]


def _entry_gaps(
    entry: PersonalTable, metadata: MetaData, journaled: Mapping[str, bool]
) -> list[Gap]:
    gaps = [
        Gap(entry.table, right, f"kept out of {_WHAT[right]} without a reason")
        for right in RIGHTS
        for handling in [entry.handling(right)]
        if isinstance(handling, Kept) and not handling.why.strip()
    ]
    if isinstance(entry.export, Shown) and not entry.export.path:
        gaps.append(Gap(entry.table, "export", "shown at an empty path"))
    if isinstance(entry.anonymise, ByCode) and not entry.anonymise.where.strip():
        gaps.append(Gap(entry.table, "anonymise", "done by code that is not named"))
    if isinstance(entry.erase, ByCode) and not entry.erase.where.strip():
        gaps.append(Gap(entry.table, "erase", "done by code that is not named"))
    if isinstance(entry.anonymise, Replaced):
        table = metadata.tables[entry.table]
        gaps += [
            Gap(entry.table, "anonymise", f"replaces a column it does not have: {column}")
            for column in entry.anonymise.values
            if column not in table.columns
        ]
    return gaps + _journal_gaps(entry, journaled)


def _journal_gaps(entry: PersonalTable, journaled: Mapping[str, bool]) -> list[Gap]:
    tracked = entry.table in journaled
    if isinstance(entry.journal, Journaled):
        if not tracked:
            return [Gap(entry.table, "journal", "said journaled, but the journal has no spec")]
        if not journaled[entry.table]:
            return [
                Gap(
                    entry.table,
                    "journal",
                    "its journal entries do not name the application (candidate_of): erasure "
                    "and anonymisation would not redact them",
                )
            ]
        return []
    if tracked:
        return [Gap(entry.table, "journal", "kept out of the journal, yet the journal tracks it")]
    return []
