"""Benchmark (issue 2): grade 100,000 parks in one year; build the ledger of 10,000 parks × 10 years.

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_engine.py``. Not a test: timings vary.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from hrpark_analysis.engine import ledger
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.rules.grading import grade_scores


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    policy = load_policy()
    rng = np.random.default_rng(0)
    scores = np.round(rng.normal(75, 10, 100_000).clip(0, 100), 1)  # one decimal: many ties
    veto = rng.random(100_000) < 0.01
    t_grade = best_of(lambda: grade_scores(scores, veto, **policy.section("grading")))

    n, years = 10_000, 10
    parks = pd.DataFrame({
        "park_id": [f"P{i:05d}" for i in range(n)], "district": "渝中",
        "certified_year": 2020,
    })  # fmt: skip
    evals = pd.DataFrame({
        "park_id": np.repeat(parks["park_id"].to_numpy(), years),
        "year": np.tile(np.arange(2021, 2021 + years), n),
        "score": np.round(rng.normal(78, 8, n * years).clip(0, 100), 1),
        "veto": False, "rectified": 1.0,
        "score_economic": np.nan, "score_role": np.nan, "score_operations": np.nan,
    })  # fmt: skip
    evals["_row"] = np.arange(len(evals)) + 2
    # a park with two unqualified years is revoked; drop its later rows so the input stays valid
    valid = []
    for _, g in evals.groupby("park_id", sort=False):
        unq = (g["score"] < 60).to_numpy()
        run = np.flatnonzero(unq[1:] & unq[:-1])
        valid.append(g.iloc[: run[0] + 2] if len(run) else g)
    evals = pd.concat(valid, ignore_index=True)
    t_ledger = best_of(lambda: ledger.build(parks, evals, policy))

    print(f"grade 100,000 parks (one year, with ties and vetoes): {t_grade * 1000:.0f} ms")
    print(f"ledger 10,000 parks × 10 years ({len(evals):,} evaluations): {t_ledger * 1000:.0f} ms")


if __name__ == "__main__":
    main()
