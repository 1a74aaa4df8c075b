"""Build the standalone bundle: `python3 packaging/build_bundle.py` (Linux or Windows).

Run it with a Python that has the project's dependencies and the `bundle` extra installed
(`python3 -m pip install -e ".[bundle]"`); the bundle is the folder dist/fabrique-accueil/,
its program dist/fabrique-accueil/fabrique-accueil (fabrique-accueil.exe on Windows). The
build is made from this checkout (pathex), whatever copy of `app` is installed.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "fabrique-accueil.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
NAME = "fabrique-accueil"


def main() -> int:
    try:
        import PyInstaller.__main__
    except ModuleNotFoundError:
        print('PyInstaller is missing: python3 -m pip install -e ".[bundle]"', file=sys.stderr)
        return 2
    started = time.monotonic()
    PyInstaller.__main__.run(
        [
            str(SPEC),
            "--noconfirm",
            "--log-level=WARN",
            f"--distpath={DIST}",
            f"--workpath={WORK}",
        ]
    )
    program = DIST / NAME / (NAME + (".exe" if sys.platform == "win32" else ""))
    if not program.is_file():
        print(f"no program at {program}", file=sys.stderr)
        return 1
    print(f"bundle built in {time.monotonic() - started:.0f} s: {program}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
