"""第十一条 / 第二十五条 / the park ledger: three-year subsidy paths worked by hand, and ledger invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hrpark_analysis.engine import ledger
from hrpark_analysis.law.policy import load_policy

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "subsidy.yaml").read_text("utf-8"))
AMOUNTS = ["base_due", "base_paid", "pending", "cancelled", "bonus", "cumulative_paid"]


def frames(parks, evaluations):
    p = pd.DataFrame(parks, columns=["park_id", "district", "certified_year"])
    p["district"] = p["district"].str.replace("区", "", regex=False)
    e = pd.DataFrame(evaluations, columns=["park_id", "year", "score", "veto", "rectified"])
    e["rectified"] = e["rectified"].astype(float)
    e["veto"] = e["veto"].astype(bool)
    for c in ("score_economic", "score_role", "score_operations"):
        e[c] = np.nan
    e["_row"] = np.arange(len(e)) + 2
    return p, e


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_worked_path(case):
    policy = load_policy(overrides=case.get("set"))
    parks, evals = frames(case["parks"], case["evaluations"])
    book = ledger.build(parks, evals, policy).ledger.set_index(["park_id", "year"])
    for pid, year, status, grade, *amounts in case.get("expect", []):
        row = book.loc[(pid, year)]
        assert row["status"] == status, (pid, year)
        assert row["grade"] == grade, (pid, year)
        assert [float(row[c]) for c in AMOUNTS] == [float(a) for a in amounts], (pid, year)
    for pid, match in case.get("expect_district_match", {}).items():
        assert float(book.loc[(pid, 2022), "district_match"]) == match


@st.composite
def histories(draw):
    n = draw(st.integers(1, 6))
    certified = draw(st.lists(st.integers(2020, 2023), min_size=n, max_size=n))
    parks = [[f"P{i}", "渝中", c] for i, c in enumerate(certified)]
    rows = []
    revoked = set()
    run = dict.fromkeys(range(n), 0)
    for year in range(2021, 2027):
        for i, c in enumerate(certified):
            if year < c + 1 or i in revoked:
                continue
            score = draw(st.sampled_from([45.0, 55.0, 60.0, 70.0, 85.0, 95.0]))
            rectified = draw(st.sampled_from([None, 0.0, 1.0]))
            rows.append([f"P{i}", year, score, False, rectified])
            run[i] = run[i] + 1 if score < 60 else 0
            if run[i] >= 2:
                revoked.add(i)
    factor = draw(st.sampled_from([0.5, 1.0, 1.5, 3.0]))
    return parks, rows, factor


@given(histories())
def test_nothing_is_paid_after_revocation_and_base_never_passes_the_cap(history):
    parks, rows, factor = history
    policy = load_policy(overrides={f"subsidy.grade_factor.{g}": factor for g in ("excellent", "qualified")})
    p, e = frames(parks, rows)
    book = ledger.build(p, e, policy).ledger.sort_values(["park_id", "year"])
    after = book[(book["status"] == "revoked") & ~book["revoked_this_year"]]
    assert (after[["base_paid", "bonus", "pending"]] == 0).all().all()
    base_total = book.groupby("park_id")["base_paid"].sum()
    assert (base_total <= 300 + 1e-9).all()
    # every due amount is paid, pending or cancelled, nothing else
    np.testing.assert_allclose(book["base_due"], book["base_paid"] + book["pending"] + book["cancelled"])
    # cumulative paid is the running sum of base and bonus
    running = book.groupby("park_id")[["base_paid", "bonus"]].cumsum().sum(axis=1)
    np.testing.assert_allclose(book["cumulative_paid"], running)


def _final_from_rows(
    book: pd.DataFrame, parks: pd.DataFrame, end_year: int, bonus_counts: bool
) -> pd.DataFrame:
    """Each park's standing after ``end_year``, read from its ledger rows alone."""
    rows = []
    for pid, certified in zip(parks["park_id"], parks["certified_year"], strict=True):
        mine = book[book["park_id"] == pid].sort_values("year")
        evaluated = mine[mine["evaluated"]]
        run = 0
        for grade in reversed(evaluated["grade"].tolist()):
            if grade != "unqualified":
                break
            run += 1
        counted = mine["base_paid"].sum() + (mine["bonus"].sum() if bonus_counts else 0.0)
        last = mine.iloc[-1] if len(mine) else None
        rows.append({
            "park_id": pid, "year": end_year, "certified_year": certified,
            "years_since_certification": end_year - certified,
            "status": "not_certified" if last is None else last["status"],
            "revoked": last is not None and last["status"] == "revoked",
            "score": np.nan if last is None or last["year"] != end_year else last["score"],
            "last_grade": evaluated["grade"].iloc[-1] if len(evaluated) else "",
            "last_evaluated_year": evaluated["year"].iloc[-1] if len(evaluated) else None,
            "unqualified_run": run, "cumulative_base_paid": counted,
            "cumulative_paid": 0.0 if last is None else last["cumulative_paid"],
        })  # fmt: skip
    out = pd.DataFrame(rows)
    out["last_evaluated_year"] = out["last_evaluated_year"].astype("Int64")
    return out


@given(histories(), st.sampled_from([2024, 2026]), st.booleans())
def test_the_final_state_is_what_the_last_ledger_rows_say(history, end_year, bonus_counts):
    parks, rows, factor = history
    parks = [*parks, ["LATE", "渝中", 2027]]  # certified after the ledger's last year: no row yet
    rows = [r for r in rows if r[1] <= end_year]
    policy = load_policy(overrides={
        **{f"subsidy.grade_factor.{g}": factor for g in ("excellent", "qualified")},
        "subsidy.bonus_counts_against_cap": bonus_counts,
    })  # fmt: skip
    p, e = frames(parks, rows)
    result = ledger.build(p, e, policy, end_year=end_year)
    expected = _final_from_rows(result.ledger, p, end_year, bonus_counts)
    assert list(result.final.columns) == ledger.FINAL_COLUMNS
    pd.testing.assert_frame_equal(result.final, expected, check_dtype=False)
    state = result.final_state
    assert state.revoked.tolist() == expected["revoked"].tolist()
    assert state.unqualified_run.tolist() == expected["unqualified_run"].tolist()
    np.testing.assert_allclose(state.cum_base_paid, expected["cumulative_base_paid"])
    np.testing.assert_allclose(state.cum_paid, expected["cumulative_paid"])
