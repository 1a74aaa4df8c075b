"""The few SQL expressions the indicators need that SQLite and PostgreSQL write differently:
each is one construct here, compiled for the engine the query runs on (SQLite keeps dates as
ISO text, PostgreSQL as dates and timestamps)."""

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Float, Integer, case, cast, distinct, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet `condition` (0 when none)."""
    return func.sum(case((condition, 1), else_=0))


def bit_union(bits: ColumnElement[int]) -> ColumnElement[int]:
    """The union of distinct bits (a sum of distinct powers of two), as a 64-bit integer on
    both engines (PostgreSQL's sum of bigints is a numeric)."""
    return cast(func.sum(distinct(bits)), BigInteger)


class days_between(FunctionElement[float]):
    """Days (with their fraction) from the first moment to the second."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM (CAST({end} AS timestamp) - CAST({start} AS timestamp))) / 86400.0)"
    )


class whole_years_between(FunctionElement[int]):
    """Whole years from a date to a later moment (an age: the birthday counts on its day)."""

    type = Integer()
    inherit_cache = True


@compiles(whole_years_between, "sqlite")
def _years_sqlite(element: whole_years_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(CAST(strftime('%Y', {end}) AS INTEGER) - CAST(strftime('%Y', {start}) AS INTEGER)"
        f" - (CASE WHEN strftime('%m-%d', {end}) < strftime('%m-%d', {start}) THEN 1 ELSE 0 END))"
    )


@compiles(whole_years_between, "postgresql")
def _years_postgresql(element: whole_years_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    age = f"age(CAST({end} AS timestamp), CAST({start} AS timestamp))"
    return f"CAST(EXTRACT(YEAR FROM {age}) AS INTEGER)"


class months_before(FunctionElement[Any]):
    """The day `months` months before a moment (as a date on SQLite, a timestamp on the
    server), to compare with a date column."""

    inherit_cache = True


@compiles(months_before, "sqlite")
def _months_sqlite(element: months_before, compiler: SQLCompiler, **kw: Any) -> str:
    moment, months = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({moment}, '-' || {months} || ' months')"


@compiles(months_before, "postgresql")
def _months_postgresql(element: months_before, compiler: SQLCompiler, **kw: Any) -> str:
    moment, months = element.clauses
    return (
        f"(CAST({compiler.process(moment, **kw)} AS timestamp)"
        f" - make_interval(months => {compiler.process(months, **kw)}))"
    )
