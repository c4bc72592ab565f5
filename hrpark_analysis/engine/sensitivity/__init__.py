"""第二十四条: how much one year's grades depend on the 30% cap, the 60-point mark and every reading of the text.

Four questions (issue 5), all on one year's participants given as plain arrays (:func:`year_inputs` builds
them from an evaluation frame, :mod:`.inputs`):

1. :func:`sweep` — the deterministic (share, pass mark) grid: counts, which parks change grade against the
   baseline, bonuses paid and subsidies put at risk (:mod:`.sweep`).
2. :func:`readings` — tie policy, cap rounding, inclusive pass mark and veto side by side (:mod:`.readings`).
3. :func:`monte_carlo` — expert-score noise (:mod:`.draws`): per-park P(优秀) and P(不合格) at the baseline and
   over the whole grid, expected counts with intervals, rank intervals, coin-toss parks, Kendall's tau
   (:mod:`.montecarlo`, exact count summaries in :mod:`.tallies`).
4. :func:`sobol_indices` — Sobol indices (SALib) of the fiscal outputs against the policy parameters and σ
   (:mod:`.sobol`).

The grid itself is a rule module, :mod:`hrpark_analysis.rules.grid` (why one sort per draw gives every grid
point is explained there); this package only draws, counts and tabulates.
"""

from hrpark_analysis.engine.sensitivity.draws import (
    DEFAULT_SCORE_RANGE,
    DEFAULT_SIGMA,
    DIMENSION_NOISE,
    NOISE_BLOCK,
    Progress,
    draw_scores,
    resolve_seed,
)
from hrpark_analysis.engine.sensitivity.inputs import YearInputs, sigma_from_experts, year_inputs
from hrpark_analysis.engine.sensitivity.montecarlo import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_COIN_TOSS_BAND,
    DEFAULT_DRAWS,
    DEFAULT_QUANTILES,
    DEFAULT_TAU_DRAWS,
    MonteCarlo,
    monte_carlo,
)
from hrpark_analysis.engine.sensitivity.readings import READING_OPTIONS, readings
from hrpark_analysis.engine.sensitivity.sobol import (
    DEFAULT_CONF_LEVEL,
    DEFAULT_SOBOL_N,
    DEFAULT_SOBOL_NOISE_DRAWS,
    DEFAULT_SOBOL_RESAMPLES,
    SOBOL_BOUNDS,
    SOBOL_CATEGORIES,
    SOBOL_OUTPUTS,
    sobol_indices,
)
from hrpark_analysis.engine.sensitivity.sweep import grade_changes, heatmap, sweep
from hrpark_analysis.rules.grid import DEFAULT_PASS_MARKS, DEFAULT_SHARES, grid_grades

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_COIN_TOSS_BAND",
    "DEFAULT_CONF_LEVEL",
    "DEFAULT_DRAWS",
    "DEFAULT_PASS_MARKS",
    "DEFAULT_QUANTILES",
    "DEFAULT_SCORE_RANGE",
    "DEFAULT_SHARES",
    "DEFAULT_SIGMA",
    "DEFAULT_SOBOL_N",
    "DEFAULT_SOBOL_NOISE_DRAWS",
    "DEFAULT_SOBOL_RESAMPLES",
    "DEFAULT_TAU_DRAWS",
    "DIMENSION_NOISE",
    "NOISE_BLOCK",
    "READING_OPTIONS",
    "SOBOL_BOUNDS",
    "SOBOL_CATEGORIES",
    "SOBOL_OUTPUTS",
    "MonteCarlo",
    "Progress",
    "YearInputs",
    "draw_scores",
    "grade_changes",
    "grid_grades",
    "heatmap",
    "monte_carlo",
    "readings",
    "resolve_seed",
    "sigma_from_experts",
    "sobol_indices",
    "sweep",
    "year_inputs",
]
