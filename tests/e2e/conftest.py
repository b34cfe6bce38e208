"""Everything here starts real processes or a browser: the slow tier (``pytest -m "not slow"`` skips it)."""
from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.slow)
