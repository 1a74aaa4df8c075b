"""The Tableau de bord shown after the click, on the benchmark base: from the navigation's
click to every indicator table, the charts and the seasons compared shown and painted.

    python3 -m tests.benchmarks.dashboard            # on the 100 000-candidate base (run.py's)
    python3 -m tests.benchmarks.dashboard --db /tmp/other-bench.sqlite --repeat 10
    python3 -m tests.benchmarks.dashboard --season 2025-2026   # a season that is over

`dashboard_measures(window, app, repeat)` is what run.py's window measures call.
"""

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.run import Measure, prepare, table

TARGET_MS = 500


def dashboard_measures(window: Any, app: Any, repeat: int) -> list[Measure]:
    """The dashboard of the header's season, each time from another view, as a click on the
    navigation: until its first figures (the funnel, its chart and headline) are painted,
    and until every table is. The first show (the view built then) is measured apart."""
    names = window.view_names
    navigation = window.navigation

    def click_dashboard() -> tuple[float, float]:
        navigation.setCurrentRow(names.index("candidates"))
        app.processEvents()
        view = window._view("dashboard")
        first: list[float] = []

        def mark(_result: object) -> None:
            if not first:
                first.append(time.perf_counter())

        view.funnel_reader.loaded.connect(mark)
        view.reader.loaded.connect(mark)
        started = time.perf_counter()
        navigation.setCurrentRow(names.index("dashboard"))  # what a click on the rail does
        app.processEvents()
        while not first:
            app.processEvents()
        view.repaint()  # the Synthèse tab painted with the funnel
        funnel_ms = (time.perf_counter() - started) * 1000
        while view.busy:
            app.processEvents()
        view.repaint()
        every_ms = (time.perf_counter() - started) * 1000
        view.funnel_reader.loaded.disconnect(mark)
        view.reader.loaded.disconnect(mark)
        return funnel_ms, every_ms

    opening = click_dashboard()
    runs = [click_dashboard() for _ in range(repeat)]
    view = window.stack.currentWidget()
    season = view.shown_scope.season_label if view.shown_scope else "?"
    where = f"saison {season}, tous les sites"
    return [
        Measure(
            "dashboard_first",
            f"Tableau de bord, première ouverture, tous les tableaux ({where})",
            [opening[1]],
            TARGET_MS,
        ),
        Measure(
            "dashboard_funnel",
            f"Tableau de bord : clic → entonnoir affiché ({where})",
            [funnel for funnel, _every in runs],
            TARGET_MS,
        ),
        Measure(
            "dashboard",
            f"Tableau de bord : clic → tous les tableaux affichés ({where})",
            [every for _funnel, every in runs],
            TARGET_MS,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "fabrique-bench.sqlite"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--season", help="the header's season (default: the current one)")
    args = parser.parse_args(argv)
    if not args.db.exists():
        prepare(args.db, "full", rebuild=False)
    backups = tempfile.TemporaryDirectory(prefix="fabrique-bench-backups-")
    os.environ["FABRIQUE_BACKUP_DIR"] = backups.name
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.ui.app import configure_application
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    configure_application(app)  # type: ignore[arg-type]
    window = MainWindow.open(f"sqlite:///{args.db}", username="Benchmark")
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    window.maintenance.wait_for_start_backup()
    while not window.is_settled:
        app.processEvents()
    if args.season:
        combo = window.header.season_combo
        combo.setCurrentIndex(combo.findText(f"Saison {args.season}"))
    measures = dashboard_measures(window, app, args.repeat)
    window.close()
    backups.cleanup()
    print(table(measures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
