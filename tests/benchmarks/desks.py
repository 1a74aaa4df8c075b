"""Several desks on one base at once: a load test of the services' write use cases.

    python3 -m tests.benchmarks.desks                       # 4 desks, 60 s, both engines
    python3 -m tests.benchmarks.desks --desks 2 --seconds 10 --engine sqlite

Each desk is a process of its own (its own `Database`, engine and connections), as a
workstation is. All start together (a barrier) and, for `--seconds`, run in turn the four
things front desks do at once, through the use cases the window calls:

- **new file**: `save_candidate` of a new person (a new e-mail each time: no look-alike);
- **file edited**: `get_candidate` then `save_candidate` of one of a few files every desk
  edits (the form's version given, as the window does: a desk that loaded an older version
  is refused, "modifiées sur un autre poste");
- **agreement numbered**: `create_draft`, `mark_ready` (which takes the year's next number),
  then `cancel` (a number stays with a cancelled agreement, and the learner is free again);
- **registration**: `register` of one of the desk's candidates to the same information
  session as every other desk, until the session is full (`SessionFull`), then the next.

Each desk counts what was saved, what was refused (`WriteConflict` after the use case's own
retries, the session full, the file edited elsewhere, any other French refusal) and the
retries the unit of work took (its "attempt" log lines), and returns the ids and values it
was told were saved. The base is then checked: every save reported is there with its value
(lost = 0), nothing refused was written, no agreement number twice and no gap in the year's
sequence, no two saves of a file reported with the same version, no session over its
capacity.

SQLite: a new encrypted base in a temporary folder. PostgreSQL: a new database on the server
of FABRIQUE_TEST_DB (`source /tmp/pgenv`, or `.ci/postgres.sh`), dropped at the end.
Results: tests/benchmarks/results/latest-desks.json. Not part of the CI test run.
"""

import argparse
import json
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

RESULTS = Path(__file__).with_name("results")
KINDS = ("created", "edited", "numbered", "registered")
KIND_LABELS = {
    "created": "fiches créées",
    "edited": "fiches modifiées",
    "numbered": "conventions numérotées",
    "registered": "inscriptions",
}
# The use case each kind calls (numbering calls create_draft, mark_ready, then cancel).
USE_CASES = {
    "created": "save_candidate",
    "edited": "save_candidate",
    "numbered": "create_draft",
    "registered": "register",
}
SHARED_FILES = 6  # the files every desk edits
LEARNERS_PER_DESK = 4  # each desk's learners for its agreements
CAPACITY = 6  # places of each information session
SESSIONS_PER_SECOND = 3  # sessions prepared per second of the run (enough never to run out)
DAY_SLOTS = ("08:00", "09:30", "11:00", "12:30", "14:00", "15:30", "17:00")
BARRIER_TIMEOUT_S = 600  # a desk that cannot start stops the run instead of hanging it
UNIT_OF_WORK_LOGGER = "app.services.unit_of_work"


# ---------------------------------------------------------------- what the desks share


@dataclass(frozen=True)
class Plan:
    """What was prepared in the base before the desks start."""

    url: str
    shared_files: list[int]
    host: int
    tutor: int
    learners: list[list[int]]  # per desk
    sessions: list[int]  # in the order the desks fill them
    attendees: list[list[int]]  # per desk: the candidates it registers (CAPACITY each)
    year: int  # the year of the agreements' numbers


@dataclass
class DeskResult:
    desk: int
    seconds: float = 0.0
    done: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # "kind: reason"
    retries: Counter[str] = field(default_factory=Counter)  # use case -> runs again
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    created: list[tuple[int, str, str]] = field(default_factory=list)  # id, e-mail, notes
    edited: list[tuple[int, int, str]] = field(default_factory=list)  # id, version, notes
    numbered: list[tuple[int, str]] = field(default_factory=list)  # agreement id, number
    registered: list[tuple[int, int]] = field(default_factory=list)  # session, candidate
    unexpected: list[str] = field(default_factory=list)
    sessions_exhausted: bool = False


# ---------------------------------------------------------------- the bases


@contextmanager
def base_url(engine: str, folder: Path) -> Iterator[str]:
    """A new base for the run: an encrypted SQLite file, or a new database on the server."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'desks.sqlite'}"
        return
    from tests.conftest import TODAY
    from tests.engines import postgres_database, server_url

    if not server_url():
        raise SystemExit("PostgreSQL : définir FABRIQUE_TEST_DB (source /tmp/pgenv).")
    with postgres_database(TODAY, migrated=False) as url:
        yield url


def prepare(url: str, desks: int, seconds: float) -> Plan:
    """Migrate and seed the base, then make what the desks need: the shared files, a host and
    tutor, each desk's learners (entered, orientation validated), the information sessions
    and each desk's candidates to register."""
    from app.services.appointments import booking
    from app.services.base_access.opening import open_app_database
    from app.services.candidates.records import CandidateInput, create_candidate
    from tests.conftest import TODAY, make_actor
    from tests.unit.services.test_agreements import NOW, _candidate, _world

    actor = make_actor("coordination", "preparation", "Préparation")
    database = open_app_database(url, today=TODAY)
    try:
        with database.session() as s:
            world = _world(s)
            shared = [
                create_candidate(
                    s,
                    CandidateInput(
                        nom=_name(i),
                        prenom="Partagée",
                        email=f"partagee.{i}@desks.example",
                        saison="2026-2027",
                        site="cobalt",
                    ),
                    actor=actor,
                ).id
                for i in range(SHARED_FILES)
            ]
            learners = [
                [
                    _candidate(s, _name(desk * LEARNERS_PER_DESK + i), "Apprenant")
                    for i in range(LEARNERS_PER_DESK)
                ]
                for desk in range(desks)
            ]
            attendees = [
                [
                    create_candidate(
                        s,
                        CandidateInput(
                            nom=_name(desk * CAPACITY + i),
                            prenom="Inscrite",
                            email=f"inscrite.{desk}.{i}@desks.example",
                            saison="2026-2027",
                            site="cobalt",
                        ),
                        actor=actor,
                    ).id
                    for i in range(CAPACITY)
                ]
                for desk in range(desks)
            ]
            sessions = []
            for index in range(int(SESSIONS_PER_SECOND * seconds) + 20):
                day = TODAY + timedelta(days=3 + index // len(DAY_SLOTS))
                entry = booking.AppointmentInput(
                    kind="information_collective",
                    date=f"{day:%d/%m/%Y}",
                    time=DAY_SLOTS[index % len(DAY_SLOTS)],
                    duration_minutes="60",
                    site="cobalt",
                    room="Turing",
                    staff="Nadia Belkacem",
                    capacity=str(CAPACITY),
                )
                sessions.append(booking.create_appointment(s, entry, [], actor=actor).id)
        return Plan(
            url=url,
            shared_files=shared,
            host=world.host,
            tutor=world.tutor,
            learners=learners,
            sessions=sessions,
            attendees=attendees,
            year=NOW.year,
        )
    finally:
        database.dispose()


def _name(number: int) -> str:
    """A family name made of letters only (the form refuses digits in a name)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    word = ""
    number += 26 * 26  # at least three letters
    while number:
        number, rest = divmod(number, 26)
        word = letters[rest] + word
    return word.capitalize()


# ---------------------------------------------------------------- one desk


class RetryCounter(logging.Handler):
    """Counts the unit of work's runs again after a WriteConflict, by use case."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if "attempt" in str(record.msg) and record.args:
            self.counts[str(record.args[0])] += 1  # type: ignore[index]


class Desk:
    """One workstation's loop: each `step` does the next thing of the four."""

    def __init__(self, number: int, plan: Plan, database: Any, result: DeskResult) -> None:
        from tests.conftest import make_actor

        self.number = number
        self.plan = plan
        self.database = database
        self.result = result
        self.actor = make_actor("coordination", f"poste{number}", f"Poste {number}")
        self.count = 0
        self.session_index = 0
        self.attendee_index = 0
        self.learner_index = 0
        self.to_cancel: list[int] = []  # numbered, not yet cancelled: the learner's time held
        self.doing = ""  # the use case running, to tell which one was refused

    def warm_up(self) -> None:
        """What a desk has done before it saves: its modules loaded, its connection open
        (a reading, which writes nothing)."""
        from app.services.agreements import actions as agreement_actions
        from app.services.appointments import actions as appointment_actions
        from app.services.candidates import actions as candidate_actions

        candidate_actions.get_candidate(self.database, self.plan.shared_files[0], actor=self.actor)
        appointment_actions.get_appointment(self.database, self.plan.sessions[0])
        agreement_actions.every_host(self.database)

    def step(self, kind: str) -> None:
        from app.errors import StorageError, UserFacingError, WriteConflict
        from app.services.appointments.booking import SessionFull
        from app.services.errors import ConflictError

        self.count += 1
        self.doing = USE_CASES[kind]
        started = time.perf_counter()
        try:
            getattr(self, kind)()
        except WriteConflict:
            self.result.refused[f"{kind}: conflit après reprises ({self.doing})"] += 1
        except SessionFull:
            self.result.refused[f"{kind}: session complète"] += 1
            self.next_session()
        except ConflictError:
            self.result.refused[f"{kind}: modifiée sur un autre poste"] += 1
        except StorageError as error:
            self.result.refused[f"{kind}: base ({error})"] += 1
        except UserFacingError as error:
            self.result.refused[f"{kind}: {error}"] += 1
        self.result.latencies_ms.setdefault(kind, []).append((time.perf_counter() - started) * 1000)

    def created(self) -> None:
        from app.services.candidates import actions
        from app.services.candidates.records import CandidateInput

        email = f"poste{self.number}.fiche{self.count}@desks.example"
        notes = f"Créée par le poste {self.number} ({self.count})."
        entry = CandidateInput(
            nom=_name(self.count),
            prenom="Nouvelle",
            email=email,
            saison="2026-2027",
            site=("cobalt", "du-guesclin")[self.count % 2],
            notes=notes,
        )
        saved = actions.save_candidate(self.database, entry, actor=self.actor)
        assert saved.file is not None, "a new e-mail has no look-alike"
        self.result.created.append((saved.file.id, email, notes))
        self.result.done["created"] += 1

    def edited(self) -> None:
        from app.services.candidates import actions

        files = self.plan.shared_files
        candidate_id = files[(self.count + self.number) % len(files)]
        loaded = actions.get_candidate(self.database, candidate_id, actor=self.actor)
        notes = f"Modifiée par le poste {self.number} ({self.count})."
        saved = actions.save_candidate(
            self.database,
            replace(loaded.values, notes=notes),
            actor=self.actor,
            candidate_id=candidate_id,
            expected_version=loaded.version,
        )
        assert saved.file is not None
        self.result.edited.append((candidate_id, saved.file.version, notes))
        self.result.done["edited"] += 1

    def numbered(self) -> None:
        from app.services.agreements import actions
        from app.services.agreements import terms as agreement_terms
        from tests.unit.services.test_agreements import NOW, WEEK_7H

        self._cancel_numbered()
        learners = self.plan.learners[self.number]
        learner = learners[self.learner_index % len(learners)]
        self.learner_index += 1
        form = agreement_terms.AgreementInput(
            candidat=str(learner),
            structure=str(self.plan.host),
            tuteur=str(self.plan.tutor),
            formateur_referent="Samir Haddad",
            telephone_referent="05 49 52 10 10",
            email_referent="samir.haddad@fabrique-numerique.fr",
            financeur="region",
            date_debut="01/06/2026",
            date_fin="31/07/2026",
            horaires=dict(WEEK_7H),
            activites="Accueil des usagers, petites réparations.",
            competences="Diagnostic, relation client.",
        )
        self.doing = "create_draft"
        draft = actions.create_draft(self.database, form, actor=self.actor, now=NOW)
        self.doing = "mark_ready"
        ready = actions.mark_ready(self.database, draft.id, actor=self.actor, now=NOW)
        assert ready.number is not None
        self.result.numbered.append((ready.id, ready.number))
        self.result.done["numbered"] += 1
        self.to_cancel.append(ready.id)
        self._cancel_numbered()

    def _cancel_numbered(self) -> None:
        """Cancel what this desk numbered (a refused cancellation is tried again next time)."""
        from app.errors import UserFacingError
        from app.services.agreements import actions
        from tests.unit.services.test_agreements import NOW

        for agreement_id in list(self.to_cancel):
            try:
                actions.cancel(
                    self.database, agreement_id, "Essai de charge.", actor=self.actor, now=NOW
                )
            except UserFacingError:
                self.result.refused["numbered: annulation refusée (reprise ensuite)"] += 1
                continue
            self.to_cancel.remove(agreement_id)

    def registered(self) -> None:
        from app.services.appointments import actions

        if self.session_index >= len(self.plan.sessions):
            self.result.sessions_exhausted = True
            return
        session_id = self.plan.sessions[self.session_index]
        pool = self.plan.attendees[self.number]
        candidate_id = pool[self.attendee_index]
        actions.register(self.database, session_id, candidate_id, actor=self.actor)
        self.result.registered.append((session_id, candidate_id))
        self.result.done["registered"] += 1
        self.attendee_index += 1
        if self.attendee_index == len(pool):  # this desk filled the session alone
            self.next_session()

    def next_session(self) -> None:
        self.session_index += 1
        self.attendee_index = 0


def run_desk(number: int, plan: Plan, seconds: float, barrier: Barrier, results: Any) -> None:
    """A desk's process: open the base as a workstation does, wait for the others, work."""
    result = DeskResult(desk=number)
    try:
        from app.services.base_access.opening import open_app_database
        from tests.conftest import TODAY

        logger = logging.getLogger(UNIT_OF_WORK_LOGGER)
        logger.setLevel(logging.INFO)
        counter = RetryCounter()
        logger.addHandler(counter)
        database = open_app_database(plan.url, today=TODAY)
        desk = Desk(number, plan, database, result)
        desk.warm_up()
        barrier.wait()
        started = time.monotonic()
        kinds = 0
        while time.monotonic() - started < seconds:
            desk.step(KINDS[kinds % len(KINDS)])
            kinds += 1
        result.seconds = time.monotonic() - started
        desk._cancel_numbered()
        result.retries = counter.counts
        database.dispose()
    except BaseException:
        result.unexpected.append(traceback.format_exc())
        barrier.abort()
    results.put(result)


def run_desks(plan: Plan, desks: int, seconds: float) -> list[DeskResult]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(desks, timeout=BARRIER_TIMEOUT_S)
    results = context.Queue()
    processes = [
        context.Process(
            target=run_desk, args=(n, plan, seconds, barrier, results), name=f"poste-{n}"
        )
        for n in range(desks)
    ]
    for process in processes:
        process.start()
    collected = [results.get() for _ in processes]
    for process in processes:
        process.join()
    return sorted(collected, key=lambda r: r.desk)


# ---------------------------------------------------------------- the checks


def check(plan: Plan, results: list[DeskResult]) -> dict[str, Any]:
    """What the base holds against what the desks were told."""
    from app.domain import Agreement, AgreementNumber, Appointment, Attendee, Candidate
    from app.services.base_access.opening import open_app_database
    from tests.conftest import TODAY

    problems: list[str] = []
    lost = duplicated = phantom = over_capacity = 0
    database = open_app_database(plan.url, today=TODAY)
    try:
        with database.session(commit=False) as s:
            # New files: each one reported is there with its e-mail and notes; nothing else.
            created = [row for r in results for row in r.created]
            stored = {
                row.id: (row.email, row.notes)
                for row in s.execute(
                    select(Candidate.id, Candidate.email, Candidate.notes).where(
                        Candidate.email.like("poste%@desks.example")
                    )
                )
            }
            for candidate_id, email, notes in created:
                if stored.get(candidate_id) != (email, notes):
                    lost += 1
                    problems.append(f"fiche {candidate_id} ({email}) absente ou différente")
            phantom += len(set(stored) - {c[0] for c in created})

            # Edited files: no version reported twice (a lost update); the stored file is the
            # save reported with the highest version, and no refused save went in after it.
            edited = [row for r in results for row in r.edited]
            versions = Counter((c, v) for c, v, _ in edited)
            duplicated += sum(n - 1 for n in versions.values() if n > 1)
            for candidate_id in plan.shared_files:
                saves = sorted((v, n) for c, v, n in edited if c == candidate_id)
                version, notes = s.execute(
                    select(Candidate.version, Candidate.notes).where(Candidate.id == candidate_id)
                ).one()
                if saves and (version, notes) != saves[-1]:
                    lost += 1
                    problems.append(
                        f"fiche partagée {candidate_id} : version {version} « {notes} » "
                        f"au lieu de {saves[-1]}"
                    )

            # Agreement numbers: each reported is its agreement's; all distinct, 1..N, the
            # year's counter at N; no number given that no desk was told of.
            numbered = [row for r in results for row in r.numbered]
            numbers: dict[int, str | None] = dict(
                s.execute(
                    select(Agreement.id, Agreement.number).where(Agreement.number.is_not(None))
                )
                .tuples()
                .all()
            )
            for agreement_id, number in numbered:
                if numbers.get(agreement_id) != number:
                    lost += 1
                    found = numbers.get(agreement_id)
                    problems.append(f"convention {agreement_id} : {found} au lieu de {number}")
            values = list(numbers.values())
            duplicated += len(values) - len(set(values))
            sequence = sorted(int(str(n).rsplit("-", 1)[1]) for n in values)
            gaps = len(set(range(1, (sequence[-1] if sequence else 0) + 1)) - set(sequence))
            counter = s.scalar(
                select(AgreementNumber.last).where(AgreementNumber.year == plan.year)
            )
            if gaps or (counter or 0) != len(sequence):
                problems.append(
                    f"numéros : {gaps} manquant(s), compteur {counter}, {len(sequence)} numéros"
                )
            phantom += len(set(numbers) - {a for a, _ in numbered})
            still_ready = s.scalar(
                select(func.count())
                .select_from(Agreement)
                .where(Agreement.status == "prete_a_signer")
            )

            # Registrations: each reported is there; none beyond; no session over capacity.
            registered = {row for r in results for row in r.registered}
            rows = set(s.execute(select(Attendee.appointment_id, Attendee.candidate_id)).all())
            lost += len(registered - rows)
            phantom += len(rows - registered)
            counts: dict[int, int] = dict(
                s.execute(
                    select(Attendee.appointment_id, func.count()).group_by(Attendee.appointment_id)
                )
                .tuples()
                .all()
            )
            capacities: dict[int, int | None] = dict(
                s.execute(select(Appointment.id, Appointment.capacity)).tuples().all()
            )
            for session_id, count in counts.items():
                if count > (capacities[session_id] or 0):
                    over_capacity += 1
                    problems.append(f"session {session_id} : {count} inscrits")
            full = sum(1 for session_id in plan.sessions if counts.get(session_id) == CAPACITY)
    finally:
        database.dispose()
    return {
        "lost": lost,
        "duplicated": duplicated,
        "written_though_refused": phantom,
        "sessions_over_capacity": over_capacity,
        "number_gaps": gaps,
        "numbers": len(sequence),
        "sessions_full": full,
        "agreements_left_ready": still_ready,
        "problems": problems[:20],
    }


# ---------------------------------------------------------------- the report


def summary(
    engine: str, desks: int, seconds: float, results: list[DeskResult], checked: dict[str, Any]
) -> dict[str, Any]:
    elapsed = max(r.seconds for r in results) or seconds
    done: Counter[str] = sum((r.done for r in results), Counter())
    refused: Counter[str] = sum((r.refused for r in results), Counter())
    retries: Counter[str] = sum((r.retries for r in results), Counter())
    latencies: dict[str, list[float]] = {}
    for r in results:
        for kind, samples in r.latencies_ms.items():
            latencies.setdefault(kind, []).extend(samples)
    return {
        "engine": engine,
        "desks": desks,
        "seconds": round(elapsed, 1),
        "per_second": {k: round(done[k] / elapsed, 1) for k in KINDS},
        "done": {k: done[k] for k in KINDS},
        "latency_ms": {
            k: {"p50": round(statistics.median(v), 1), "p95": round(_p95(v), 1)}
            for k, v in latencies.items()
        },
        "retries": dict(retries),
        "refused": dict(refused),
        "sessions_exhausted": any(r.sessions_exhausted for r in results),
        "unexpected": [u for r in results for u in r.unexpected][:3],
        **checked,
    }


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _refusals(row: dict[str, Any], reason: str) -> int:
    return sum(n for key, n in row["refused"].items() if reason in key)


def markdown(rows: list[dict[str, Any]]) -> str:
    head = [
        "Base",
        "Postes",
        "Durée (s)",
        *(f"{KIND_LABELS[k]} /s" for k in KINDS),
        "Conflits détectés (reprises)",
        "Refus : conflit après reprises",
        "Refus : modifiée ailleurs",
        "Refus : session complète",
        "Autres refus",
        "Perdues",
        "Dupliquées",
        "Sessions en surnombre",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        conflicts = _refusals(row, "conflit après reprises")
        stale = _refusals(row, "modifiée sur un autre poste")
        full = _refusals(row, "session complète")
        other = sum(row["refused"].values()) - conflicts - stale - full
        cells = [
            "SQLite" if row["engine"] == "sqlite" else "PostgreSQL",
            row["desks"],
            row["seconds"],
            *(row["per_second"][k] for k in KINDS),
            sum(row["retries"].values()),
            conflicts,
            stale,
            full,
            other,
            row["lost"] + row["written_though_refused"],
            row["duplicated"],
            row["sessions_over_capacity"],
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def latency_markdown(rows: list[dict[str, Any]]) -> str:
    head = ["Base", *(f"{KIND_LABELS[k]} p50 / p95 (ms)" for k in KINDS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = ["SQLite" if row["engine"] == "sqlite" else "PostgreSQL"]
        for k in KINDS:
            measured = row["latency_ms"].get(k)
            cells.append(f"{measured['p50']} / {measured['p95']}" if measured else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, str]:
    from tests.benchmarks.run import machine as run_machine

    info = run_machine()
    info.pop("pyside6", None)
    from tests.engines import server_url

    if server_url():
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(str(server_url()), poolclass=NullPool)
        with engine.connect() as connection:
            info["postgresql"] = str(connection.exec_driver_sql("SHOW server_version").scalar())
        engine.dispose()
    return info


def run_engine(engine: str, desks: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fabrique-desks-") as folder:
        os.environ.setdefault("FABRIQUE_DATA_DIR", str(Path(folder) / "data"))
        os.environ.setdefault("FABRIQUE_LOG_DIR", str(Path(folder) / "logs"))
        os.environ.setdefault("FABRIQUE_SETTINGS_DIR", str(Path(folder) / "settings"))
        os.environ.setdefault("FABRIQUE_BACKUP_DIR", str(Path(folder) / "backups"))
        with base_url(engine, Path(folder)) as url:
            print(f"{engine} : préparation de la base…", file=sys.stderr)
            plan = prepare(url, desks, seconds)
            print(f"{engine} : {desks} postes pendant {seconds:g} s…", file=sys.stderr)
            results = run_desks(plan, desks, seconds)
            checked = check(plan, results)
    return summary(engine, desks, seconds, results, checked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desks", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest-desks.json")
    args = parser.parse_args(argv)
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    rows = [run_engine(engine, args.desks, args.seconds) for engine in engines]
    report: dict[str, Any] = {"machine": machine(), "date": date.today().isoformat(), "runs": rows}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(markdown(rows))
    print()
    print(latency_markdown(rows))
    print()
    print("Machine : " + ", ".join(f"{k} {v}" for k, v in report["machine"].items()))
    failed = False
    for row in rows:
        for problem in row["problems"]:
            print(f"{row['engine']} : {problem}")
        for trace in row["unexpected"]:
            print(f"{row['engine']} : erreur inattendue\n{trace}")
        bad = (
            row["lost"]
            or row["duplicated"]
            or row["written_though_refused"]
            or row["sessions_over_capacity"]
            or row["number_gaps"]
            or row["unexpected"]
            or row["problems"]
        )
        failed = failed or bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
