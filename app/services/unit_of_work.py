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
import logging
import random
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from app.errors import WriteConflict
from app.storage import Database

# The window holds the database as this handle and passes it to use cases; it imports it
# from here, never from app.storage.
__all__ = ["Database", "reads", "writes"]

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)


# How many times a use case runs when other desks keep writing at the same instant, and the
# longest pause before the second attempt (doubled before each next one). The pause is drawn
# at random so that desks which clashed do not clash again at the same instant.
WRITE_ATTEMPTS = 5
FIRST_PAUSE_S = 0.05


def _pause_before(attempt: int) -> None:
    time.sleep(random.uniform(0, FIRST_PAUSE_S * 2 ** (attempt - 2)))


def writes(step: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Database, P], R]:
    """A use case that saves: one session, committed at the end, rolled back on error.

    When another desk wrote at the same instant and the database kept theirs
    (`WriteConflict`: nothing of this one was written), the whole step runs again on what is
    now in the base — a number taken, a seat counted, a rule checked again — up to
    WRITE_ATTEMPTS times; then the desk is told, in French, to try again. A step must
    therefore do nothing outside the database before its session commits."""

    @functools.wraps(step)
    def use_case(database: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with database.session() as session:
                    return step(session, *args, **kwargs)
            except WriteConflict:
                if attempt == WRITE_ATTEMPTS:
                    raise
                log.info("%s: another desk wrote at once, attempt %d", step.__name__, attempt + 1)
                _pause_before(attempt + 1)
        raise AssertionError("unreachable: the last attempt returns or raises")

    return use_case


def reads(step: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Database, P], R]:
    """A use case that only reads: one session, always rolled back."""

    @functools.wraps(step)
    def use_case(database: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with database.session(commit=False) as session:
            return step(session, *args, **kwargs)

    return use_case
