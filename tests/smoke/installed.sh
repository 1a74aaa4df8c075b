#!/usr/bin/env bash
# Smoke test of a NON-editable install: the project is installed with pip into a new virtual
# environment (dependencies from PyPI, through pip's cache), then used from a folder outside
# the source tree: `app` must come from the environment, the resources from its package.
#   bash tests/smoke/installed.sh          (KEEP=1 keeps the scratch folder)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
source "$repo/tests/smoke/lib.sh"
PYTHON="${PYTHON:-python3}"
SMOKE_PYTHON="$PYTHON"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/fabrique-installed.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$scratch"' EXIT
echo "== installed package smoke test in $scratch"

# pip builds in the source folder (build/, *.egg-info): build from a copy of the work tree.
mkdir "$scratch/src"
tar -C "$repo" -cf - --exclude=.git --exclude=build --exclude=dist --exclude='*.egg-info' \
  --exclude=__pycache__ --exclude=.venv --exclude=.mypy_cache --exclude=.pytest_cache \
  --exclude=.ruff_cache --exclude=.hypothesis . | tar -C "$scratch/src" -xf -

smoke_step "virtual environment" "$PYTHON" -m venv "$scratch/venv"
venv_python="$scratch/venv/bin/python"
pip_install() {  # pip's output only when it fails
  "$venv_python" -m pip install --disable-pip-version-check "$@" >"$scratch/pip.log" 2>&1 ||
    { cat "$scratch/pip.log" >&2; return 1; }
}
smoke_step "pip install (non-editable)" pip_install "$scratch/src"
rm -rf "$scratch/src"  # nothing left to import from by mistake

smoke_isolate "$scratch"
smoke_step "installed package" "$venv_python" - "$scratch/venv" <<'PY'
import sys
from pathlib import Path

import app
from app.resources_access import resource_path, resources_root

venv = Path(sys.argv[1]).resolve()
for where in (Path(app.__file__), Path(str(resources_root())), resource_path("app-icon.svg")):
    assert venv in where.resolve().parents, f"{where} is not in {venv}"
assert resource_path("fonts", "DejaVuSans.ttf").is_file(), "no font in the package"
print(f"app from {Path(app.__file__).parent}")
PY

smoke_application "$scratch/venv/bin/fabrique-accueil"

smoke_step "window (MainWindow.open)" "$venv_python" - <<'PY'
from PySide6.QtWidgets import QApplication

from app.ui.app import DEMO_USER, configure_application
from app.ui.main_window import MainWindow

application = QApplication([])
configure_application(application)
window = MainWindow.open("sqlite:///demo.sqlite", username=DEMO_USER)
window.show()
window.show_view("agreements")
application.processEvents()
assert window.isVisible()
window.close()
application.processEvents()
print("window opened on the demo and closed")
PY
echo "== installed package smoke test passed in ${SECONDS} s"
