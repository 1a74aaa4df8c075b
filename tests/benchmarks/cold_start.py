"""Child process of the benchmark: open the window on a database, report when it is usable.

Prints one JSON line: seconds from interpreter start to the candidates table filled and
painted, and the peak memory (resident set) once the window has been used a little.
"""

import json
import os
import resource
import sys
import time

from PySide6.QtWidgets import QApplication


def main() -> None:
    url, launched = sys.argv[1], float(sys.argv[2])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.app import configure_application
    from app.ui.main_window import MainWindow

    app = QApplication([])
    configure_application(app)
    window = MainWindow.open(url, username="Benchmark")
    window.resize(1400, 860)
    window.show()
    table = window.candidates_view.table
    model = table.model()
    deadline = time.time() + 120
    while model.rowCount() == 0 or model.index(0, 0).data() is None:
        if time.time() > deadline:
            sys.exit("the candidates table stayed empty")
        app.processEvents()
    table.viewport().repaint()
    app.processEvents()
    ready = time.time() - launched
    for name in ("orientation", "agreements", "candidates"):
        window.show_view(name)
        app.processEvents()
    window.candidates_view.search.setText("martin")
    window.candidates_view.apply_filters()
    app.processEvents()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"ready": ready, "peak_mb": peak_kb / 1024}))
    sys.stdout.flush()
    os._exit(0)  # no backup on quit, no teardown: only the start is measured


if __name__ == "__main__":
    main()
