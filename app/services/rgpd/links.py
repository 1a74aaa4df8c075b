"""How each table reaches a candidate: the foreign-key graph read from the schema.

A table is linked to a candidate when one of its foreign keys leads to `candidate`, directly
or through other linked tables, or when it names an application by value (a `candidate_id`
or `candidate_uuid` column without a foreign key, as the journal does). Each linked table
gets one link: its shortest way to `candidate` (ties broken by column name, so the result is
the same on every run). The personal-data rights find a person's rows through these links.
"""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import ColumnElement, MetaData, Table, select

from app.domain import Base

CANDIDATE_TABLE = "candidate"
# Columns that name an application by value, with the candidate column they hold.
BY_VALUE = {"candidate_id": "id", "candidate_uuid": "uuid"}


@dataclass(frozen=True)
class Link:
    """`table.column` holds `parent.parent_column` (a foreign key, or a value for `by_value`)."""

    table: str
    column: str
    parent: str
    parent_column: str
    by_value: bool = False

    def describe(self) -> str:
        kind = " (by value)" if self.by_value else ""
        return f"{self.table}.{self.column} -> {self.parent}.{self.parent_column}{kind}"


def candidate_links(metadata: MetaData) -> dict[str, Link | None]:
    """Every table linked to a candidate, with its link (None for `candidate` itself), in the
    order they were reached: the candidate, then the tables one step away, and so on."""
    if CANDIDATE_TABLE not in metadata.tables:
        return {}
    links: dict[str, Link | None] = {CANDIDATE_TABLE: None}
    tables = sorted(metadata.tables.values(), key=lambda table: table.name)
    links.update({link.table: link for link in _by_value(tables)})
    reached = set(links)
    while True:
        step = [
            link
            for table in tables
            if table.name not in links
            for link in [_foreign_link(table, reached)]
            if link is not None
        ]
        if not step:
            return links
        links.update({link.table: link for link in step})
        reached = set(links)


def _by_value(tables: list[Table]) -> list[Link]:
    found = []
    for table in tables:
        if table.name == CANDIDATE_TABLE:
            continue
        for name, parent_column in BY_VALUE.items():
            column = table.columns.get(name)
            if column is not None and not column.foreign_keys:
                found.append(Link(table.name, name, CANDIDATE_TABLE, parent_column, True))
                break
    return found


def _foreign_link(table: Table, reached: set[str]) -> Link | None:
    keys = sorted(table.foreign_keys, key=lambda key: key.parent.name)
    for key in keys:
        parent = key.column.table.name
        if parent in reached and parent != table.name:
            return Link(table.name, key.parent.name, parent, key.column.name)
    return None


def path_to_candidate(links: dict[str, Link | None], table: str) -> str:
    """ "agreement_signature.agreement_id -> agreement.id, agreement.candidate_id -> …"."""
    steps = []
    link = links.get(table)
    while link is not None:
        steps.append(link.describe())
        link = links.get(link.parent)
    return ", ".join(steps) or table


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@cache
def schema_links() -> dict[str, Link | None]:
    """The links of the application's own schema."""
    return candidate_links(Base.metadata)


def rows_of(table: Table, candidate_id: int) -> ColumnElement[bool]:
    """The condition that selects the rows of `table` about the application `candidate_id`
    (through its link in the application's schema)."""
    links = schema_links()
    if table.name not in links:
        raise KeyError(f"{table.name} is not linked to a candidate")
    link = links[table.name]
    if link is None:
        return table.c.id == candidate_id
    if link.parent == CANDIDATE_TABLE and link.parent_column == "id":
        return table.c[link.column] == candidate_id
    parent = Base.metadata.tables[link.parent]
    parents = select(parent.c[link.parent_column]).where(rows_of(parent, candidate_id))
    return table.c[link.column].in_(parents)
