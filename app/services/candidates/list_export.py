"""The candidates as the list shows them, on paper or in a file.

"As shown" is the list's query (season and site of the header, stage, filière, the search)
and its order, read again here: the printed list and the CSV hold exactly the files the list
holds, in its order — a search matching one person exports one file. The printed list takes
the columns the person chose among the list's own and a few more (e-mail, birth date, town,
prescripteur…); the CSV is the candidate format of CONTRACT.md, so that it can be imported
back.

Building blocks taking a session; the use cases (permission, journal, unit of work) are in
app/services/candidates/actions.py. reportlab is loaded with the first printed list only.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.domain import Candidate, Referrer
from app.services import reference
from app.services.candidates import records
from app.services.candidates.csv_exchange import write_candidate_rows
from app.services.candidates.records import CandidateQuery, CandidateRow
from app.services.errors import UserFacingError
from app.services.settings.organisation import get_organisation
from app.services.validation import format_date

__all__ = [
    "LIST_COLUMNS",
    "LIST_VIEW_KEYS",
    "MAX_PRINTED_ROWS",
    "CandidateColumn",
    "PrintedList",
    "describe_query",
    "print_list",
    "shown_ids",
    "write_candidates",
]

# Read this many files at a time: few queries, and memory bounded for a list of every season.
BATCH = 500
# A printed list longer than this is a sign of forgotten filters (and takes long to lay out:
# about half a second per thousand rows); the CSV export has no limit.
MAX_PRINTED_ROWS = 5000
SEARCH_SHOWN = 60  # characters of the search repeated in the title lines and the journal

Align = Literal["LEFT", "RIGHT", "CENTER"]


@dataclass(frozen=True)
class CandidateColumn:
    """A column a printed list may hold: `key` as the list's model names it (or an extra
    one), its French heading, its alignment, and whether it may wrap."""

    key: str
    label: str
    align: Align = "LEFT"
    wraps: bool = True


# The list's columns first, in the list's order (keys of app/ui/candidates/table_model.py),
# then the extra ones a printed list may add.
LIST_COLUMNS: tuple[CandidateColumn, ...] = (
    CandidateColumn("name", "Nom"),
    CandidateColumn("age", "Âge", "RIGHT", wraps=False),
    CandidateColumn("stage", "Étape"),
    CandidateColumn("phone", "Téléphone", wraps=False),
    CandidateColumn("site", "Site"),
    CandidateColumn("season", "Saison", wraps=False),
    CandidateColumn("filiere", "Filière souhaitée"),
    CandidateColumn("last_action", "Dernière action", wraps=False),
    CandidateColumn("email", "E-mail"),
    CandidateColumn("birth_date", "Date de naissance", wraps=False),
    CandidateColumn("address", "Adresse"),
    CandidateColumn("postal_code", "Code postal", wraps=False),
    CandidateColumn("city", "Commune"),
    CandidateColumn("referrer", "Prescripteur"),
    CandidateColumn("application_date", "Date de candidature", wraps=False),
)
LIST_VIEW_KEYS: tuple[str, ...] = (
    "name",
    "age",
    "stage",
    "phone",
    "site",
    "season",
    "filiere",
    "last_action",
)
_BY_KEY = {column.key: column for column in LIST_COLUMNS}
_SORT_LABELS = {column.key: column.label for column in LIST_COLUMNS}
NO_COLUMN = "Choisissez au moins une colonne à imprimer."


# ---------------------------------------------------------------- what the list shows


def shown_ids(
    session: Session, query: CandidateQuery, *, sort: str = "name", descending: bool = False
) -> list[int]:
    """Every file the list shows for `query`, in the list's order."""
    if sort not in records.SORT_COLUMNS:
        raise ValueError(f"unknown sort column {sort!r}")
    return records.search_ids(session, query, sort=sort, descending=descending)


def describe_query(session: Session, query: CandidateQuery) -> list[str]:
    """The query in words, one part per filter: ["saison 2026-2027", "site Cobalt",
    "étape Entretien", "recherche « martin »"]."""
    parts = [_named("saison", reference.seasons(session), query.season_id, "toutes les saisons")]
    parts.append(_named("site", reference.sites(session), query.site_id, "tous les sites"))
    if query.stage_id is not None:
        parts.append(_named("étape", reference.stages(session), query.stage_id, ""))
    if query.filiere_id is not None:
        parts.append(_named("filière", reference.filieres(session), query.filiere_id, ""))
    text = " ".join(query.text.split())
    if text:
        shown = text if len(text) <= SEARCH_SHOWN else text[: SEARCH_SHOWN - 1] + "…"
        parts.append(f"recherche « {shown} »")
    return parts


def _named(what: str, options: list[reference.Option], option_id: int | None, every: str) -> str:
    if option_id is None:
        return every
    label = next((o.label for o in options if o.id == option_id), "?")
    return f"{what} {label}"


def _sort_words(sort: str, descending: bool) -> str:
    """ "triée par âge, décroissant"; empty for the list's usual order (by name)."""
    if sort == "name" and not descending:
        return ""
    label = _SORT_LABELS.get(sort, sort).lower()
    return f"triée par {label}" + (", ordre décroissant" if descending else "")


# ---------------------------------------------------------------- the printed list


@dataclass(frozen=True)
class PrintedList:
    pdf: bytes
    count: int  # rows printed
    scope: str  # the filters, for the journal


def print_list(
    session: Session,
    query: CandidateQuery,
    columns: Sequence[str],
    *,
    sort: str = "name",
    descending: bool = False,
    today: date,
) -> PrintedList:
    """The list as shown, with the chosen columns (in the list's order of columns), as a
    PDF. Refused in French without a column, or above MAX_PRINTED_ROWS rows."""
    from app.pdf.table_list import ListColumn, ListDocument, ListIssuer, table_list_pdf

    chosen = _chosen(columns)
    ids = shown_ids(session, query, sort=sort, descending=descending)
    if len(ids) > MAX_PRINTED_ROWS:
        raise UserFacingError(
            f"La liste compte {len(ids)} candidats : c'est trop pour une liste imprimée "
            f"({MAX_PRINTED_ROWS} au plus). Choisissez une saison, un site ou une étape, ou "
            "exportez-la en CSV."
        )
    parts = describe_query(session, query)
    organisation = get_organisation(session)
    document = ListDocument(
        title="Liste des candidats",
        columns=[ListColumn(c.label, c.align, c.wraps) for c in chosen],
        rows=list(_table_rows(session, ids, chosen, today)),
        counted=("candidat", "candidats"),
        printed_on=today,
        issuer=ListIssuer(organisation.nom, organisation.adresse, organisation.logo),
        filters=[_filter_line(parts, _sort_words(sort, descending))],
        footer="Liste des candidats — données personnelles, ne pas diffuser",
    )
    return PrintedList(table_list_pdf(document), len(ids), ", ".join(parts))


def _chosen(keys: Sequence[str]) -> list[CandidateColumn]:
    unknown = [key for key in keys if key not in _BY_KEY]
    if unknown:
        raise ValueError(f"unknown list columns: {unknown}")
    wanted = set(keys)
    chosen = [column for column in LIST_COLUMNS if column.key in wanted]
    if not chosen:
        raise UserFacingError(NO_COLUMN)
    return chosen


def _filter_line(parts: list[str], sort_words: str) -> str:
    line = " · ".join([*parts, sort_words] if sort_words else parts)
    return line[:1].upper() + line[1:]


def _table_rows(
    session: Session, ids: list[int], columns: list[CandidateColumn], today: date
) -> Iterator[list[str]]:
    extra = any(column.key not in LIST_VIEW_KEYS for column in columns)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        shown = records.rows(session, chunk, today)
        more = _extra_values(session, chunk) if extra else {}
        for candidate_id in chunk:
            row = shown.get(candidate_id)
            if row is not None:
                values = more.get(candidate_id, {})
                yield [_cell(row, values, column.key) for column in columns]


def _cell(row: CandidateRow, extra: dict[str, str], key: str) -> str:
    """A cell as the list shows it (same texts as app/ui/candidates/table_model.py)."""
    if key in extra:
        return extra[key]
    value = getattr(row, key, None)
    if value is None:
        return ""
    if key == "last_action":
        return format_date(value)
    return str(value)


def _extra_values(session: Session, ids: list[int]) -> dict[int, dict[str, str]]:
    statement = (
        select(
            Candidate.id,
            Candidate.email,
            Candidate.birth_date,
            Candidate.address,
            Candidate.postal_code,
            Candidate.city,
            Referrer.label,
            Candidate.application_date,
        )
        .outerjoin(Referrer, Referrer.id == Candidate.referrer_id)
        .where(Candidate.id.in_(ids))
    )
    values = {}
    for candidate_id, email, born, address, postal_code, city, referrer, applied in session.execute(
        statement
    ):
        values[candidate_id] = {
            "email": email or "",
            "birth_date": format_date(born),
            "address": address or "",
            "postal_code": postal_code or "",
            "city": city or "",
            "referrer": referrer or "",
            "application_date": format_date(applied),
        }
    return values


# ---------------------------------------------------------------- the CSV of what is shown


def write_candidates(session: Session, ids: Sequence[int], handle: TextIO) -> int:
    """These files in this order, in the candidate CSV of CONTRACT.md (the columns and the
    version that `export candidates` writes, so the file imports back); the row count."""
    return write_candidate_rows(handle, _in_order(session, ids))


def _in_order(session: Session, ids: Sequence[int]) -> Iterator[Candidate]:
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        loaded = {
            candidate.id: candidate
            for candidate in session.scalars(
                select(Candidate)
                .options(
                    joinedload(Candidate.season),
                    joinedload(Candidate.site),
                    joinedload(Candidate.filiere),
                    joinedload(Candidate.referrer),
                    joinedload(Candidate.stage),
                )
                .where(Candidate.id.in_(chunk))
            )
        }
        yield from (loaded[i] for i in chunk if i in loaded)
