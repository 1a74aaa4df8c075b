"""The candidate search on the 100 000-candidate base, PostgreSQL next to SQLite.

    python3 -m tests.benchmarks.search_engines                 # both engines
    python3 -m tests.benchmarks.search_engines --engine postgresql --rebuild

What a keystroke in the search field asks of the services, without the window: the list's
start (`list_start`: the first 2 000 ids in name order and the total) and its first page of
rows (`list_rows` of the first 200 ids), as the candidates' table model reads them. Each of
run.py's search terms is typed letter by letter (every prefix a measure), in the current
season and over all seasons; one untimed round first, then `--rounds` timed rounds.

SQLite: the benchmark base /tmp/fabrique-bench.sqlite, built by `python3 -m
tests.benchmarks.run` (never built nor changed here: opened without migrating; the revisions
after its own changed nothing of SQLite). PostgreSQL: the database `fabrique_bench` on the
server of FABRIQUE_TEST_DB (`source /tmp/pgenv`), filled once by the same
`tests.benchmarks.synthetic.build` (a few minutes; kept for the next runs, `--rebuild` to fill
it again), then VACUUM ANALYZE (what the server's autovacuum does; the test cluster runs
without it). Results: tests/benchmarks/results/latest-search-engines.json. Not part of CI.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.pool import NullPool

from tests.benchmarks.run import SEARCHES, machine

RESULTS = Path(__file__).with_name("results")
SQLITE_BASE = Path("/tmp/fabrique-bench.sqlite")
POSTGRES_NAME = "fabrique_bench"
POSTGRES_INFO = Path("/tmp/fabrique-bench-postgresql.json")
IDS_CHUNK, PAGE_SIZE = 2000, 200  # app/ui/candidates/table_model.py
TARGET_MS = 50


# ---------------------------------------------------------------- the bases


def sqlite_database() -> Any:
    """The SQLite benchmark base as it is (no migration, no backup)."""
    from app.services.base_access import keys
    from app.storage import open_database

    if not SQLITE_BASE.is_file():
        raise SystemExit(
            f"{SQLITE_BASE} manque : la construire avec python3 -m tests.benchmarks.run."
        )
    key = keys.access_without_password(SQLITE_BASE, new_base=False)
    return open_database(f"sqlite:///{SQLITE_BASE}", migrate=False, key=key)


def postgres_url() -> str:
    from tests.engines import server_url

    url = server_url()
    if not url:
        raise SystemExit("PostgreSQL : définir FABRIQUE_TEST_DB (source /tmp/pgenv).")
    return make_url(url).set(database=POSTGRES_NAME).render_as_string(hide_password=False)


def postgres_database(rebuild: bool) -> tuple[Any, dict[str, Any]]:
    """The PostgreSQL benchmark base, filled first when missing (or `rebuild`)."""
    from app.services.base_access.opening import open_app_database
    from tests.benchmarks.synthetic import Scale, build
    from tests.engines import server_url

    url = postgres_url()
    admin = create_engine(str(server_url()), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": POSTGRES_NAME}
        )
        if exists and (rebuild or not POSTGRES_INFO.is_file()):
            connection.execute(text(f'DROP DATABASE "{POSTGRES_NAME}" WITH (FORCE)'))
            exists = None
        if not exists:
            POSTGRES_INFO.unlink(missing_ok=True)
            connection.execute(text(f'CREATE DATABASE "{POSTGRES_NAME}"'))
    admin.dispose()
    if not POSTGRES_INFO.is_file():
        print(f"PostgreSQL : remplissage de {POSTGRES_NAME} (100 000 candidats)…", file=sys.stderr)
        built = asdict(build(url, Scale()))
        started = time.perf_counter()
        analyse(url)
        built["analyse_seconds"] = time.perf_counter() - started
        POSTGRES_INFO.write_text(json.dumps(built))
    info = json.loads(POSTGRES_INFO.read_text())
    return open_app_database(url), info


def analyse(url: str) -> None:
    """What the server's autovacuum would have done after the filling (the test cluster has
    none): the visibility map and the planner's statistics."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


# ---------------------------------------------------------------- the measure


def current_season(database: Any) -> int:
    """The season the window's header opens on."""
    from app.domain import Season
    from app.services import reference

    label = reference.season_label(reference.season_start_year(date.today()))
    with database.session(commit=False) as s:
        season = s.scalar(select(Season.id).where(Season.label == label))
    assert season is not None, f"no season {label} in the benchmark base"
    return season


def keystroke(database: Any, query: Any) -> float:
    """One keystroke's reading, in milliseconds: the list's start, then its first rows."""
    from app.services.candidates import actions

    started = time.perf_counter()
    start = actions.list_start(database, query, sort="name", descending=False, chunk=IDS_CHUNK)
    actions.list_rows(database, start.ids[:PAGE_SIZE])
    return (time.perf_counter() - started) * 1000


def measure(database: Any, rounds: int) -> list[dict[str, Any]]:
    from app.services.candidates.records import CandidateQuery

    season = current_season(database)
    measures = []
    for scope, season_id in (("saison en cours", season), ("toutes saisons", None)):
        for label, term in SEARCHES.items():
            samples: list[float] = []
            for round_number in range(rounds + 1):  # the first round warms the caches
                for typed in range(1, len(term) + 1):
                    query = CandidateQuery(text=term[:typed], season_id=season_id)
                    elapsed = keystroke(database, query)
                    if round_number:
                        samples.append(elapsed)
            measures.append(
                {
                    "label": f"« {term} », {scope} ({label})",
                    "scope": scope,
                    "samples_ms": samples,
                    "p50": statistics.median(samples),
                    "p95": p95(samples),
                }
            )
    return measures


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_engine(engine: str, rounds: int, rebuild: bool) -> dict[str, Any]:
    from app.storage.migrate import current_revision

    if engine == "sqlite":
        database = sqlite_database()
        info = json.loads(SQLITE_BASE.with_suffix(".json").read_text())
    else:
        database, info = postgres_database(rebuild)
    try:
        revision = current_revision(database.engine)
        measures = measure(database, rounds)
    finally:
        database.dispose()
    every = [s for m in measures for s in m["samples_ms"]]
    return {
        "engine": engine,
        "revision": revision,
        "candidates": info["counts"]["candidats"],
        "built_seconds": round(info["seconds"], 1),
        "p50": statistics.median(every),
        "p95": p95(every),
        "measures": measures,
    }


# ---------------------------------------------------------------- the report


def markdown(runs: list[dict[str, Any]]) -> str:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = ["Recherche (chaque lettre tapée)"]
    for run in runs:
        head += [f"{names[run['engine']]} p50 (ms)", f"{names[run['engine']]} p95 (ms)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for index, measure_ in enumerate(runs[0]["measures"]):
        cells = [measure_["label"]]
        for run in runs:
            found = run["measures"][index]
            cells += [f"{found['p50']:.1f}", f"{found['p95']:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    cells = ["**Toutes les frappes**"]
    for run in runs:
        cells += [f"**{run['p50']:.1f}**", f"**{run['p95']:.1f}**"]
    lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def server_settings() -> dict[str, str]:
    from tests.engines import server_url

    url = server_url()
    if not url:
        return {}
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        settings = {
            name: str(connection.exec_driver_sql(f"SHOW {name}").scalar())
            for name in ("server_version", "shared_buffers", "work_mem", "effective_cache_size")
        }
    engine.dispose()
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="refill the PostgreSQL base")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest-search-engines.json")
    args = parser.parse_args(argv)
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    with tempfile.TemporaryDirectory(prefix="fabrique-search-") as folder:
        import os

        for variable, name in (
            ("FABRIQUE_DATA_DIR", "data"),
            ("FABRIQUE_LOG_DIR", "logs"),
            ("FABRIQUE_SETTINGS_DIR", "settings"),
            ("FABRIQUE_BACKUP_DIR", "backups"),
        ):
            os.environ.setdefault(variable, str(Path(folder) / name))
        runs = [run_engine(engine, args.rounds, args.rebuild) for engine in engines]
    about = machine()
    about.pop("pyside6", None)
    report: dict[str, Any] = {
        "machine": about,
        "postgresql": server_settings() if "postgresql" in engines else {},
        "date": date.today().isoformat(),
        "target_ms": TARGET_MS,
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(markdown(runs))
    print()
    print("Machine : " + ", ".join(f"{k} {v}" for k, v in about.items()))
    if report["postgresql"]:
        print("Serveur : " + ", ".join(f"{k} {v}" for k, v in report["postgresql"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
