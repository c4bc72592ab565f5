"""第二十四条: the sensitivity library (issue 5) against a loop oracle, closed forms and worked cases.

The oracle re-grades every draw at every (share, pass mark) with ``grading.grade_scores`` — the obvious,
slow implementation. The fast one must equal it exactly, ties and vetoes included.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from hrpark_analysis.engine import sensitivity
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.rules.grading import EXCELLENT, UNQUALIFIED, grade_scores

BASELINE = load_policy().section("grading")
DIMS = ("score_economic", "score_role", "score_operations")


# --- the oracle ------------------------------------------------------------------------------------------------
def oracle_grades(drawn, veto, dims_per_draw, shares, pass_marks, grading_args):
    """grades[draw, share, mark, park] by calling grade_scores once per draw and grid point."""
    d, n = drawn.shape
    out = np.empty((d, len(shares), len(pass_marks), n), dtype=np.int8)
    for t in range(d):
        dims = None if dims_per_draw is None else {k: v[t] for k, v in dims_per_draw.items()}
        for j, share in enumerate(shares):
            for k, mark in enumerate(pass_marks):
                args = {**grading_args, "excellent_share": float(share), "pass_mark": float(mark)}
                out[t, j, k] = grade_scores(drawn[t], veto, None, dims, **args).grade
    return out


def oracle_monte_carlo(mc, veto, base_due, dimensions, grading_args, *, noise_args, dimension_noise):
    """Every output of ``monte_carlo`` recomputed from the same draws by re-grading everything."""
    drawn = sensitivity.draw_scores(mc.score, mc.sigma, mc.draws, seed=mc.seed, **noise_args)
    dims = None
    if dimensions is not None:
        if dimension_noise == "proportional":
            ratio = np.divide(drawn, mc.score, out=np.ones_like(drawn), where=mc.score != 0)
            dims = {k: v * ratio for k, v in dimensions.items()}
        else:
            dims = {k: np.broadcast_to(v, drawn.shape) for k, v in dimensions.items()}
    grades = oracle_grades(drawn, veto, dims, mc.shares, mc.pass_marks, grading_args)
    n_exc = (grades == EXCELLENT).sum(-1)  # (draws, shares, marks)
    unq = grades[:, 0] == UNQUALIFIED  # (draws, marks, parks): 不合格 does not depend on the share
    rank_args = {**grading_args, "tie_policy": "exclude"}  # the rank does not depend on the tie policy
    ranks = np.stack([grade_scores(row, None, None, None, **rank_args).rank for row in drawn])
    return {
        "drawn": drawn,
        "excellent_counts": (grades == EXCELLENT).sum(0).transpose(2, 0, 1),
        "unqualified_counts": unq.sum(0).T,
        "ranks": ranks,
        "n_excellent": n_exc,
        "n_unqualified": unq.sum(-1),
        "at_risk": (unq * base_due).sum(-1),
    }


def assert_matches_oracle(mc, oracle):
    n = len(mc.score)
    np.testing.assert_array_equal(mc.excellent_counts, oracle["excellent_counts"])
    np.testing.assert_array_equal(mc.unqualified_counts, oracle["unqualified_counts"])
    rank_hist = np.stack([np.bincount(oracle["ranks"][:, i], minlength=n + 1) for i in range(n)])
    np.testing.assert_array_equal(mc.rank_counts, rank_hist)
    exc_hist = np.apply_along_axis(np.bincount, 0, oracle["n_excellent"], minlength=n + 1)
    np.testing.assert_array_equal(mc.n_excellent_counts, np.moveaxis(exc_hist, 0, -1))
    unq_hist = np.apply_along_axis(np.bincount, 0, oracle["n_unqualified"], minlength=n + 1)
    np.testing.assert_array_equal(mc.n_unqualified_counts, unq_hist.T)

    counts = mc.counts()
    n_m = len(mc.pass_marks)
    np.testing.assert_array_equal(counts["n_excellent_mean"], oracle["n_excellent"].mean(0).ravel())
    np.testing.assert_array_equal(counts["at_risk_mean"], np.tile(oracle["at_risk"].mean(0), len(mc.shares)))
    for q in mc.quantiles:
        name = f"p{q * 100:g}"
        expect = np.quantile(oracle["n_excellent"], q, axis=0, method="inverted_cdf").ravel()
        np.testing.assert_array_equal(counts[f"n_excellent_{name}"], expect)
        expect = np.quantile(oracle["n_unqualified"], q, axis=0, method="inverted_cdf")
        np.testing.assert_array_equal(counts[f"n_unqualified_{name}"], np.tile(expect, len(mc.shares)))
        expect = np.quantile(oracle["at_risk"], q, axis=0, method="inverted_cdf")
        np.testing.assert_array_equal(counts[f"at_risk_{name}"], np.tile(expect, len(mc.shares)))
        expect = np.quantile(oracle["ranks"], q, axis=0, method="inverted_cdf")
        np.testing.assert_array_equal(mc.parks()[f"rank_{name}"], expect)
    assert len(counts) == len(mc.shares) * n_m
    with warnings.catch_warnings():  # one park: scipy warns and returns NaN, as the fast version does
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy SmallSampleWarning
        tau = [scipy.stats.kendalltau(mc.score, row).statistic for row in oracle["drawn"][: len(mc.tau)]]
    np.testing.assert_array_equal(mc.tau, tau)


# --- hypothesis: small random cases with ties, vetoes and every reading -----------------------------------------
# scores on a coarse lattice (55, 57.5 … 85, plus the ends 0 and 100 where noise is clipped): ties are common,
# and half-point pass marks land on scores often
lattice_scores = st.one_of(st.integers(22, 34).map(lambda x: x * 2.5), st.sampled_from([0.0, 100.0]))


@st.composite
def cases(draw):
    n = draw(st.integers(1, 8))
    score = np.array(draw(st.lists(lattice_scores, min_size=n, max_size=n)))
    veto = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    dims = {k: np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), float) for k in DIMS}
    shares = sorted(draw(st.sets(st.integers(1, 100), min_size=1, max_size=4)))
    marks = sorted(draw(st.sets(st.integers(110, 170), min_size=1, max_size=4)))
    grading_args = {
        **BASELINE,
        "excellent_share": draw(st.sampled_from(shares)) / 100,
        "pass_mark": draw(st.sampled_from(marks)) / 2,
        "tie_policy": draw(st.sampled_from(["exclude", "include", "dimension"])),
        "cap_rounding": draw(st.sampled_from(["floor", "round", "ceil"])),
        "pass_mark_inclusive": draw(st.booleans()),
        "veto_enabled": draw(st.booleans()),
        "excellent_min_score": draw(st.sampled_from([None, 60.0, 75.5])),
    }
    return {
        "score": score,
        "veto": veto,
        "dims": dims,
        "base_due": np.array(
            draw(st.lists(st.sampled_from([0.0, 50.0, 100.0, 150.0]), min_size=n, max_size=n))
        ),
        "shares": np.array(shares) / 100,
        "pass_marks": np.array(marks) / 2,
        "grading_args": grading_args,
    }


@given(case=cases())
@settings(deadline=None)
def test_sweep_equals_oracle(case):
    frame = sensitivity.sweep(
        case["score"], case["veto"], case["base_due"], excellent_bonus=10.0, dimensions=case["dims"],
        park_ids=[f"P{i}" for i in range(len(case["score"]))], shares=case["shares"],
        pass_marks=case["pass_marks"], **case["grading_args"],
    )  # fmt: skip
    shares = np.union1d(case["shares"], [case["grading_args"]["excellent_share"]])
    marks = np.union1d(case["pass_marks"], [case["grading_args"]["pass_mark"]])
    dims = {k: v[None] for k, v in case["dims"].items()}
    grades = oracle_grades(case["score"][None], case["veto"], dims, shares, marks, case["grading_args"])[0]
    base = grade_scores(case["score"], case["veto"], None, case["dims"], **case["grading_args"]).grade
    ids = np.array([f"P{i}" for i in range(len(case["score"]))])
    for row, (j, k) in zip(frame.itertuples(), np.ndindex(len(shares), len(marks)), strict=True):
        g = grades[j, k]
        assert (row.share, row.pass_mark) == (shares[j], marks[k])
        assert row.n_excellent == (g == EXCELLENT).sum()
        assert row.n_unqualified == (g == UNQUALIFIED).sum()
        assert row.bonus == 10.0 * (g == EXCELLENT).sum()
        assert row.at_risk == case["base_due"][g == UNQUALIFIED].sum()
        assert row.to_excellent == ", ".join(ids[(g == EXCELLENT) & (base != EXCELLENT)])
        assert row.from_unqualified == ", ".join(ids[(base == UNQUALIFIED) & (g != UNQUALIFIED)])
        assert row.n_changed == (g != base).sum()
    assert frame["is_baseline"].sum() == 1


@given(
    case=cases(),
    sigma=st.one_of(  # one σ for all, or one per park (as from sigma_from_experts)
        st.sampled_from([0.0, 0.5, 3.0]), st.lists(st.sampled_from([0.0, 1.0, 3.0]), min_size=8, max_size=8)
    ),
    resolution=st.sampled_from([None, 0.5, 1.0]),
    draws=st.integers(1, 5),
    chunk_size=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    dimension_noise=st.sampled_from(["fixed", "proportional"]),
)
@settings(deadline=None)
def test_monte_carlo_equals_oracle(case, sigma, resolution, draws, chunk_size, seed, dimension_noise):
    noise_args = {"resolution": resolution, "score_range": (0.0, 100.0)}
    if isinstance(sigma, list):
        sigma = np.array(sigma[: len(case["score"])])
    mc = sensitivity.monte_carlo(
        case["score"], case["veto"], case["base_due"], excellent_bonus=10.0, sigma=sigma, draws=draws,
        seed=seed, dimensions=case["dims"], shares=case["shares"], pass_marks=case["pass_marks"],
        chunk_size=chunk_size, dimension_noise=dimension_noise, tau_draws=None, **noise_args,
        **case["grading_args"],
    )  # fmt: skip
    oracle = oracle_monte_carlo(
        mc, case["veto"], case["base_due"], case["dims"], case["grading_args"],
        noise_args=noise_args, dimension_noise=dimension_noise,
    )  # fmt: skip
    assert_matches_oracle(mc, oracle)


# --- closed forms -----------------------------------------------------------------------------------------------
def _distinct_scores(n):
    return 99.0 - np.arange(n) * (30.0 / n)  # distinct, all between 69 and 99: above every pass mark ≤ 65


@pytest.mark.parametrize(
    ("n", "share", "rounding", "expected"),
    [
        (10, 0.29, "floor", 2),  # 2.9
        (100, 0.29, "floor", 29),  # a binary floor of 0.29 × 100 would give 28
        (10, 0.25, "round", 3),  # 2.5 rounds half up
        (10, 0.25, "floor", 2),
        (10, 0.21, "ceil", 3),  # 2.1
        (7, 0.3, "floor", 2),  # 2.1
        (3, 0.05, "floor", 0),  # 0.15: nobody
    ],
)
def test_excellent_count_without_ties_is_the_cap_formula(n, share, rounding, expected):
    args = {**BASELINE, "cap_rounding": rounding, "pass_mark": 60.0}
    frame = sensitivity.sweep(
        _distinct_scores(n), excellent_bonus=10.0, shares=[share], pass_marks=[60], **args
    )
    assert frame.loc[frame["share"] == share, "n_excellent"].tolist() == [expected]
    mc = sensitivity.monte_carlo(
        _distinct_scores(n), excellent_bonus=10.0, sigma=0.5, draws=50, seed=1, shares=[share],
        pass_marks=[60.0], **args,
    )  # fmt: skip
    # noise reorders the parks but keeps them distinct and far above 60: the count never moves
    j = int(np.flatnonzero(mc.shares == share)[0])
    assert mc.n_excellent_counts[j, :, expected].tolist() == [50] * len(mc.pass_marks)


def test_sigma_zero_monte_carlo_equals_the_deterministic_sweep():
    rng = np.random.default_rng(7)
    n = 30
    score = np.round(rng.uniform(45, 95, n) * 2) / 2  # half points: ties
    veto = rng.random(n) < 0.1
    base_due = rng.choice([0.0, 50.0, 100.0], n)
    dims = {k: rng.integers(0, 3, n).astype(float) for k in DIMS}
    for tie_policy in ("exclude", "include", "dimension"):
        args = {**BASELINE, "tie_policy": tie_policy}
        frame = sensitivity.sweep(score, veto, base_due, excellent_bonus=10.0, dimensions=dims, **args)
        mc = sensitivity.monte_carlo(
            score, veto, base_due, excellent_bonus=10.0, sigma=0.0, draws=3, seed=0, dimensions=dims, **args
        )
        counts = mc.counts()
        np.testing.assert_array_equal(counts[["share", "pass_mark"]], frame[["share", "pass_mark"]])
        for col in ("n_excellent", "n_unqualified", "bonus", "at_risk"):
            for stat in ("mean", "p5", "p95"):
                np.testing.assert_array_equal(counts[f"{col}_{stat}"], frame[col])
        grades, _, _ = sensitivity.grid_grades(score, veto, dimensions=dims, **args)
        np.testing.assert_array_equal(mc.p_excellent, (grades == EXCELLENT).transpose(2, 0, 1))
        np.testing.assert_array_equal(mc.p_unqualified, (grades[0] == UNQUALIFIED).T)
        assert not mc.parks()["coin_toss"].any()
        assert mc.tau_summary()["mean"] == 1.0


# --- reproducibility ---------------------------------------------------------------------------------------------
def _mc(**kwargs):
    rng = np.random.default_rng(3)
    score = np.round(rng.uniform(50, 95, 20), 1)
    return sensitivity.monte_carlo(
        score, rng.random(20) < 0.1, excellent_bonus=10.0, **{**BASELINE, **kwargs}
    )


def _arrays(mc):
    return [mc.excellent_counts, mc.unqualified_counts, mc.rank_counts, mc.n_excellent_counts, mc.tau,
            *mc.at_risk_values]  # fmt: skip


def test_same_seed_same_results_and_another_seed_differs():
    a, b, c = _mc(draws=300, seed=11), _mc(draws=300, seed=11), _mc(draws=300, seed=12)
    for x, y in zip(_arrays(a), _arrays(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.rank_counts, c.rank_counts)


def test_results_do_not_depend_on_the_chunk_size():
    draws = 2 * sensitivity.NOISE_BLOCK + 37  # crosses noise blocks at odd places
    runs = [_mc(draws=draws, seed=5, chunk_size=size, tau_draws=None) for size in (1000, 333, draws)]
    for other in runs[1:]:
        for x, y in zip(_arrays(runs[0]), _arrays(other), strict=True):
            np.testing.assert_array_equal(x, y)
    pd.testing.assert_frame_equal(runs[0].counts(), runs[1].counts())


def test_draws_are_the_same_whichever_chunk_asks():
    score = np.array([60.0, 70.0, 80.0])
    whole = sensitivity.draw_scores(score, 2.0, 3000, seed=9)
    part = sensitivity.draw_scores(score, 2.0, 2100, seed=9, start=1000)
    np.testing.assert_array_equal(whole[1000:2100], part)
    assert whole.min() >= 0 and whole.max() <= 100


def test_noise_is_normal_with_the_given_sigma():
    drawn = sensitivity.draw_scores(np.array([50.0]), 2.0, 20_000, seed=4)[:, 0]
    assert abs(drawn.mean() - 50) < 0.1
    assert abs(drawn.std() - 2.0) < 0.05


def test_progress_callback_sees_every_draw():
    seen = []
    _mc(draws=250, seed=1, chunk_size=100, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(100, 250), (200, 250), (250, 250)]


# --- worked case: readings of the text ---------------------------------------------------------------------------
def test_each_reading_of_the_text_on_a_worked_case():
    # A 90, B 85, C 85 (tied; B has the higher 作用发挥 subtotal), G 75, D 70 vetoed, E exactly 60, F 59.5.
    # N = 7: 30% is 2.1 places: floor 2, round 2, ceil 3.
    ids = ["A", "B", "C", "G", "D", "E", "F"]
    score = np.array([90, 85, 85, 75, 70, 60, 59.5])
    veto = np.array([False, False, False, False, True, False, False])
    dims = {
        "score_role": np.array([30, 30, 28, 25, 25, 20, 20.0]),
        "score_economic": np.full(7, 20.0),
        "score_operations": np.full(7, 20.0),
    }
    base_due = np.array([0, 50, 50, 100, 100, 150, 150.0])
    table = sensitivity.readings(
        score, veto, base_due, excellent_bonus=10.0, dimensions=dims, park_ids=ids, **BASELINE
    ).set_index("changed")
    # baseline: B and C tie for places 2-3 with 2 places: neither is 优秀 (exclude); D vetoed and F 59.5 不合格
    assert table.loc["baseline", ["n_excellent", "n_unqualified", "bonus", "at_risk"]].tolist() == [
        1,
        2,
        10,
        250,
    ]
    assert table.loc["baseline", "ties_excluded"]
    assert len(table) == 7
    expected = {  # reading: (to_excellent, to_unqualified, from_unqualified, cap_exceeded)
        "tie_policy=include": ("B, C", "", "", True),
        "tie_policy=dimension": ("B", "", "", False),
        "cap_rounding=round": ("", "", "", False),
        "cap_rounding=ceil": ("B, C", "", "", False),
        "pass_mark_inclusive=True": ("", "E", "", False),
        "veto_enabled=False": ("", "", "D", False),
    }
    for reading, (to_exc, to_unq, from_unq, exceeded) in expected.items():
        name, value = reading.split("=")
        rows = table[table[name].astype(str) == value]
        assert len(rows) == 1, reading
        row = rows.iloc[0]
        assert (row["to_excellent"], row["to_unqualified"], row["from_unqualified"]) == (
            to_exc,
            to_unq,
            from_unq,
        )
        assert row["cap_exceeded"] == exceeded
    assert table.loc["pass_mark_inclusive", "at_risk"] == 250 + 150
    every = sensitivity.readings(
        score, veto, base_due, excellent_bonus=10.0, dimensions=dims, mode="all", **BASELINE
    )
    assert len(every) == 3 * 3 * 2 * 2
    without_subtotals = sensitivity.readings(score, veto, excellent_bonus=10.0, mode="all", **BASELINE)
    assert set(without_subtotals["tie_policy"]) == {"exclude", "include"}


def test_sweep_baseline_matches_grade_scores_and_heatmap_shape():
    rng = np.random.default_rng(2)
    score = np.round(rng.uniform(40, 100, 25))
    frame = sensitivity.sweep(score, excellent_bonus=10.0, **BASELINE)
    assert len(frame) == 46 * 31
    base = frame[frame["is_baseline"]].iloc[0]
    result = grade_scores(score, None, None, None, **BASELINE)
    assert (base["share"], base["pass_mark"]) == (0.3, 60.0)
    assert base["n_excellent"] == result.n_excellent and base["n_changed"] == 0
    matrix = sensitivity.heatmap(frame, "n_excellent")
    assert matrix.shape == (31, 46) and matrix.loc[60.0, 0.3] == result.n_excellent
    changes = sensitivity.grade_changes(score, **BASELINE)
    assert len(changes) == frame["n_changed"].sum()


# --- inputs -------------------------------------------------------------------------------------------------------
def test_year_inputs_put_this_years_base_at_risk():
    evaluations = pd.DataFrame({
        "park_id": ["P1", "P2", "P3", "P1"], "year": [2025, 2025, 2025, 2024], "score": [70.0, 55.0, 90.0, 80.0],
        "veto": [None, True, None, None],
    })  # fmt: skip
    parks = pd.DataFrame({"park_id": ["P1", "P2", "P3"], "certified_year": [2024, 2023, 2020]})
    policy = load_policy()
    x = sensitivity.year_inputs(
        evaluations, year=2025, parks=parks, base_schedule=policy["subsidy.base_schedule"],
        grade_factor=policy.section("subsidy")["grade_factor"],
        score_precision=policy["evaluation.score_precision"],
    )  # fmt: skip
    assert x.park_ids.tolist() == ["P1", "P2", "P3"]
    assert x.base_due.tolist() == [100.0, 50.0, 0.0]  # 第十一条: 150 / 100 / 50, nothing after three years
    assert x.veto.tolist() == [False, True, False]
    assert x.dimensions is None


def test_sigma_from_experts():
    experts = pd.DataFrame({
        "park_id": ["P1", "P1", "P1", "P2"], "expert": ["a", "b", "c", "a"], "score": [80.0, 82.0, 84.0, 70.0],
    })  # fmt: skip
    sigma = sensitivity.sigma_from_experts(experts, ["P1", "P2", "P3"], fallback=2.5)
    np.testing.assert_allclose(sigma, [2.0 / np.sqrt(3), 2.5, 2.5])  # sd of 80, 82, 84 is 2
    raw = sensitivity.sigma_from_experts(experts, ["P1"], of_mean=False)
    np.testing.assert_allclose(raw, [2.0])


# --- Sobol ----------------------------------------------------------------------------------------------------------
def test_sobol_indices_find_the_factors_each_output_depends_on():
    # 10 parks above 80 and 10 spread over 51.3 … 79.3: with σ ≈ 0 the bonus depends only on the share and the
    # rounding (every 优秀 park is above any pass mark; no ties), and the 不合格 count only on the pass mark
    # (no score sits on a pass mark, so the inclusive reading never matters).
    score = np.concatenate([np.linspace(81.5, 99.5, 10), np.linspace(51.3, 79.3, 10)])
    bounds = {**sensitivity.SOBOL_BOUNDS, "sigma": (0.0, 1e-9)}
    table = sensitivity.sobol_indices(
        score, base_due=np.full(20, 50.0), excellent_bonus=10.0, bounds=bounds, n_base=64, noise_draws=4, seed=3,
        **BASELINE,
    ).set_index(["output", "factor"])  # fmt: skip
    assert set(table.columns) >= {"S1", "S1_conf", "ST", "ST_conf"}
    for factor in ("pass_mark", "pass_mark_inclusive", "sigma", "tie_policy"):
        assert table.loc[("total_bonus", factor), "ST"] == 0
        assert table.loc[("total_bonus", factor), "S1"] == 0
    for factor in ("excellent_share", "cap_rounding", "pass_mark_inclusive", "sigma", "tie_policy"):
        assert table.loc[("n_unqualified", factor), "ST"] == 0
    assert table.loc[("total_bonus", "excellent_share"), "ST"] > 0.5
    assert table.loc[("n_unqualified", "pass_mark"), "S1"] > 0.8
    assert table.loc[("at_risk", "pass_mark"), "S1"] > 0.8
