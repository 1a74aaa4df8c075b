# Shared by installed.sh and bundle.sh (sourced): the same checks on an installed
# `fabrique-accueil` executable, run away from the source tree.

SMOKE_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SMOKE_PYTHON="${PYTHON:-python3}"  # the checkout's Python (pypdf from the test extra) reads the PDF

# Everything the application writes goes under $1, Qt draws offscreen, and nothing points
# back at a checkout or at the user's own base.
smoke_isolate() {
  local scratch="$1"
  mkdir -p "$scratch/home" "$scratch/work"
  export HOME="$scratch/home"
  export XDG_CONFIG_HOME="$scratch/home/.config" XDG_DATA_HOME="$scratch/home/.local/share"
  export XDG_CACHE_HOME="$scratch/home/.cache" XDG_STATE_HOME="$scratch/home/.local/state"
  export FABRIQUE_DATA_DIR="$scratch/data" FABRIQUE_LOG_DIR="$scratch/logs"
  export FABRIQUE_SETTINGS_DIR="$scratch/settings"
  export QT_QPA_PLATFORM=offscreen
  unset PYTHONPATH PYTHONHOME FABRIQUE_DB FABRIQUE_BACKUP_DIR FABRIQUE_PASSWORD
  cd "$scratch/work"
}

smoke_step() {  # smoke_step LABEL COMMAND...: runs it, tells (on stderr) how long it took
  local label="$1" started=$SECONDS
  shift
  echo "-- $label" >&2
  "$@"
  echo "   ($((SECONDS - started)) s)" >&2
}

# The demo base, a convention printed to PDF and read back, then --self-check: a PDF batch by
# worker processes and the window with every view (app/self_check.py).
smoke_application() {
  local exe="$1"
  smoke_step "$exe --help" "$exe" --help >/dev/null
  smoke_step "seed-demo" "$exe" seed-demo --db demo.sqlite >seed.txt
  grep -q "conventions" seed.txt
  smoke_step "convention-pdf" \
    "$exe" convention-pdf FAB-2026-0001 --db demo.sqlite --out convention.pdf
  smoke_step "PDF text" "$SMOKE_PYTHON" "$SMOKE_HERE/check_pdf.py" convention.pdf \
    "Convention de stage" "FAB-2026-0001"
  smoke_step "--self-check" "$exe" --self-check --db demo.sqlite
}
