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


@pytest.fixture
def document_headings():
    """A function: the bookmarks of a report's PDF and the Heading-styled paragraphs of its DOCX.

    Used by each report's end-to-end test to check that both documents carry every section of the report.
    """

    def read(stem: Path) -> tuple[set[str], set[str]]:
        import docx
        import pypdf

        titles: set[str] = set()
        stack = list(pypdf.PdfReader(stem.with_suffix(".pdf")).outline)
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            else:
                titles.add(item.title)
        document = docx.Document(stem.with_suffix(".docx"))
        headings = {p.text for p in document.paragraphs if p.style.name.startswith("Heading")}
        return titles, headings

    return read
