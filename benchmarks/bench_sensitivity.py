"""Benchmark (issue 5): Monte Carlo of 第二十四条 grades over the default 46 × 31 (share, pass mark) grid.

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_sensitivity.py``. Not a test: timings vary.

- 50 parks × 10,000 draws with per-park probabilities: target < 2 s and peak memory < 1 GB (measured in a
  fresh process: ``ru_maxrss`` of the whole process, interpreter and imports included, and the tracemalloc
  peak of the call alone).
- 1,000,000 draws: target < 60 s.
- Speed-up over the oracle of tests/test_sensitivity.py (``grade_scores`` once per draw and grid point),
  timed on a few draws and extrapolated linearly to 10,000; and over a grid loop that calls ``grade_scores``
  once per grid point with all draws as a leading axis, timed on 1,000 draws and extrapolated likewise.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from hrpark_analysis.engine import sensitivity
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.rules.grading import grade_scores

ROOT = Path(__file__).resolve().parents[1]
N_PARKS = 50
SEED = 2025


def inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """50 parks on half points (ties), a few vetoes, this year's base due (第十一条 150/100/50 or 0)."""
    policy = load_policy()
    rng = np.random.default_rng(0)
    score = np.round(rng.normal(75, 10, N_PARKS).clip(0, 100) * 2) / 2
    veto = rng.random(N_PARKS) < 0.04
    base_due = rng.choice([0.0, 50.0, 100.0, 150.0], N_PARKS)
    args = {**policy.section("grading"), "excellent_bonus": policy["subsidy.excellent_bonus"]}
    return score, veto, base_due, args


def run(draws: int) -> float:
    score, veto, base_due, args = inputs()
    start = time.perf_counter()
    mc = sensitivity.monte_carlo(score, veto, base_due, draws=draws, seed=SEED, **args)
    mc.parks(), mc.counts(), mc.tau_summary()  # the summaries a report shows
    return time.perf_counter() - start


def child(draws: int, trace: bool) -> None:
    """In a fresh process: time and peak RSS of one run, then (``trace``) the tracemalloc peak of a second."""
    seconds = run(draws)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    traced_mb = float("nan")
    if trace:  # tracing slows allocation down: a separate, untimed run
        tracemalloc.start()
        run(draws)
        traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(json.dumps({"seconds": seconds, "maxrss_mb": rss_mb, "traced_peak_mb": traced_mb}))


def fresh(draws: int, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", str(draws), "trace" if trace else "time"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def oracle_seconds_per_draw(draws: int) -> float:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_sensitivity import oracle_grades

    score, veto, _, args = inputs()
    grading_args = {k: v for k, v in args.items() if k != "excellent_bonus"}
    drawn = sensitivity.draw_scores(score, sensitivity.DEFAULT_SIGMA, draws, seed=SEED)
    start = time.perf_counter()
    oracle_grades(drawn, veto, None, sensitivity.DEFAULT_SHARES, sensitivity.DEFAULT_PASS_MARKS, grading_args)
    return (time.perf_counter() - start) / draws


def grid_loop_seconds_per_draw(draws: int) -> float:
    score, veto, _, args = inputs()
    grading_args = {k: v for k, v in args.items() if k != "excellent_bonus"}
    drawn = sensitivity.draw_scores(score, sensitivity.DEFAULT_SIGMA, draws, seed=SEED)
    start = time.perf_counter()
    for share in sensitivity.DEFAULT_SHARES:
        for mark in sensitivity.DEFAULT_PASS_MARKS:
            g = grade_scores(
                drawn, veto, **{**grading_args, "excellent_share": share, "pass_mark": mark}
            ).grade
            (g == 2).sum(0), (g == 0).sum(0)  # per-park counts, as the fast version keeps
    return (time.perf_counter() - start) / draws


def main() -> None:
    grid = len(sensitivity.DEFAULT_SHARES) * len(sensitivity.DEFAULT_PASS_MARKS)
    small = fresh(10_000, trace=True)
    large = fresh(1_000_000)
    oracle_draws, loop_draws = 5, 1_000
    oracle = oracle_seconds_per_draw(oracle_draws) * 10_000
    loop = grid_loop_seconds_per_draw(loop_draws) * 10_000
    rows = [
        ("fast: 10,000 draws (target < 2 s)", f"{small['seconds']:.2f} s"),
        ("  peak RSS, fresh process (target < 1 GB)", f"{small['maxrss_mb']:.0f} MB"),
        ("  tracemalloc peak of the call", f"{small['traced_peak_mb']:.0f} MB"),
        ("fast: 1,000,000 draws (target < 60 s)", f"{large['seconds']:.1f} s"),
        ("  peak RSS, fresh process", f"{large['maxrss_mb']:.0f} MB"),
        (
            f"oracle, 10,000 draws (timed on {oracle_draws}, ×{10_000 // oracle_draws} linear)",
            f"{oracle:.0f} s",
        ),
        ("  speed-up of the fast version", f"×{oracle / small['seconds']:,.0f}"),
        (
            f"grid loop, 10,000 draws (timed on {loop_draws:,}, ×{10_000 // loop_draws} linear)",
            f"{loop:.1f} s",
        ),
        ("  speed-up of the fast version", f"×{loop / small['seconds']:,.0f}"),
    ]
    print(f"{N_PARKS} parks × {grid} grid points (46 shares × 31 pass marks), per-park probabilities")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>10}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), trace=sys.argv[3] == "trace")
    else:
        main()
