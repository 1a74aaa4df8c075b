"""Writing a document to a file object, or to a path atomically (no reportlab here: the
windows that save PDFs load it only when they render one)."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_pdf(out: Path | BinaryIO, build: Callable[[BinaryIO], object]) -> None:
    """Run `build` into `out`: a file object directly, a path atomically (temp + replace)."""
    if not isinstance(out, Path):
        build(out)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            build(tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
