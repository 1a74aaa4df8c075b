"""Speed at scale: build (or reuse) a network-size database, measure what a receptionist
feels, print a Markdown table and write JSON.

    python3 -m tests.benchmarks.run                  # 100 000 candidates (builds once, ~2 min)
    python3 -m tests.benchmarks.run --scale small    # 5 000 candidates, to try it quickly

Not part of the CI test run; the README shows the latest table.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results")
ROOT = Path(__file__).resolve().parents[2]
REPORT_TABLES = {
    "funnel": "parcours de recrutement",
    "funnel_losses": "perdus à chaque étape",
    "composition": "qui est entré",
    "pathways": "parcours des entrés",
    "company_time": "temps en entreprise",
    "outcomes": "sorties positives",
    "outcome_situations": "situations des sortis",
}
TARGETS_MS = {
    "cold_start": 1500,
    "search": 50,
    "open_file": 100,
    "switch_view": 100,
    "cohort_matrix": 100,
    "convention_pdf": 100,
    "convention_pdf_batch_100": 5000,
    "import_1000": 5000,
    "import_100000": 20000,
    # Issue 16: each indicator table of a season (both sites), and what the dashboard asks
    # for after the click (every table and the seasons compared).
    **{f"report_{key}": 200 for key in REPORT_TABLES},
    "report_comparison": 200,
    "dashboard_data": 500,
}
IMPORT_ROWS = 1000
LARGE_IMPORT_ROWS = 100_000
LARGE_IMPORT_PEAK_MB = 500
# Runs a command and prints its peak memory (KiB, the largest of its processes) last: the
# benchmark's own children (window starts) must not count.
PEAK_OF_CHILD = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
# The account the large import acts as on copies of the benchmark base (which has accounts).
IMPORT_ACCOUNT, IMPORT_PASSWORD = "mesure", "Cent-mille-lignes-2026!"
SEARCHES = {
    "nom sans accent": "martin",
    "nom accentué": "hélène",
    "nom tapé sans accent": "helene",
    "téléphone": "06 12",
    "e-mail": "lea.dupont",
}


@dataclass
class Measure:
    name: str
    label: str
    samples_ms: list[float]
    target_ms: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(action: Callable[[], Any], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} Go"
    except (OSError, ValueError, IndexError):
        pass
    import sqlite3

    import PySide6

    return {
        "processeur": cpu,
        "cœurs": str(os.cpu_count()),
        "mémoire": memory,
        "système": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "sqlite": sqlite3.sqlite_version,
        "date": date.today().isoformat(),
    }


# ---------------------------------------------------------------- the database


def prepare(path: Path, scale_name: str, rebuild: bool) -> dict[str, Any]:
    from tests.benchmarks.synthetic import Scale, build

    info_path = path.with_suffix(".json")
    if path.exists() and info_path.exists() and not rebuild:
        return json.loads(info_path.read_text())
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    scale = (
        Scale() if scale_name == "full" else Scale(candidates=5000, learners=2000, agreements=1000)
    )
    built = build(f"sqlite:///{path}", scale)
    info = asdict(built)
    info_path.write_text(json.dumps(info))
    return info


def demo_seconds() -> float:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "seed-demo", "--db", f"{folder}/demo.sqlite"],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


# ---------------------------------------------------------------- measures


def child_environment() -> dict[str, str]:
    """What a user's machine has: bytecode caches written (an installed application has
    them), Qt offscreen here, and backups kept out of the user's own folder."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cold_starts(url: str, repeat: int) -> tuple[list[float], float]:
    """Process start to the candidates table filled; one uncounted run first, as after an
    installation (it writes the bytecode caches)."""
    readies, peaks = [], []
    for run in range(repeat + 1):
        launched = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.cold_start", url, str(launched)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=child_environment(),
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if run:
            readies.append(result["ready"] * 1000)
            peaks.append(result["peak_mb"])
        empty_backup_folder()
    return readies, max(peaks)


def empty_backup_folder() -> None:
    """Each window start copies the base (500 MB at full scale): keep only the latest."""
    folder = Path(os.environ["FABRIQUE_BACKUP_DIR"])
    for copy in sorted(folder.glob("*.sqlite"))[:-1]:
        copy.unlink()


def window_measures(url: str, info: dict[str, Any], repeat: int) -> list[Measure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.ui.app import configure_application
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    configure_application(app)  # type: ignore[arg-type]
    window = MainWindow.open(url, username="Benchmark")
    window.resize(1400, 860)
    window.show()
    app.processEvents()
    view = window.candidates_view
    # After the window shows, the start copy of the base runs off the UI thread for a second
    # or two while the other views are built and the PDF modules load; the receptionist's
    # first keystrokes come later. Cold start measures the window before all that.
    window.maintenance.wait_for_start_backup()
    while not settled(window):
        app.processEvents()
    measures = search_measures(app, window, repeat)
    ids = info["sample_candidate_ids"][: max(repeat, 10)]

    def open_file(ids: list[int] = ids) -> None:
        view.open_candidate(ids.pop(0) if len(ids) > 1 else ids[0])
        app.processEvents()

    measures.append(Measure("open_file", "Ouvrir un dossier", timed(open_file, len(ids)), 100))
    names = ["orientation", "agreements", "partners", "candidates"]

    def switch() -> None:
        names.append(names.pop(0))
        window.show_view(names[0])
        app.processEvents()

    measures.append(Measure("switch_view", "Changer de vue", timed(switch, 4 * repeat), 100))
    measures.append(matrix_measure(window, app, info, repeat))
    from tests.benchmarks.dashboard import dashboard_measures  # it imports this module

    measures += dashboard_measures(window, app, repeat)
    window.close()
    return measures


def settled(window: Any) -> bool:
    return bool(window.is_settled)


def search_measures(app: Any, window: Any, repeat: int) -> list[Measure]:
    """Each term typed key by key in the search field, each keystroke timed to the table
    updated and painted: in the header's current season, then over all seasons."""
    from PySide6.QtTest import QTest

    view = window.candidates_view
    season_combo = window.header.season_combo
    current = season_combo.currentIndex()
    measures = []
    for scope, index in (("saison en cours", current), ("toutes saisons", 0)):
        season_combo.setCurrentIndex(index)
        app.processEvents()
        for label, text in SEARCHES.items():
            samples = []
            for _ in range(max(1, repeat // 4)):
                view.search.setText("")
                view.apply_filters()
                app.processEvents()
                for key in text:
                    samples.append(keystroke_ms(app, view, QTest, key))
            measures.append(
                Measure("search", f"Recherche « {text} », {scope} ({label})", samples, 50)
            )
    season_combo.setCurrentIndex(current)
    view.search.setText("")
    view.apply_filters()
    app.processEvents()
    return measures


def keystroke_ms(app: Any, view: Any, qtest: Any, key: str) -> float:
    updated: list[bool] = []

    def mark() -> None:
        updated.append(True)

    view.model.modelReset.connect(mark)
    started = time.perf_counter()
    press(qtest, view.search, key)
    while not updated:
        app.processEvents()
    view.table.viewport().repaint()
    elapsed = (time.perf_counter() - started) * 1000
    view.model.modelReset.disconnect(mark)
    return elapsed


def press(qtest: Any, widget: Any, key: str) -> None:
    """One key as a keyboard sends it; QTest knows only ASCII keys, so an accented letter
    goes as a key event carrying its text."""
    if key.isascii():
        qtest.keyClicks(widget, key)
        return
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, key)
        QApplication.sendEvent(widget, event)


def matrix_measure(window: Any, app: Any, info: dict[str, Any], repeat: int) -> Measure:
    orientation = window.show_view("orientation")
    orientation.tabs.setCurrentIndex(2)  # Vue d'ensemble: the matrix reads when it shows
    app.processEvents()
    picker = orientation.cohort_picker
    target = picker.findData(info["matrix_cohort_id"])
    assert target >= 0, "the benchmark's cohort is not in the header's season and site"
    other = 0 if target != 0 else 1

    def open_matrix() -> None:
        # The matrix is read off the window's thread: measured until it is shown.
        picker.setCurrentIndex(target)
        app.processEvents()
        while orientation.matrix_reader.busy:
            app.processEvents()

    samples = []
    for _ in range(repeat):
        picker.setCurrentIndex(other)
        app.processEvents()
        while orientation.matrix_reader.busy:
            app.processEvents()
        samples += timed(open_matrix, 1)
    return Measure("cohort_matrix", "Ouvrir une promotion de 20 apprenants", samples, 100)


def pdf_measures(url: str, info: dict[str, Any], repeat: int) -> list[Measure]:
    from app.services.agreements.documents import DocumentKind, render_document, render_documents
    from app.services.base_access.opening import open_app_database

    database = open_app_database(url)  # an encrypted base: through its key file
    ids = info["agreement_ids"]
    today = date.today()

    def one(agreement_id: int = ids[0]) -> bytes:
        with database.session(commit=False) as session:
            return render_document(session, agreement_id, DocumentKind.CONVENTION, today=today)

    single = timed(one, repeat * 2)

    def one_after_the_other() -> None:
        for agreement_id in ids[:100]:
            one(agreement_id)

    def batch() -> None:
        # What "Imprimer la liste…" runs: worker processes from 40 documents on.
        for rendered in render_documents(database, ids[:100], DocumentKind.CONVENTION, today=today):
            assert rendered.pdf, rendered.error

    sequential = timed(one_after_the_other, 3)
    batches = timed(batch, 3)
    database.dispose()
    return [
        Measure("convention_pdf", "Une convention en PDF", single, 100),
        Measure(
            "convention_pdf_sequence_100",
            "100 conventions en PDF, l'une après l'autre",
            sequential,
            5000,
        ),
        Measure("convention_pdf_batch_100", "100 conventions en PDF, par lot", batches, 5000),
    ]


def report_measures(url: str, repeat: int) -> list[Measure]:
    """Each indicator table of the last complete season (both sites), in its own read-only
    session as the window asks it; the seasons compared over the whole base; and the
    dashboard's data as a click reads it (every table of the season, in one session)."""
    from app.services.actor import system_actor
    from app.services.base_access.opening import open_app_database
    from app.services.reports import actions, comparison, indicators
    from app.services.reports.scope import ReportScope

    database = open_app_database(url)
    actor = system_actor("benchmark: the dashboard as coordination opens it")
    season = reference_season(date.today())
    scope = ReportScope(season)
    builders = {table.__name__: table for table in indicators.TABLES}
    measures = []
    for key, label in REPORT_TABLES.items():

        def one(key: str = key) -> None:
            with database.session(commit=False) as session:
                builders[key](session, scope)

        measures.append(
            Measure(
                f"report_{key}",
                f"Indicateurs {season} : {label}",
                timed(one, repeat),
                TARGETS_MS[f"report_{key}"],
            )
        )

    def compared() -> None:
        with database.session(commit=False) as session:
            comparison.season_comparison(session, None)

    def dashboard() -> None:  # what a click reads; the comparison only when its tab shows
        actions.report_tables(database, scope, actor=actor)

    measures.append(
        Measure(
            "report_comparison",
            "Indicateurs : comparaison des 20 saisons",
            timed(compared, repeat),
            TARGETS_MS["report_comparison"],
        )
    )
    measures.append(
        Measure(
            "dashboard_data",
            f"Tableau de bord : les données d'un clic, tous les tableaux de {season}",
            timed(dashboard, repeat),
            TARGETS_MS["dashboard_data"],
        )
    )
    database.dispose()
    return measures


def reference_season(today: date) -> str:
    """The last season whose learners have all left (the one funders ask about)."""
    from app.services import reference

    return reference.season_label(reference.season_start_year(today) - 1)


def import_csv(url: str, rows: int) -> bytes:
    """`rows` files of the base exported as the desk would, their identifiant blanked and
    their version column dropped: importing them creates new files (duplicates of the
    base's people are not this measure's concern)."""
    import csv
    import io

    from app.services.base_access.opening import open_app_database
    from app.services.candidates.csv_exchange import VERSION_COLUMN, export_candidates

    database = open_app_database(url)
    buffer = io.StringIO(newline="")
    with database.session(commit=False) as session:
        export_candidates(session, buffer)
    database.dispose()
    reader = csv.reader(io.StringIO(buffer.getvalue().lstrip("\ufeff")), delimiter=";")
    header = next(reader)
    kept = [i for i, name in enumerate(header) if name != VERSION_COLUMN]
    blank = header.index("identifiant")
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header[i] for i in kept])
    for _, record in zip(range(rows), reader, strict=False):
        writer.writerow(["" if i == blank else record[i] for i in kept])
    return out.getvalue().encode("utf-8")


def import_measures(url: str, repeat: int) -> tuple[list[Measure], float]:
    """Import IMPORT_ROWS rows into a new base, encrypted as every base is, and into a plain
    one to say what encryption costs; returns the measures and the plain median."""
    from app.services.actor import system_actor
    from app.services.base_access.opening import open_app_database
    from app.services.candidates.import_preview import KnownChoice, preview_import
    from app.services.candidates.import_writing import apply_preview
    from app.services.reference import ensure_reference_data
    from app.storage import open_database

    source = import_csv(url, IMPORT_ROWS)
    actor = system_actor("benchmark: an import as the desk runs it")

    def run(encrypted: bool) -> list[float]:
        samples = []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as folder:
                target = f"sqlite:///{folder}/import.sqlite"
                if encrypted:
                    database = open_app_database(target)
                else:
                    database = open_database(target)
                    with database.session() as session:
                        ensure_reference_data(session)
                started = time.perf_counter()
                with database.session() as session:
                    # The synthetic base has phones the numbering plan refuses: those rows are
                    # listed and skipped, as the desk's "valid rows only" would. Two people of
                    # its thousand may share a name and a birth date: both are created, as the
                    # desk would decide ("Créer quand même").
                    preview = preview_import(session, source)
                    preview.decide(KnownChoice.CREATE)
                    result = apply_preview(session, preview, valid_only=True, actor=actor)
                samples.append((time.perf_counter() - started) * 1000)
                assert result.created + result.skipped == IMPORT_ROWS, result.describe()
                database.dispose()
        return samples

    encrypted = run(encrypted=True)
    plain = statistics.median(run(encrypted=False))
    rows = f"{IMPORT_ROWS:_}".replace("_", "\u202f")
    label = f"Importer {rows} lignes de candidats (CSV) dans une base neuve"
    return [Measure("import_1000", label, encrypted, TARGETS_MS["import_1000"])], plain


def large_import_measures(url: str, repeat: int) -> tuple[list[Measure], dict[str, float]]:
    """`main.py import candidates` of 100 000 new people (tests/benchmarks/import_file.py),
    as a process of its own, on a copy of the benchmark base and on a new demo base: time
    and peak memory of each run; returns the measures and the largest peak of each base."""
    from tests.benchmarks.import_file import write

    rows = f"{LARGE_IMPORT_ROWS:_}".replace("_", "\u202f")
    measures, peaks = [], {}
    with tempfile.TemporaryDirectory(prefix="fabrique-import-") as folder:
        work = Path(folder)
        source = write(work / "candidats.csv", LARGE_IMPORT_ROWS)
        demo = work / "demo.sqlite"
        subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "seed-demo", "--db", str(demo)],
            check=True,
            capture_output=True,
            cwd=ROOT,
            env=child_environment(),
        )
        bases = {
            "base de 100\u202f000 dossiers": (Path(url.removeprefix("sqlite:///")), True),
            "base de démonstration neuve": (demo, False),
        }
        for label, (base, with_account) in bases.items():
            samples, peak = [], 0.0
            for _ in range(repeat):
                elapsed, peak_mb = _timed_import(work, base, source, with_account)
                samples.append(elapsed)
                peak = max(peak, peak_mb)
            name = "import_100000" if with_account else "import_100000_demo"
            text = f"Importer {rows} nouveaux candidats (ligne de commande), {label}"
            measures.append(Measure(name, text, samples, TARGETS_MS["import_100000"]))
            peaks[name] = peak
    return measures, peaks


def _timed_import(work: Path, base: Path, source: Path, with_account: bool) -> tuple[float, float]:
    """One import into a fresh copy of `base`: milliseconds, peak megabytes."""
    copy = work / "copie.sqlite"
    for leftover in work.glob("copie.sqlite*"):
        leftover.unlink()
    for companion in base.parent.glob(base.name + "*"):
        if companion.suffix != ".json":
            shutil.copy(companion, work / companion.name.replace(base.name, copy.name))
    command = [sys.executable, str(ROOT / "main.py"), "import", "candidates", str(source)]
    command += ["--db", str(copy)]
    env = child_environment()
    if with_account:
        _add_import_account(f"sqlite:///{copy}")
        command += ["--user", IMPORT_ACCOUNT]
        env["FABRIQUE_PASSWORD"] = IMPORT_PASSWORD
    # The copy (500 MB for the benchmark base) is written out first: a user's base is at rest
    # on the disk, not still being flushed while the import writes.
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF_CHILD, *command],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, int(done.stdout.strip().splitlines()[-1]) / 1024


def _add_import_account(url: str) -> None:
    """A coordination account with a known password on the copy (the base's own accounts'
    passwords are known to nobody)."""
    from app.services.accounts.management import AccountInput, create_account
    from app.services.actor import system_actor
    from app.services.base_access.opening import open_app_database

    database = open_app_database(url)
    with database.session() as session:
        create_account(
            session,
            AccountInput("Mesure de l'import", IMPORT_ACCOUNT, "coordination"),
            IMPORT_PASSWORD,
            IMPORT_PASSWORD,
            actor=system_actor("benchmark: the account that runs the import"),
        )
    database.dispose()


def libreoffice_comparison(url: str, info: dict[str, Any], repeat: int) -> dict[str, Any] | str:
    from tests.benchmarks.libreoffice import measure

    result = measure(url, info, max(5, repeat // 4))
    if result is None:
        return "LibreOffice n'est pas installé sur cette machine : rapport non mesuré."
    return result


# ---------------------------------------------------------------- report


def table(measures: list[Measure]) -> str:
    lines = [
        "| mesure | médiane | p95 | cible | |",
        "|---|---:|---:|---:|---|",
    ]
    for m in measures:
        target = f"≤ {m.target_ms:g} ms" if m.target_ms else ""
        met = "" if m.target_ms is None else ("✅" if m.p95 <= m.target_ms else "❌")
        lines.append(f"| {m.label} | {m.median:.1f} ms | {m.p95:.1f} ms | {target} | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "fabrique-bench.sqlite"
    )
    parser.add_argument("--scale", choices=("full", "small"), default="full")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--only-reports",
        action="store_true",
        help="measure the indicator tables and the dashboard's data only",
    )
    parser.add_argument(
        "--only-large-import",
        action="store_true",
        help="measure the import of 100 000 rows only (3 runs on each base)",
    )
    args = parser.parse_args(argv)
    if args.scale == "small" and args.db.name == "fabrique-bench.sqlite":
        args.db = args.db.with_name("fabrique-bench-small.sqlite")
    started = time.perf_counter()
    info = prepare(args.db, args.scale, args.rebuild)
    url = f"sqlite:///{args.db}"
    backups = tempfile.TemporaryDirectory(prefix="fabrique-bench-backups-")
    os.environ["FABRIQUE_BACKUP_DIR"] = backups.name
    if args.only_large_import:
        return report_large_import(url, max(3, args.repeat // 4))
    if args.only_reports:
        return report_indicators(url, args.repeat)
    readies, peak_mb = cold_starts(url, 5)
    measures = [Measure("cold_start", "Démarrage à froid (table remplie)", readies, 1500)]
    measures += window_measures(url, info, args.repeat)
    measures += pdf_measures(url, info, args.repeat)
    measures += report_measures(url, args.repeat)
    imports, plain_import_ms = import_measures(url, max(3, args.repeat // 4))
    measures += imports
    large_imports, import_peaks = large_import_measures(url, 3)
    measures += large_imports
    libreoffice = libreoffice_comparison(url, info, args.repeat)
    backups.cleanup()
    report = {
        "machine": machine(),
        "base": {"volumes": info["counts"], "construction_s": round(info["seconds"], 1)},
        "démo_s": round(demo_seconds(), 2),
        "mémoire_pic_mo": round(peak_mb, 1),
        "import_base_en_clair_ms": round(plain_import_ms, 1),
        "import_100000_pic_mo": {name: round(mb, 1) for name, mb in import_peaks.items()},
        "libreoffice": libreoffice,
        "mesures": [
            {
                "nom": m.name,
                "libellé": m.label,
                "médiane_ms": round(m.median, 2),
                "p95_ms": round(m.p95, 2),
                "cible_ms": m.target_ms,
                "n": len(m.samples_ms),
            }
            for m in measures
        ],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"latest-{args.scale}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    described = ", ".join(f"{k} : {v}" for k, v in report["machine"].items())
    volumes = ", ".join(f"{v} {k}" for k, v in info["counts"].items())
    print(f"Machine : {described}\n")
    print(f"Base : {volumes} (construite en {info['seconds']:.0f} s)\n")
    print(table(measures))
    print(f"\nMémoire au pic (fenêtre ouverte) : {peak_mb:.0f} Mo (cible ≤ 400 Mo)")
    print(f"Données de démonstration : {report['démo_s']} s")
    print(f"Import sur une base en clair (médiane) : {plain_import_ms:.0f} ms")
    print(describe_peaks(import_peaks))
    print(f"LibreOffice : {libreoffice if isinstance(libreoffice, str) else libreoffice['résumé']}")
    print(f"\n(mesuré en {time.perf_counter() - started:.0f} s)")
    return 0


def describe_peaks(peaks: dict[str, float]) -> str:
    described = ", ".join(f"{name} {mb:.0f} Mo" for name, mb in peaks.items())
    target = f"cible ≤ {LARGE_IMPORT_PEAK_MB} Mo"
    return f"Mémoire au pic, import de 100 000 lignes : {described} ({target})"


def report_indicators(url: str, repeat: int) -> int:
    measures = report_measures(url, repeat)
    print(table(measures))
    RESULTS.mkdir(exist_ok=True)
    report = {
        "machine": machine(),
        "mesures": [
            {
                "nom": m.name,
                "libellé": m.label,
                "médiane_ms": round(m.median, 2),
                "p95_ms": round(m.p95, 2),
                "cible_ms": m.target_ms,
                "n": len(m.samples_ms),
            }
            for m in measures
        ],
    }
    (RESULTS / "latest-reports.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return 0


def report_large_import(url: str, repeat: int) -> int:
    measures, peaks = large_import_measures(url, repeat)
    print(table(measures))
    for measure in measures:
        samples = ", ".join(f"{sample / 1000:.1f} s" for sample in measure.samples_ms)
        print(f"{measure.name} : {samples}")
    print(describe_peaks(peaks))
    RESULTS.mkdir(exist_ok=True)
    report = {
        "machine": machine(),
        "mesures": [{"nom": m.name, "échantillons_ms": m.samples_ms} for m in measures],
        "pic_mo": peaks,
    }
    (RESULTS / "latest-import-100000.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
