"""Benchmark (issue 12): what opening a user's file safely costs, and how fast hostile files are refused.

- ``read_table`` of a 200,000-row GBK CSV (decoding, the GB18030 plausibility test, one record per line);
- 第八条 ``eligibility.assess`` of 200,000 applicants with exact thresholds;
- the YAML loader on the shipped policy file, a "billion laughs" file and 5,000 levels of nesting.

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_input_files.py``. Not a test: timings vary.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis.errors import InputError
from hrpark_analysis.io.tables import read_table
from hrpark_analysis.law import yamlfile
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.rules import eligibility


def timed(fn) -> float:
    start = time.perf_counter()
    with contextlib.suppress(InputError):  # the hostile files are refused: their refusal is what is timed
        fn()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = ["park_id,name,district,note"] + [
            f"P{i},重庆人力资源服务产业园{i},渝中区,园区备注说明{i}" for i in range(200_000)
        ]
        path = Path(tmp) / "big.csv"
        path.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
        size = path.stat().st_size / 2**20
        t_csv = timed(lambda: read_table(path))
    print(f"read_table, 200,000-row GBK CSV ({size:.1f} MiB): {t_csv:.2f} s")

    n = 200_000
    rng = np.random.default_rng(0)
    applicants = pd.DataFrame({
        "applicant_id": np.arange(n).astype(str),
        "region": rng.choice(["main_city", "northeast", "southeast"], n),
        "online_offline": rng.random(n) < 0.5,
        **{f: True for f in eligibility.FACTS},
        **{col: rng.random(n) * 30_000 for _, col, _ in eligibility.QUANTITATIVE},
    })  # fmt: skip
    rules = eligibility.rule_arguments(load_policy(overrides=["eligibility.regional_relaxation=0.55"]))
    print(
        f"第八条 assess, 200,000 applicants, exact thresholds: {timed(lambda: eligibility.assess(applicants, **rules)) * 1000:.0f} ms"
    )

    shipped = resources.files("hrpark_analysis").joinpath("law", "policy-2021.yaml").read_text("utf-8")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 10)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    deep = "k: " + "[" * 5000 + "]" * 5000 + "\n"
    for name, text in [("shipped policy file", shipped), ("billion laughs (refused)", laughs),
                       ("5,000 levels of nesting (refused)", deep)]:  # fmt: skip
        print(f"YAML loader, {name}: {timed(lambda t=text: yamlfile.load_text(t, 'x.yaml')) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
