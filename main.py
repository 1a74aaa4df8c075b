"""Fabrique Accueil entry point: `python main.py --help` (also the standalone bundle's)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # Before anything else: in a standalone bundle, a worker process of a PDF batch starts as
    # this program and must run its task (no effect outside a bundle).
    multiprocessing.freeze_support()
    from app.cli import main

    sys.exit(main())
