#!/usr/bin/env bash
# Smoke test of the standalone bundle: builds it (python3 packaging/build_bundle.py, needs the
# `bundle` extra), then runs its program from a folder outside the source tree: the demo base,
# a convention in PDF, and --self-check (a PDF batch by worker processes, the window offscreen).
#   bash tests/smoke/bundle.sh             (NO_BUILD=1 tests the bundle already in dist/)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
source "$repo/tests/smoke/lib.sh"
PYTHON="${PYTHON:-python3}"
SMOKE_PYTHON="$PYTHON"
bundle="$repo/dist/fabrique-accueil"

if [ "${NO_BUILD:-0}" != 1 ]; then
  smoke_step "bundle build" "$PYTHON" "$repo/packaging/build_bundle.py"
fi
program="$bundle/fabrique-accueil"
[ -x "$program" ] || { echo "no bundle program at $program" >&2; exit 1; }

scratch="$(mktemp -d "${TMPDIR:-/tmp}/fabrique-bundle.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$scratch"' EXIT
echo "== bundle smoke test in $scratch ($(du -sh "$bundle" | cut -f1) bundle)"
smoke_isolate "$scratch"
smoke_application "$program" | tee self-check.txt
# The shipped files are read from inside the bundle, not from a checkout.
grep -q "Fichiers de l'application lus dans : $bundle/_internal/app/resources" self-check.txt
echo "== bundle smoke test passed in ${SECONDS} s"
