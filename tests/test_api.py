"""The public API ``import hrpark_analysis as hp`` (issue 16): the Done-when checks, ``compare`` against
ledgers compared by hand, and the wrappers agreeing with each other."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hrpark_analysis as hp
from hrpark_analysis.errors import InputError, ParameterError

MONEY = ["base_due", "base_paid", "bonus", "pending", "cancelled", "district_match"]


@pytest.fixture(scope="module")
def sample():
    return hp.sample_dataset(2025)


@pytest.fixture(scope="module")
def baseline():
    return hp.load_policy()


def hand_compare(a, b) -> set[tuple[str, int]]:
    """The park-years whose grade, status or any amount differs, found by merging two ledgers here."""
    m = a.ledger.merge(b.ledger, on=["park_id", "year"], how="outer", suffixes=("_a", "_b"), validate="1:1")
    differs = (m["grade_a"] != m["grade_b"]) | (m["status_a"] != m["status_b"])
    for c in MONEY:
        differs |= (m[f"{c}_a"] - m[f"{c}_b"]).abs() > 1e-6
    return set(zip(m.loc[differs, "park_id"], m.loc[differs, "year"], strict=True))


def listed(frame: pd.DataFrame) -> set[tuple[str, int]]:
    return set(zip(frame["park_id"], frame["year"], strict=True))


def test_done_when_one_liner_runs_in_a_fresh_interpreter():
    code = (
        "import hrpark_analysis as hp; p = hp.load_policy(); d = hp.sample_dataset(2025); "
        "r = hp.evaluate(d.parks, d.evaluations, p); print(len(r.grades))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    d = hp.sample_dataset(2025)
    # one grade per evaluation row: the past results plus the scored year
    assert out.stdout.strip() == str(len(d.evaluations))
    assert int(out.stdout) == 8 + 16 + 24  # 2023–2025: the sample's 8, 16 and 24 parks taking part


def test_import_is_light_and_names_are_listed():
    code = "import sys, hrpark_analysis as hp; print('pandas' in sys.modules, 'compare' in dir(hp))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]
    with pytest.raises(AttributeError):
        _ = hp.no_such_function
    from hrpark_analysis import api

    assert set(hp.__all__) - {"__version__"} == set(api.__all__)


def test_compare_share_20_lists_exactly_the_changed_park_years(sample, baseline):
    reform = hp.load_policy(overrides=["grading.excellent_share=0.2"])
    got = hp.compare(baseline, reform, sample.parks, sample.evaluations)
    a = hp.evaluate(sample.parks, sample.evaluations, baseline)
    b = hp.evaluate(sample.parks, sample.evaluations, reform)
    assert listed(got) == hand_compare(a, b)
    assert len(got) == len(listed(got))
    # by hand: the cap falls from floor(0.3 n) to floor(0.2 n); each year loses the 优秀 beyond the new cap,
    # and each lost 优秀 is one 优秀 bonus (第二十五条(一)) less, nothing else
    bonus = baseline["subsidy.excellent_bonus"]
    for _, y in a.years.iterrows():
        lost = y["n_excellent"] - min(y["n_excellent"], math.floor(0.2 * y["n_participants"]))
        rows = got[got["year"] == y["year"]]
        assert len(rows) == lost, y["year"]
        assert (rows["grade_a"] == "excellent").all() and (rows["grade_b"] == "qualified").all()
    assert (got["paid_diff"] == -bonus).all() and (got["bonus_diff"] == -bonus).all()
    assert (got["base_paid_diff"] == 0).all()
    assert (got["changed"] == "grade, paid, bonus").all()


def test_compare_all_rows_covers_the_ledger(sample, baseline):
    reform = hp.load_policy(overrides=["grading.pass_mark=65"])
    every = hp.compare(baseline, reform, sample.parks, sample.evaluations, all_rows=True)
    a = hp.evaluate(sample.parks, sample.evaluations, baseline)
    assert listed(every) == listed(a.ledger) and len(every) == len(a.ledger)
    assert listed(every[every["changed"] != ""]) == listed(
        hp.compare(baseline, reform, sample.parks, sample.evaluations)
    )


def tiny():
    """Three parks certified 2022 (first evaluated 2023, year 2 of the subsidy: 100 万元 due, 第十一条)."""
    parks = pd.DataFrame({
        "park_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"], "district": ["渝中", "万州", "黔江"],
        "certified_year": [2022, 2022, 2022],
    })  # fmt: skip
    ev = pd.DataFrame({"park_id": ["A", "B", "C"], "year": 2023, "score": [90.0, 60.0, 75.0]})
    ev["veto"] = False
    ev["rectified"] = np.nan
    for c in ("score_economic", "score_role", "score_operations"):
        ev[c] = np.nan
    ev["_row"] = np.arange(len(ev)) + 2
    return parks, ev


def test_compare_inclusive_pass_mark_by_hand(baseline):
    parks, ev = tiny()
    inclusive = hp.load_policy(overrides=["grading.pass_mark_inclusive=true"])
    got = hp.compare(baseline, inclusive, parks, ev)
    # 60 is 合格 by default and 不合格 under 《民法典》's reading; its 100 万元 of 2023 is held back pending
    # rectification (第二十五条(二)) instead of paid; A (优秀, cap floor(0.3 × 3) = 0 → none) and C don't move
    assert listed(got) == {("B", 2023)}
    row = got.iloc[0]
    assert (row["grade_a"], row["grade_b"]) == ("qualified", "unqualified")
    assert (row["paid_a"], row["paid_b"], row["paid_diff"]) == (100.0, 0.0, -100.0)
    assert (row["pending_a"], row["pending_b"]) == (0.0, 100.0)


def three_years(rows):
    parks, ev = tiny()
    more = pd.DataFrame(rows, columns=["park_id", "year", "score"]).assign(veto=False, rectified=np.nan)
    ev = pd.concat([ev, more], ignore_index=True)
    for c in ("score_economic", "score_role", "score_operations"):
        ev[c] = np.nan
    ev["_row"] = np.arange(len(ev)) + 2
    return parks, ev


def test_compare_leaves_out_evaluations_after_an_earlier_withdrawal(baseline):
    parks, ev = three_years(
        [(p, y, s) for y in (2024, 2025) for p, s in (("A", 90.0), ("B", 60.0), ("C", 75.0))]
    )
    strict = hp.load_policy(overrides=["grading.pass_mark=80"])
    got = hp.compare(baseline, strict, parks, ev).set_index(["park_id", "year"])
    # at 80 points B and C are 不合格 in 2023 and 2024: the plaque goes after two years (第二十五条(二)), so
    # their 2025 evaluations are left out under the strict policy (grade blank, status revoked)
    for pid in ("B", "C"):
        assert got.loc[(pid, 2024), "status_b"] == "revoked"
        assert (got.loc[(pid, 2025), "grade_b"], got.loc[(pid, 2025), "status_b"]) == ("", "revoked")
        assert got.loc[(pid, 2025), "grade_a"] == "qualified"
    assert ("A", 2025) not in got.index  # A is 合格 either way: 90 points, no 优秀 place among 3 (cap 0)


def test_compare_a_park_kept_that_the_data_lost_is_a_clear_error():
    # data as the strict policy leaves them: B and C lose the plaque after 2024, only A is evaluated in 2025
    parks, ev = three_years([("A", 2024, 90.0), ("B", 2024, 60.0), ("C", 2024, 75.0), ("A", 2025, 90.0)])
    strict = hp.load_policy(overrides=["grading.pass_mark=80"])
    assert hp.compare(strict, strict, parks, ev).empty
    with pytest.raises(InputError, match=r"policy_b.*园区 B 在 2025 年应参加绩效评估"):
        hp.compare(strict, hp.load_policy(), parks, ev)


REFORMS = st.fixed_dictionaries({
    "grading.excellent_share": st.sampled_from([0.1, 0.2, 0.25, 0.3, 0.4, 0.5]),
    "grading.pass_mark": st.integers(50, 62),
    "grading.pass_mark_inclusive": st.booleans(),
    "grading.tie_policy": st.sampled_from(["exclude", "include", "dimension"]),
    "grading.cap_rounding": st.sampled_from(["floor", "round", "ceil"]),
    "subsidy.excellent_bonus": st.sampled_from([10, 20]),
})  # fmt: skip


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(overrides=REFORMS)
def test_compare_is_the_ledgers_difference_and_antisymmetric(sample, baseline, overrides):
    reform = hp.load_policy(overrides=overrides)
    ab = hp.compare(baseline, reform, sample.parks, sample.evaluations)
    ba = hp.compare(reform, baseline, sample.parks, sample.evaluations)
    a = hp.evaluate(sample.parks, sample.evaluations, baseline)
    b = hp.evaluate(sample.parks, sample.evaluations, reform)
    assert listed(ab) == hand_compare(a, b) == listed(ba)
    merged = ab.merge(ba, on=["park_id", "year"], suffixes=("", "_r"))
    assert (merged["grade_a"] == merged["grade_b_r"]).all()
    np.testing.assert_allclose(merged["paid_diff"], -merged["paid_diff_r"])
    assert hp.compare(reform, reform, sample.parks, sample.evaluations).empty


def test_sweep_baseline_row_matches_evaluate(sample, baseline):
    s = hp.sweep(sample.parks, sample.evaluations, baseline, shares=[0.2, 0.3], pass_marks=[60, 65])
    year = hp.evaluate(sample.parks, sample.evaluations, baseline).years.set_index("year").loc[2025]
    base = s[s["is_baseline"]].iloc[0]
    assert (base["share"], base["pass_mark"]) == (0.3, 60.0)
    assert base["n_excellent"] == year["n_excellent"] and base["n_unqualified"] == year["n_unqualified"]
    assert base["bonus"] == year["n_excellent"] * baseline["subsidy.excellent_bonus"]
    # at 20% the cap is floor(0.2 × 24) = 4 parks
    assert set(s.loc[s["share"] == 0.2, "cap"]) == {4}


def test_monte_carlo_without_noise_is_the_recorded_grade(sample, baseline):
    mc = hp.monte_carlo(sample.parks, sample.evaluations, baseline, sigma=0.0, draws=5, seed=1)
    grades = hp.evaluate(sample.parks, sample.evaluations, baseline).grades
    graded = grades[grades["year"] == 2025].set_index("park_id")["grade"]
    parks = mc.parks().set_index("park_id")
    assert set(parks.index) == set(graded.index)
    assert ((parks["p_excellent"] == 1.0) == (graded[parks.index] == "excellent")).all()
    assert ((parks["p_unqualified"] == 1.0) == (graded[parks.index] == "unqualified")).all()
    with pytest.raises(TypeError):
        hp.monte_carlo(sample.parks, sample.evaluations, baseline)  # the seed is required


def test_forecast_reform_pays_less_bonus_and_repeats(sample, baseline):
    kw = {"horizon": 2027, "paths": 100, "seed": 3, "reforms": {"20%": ["grading.excellent_share=0.2"]}}
    f = hp.forecast(sample.parks, sample.evaluations, baseline, **kw)
    bonus = f.differences[f.differences["measure"] == "bonus"]
    assert list(bonus["year"]) == [2026, 2027]
    assert (bonus["reform_mean"] < bonus["baseline_mean"]).all()
    again = hp.forecast(sample.parks, sample.evaluations, baseline, **kw)
    pd.testing.assert_frame_equal(f.summary, again.summary)
    with pytest.raises(ParameterError, match="horizn"):
        hp.forecast(sample.parks, sample.evaluations, baseline, horizn=2027)


def test_the_readme_example_runs():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert len(namespace["r"].grades) == 48
