"""Shared test setup: hypothesis profiles, numpy errors as failures, fixture folders not collected."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

collect_ignore_glob = ["fixtures/*"]

# CI profile: fewer examples and derandomized so a run is reproducible and fits the time budget.
settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _numpy_errors_raise():
    """Silent NaN or overflow in numpy becomes a failure (STYLE.md: Tax-Calculator habit)."""
    old = np.seterr(all="raise")
    yield
    np.seterr(**old)


@pytest.fixture
def repo() -> Path:
    return REPO
