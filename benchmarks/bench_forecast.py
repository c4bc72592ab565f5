"""Issue 6 benchmark: 10,000 paths × 10 years with up to 100 parks, under 3 s and 1 GB peak memory.

Run in a fresh process: ``.venv/bin/python benchmarks/bench_forecast.py``. The history is synthetic (seeded):
55 parks certified 2019–2023 and evaluated up to the base year 2024; new parks arrive at Poisson(2) a
year, and the arrival pool (the 1 − 1e-6 quantile of the total) brings the slots to at most 100. Prints the
wall time of each stage and the peak resident memory of the process (``ru_maxrss``); the CPU time shows when other work on the machine inflates the wall time.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from hrpark_analysis.engine import forecast as fc
from hrpark_analysis.law.policy import load_policy

TIME_LIMIT_S = 3.0
MEMORY_LIMIT_MB = 1024
PATHS = 10_000
BASE_YEAR = 2024
HORIZON = 2034  # 10 forecast years
EXISTING = 55
ARRIVAL_RATE = 2.0


def synthetic_history(seed: int = 2024) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parks and their yearly scores from the forecast's own score model; no park is revoked."""
    rng = np.random.default_rng(seed)
    certified = rng.integers(2019, BASE_YEAR, EXISTING)
    parks = pd.DataFrame({"park_id": [f"P{i:03d}" for i in range(EXISTING)], "district": "渝中",
                          "certified_year": certified})  # fmt: skip
    mu = rng.normal(78, 6, EXISTING)
    rows = []
    for pid, c, m in zip(parks["park_id"], certified, mu, strict=True):
        s = m + rng.normal(0, 5)
        for year in range(c + 1, BASE_YEAR + 1):
            s = m + 0.5 * (s - m) + rng.normal(0, 4)
            rows.append([pid, year, round(float(np.clip(s, 61, 100)), 1)])
    return parks, pd.DataFrame(rows, columns=["park_id", "year", "score"])


def main() -> int:
    parks, evaluations = synthetic_history()
    policy = load_policy()
    config = fc.ForecastConfig(horizon=HORIZON, paths=PATHS, arrival_rate=ARRIVAL_RATE, budget=1500.0)

    cpu0 = time.process_time()
    t0 = time.perf_counter()
    start = fc.start_from_ledger(parks, evaluations, policy)
    t1 = time.perf_counter()
    model = fc.fit_score_model(start.evaluations, config)
    t2 = time.perf_counter()
    draws = fc.draw(start, model, config)
    t3 = time.perf_counter()
    run = fc.project(start, draws, policy, config)
    t4 = time.perf_counter()
    fc.summarize(run, config.quantiles)
    fc.budget_risk(run, config.budget)
    t5 = time.perf_counter()
    cpu = time.process_time() - cpu0
    reform = fc.project(start, draws, policy.with_overrides(["subsidy.excellent_bonus=20"]), config)
    fc.compare(run, reform, config.quantiles)
    t6 = time.perf_counter()

    n_years, paths, slots = draws.score.shape
    total = t5 - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"paths × years × slots: {paths} × {n_years} × {slots} (existing {draws.n_existing}, "
          f"max parks on a path {int(run.measures['active'].max())})")  # fmt: skip
    print(f"  ledger start  {t1 - t0:6.3f} s")
    print(f"  fit           {t2 - t1:6.3f} s  (phi={model.phi:.3f}, sigma={model.sigma:.2f}, "
          f"mu={model.mu_mean:.1f}±{model.mu_sd:.1f})")  # fmt: skip
    print(f"  draws         {t3 - t2:6.3f} s")
    print(f"  rules         {t4 - t3:6.3f} s  (grade_scores + subsidy.step, {n_years} years)")
    print(f"  summaries     {t5 - t4:6.3f} s")
    print(
        f"baseline forecast total {total:6.3f} s (limit {TIME_LIMIT_S} s); CPU time {cpu:.3f} s on 2 threads"
    )
    print(f"one reform on the same draws + difference table {t6 - t5:6.3f} s")
    print(f"peak memory (ru_maxrss) {peak_mb:7.1f} MB (limit {MEMORY_LIMIT_MB} MB)")
    ok = total < TIME_LIMIT_S and peak_mb < MEMORY_LIMIT_MB
    print("OK" if ok else "OVER LIMIT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
