"""The shipped files: read through app.resources_access, and all declared as package data
(a file the patterns miss would be absent from an installed package, not from a checkout)."""

import tomllib
from pathlib import Path, PurePosixPath

from app.resources_access import resource, resource_path, resources_root

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
NOT_SHIPPED = ("screenshots",)  # README illustrations


def test_every_resource_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["package-dir"]["app.resources"] == "resources"
    patterns = {
        package.removeprefix("app.resources").replace(".", "/").lstrip("/"): globs
        for package, globs in config["tool"]["setuptools"]["package-data"].items()
        if package.startswith("app.resources")
    }
    missed = []
    for path in RESOURCES.rglob("*"):
        relative = path.relative_to(RESOURCES)
        if path.is_dir() or relative.parts[0] in NOT_SHIPPED or "__pycache__" in relative.parts:
            continue
        if path.suffix == ".py":
            continue  # the package's module, shipped as code
        folder = "" if relative.parent == Path() else relative.parent.as_posix()
        name = PurePosixPath(relative.name)
        if not any(name.match(glob) for glob in patterns.get(folder, [])):
            missed.append(relative.as_posix())
    assert missed == [], "add them to [tool.setuptools.package-data] in pyproject.toml"


def test_resources_are_real_files() -> None:
    assert resources_root().joinpath("clauses").is_dir()
    template = resource("clauses", "convention.md").read_text(encoding="utf-8")
    assert "## " in template
    font = resource_path("fonts", "DejaVuSans.ttf")
    assert isinstance(font, Path)
    assert font.is_file()
    assert font.read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType file, as reportlab reads
    assert resource("icons", "missing.svg").is_file() is False
