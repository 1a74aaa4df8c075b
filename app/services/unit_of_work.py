"""One unit of work per user action, owned by the service.

A use case the window (or the command line) calls takes the database and opens its own
session: committed when the whole action succeeded, rolled back on any error, so a
multi-step action (print then journal, erase then scrub, duplicate check then create) is
all or nothing. Callers never see a `Session`.

The steps themselves are functions taking a `Session` (the building blocks each feature
package holds, and what the tests of rules call directly); a use case is such a function
wrapped by `writes` or `reads`:

    @writes
    def save_candidate(session: Session, data: CandidateInput, *, actor: Actor) -> Saved:
        ...

    save_candidate(database, data, actor=actor)  # what the window calls

`reads` rolls the session back whatever happens: a read can never write, even by accident
(validation that flushes a new season row, say).
"""

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from app.storage import Database

# The window holds the database as this handle and passes it to use cases; it imports it
# from here, never from app.storage.
__all__ = ["Database", "reads", "writes"]

P = ParamSpec("P")
R = TypeVar("R")


def writes(step: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Database, P], R]:
    """A use case that saves: one session, committed at the end, rolled back on error."""

    @functools.wraps(step)
    def use_case(database: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with database.session() as session:
            return step(session, *args, **kwargs)

    return use_case


def reads(step: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Database, P], R]:
    """A use case that only reads: one session, always rolled back."""

    @functools.wraps(step)
    def use_case(database: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with database.session(commit=False) as session:
            return step(session, *args, **kwargs)

    return use_case
