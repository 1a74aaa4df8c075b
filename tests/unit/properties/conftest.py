"""Property tests share the root fixtures (a migrated database per test)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # When a property fails, Hypothesis imports libcst (if installed) to suggest a patch;
    # libcst warns about mypy_extensions, and warnings are errors: keep the real failure.
    config.addinivalue_line(
        "filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
    )
