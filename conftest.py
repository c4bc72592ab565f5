"""Loaded by pytest before it collects anything, so it also covers nbval's runs of the committed notebooks."""

from __future__ import annotations

import os

from hrpark_analysis.reports.execute import KERNEL_ENVIRONMENT

# nbval's kernels inherit this process's environment: the same warning filter as the report runner's kernels,
# so a third-party warning can neither fail nbval nor put an install path into a notebook.
os.environ.update(KERNEL_ENVIRONMENT)
