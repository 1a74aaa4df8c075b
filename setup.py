"""Only what pyproject.toml cannot say: the packages are those found under `app/`, plus the
top-level `resources/` folder (but its screenshots) shipped inside the package as
`app.resources` (its `package-dir` and the files it carries are in pyproject.toml). A static
list there would silently leave out a subpackage added later."""

from setuptools import find_namespace_packages, setup

RESOURCES = ["app.resources"] + [
    f"app.resources.{name}"
    for name in find_namespace_packages(where="resources", exclude=["screenshots*"])
]

setup(packages=[*find_namespace_packages(include=["app", "app.*"]), *RESOURCES])
