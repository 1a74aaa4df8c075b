"""The files shipped with the application (fonts, clause templates, icons), read through
importlib.resources.

The build maps the top-level `resources/` folder to the subpackage `app.resources`
(pyproject.toml), so an installed wheel or a PyInstaller bundle carries them inside `app`.
A checkout run without that mapping (`python main.py`, PYTHONPATH, an editable install made
before it) has no `app.resources`: the `resources/` folder beside `app/` is used instead.

No Qt and no reportlab here: both the PDF code and the window use it.
"""

import atexit
from contextlib import ExitStack
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "app.resources"

_extracted = ExitStack()  # files copied out of a non-file package, removed at exit
atexit.register(_extracted.close)


@cache
def resources_root() -> Traversable:
    """The folder holding `fonts/`, `clauses/`, `icons/` and `app-icon.svg`."""
    try:
        return resources.files(PACKAGE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "resources"


def resource(*parts: str) -> Traversable:
    """A shipped file or folder, e.g. `resource("clauses", "convention.md")`; open it with
    `.read_text()`, `.read_bytes()` or `.open()`."""
    node = resources_root()
    for part in parts:
        node = node.joinpath(part)
    return node


@cache
def resource_path(*parts: str) -> Path:
    """A real file path, for libraries that open the file themselves (reportlab's TTFont,
    QIcon). An installed package or a bundle holds real files; a package read from an
    archive has the file copied to a temporary file, kept until the process exits."""
    node = resource(*parts)
    if isinstance(node, Path):
        return node
    return _extracted.enter_context(resources.as_file(node))
