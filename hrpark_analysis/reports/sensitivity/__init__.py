"""The sensitivity report (issue 5, 第二十四条 / 第二十五条): every table and chart the notebook shows.

``notebooks/sensitivity.ipynb`` calls :func:`build` (:mod:`.report`) with one year's dataset and displays what
it returns: tables and their text (:mod:`.tables`) and charts (:mod:`.figures`). Every number comes from
:mod:`hrpark_analysis.engine.sensitivity`.
"""

from hrpark_analysis.reports.sensitivity.figures import (
    FRAGILE_RANGE,
    MAX_CURVES,
    curves_chart,
    probability_chart,
    sobol_chart,
    sweep_chart,
)
from hrpark_analysis.reports.sensitivity.report import (
    SOBOL_CATEGORIES,
    ProgressFactory,
    SensitivityReport,
    build,
)
from hrpark_analysis.reports.sensitivity.tables import (
    GRID_DECIMALS,
    MAX_GRID_POINTS,
    SOBOL_MIN_INDEX,
    grid,
    grid_matrix,
    park_thresholds,
    pass_mark_steps,
    probability_slices,
    reading_label,
    reading_lines,
    share_steps,
    sobol_lines,
)

__all__ = [
    "FRAGILE_RANGE",
    "GRID_DECIMALS",
    "MAX_CURVES",
    "MAX_GRID_POINTS",
    "SOBOL_CATEGORIES",
    "SOBOL_MIN_INDEX",
    "ProgressFactory",
    "SensitivityReport",
    "build",
    "curves_chart",
    "grid",
    "grid_matrix",
    "park_thresholds",
    "pass_mark_steps",
    "probability_chart",
    "probability_slices",
    "reading_label",
    "reading_lines",
    "share_steps",
    "sobol_chart",
    "sobol_lines",
    "sweep_chart",
]
