"""第二十四条 / 第二十五条: Sobol indices (SALib) of the fiscal outputs against the policy parameters and σ."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from hrpark_analysis.engine.sensitivity.draws import (
    DEFAULT_SCORE_RANGE,
    DEFAULT_SIGMA,
    Progress,
    draw_scores,
    drawn_dimensions,
    progress_callback,
    resolve_seed,
)
from hrpark_analysis.rules.grading import TIE_POLICIES, below_pass_mark, excellent_cap
from hrpark_analysis.rules.grid import dimension_keys, rank_and_min_cap

SOBOL_BOUNDS: dict[str, tuple[float, float]] = {
    "excellent_share": (0.05, 0.50),
    "pass_mark": (50.0, 80.0),
    "sigma": (0.0, 4.0),
}
SOBOL_CATEGORIES: dict[str, tuple] = {
    "tie_policy": TIE_POLICIES,
    "cap_rounding": ("floor", "round", "ceil"),
    "pass_mark_inclusive": (False, True),
}
SOBOL_OUTPUTS = ("total_bonus", "n_unqualified", "at_risk")
DEFAULT_SOBOL_N = 256  # SALib base sample (a power of 2); rows = N × (factors + 2)
DEFAULT_SOBOL_NOISE_DRAWS = 64
DEFAULT_SOBOL_RESAMPLES = 100
DEFAULT_CONF_LEVEL = 0.95
_SOBOL_ROWS_PER_CHUNK = 256  # memory only: rows × noise draws × parks evaluated at once


def _decode(u: np.ndarray, values: Sequence) -> np.ndarray:
    """A uniform [0, 1) factor mapped to one of ``values`` by floor(u × k) (the last one for u = 1)."""
    index = np.minimum((np.asarray(u) * len(values)).astype(np.int64), len(values) - 1)
    return np.asarray(values, dtype=object)[index]


def sobol_indices(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    base_due: np.ndarray | None = None,
    *,
    excellent_bonus: float,
    dimensions: Mapping[str, np.ndarray] | None = None,
    sigma: float = DEFAULT_SIGMA,
    bounds: Mapping[str, tuple[float, float]] = SOBOL_BOUNDS,
    categories: Mapping[str, Sequence] = SOBOL_CATEGORIES,
    outputs: Sequence[str] = SOBOL_OUTPUTS,
    n_base: int = DEFAULT_SOBOL_N,
    noise_draws: int = DEFAULT_SOBOL_NOISE_DRAWS,
    seed: int | None = None,
    noise: Any = scipy.stats.norm,
    score_range: tuple[float, float] = DEFAULT_SCORE_RANGE,
    dimension_noise: str = "fixed",
    num_resamples: int = DEFAULT_SOBOL_RESAMPLES,
    conf_level: float = DEFAULT_CONF_LEVEL,
    progress: Progress = None,
    **grading_args: Any,
) -> pd.DataFrame:
    """第二十四条 / 第二十五条: Sobol indices of total bonus, number 不合格 and subsidy at risk (SALib).

    Factors: the continuous ``bounds`` (``excellent_share``, ``pass_mark``, ``sigma``; uniform) and the
    ``categories`` (``tie_policy``, ``cap_rounding``, ``pass_mark_inclusive``; ``veto_enabled`` may be added),
    each sampled as uniform [0, 1) and mapped to a category by floor(u × k): the indices of a categorical
    factor are those of that step function of u, which gives every category equal weight. Factors not listed
    keep their ``grading_args`` value (``sigma`` its argument). Samples: ``SALib.sample.sobol.sample(problem,
    n_base, calc_second_order=False)``, N × (factors + 2) rows. Each row's output is the mean over the same
    ``noise_draws`` standard draws (common random numbers: draw = recorded + σ × Z with Z fixed across
    rows). Without complete subtotals the ``dimension`` tie policy is left out of the categories.

    Returns one row per (output, factor): S1, S1_conf, ST, ST_conf (confidence half-widths at
    ``conf_level``, SALib bootstrap), the factor kind and the output's mean and standard deviation. An output
    that does not vary over the sample has undefined indices (NaN).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    score = np.asarray(score, dtype=float)
    n = len(score)
    veto = np.zeros(n, bool) if veto is None else np.asarray(veto, dtype=bool)
    base_due = np.zeros(n) if base_due is None else np.asarray(base_due, dtype=float)
    unknown = set(outputs) - set(SOBOL_OUTPUTS)
    if unknown:
        raise ValueError(f"unknown outputs {sorted(unknown)}: choose from {SOBOL_OUTPUTS}")
    cats = {name: list(values) for name, values in categories.items()}
    if dimensions is None and "dimension" in cats.get("tie_policy", []):
        cats["tie_policy"].remove("dimension")
    names = list(bounds) + list(cats)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(map(float, bounds[name])) for name in bounds] + [[0.0, 1.0]] * len(cats),
    }
    seeds = np.random.SeedSequence(resolve_seed(seed)).generate_state(3)
    # SALib's analyze treats a seed of 0 as "no seed": keep every derived seed nonzero
    sample_seed, noise_seed, analyze_seed = (int(s) | 1 for s in seeds)
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=sample_seed)
    rows = len(x)
    factor = {
        name: (x[:, i] if name in bounds else _decode(x[:, i], cats[name])) for i, name in enumerate(names)
    }
    per_row = {}
    for name in (
        "excellent_share",
        "pass_mark",
        "tie_policy",
        "cap_rounding",
        "pass_mark_inclusive",
        "veto_enabled",
    ):
        per_row[name] = factor.get(name, np.full(rows, grading_args[name], dtype=object))
    sigmas = np.asarray(factor.get("sigma", np.full(rows, sigma)), dtype=float)
    z = draw_scores(
        np.zeros(n), 1.0, noise_draws, seed=noise_seed, noise=noise, score_range=(-np.inf, np.inf)
    )
    caps = np.array([
        int(excellent_cap(n, excellent_share=float(s), cap_rounding=str(r)))
        for s, r in zip(per_row["excellent_share"], per_row["cap_rounding"], strict=True)
    ])  # fmt: skip
    pms = np.asarray(per_row["pass_mark"], dtype=float)
    inclusive = np.asarray(per_row["pass_mark_inclusive"], dtype=bool)
    veto_on = np.asarray(per_row["veto_enabled"], dtype=bool)
    tie = np.asarray(per_row["tie_policy"], dtype=object)
    if any(t == "dimension" for t in tie):
        dims = dimension_keys(dimensions, grading_args["tie_break_order"], n)
    else:
        dims = []
    min_score = grading_args["excellent_min_score"]

    n_exc = np.empty(rows)
    n_unq = np.empty(rows)
    at_risk = np.empty(rows)
    update, close = progress_callback(progress, rows)
    try:
        for lo in range(0, rows, _SOBOL_ROWS_PER_CHUNK):
            hi = min(lo + _SOBOL_ROWS_PER_CHUNK, rows)
            r = np.arange(lo, hi)
            drawn = np.clip(score + sigmas[r, None, None] * z[None], *score_range)  # (rows, draws, parks)
            vetoed = veto[None, None, :] & veto_on[r, None, None]
            eligible = ~vetoed
            if min_score is not None:
                eligible = eligible & (drawn >= min_score)
            eligible = np.broadcast_to(eligible, drawn.shape)
            flat = drawn.reshape(-1, n)
            min_cap = np.empty(flat.shape, dtype=np.int64)
            for policy in np.unique(tie[r]).tolist():
                in_policy = np.repeat(tie[r] == policy, noise_draws)
                keys = (
                    drawn_dimensions(dims, score, flat[in_policy], dimension_noise)
                    if policy == "dimension"
                    else []
                )
                _, min_cap[in_policy] = rank_and_min_cap(
                    flat[in_policy], eligible.reshape(-1, n)[in_policy], keys, tie_policy=policy
                )
            min_cap = min_cap.reshape(drawn.shape)
            mark = pms[r, None, None]
            passes = ~below_pass_mark(drawn, pass_mark=mark, pass_mark_inclusive=inclusive[r, None, None])
            excellent = eligible & passes & (min_cap <= caps[r, None, None])
            unqualified = vetoed | ~passes
            n_exc[lo:hi] = excellent.sum(axis=-1).mean(axis=-1)
            n_unq[lo:hi] = unqualified.sum(axis=-1).mean(axis=-1)
            at_risk[lo:hi] = (unqualified * base_due).sum(axis=-1).mean(axis=-1)
            update(hi)
    finally:
        close()

    values = {"total_bonus": n_exc * float(excellent_bonus), "n_unqualified": n_unq, "at_risk": at_risk}
    frames = []
    for output in outputs:
        y = values[output]
        if np.ptp(y) == 0:
            s1 = s1c = st = stc = np.full(len(names), np.nan)
        else:
            result = sobol_analyze.analyze(
                problem, y, calc_second_order=False, num_resamples=num_resamples, conf_level=conf_level,
                seed=analyze_seed,
            )  # fmt: skip
            s1, s1c, st, stc = (np.asarray(result[key]) for key in ("S1", "S1_conf", "ST", "ST_conf"))
        frames.append(pd.DataFrame({
            "output": output, "factor": names,
            "kind": ["continuous" if name in bounds else "categorical" for name in names],
            "S1": s1, "S1_conf": s1c, "ST": st, "ST_conf": stc,
            "output_mean": float(y.mean()), "output_std": float(y.std()),
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)
