"""Issue 6 forecast (第十一条/第十三条/第二十四条/第二十五条): known answers worked by hand, common random
numbers, reproducibility and the score model's fit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hrpark_analysis.engine import forecast as fc
from hrpark_analysis.engine import ledger
from hrpark_analysis.engine.dataset import SAMPLE_DIR
from hrpark_analysis.engine.forecast.start import _clean_evaluations
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import load_policy

NO_PARKS = pd.DataFrame({"park_id": [], "district": [], "certified_year": []})
NO_EVALUATIONS = pd.DataFrame({"park_id": [], "year": [], "score": []})

# A deterministic score model: φ = 1 and σ = 0 keep each park's last score for ever; a park without a score
# scores mu_mean (mu_sd = 0); nothing is vetoed.
FROZEN = {"score_model": "fixed", "phi": 1.0, "sigma": 0.0, "mu_mean": 77.5, "mu_sd": 0.0, "veto_rate": 0.0}


def _ledger_totals(book: pd.DataFrame, years: range) -> dict[str, np.ndarray]:
    """Per-year totals of the deterministic ledger, named like the forecast's measures."""
    by_year = book.groupby("year")
    grade = book["grade"]
    totals = {
        "base_paid": by_year["base_paid"].sum(),
        "bonus": by_year["bonus"].sum(),
        "pending": by_year["pending"].sum(),
        "cancelled": by_year["cancelled"].sum(),
        "district_match": by_year["district_match"].sum(),
        "active": (book["status"] == "active").groupby(book["year"]).sum(),
        "revoked": (book["status"] == "revoked").groupby(book["year"]).sum(),
        "newly_revoked": book["revoked_this_year"].groupby(book["year"]).sum(),
        "n_evaluated": book["evaluated"].groupby(book["year"]).sum(),
        "n_excellent": (grade == "excellent").groupby(book["year"]).sum(),
        "n_qualified": (grade == "qualified").groupby(book["year"]).sum(),
        "n_unqualified": (grade == "unqualified").groupby(book["year"]).sum(),
    }
    return {k: v.reindex(list(years), fill_value=0).to_numpy(dtype=float) for k, v in totals.items()}


# Parks and their history up to the base year 2024:
#   A, H tie at 92 (the 30% boundary); B, C ordinary (C was 不合格 in 2023 and rectified);
#   D 不合格 in 2022 and 2023 -> plaque withdrawn in 2023 (in the history);
#   E 不合格 in 2024 with the rectification outcome unknown, and stays at 59 -> a run across the base year;
#   F certified in the base year, G certified in 2026 (known in the parks file): no score yet -> 77.5.
PARKS = pd.DataFrame(
    [
        ["A", "渝中", 2021], ["B", "万州", 2021], ["C", "黔江", 2022], ["D", "江北", 2021],
        ["E", "渝中", 2023], ["F", "南岸", 2024], ["G", "渝北", 2026], ["H", "渝中", 2021],
    ],
    columns=["park_id", "district", "certified_year"],
)  # fmt: skip
HISTORY = [
    ["A", 2022, 85.0, np.nan], ["A", 2023, 88.0, np.nan], ["A", 2024, 92.0, np.nan],
    ["B", 2022, 70.0, np.nan], ["B", 2023, 72.0, np.nan], ["B", 2024, 71.0, np.nan],
    ["C", 2023, 55.0, 1.0], ["C", 2024, 65.0, np.nan],
    ["D", 2022, 50.0, 0.0], ["D", 2023, 55.0, np.nan],
    ["E", 2024, 59.0, np.nan],
    ["H", 2022, 92.0, np.nan], ["H", 2023, 92.0, np.nan], ["H", 2024, 92.0, np.nan],
]  # fmt: skip
MATCH = {"subsidy.district_match_ratio": 0.2, "subsidy.district_match_ratio_by_district.渝中": 0.5}


def _future_evaluations(policy, rectified: float, years: range) -> list[list]:
    """The forecast's deterministic future written out by hand: every park keeps its last score (77.5 for
    F and G), takes part from the year after certification, and stops after its plaque is withdrawn."""
    revoke_after = policy["consequences.revoke_after_unqualified_years"]
    last = {"A": 92.0, "B": 71.0, "C": 65.0, "E": 59.0, "F": 77.5, "G": 77.5, "H": 92.0}
    certified = dict(zip(PARKS["park_id"], PARKS["certified_year"], strict=True))
    run = {"E": 1}  # E's 2024 不合格
    rows = []
    for year in years:
        for pid, score in last.items():
            if year < certified[pid] + 1 or run.get(pid, 0) >= revoke_after:
                continue
            rows.append([pid, year, score, rectified])
            run[pid] = run.get(pid, 0) + 1 if score < 60 else 0
    return rows


@pytest.mark.parametrize("rectified", [0.0, 1.0])
@pytest.mark.parametrize(
    ("overrides", "more_history"),
    [
        ({}, []),
        ({"grading.tie_policy": "include"}, []),
        # D is not revoked after two years here, so it needs its 2024 evaluation (a third 不合格: revoked 2024)
        ({"consequences.revoke_after_unqualified_years": 3}, [["D", 2024, 52.0, np.nan]]),
        # 1.5 × the schedule reaches the 300 cap in the second year (第十一条): the carried cum_base_paid matters
        ({"subsidy.grade_factor.qualified": 1.5, "subsidy.grade_factor.excellent": 1.5,
          "subsidy.bonus_counts_against_cap": True}, []),
    ],
    ids=["baseline", "ties-included", "revoke-after-3", "cap-binds"],
)  # fmt: skip
def test_without_noise_or_new_parks_the_forecast_is_the_deterministic_ledger(
    overrides, more_history, rectified
):
    policy = load_policy(overrides={**MATCH, **overrides})
    future = range(2025, 2031)
    columns = ["park_id", "year", "score", "rectified"]
    history = pd.DataFrame(HISTORY + more_history, columns=columns)
    written = pd.DataFrame(
        HISTORY + more_history + _future_evaluations(policy, rectified, future), columns=columns
    )
    expected = _ledger_totals(ledger.build(PARKS, _clean_evaluations(written), policy).ledger, future)

    config = fc.ForecastConfig(
        **FROZEN, horizon=2030, paths=3, arrivals="fixed", arrival_counts=0, score_decimals=None,
        rectification_probability=rectified,
    )  # fmt: skip
    result = fc.forecast(PARKS, history, policy, config)
    assert result.base_year == 2024
    for measure, values in expected.items():
        got = result.baseline.measures[measure]
        np.testing.assert_allclose(
            got, np.broadcast_to(values[:, None], got.shape), rtol=1e-12, err_msg=measure
        )


def test_the_starting_state_carries_revocation_the_unqualified_run_and_what_was_paid():
    policy = load_policy()
    history = pd.DataFrame(HISTORY, columns=["park_id", "year", "score", "rectified"])
    start = fc.start_from_ledger(PARKS, history, policy)
    by_park = dict(zip(PARKS["park_id"], range(len(PARKS)), strict=True))
    assert start.state.revoked[by_park["D"]] and start.state.revoked.sum() == 1
    assert start.state.unqualified_run[by_park["E"]] == 1  # 2024 不合格, outcome unknown
    assert start.state.unqualified_run[by_park["C"]] == 0  # 2023 不合格 broken by 2024's 65
    # E: 150 in 2023, 100 pending in 2024 -> 150 paid; D: 150 (2021) + 100 (2022 cancelled) + revoked 2023
    assert start.state.cum_base_paid[by_park["E"]] == 150
    assert start.state.cum_base_paid[by_park["D"]] == 150
    assert start.state.cum_base_paid[by_park["G"]] == 0
    assert math.isnan(start.base_score[by_park["F"]]) and start.base_score[by_park["A"]] == 92
    # one implementation: the start is the ledger's final state, not a second reading of its rows
    final = start.history.final
    assert final["park_id"].tolist() == PARKS["park_id"].tolist()
    assert np.array_equal(start.state.revoked, final["revoked"].to_numpy(dtype=bool))
    assert np.array_equal(start.state.unqualified_run, final["unqualified_run"].to_numpy())
    assert np.array_equal(start.state.cum_base_paid, final["cumulative_base_paid"].to_numpy(dtype=float))
    assert np.array_equal(start.base_score, final["score"].to_numpy(dtype=float), equal_nan=True)


COHORTS = (2, 3, 1, 0, 4)  # new parks certified 2025 … 2029


def _cohort_forecast(**extra):
    config = fc.ForecastConfig(
        **{**FROZEN, "mu_mean": 80.0},
        horizon=2029,
        paths=4,
        arrivals="fixed",
        arrival_counts=COHORTS,
        **extra,
    )
    return fc.forecast(NO_PARKS, NO_EVALUATIONS, load_policy(), config, base_year=2024)


def test_fixed_cohorts_all_qualified_cost_exactly_150_100_50_per_cohort():
    result = _cohort_forecast()
    m = result.baseline.measures
    # every park scores 80: one tied group, never within the 30% cap -> none excellent, none unqualified
    assert (m["n_excellent"] == 0).all() and (m["n_unqualified"] == 0).all()
    # year t: 150 × cohort t + 100 × cohort t−1 + 50 × cohort t−2
    expected = np.array(
        [150 * 2, 150 * 3 + 100 * 2, 150 * 1 + 100 * 3 + 50 * 2, 100 * 1 + 50 * 3, 150 * 4 + 50 * 1]
    )
    assert list(expected) == [300, 650, 550, 250, 650]
    np.testing.assert_array_equal(m["outlay"], np.repeat(expected[:, None], 4, axis=1))
    np.testing.assert_array_equal(m["base_paid"], m["outlay"])
    np.testing.assert_array_equal(m["cancelled"], 0)
    np.testing.assert_array_equal(m["active"][:, 0], [2, 5, 6, 6, 10])
    np.testing.assert_array_equal(m["cumulative_outlay"][:, 0], [300, 950, 1500, 1750, 2400])


def test_a_ceiling_on_active_parks_stops_certification():
    m = _cohort_forecast(ceiling=4).baseline.measures
    # accepted: 2 (2025), 2 of 3 (2026), then none: 300, 300 + 200, 200 + 100, 100, 0
    np.testing.assert_array_equal(m["arrivals"][:, 0], [2, 2, 0, 0, 0])
    np.testing.assert_array_equal(m["outlay"][:, 0], [300, 500, 300, 100, 0])
    np.testing.assert_array_equal(m["active"][:, 0], [2, 4, 4, 4, 4])


def test_budget_risk_of_the_fixed_cohorts():
    risk = _cohort_forecast(budget=500).budget
    np.testing.assert_array_equal(risk["p_over_budget"], [0, 1, 1, 0, 1])
    np.testing.assert_array_equal(risk["expected_overrun"], [0, 150, 50, 0, 150])


def test_bonus_is_floor_share_times_parks_times_10_when_scores_are_tie_free_and_pass():
    rng = np.random.default_rng(7)
    parks = pd.DataFrame(
        {"park_id": [f"P{i:03d}" for i in range(100)], "district": "渝中", "certified_year": 2020}
    )
    history = pd.DataFrame(
        [[p, y, round(float(rng.uniform(80, 90)), 1)] for p in parks["park_id"] for y in range(2021, 2025)],
        columns=["park_id", "year", "score"],
    )
    config = fc.ForecastConfig(
        score_model="fixed", phi=0.5, sigma=2.0, mu_mean=85.0, mu_sd=2.0, score_decimals=None, veto_rate=0.0,
        horizon=2027, paths=200, arrivals="fixed", arrival_counts=10,
    )  # fmt: skip
    policy = load_policy(overrides={"grading.excellent_share": 0.29})
    m = fc.forecast(parks, history, policy, config).baseline.measures
    assert (m["n_unqualified"] == 0).all()  # every score is far above 60
    np.testing.assert_array_equal(m["n_evaluated"][:, 0], [100, 110, 120])
    # floor(0.29 × 100) = 29, floor(31.9) = 31, floor(34.8) = 34 places, 10 万元 each, on every path
    np.testing.assert_array_equal(m["bonus"], np.repeat([[290], [310], [340]], 200, axis=1))


def _noisy_config(**extra):
    return fc.ForecastConfig(
        horizon=2029,
        paths=300,
        seed=11,
        arrival_rate=2.0,
        veto_rate=0.05,
        rectification_probability=0.5,
        **extra,
    )


def test_common_random_numbers_a_no_change_reform_differs_by_exactly_zero_and_a_bonus_reform_only_in_bonus():
    policy = load_policy(overrides={"subsidy.district_match_ratio": 0.5})
    history = pd.DataFrame(HISTORY, columns=["park_id", "year", "score", "rectified"])
    reforms = {
        "same": {"grading.pass_mark": 60},
        "bonus25": ["subsidy.excellent_bonus=25"],
        "stricter": {"grading.pass_mark": 70},
    }
    result = fc.forecast(PARKS, history, policy, _noisy_config(), reforms=reforms)
    base = result.baseline.measures

    same = result.reforms["same"].measures
    assert all(np.array_equal(same[k], base[k]) for k in fc.MEASURES)
    diff = result.differences[result.differences["reform"] == "same"]
    assert (diff.filter(like="difference_").to_numpy() == 0).all()

    bonus = result.reforms["bonus25"].measures
    np.testing.assert_array_equal(bonus["bonus"], 2.5 * base["bonus"])
    assert base["bonus"].sum() > 0
    extra = bonus["bonus"] - base["bonus"]
    np.testing.assert_allclose(bonus["outlay"] - base["outlay"], extra)
    np.testing.assert_allclose(bonus["district_match"] - base["district_match"], 0.5 * extra)
    money = {"bonus", "outlay", "district_match", "cumulative_outlay", "cumulative_district_match"}
    for k in set(fc.MEASURES) - money:
        np.testing.assert_array_equal(bonus[k], base[k], err_msg=k)

    stricter = result.reforms["stricter"].measures
    assert stricter["n_unqualified"].sum() > base["n_unqualified"].sum()
    np.testing.assert_array_equal(stricter["arrivals"], base["arrivals"])  # same draws, no ceiling


def test_same_seed_same_forecast_and_another_seed_another():
    history = pd.DataFrame(HISTORY, columns=["park_id", "year", "score", "rectified"])
    policy = load_policy()
    a = fc.forecast(PARKS, history, policy, _noisy_config())
    b = fc.forecast(PARKS, history, policy, _noisy_config())
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert all(np.array_equal(a.baseline.measures[k], b.baseline.measures[k]) for k in fc.MEASURES)
    c = fc.forecast(PARKS, history, policy, _noisy_config(), rng=np.random.default_rng(12))
    d = fc.forecast(PARKS, history, policy, _noisy_config(), rng=np.random.default_rng(12))
    pd.testing.assert_frame_equal(c.summary, d.summary)
    assert not a.summary.equals(c.summary)


def _simulate_panel(rng, n_parks, n_years, phi, sigma, m, tau):
    mu = m + tau * rng.standard_normal(n_parks)
    u = sigma / math.sqrt(1 - phi**2) * rng.standard_normal(n_parks)
    rows = []
    for t in range(n_years):
        if t:
            u = phi * u + sigma * rng.standard_normal(n_parks)
        rows += [[f"P{i}", 2000 + t, mu[i] + u[i]] for i in range(n_parks)]
    return pd.DataFrame(rows, columns=["park_id", "year", "score"])


def test_the_fit_recovers_phi_sigma_and_the_park_effect_distribution():
    scores = _simulate_panel(np.random.default_rng(3), 60, 25, phi=0.6, sigma=4.0, m=72.0, tau=6.0)
    model = fc.fit_score_model(scores, fc.ForecastConfig())  # priors centred on 0.5, 5, 75, 8
    assert model.converged
    assert abs(model.phi - 0.6) < 0.06
    assert abs(model.sigma - 4.0) < 0.25
    assert abs(model.mu_mean - 72.0) < 2.5
    assert abs(model.mu_sd - 6.0) < 2.0


@pytest.mark.parametrize("n_years", [1, 2, 5])
def test_the_closed_form_likelihood_is_the_multivariate_normal(n_years):
    phi, sigma, m, tau = 0.4, 3.0, 70.0, 5.0
    y = np.array([74.0, 69.5, 80.0, 77.0, 71.0])[:n_years]
    scores = pd.DataFrame({"park_id": "P", "year": 2022 + np.arange(n_years), "score": y})
    lag = np.abs(np.subtract.outer(np.arange(n_years), np.arange(n_years)))
    cov = tau**2 + sigma**2 / (1 - phi**2) * phi**lag
    expected = stats.multivariate_normal(np.full(n_years, m), cov).logpdf(y)
    assert fc.log_likelihood(scores, phi, sigma, m, tau)[0] == pytest.approx(expected, rel=1e-12)


def test_park_effects_shrink_towards_the_mean_more_with_fewer_scores():
    # φ = 0: the normal-normal case. One score 80: weight τ²/(τ² + σ²) = 9/25; two scores 80: 9/(9 + 16/2) = 9/17
    model = fc.ScoreModel(phi=0.0, sigma=4.0, mu_mean=70.0, mu_sd=3.0, method="fixed")
    scores = pd.DataFrame({"park_id": ["one", "two", "two"], "year": [2024, 2023, 2024], "score": [80.0] * 3})
    effects = fc.park_effects(scores, model).set_index("park_id")
    assert effects.loc["one", "mu_mean"] == pytest.approx(73.6)
    assert effects.loc["one", "mu_sd"] == pytest.approx(2.4)
    assert effects.loc["two", "mu_mean"] == pytest.approx(70 + 90 / 17)
    assert effects.loc["two", "mu_sd"] == pytest.approx(math.sqrt(9 * 8 / 17))


def test_poisson_arrivals_split_over_the_regions_by_share():
    config = fc.ForecastConfig(
        **FROZEN, horizon=2027, paths=4000, arrival_rate=3.0,
        region_shares={"main_city": 0.5, "northeast": 0.3, "southeast": 0.2},
    )  # fmt: skip
    result = fc.forecast(NO_PARKS, NO_EVALUATIONS, load_policy(), config, base_year=2024)
    m = result.baseline.measures
    regions = [m[f"arrivals_{r}"] for r in ("main_city", "northeast", "southeast")]
    np.testing.assert_array_equal(sum(regions), m["arrivals"])
    se = math.sqrt(3.0 / 4000)
    assert abs(m["arrivals"].mean() - 3.0) < 4 * se
    for share, counts in zip((0.5, 0.3, 0.2), regions, strict=True):
        assert abs(counts.mean() - 3.0 * share) < 4 * math.sqrt(3.0 * share / 4000)
    assert result.truncated_paths == 0


def test_the_callback_sees_every_forecast_year():
    seen = []
    fc.forecast(NO_PARKS, NO_EVALUATIONS, load_policy(), fc.ForecastConfig(**FROZEN, horizon=2027, paths=2),
                base_year=2024, callback=seen.append)  # fmt: skip
    assert seen == [2025, 2026, 2027]


def test_bad_parameters_name_the_problem():
    with pytest.raises(ParameterError, match="veto_rate"):
        fc.ForecastConfig.from_mapping({"vet_rate": 0.1})
    with pytest.raises(ParameterError, match="region_shares"):
        fc.ForecastConfig(region_shares={"main_city": 0.5})
    with pytest.raises(ParameterError, match="phi = 1"):
        fc.ForecastConfig(score_model="fixed", phi=1.0, sigma=1.0)
    with pytest.raises(ParameterError, match="dimension"):
        fc.forecast(NO_PARKS, NO_EVALUATIONS, load_policy(overrides={"grading.tie_policy": "dimension"}),
                    fc.ForecastConfig(**FROZEN, paths=2), base_year=2024)  # fmt: skip
    assert fc.ForecastConfig.from_mapping({"arrival_counts": [1, 2]}).arrival_counts == (1, 2)


def test_blocks_and_threads_do_not_change_the_result():
    history = pd.DataFrame(HISTORY, columns=["park_id", "year", "score", "rectified"])
    policy = load_policy()
    one = fc.forecast(PARKS, history, policy, _noisy_config(threads=1, chunk_paths=300))
    many = fc.forecast(PARKS, history, policy, _noisy_config(threads=2, chunk_paths=7))
    assert all(np.array_equal(one.baseline.measures[k], many.baseline.measures[k]) for k in fc.MEASURES)


def test_the_sample_data_folder_forecast_starts_where_its_2025_ledger_stands(repo):
    # data/sample's stories (hrpark_analysis/sample.py): cohorts P01–P08 2022, P09–P16 2023, P17–P24 2024,
    # P25–P30 2025; P12 revoked in 2025; P19 不合格 in 2025 (pending 100); P10 vetoed in 2025 (pending 50).
    config = fc.ForecastConfig(**FROZEN, horizon=2027, paths=2, arrivals="fixed", arrival_counts=0,
                               rectification_probability=1.0)  # fmt: skip
    result = fc.forecast_dataset(SAMPLE_DIR, 2025, load_policy(), config)
    assert result.base_year == 2025
    assert result.start.pending_at_base == 150
    m = result.baseline.measures
    # 2026: P25–P30 100 each; P17–P24 50 each except P19, 不合格 again (score kept) -> revoked, its 50 forfeited
    np.testing.assert_array_equal(m["base_paid"][0], [6 * 100 + 7 * 50] * 2)
    np.testing.assert_array_equal(m["cancelled"][0], [50] * 2)
    np.testing.assert_array_equal(m["revoked"][:, 0], [2, 2])
    np.testing.assert_array_equal(m["active"][:, 0], [28, 28])
    # 2027: only the 2025 cohort's third year remains
    np.testing.assert_array_equal(m["base_paid"][1], [6 * 50] * 2)


def test_no_parks_and_no_arrivals_cost_nothing():
    config = fc.ForecastConfig(**FROZEN, horizon=2026, paths=3, arrivals="fixed", arrival_counts=0)
    m = fc.forecast(NO_PARKS, NO_EVALUATIONS, load_policy(), config, base_year=2024).baseline.measures
    assert all((m[k] == 0).all() for k in fc.MEASURES)
