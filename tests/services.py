"""Which outside services the tests need, and what to do when one is missing.

On a developer's machine a missing service skips the tests that need it, saying which and why. Under CI
(CI=true) nothing is skipped: a missing service fails the run and names itself.
"""

from __future__ import annotations

import os
import shutil

import pytest

POSTGRES_ADMIN_URL = os.environ.get("MIDAS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM_PATH = os.environ.get("MIDAS_TEST_CHROMIUM", "/usr/bin/chromium")


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(service: str, why: str) -> None:
    """Skip (on a developer's machine) or fail (under CI) because a service is not there."""
    message = f"{service} is not available: {why}"
    if under_ci():
        pytest.fail(f"CI needs {message}", pytrace=False)
    pytest.skip(message)


def chromium_available() -> bool:
    return shutil.which(CHROMIUM_PATH) is not None or os.path.exists(CHROMIUM_PATH)
