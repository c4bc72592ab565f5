"""Money and grades that a float or a missing year used to get wrong (issue 12, worked by hand).

- 第十一条: a year after the certification year whose evaluation has not happened yet is not paid; the ledger
  says it is undetermined (``awaiting_evaluation``, ``undetermined`` = the baseline amount waiting).
- 第二十四条: a score that reaches the program as 59.99999999999999 (an Excel sum 20.2 + 16.4 + 23.4) is the
  60.00 the bureau's workbook shows: input scores are rounded to ``evaluation.score_precision`` decimals.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hrpark_analysis.cli import main
from hrpark_analysis.engine import ledger
from hrpark_analysis.law.policy import load_policy

BASELINE = load_policy()
EXCEL_SIXTY = 20.2 + 16.4 + 23.4  # 59.99999999999999 in binary floating point


def frames(parks, evaluations):
    p = pd.DataFrame(parks, columns=["park_id", "district", "certified_year"])
    e = pd.DataFrame(evaluations, columns=["park_id", "year", "score"])
    e["veto"] = False
    e["rectified"] = np.nan
    for c in ("score_economic", "score_role", "score_operations"):
        e[c] = np.nan
    e["_row"] = np.arange(len(e)) + 2
    return p, e


def test_an_unevaluated_year_after_certification_is_undetermined_never_paid():
    # P1 certified 2024: 2024 paid 150 (认定首年), 2025 合格 → 100, cumulative 250. 2026 has no evaluation
    # yet (the ledger runs to 2026 because P2 is certified then): its 50 is waiting, not paid.
    # P2 certified 2026: its certification year is paid 150 without an evaluation (第十一条 认定首年).
    parks, evals = frames([["P1", "渝中", 2024], ["P2", "江北", 2026]], [["P1", 2025, 70.0]])
    book = ledger.build(parks, evals, load_policy()).ledger.set_index(["park_id", "year"])
    p1 = book.loc[("P1", 2026)]
    assert p1["base_paid"] == 0 and p1["bonus"] == 0 and p1["pending"] == 0 and p1["cancelled"] == 0
    assert p1["cumulative_paid"] == 250
    assert p1["undetermined"] == 50 and bool(p1["awaiting_evaluation"])
    assert p1["status"] == "active" and p1["grade"] == ""
    p2 = book.loc[("P2", 2026)]
    assert p2["base_paid"] == 150 and p2["undetermined"] == 0 and not bool(p2["awaiting_evaluation"])
    assert not book.loc[("P1", 2025), "awaiting_evaluation"] and book.loc[("P1", 2025), "undetermined"] == 0


def test_the_undetermined_year_is_not_carried_as_paid_into_the_final_state():
    parks, evals = frames([["P1", "渝中", 2024], ["P2", "江北", 2026]], [["P1", 2025, 70.0]])
    final = ledger.build(parks, evals, load_policy()).final.set_index("park_id")
    assert final.loc["P1", "cumulative_base_paid"] == 250 and final.loc["P1", "cumulative_paid"] == 250


def test_evaluate_writes_the_undetermined_state_after_the_contract_columns(tmp_path, capsys):
    (tmp_path / "parks.csv").write_text(
        "park_id,name,district,certified_year\nP1,甲,渝中区,2024\nP2,乙,江北区,2026\n", "utf-8"
    )
    (tmp_path / "evals.csv").write_text("park_id,year,score\nP1,2025,70\n", "utf-8")
    out = tmp_path / "out"
    code = main(["evaluate", "--parks", str(tmp_path / "parks.csv"), "--evaluations",
                 str(tmp_path / "evals.csv"), "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    book = pd.read_csv(out / "ledger.csv")
    assert list(book.columns[:11]) == [
        "park_id", "year", "status", "grade", "base_due", "base_paid", "pending", "cancelled", "bonus",
        "cumulative_paid", "district_match",
    ]  # fmt: skip
    row = book[(book["park_id"] == "P1") & (book["year"] == 2026)].iloc[0]
    assert (row["base_paid"], row["cumulative_paid"], row["undetermined"]) == (0, 250, 50)
    assert bool(row["awaiting_evaluation"]) is True


def test_an_excel_sum_of_sixty_is_graded_qualified_and_recorded_as_60():
    assert EXCEL_SIXTY < 60  # the fault this test is about
    parks, evals = frames([["P1", "渝中", 2024], ["P2", "江北", 2024]], [["P1", 2025, EXCEL_SIXTY],
                                                                        ["P2", 2025, 80.0]])  # fmt: skip
    result = ledger.build(parks, evals, load_policy())
    grades = result.grades.set_index("park_id")
    assert grades.loc["P1", "grade"] == "qualified"
    assert grades.loc["P1", "score"] == 60.0


def test_the_precision_is_a_policy_parameter_with_its_reason():
    param = load_policy().params["evaluation.score_precision"]
    assert param.value == 2 and param.assumption and param.reason and param.unit
    # one decimal: 59.96 is 60.0, so 合格; two decimals: 59.96 stays 不合格
    parks, evals = frames([["P1", "渝中", 2024]], [["P1", 2025, 59.96]])
    coarse = ledger.build(parks, evals, load_policy(overrides=["evaluation.score_precision=1"]))
    assert coarse.grades["grade"].tolist() == ["qualified"]
    assert ledger.build(parks, evals, load_policy()).grades["grade"].tolist() == ["unqualified"]


def test_the_cli_reads_an_excel_float_as_sixty(tmp_path, capsys):
    (tmp_path / "parks.csv").write_text("park_id,name,district,certified_year\nP1,甲,渝中区,2024\n", "utf-8")
    (tmp_path / "evals.csv").write_text(f"park_id,year,score\nP1,2025,{EXCEL_SIXTY!r}\n", "utf-8")
    assert "59.99999999999999" in (tmp_path / "evals.csv").read_text("utf-8")
    out = tmp_path / "out"
    code = main(["evaluate", "--parks", str(tmp_path / "parks.csv"), "--evaluations",
                 str(tmp_path / "evals.csv"), "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    grades = pd.read_csv(out / "grades.csv")
    assert grades["grade"].tolist() == ["qualified"] and grades["score"].tolist() == [60.0]


def test_explain_steps_in_the_policy_precision(tmp_path, capsys):
    # P1 70.0, P2 80.0, P3 90.0: cap floor(0.3 × 3) = 0 → nobody can be 优秀; with share 0.5: cap 1, P3 优秀.
    # P2 needs more than 90: the least raise is 10.01 at 2 decimals, 10.1 at 1 decimal.
    (tmp_path / "parks.csv").write_text(
        "park_id,name,district,certified_year\nP1,甲,渝中区,2024\nP2,乙,江北区,2024\nP3,丙,南岸区,2024\n",
        "utf-8",
    )
    (tmp_path / "evals.csv").write_text("park_id,year,score\nP1,2025,70\nP2,2025,80\nP3,2025,90\n", "utf-8")

    def raise_for(*sets):
        args = ["explain", "--parks", str(tmp_path / "parks.csv"), "--evaluations",
                str(tmp_path / "evals.csv"), "--park", "P2", "--year", "2025", "--format", "json",
                "--set", "grading.excellent_share=0.5"]  # fmt: skip
        for s in sets:
            args += ["--set", s]
        assert main(args) == 0
        return json.loads(capsys.readouterr().out)["points_to_excellent"]

    assert raise_for() == 10.01
    assert raise_for("evaluation.score_precision=1") == 10.1


@given(
    certified=st.lists(st.integers(2020, 2026), min_size=1, max_size=5),
    last=st.integers(2021, 2025),
    scores=st.lists(st.sampled_from([65.0, 78.5, 90.0]), min_size=40, max_size=40),
)
@settings(max_examples=25, deadline=None)
def test_no_year_after_the_last_evaluation_is_ever_paid_unless_it_is_a_certification_year(
    certified, last, scores
):
    parks = [[f"P{i}", "渝中", c] for i, c in enumerate(certified)]
    rows, draw = [], iter(scores * 10)
    for year in range(2021, last + 1):
        rows += [[f"P{i}", year, next(draw)] for i, c in enumerate(certified) if year >= c + 1]
    assume(rows)  # without any evaluation the ledger's last evaluation year is the last certification year
    p, e = frames(parks, rows)
    book = ledger.build(p, e, BASELINE).ledger  # no 不合格 here, so no plaque is withdrawn
    due = book["year"] - book["park_id"].map(dict(zip(p["park_id"], p["certified_year"], strict=True))) >= 1
    later = book[(book["year"] > last) & due & (book["status"] == "active")]
    assert (later[["base_paid", "bonus", "pending", "cancelled"]] == 0).all().all()
    assert later["awaiting_evaluation"].all()
    np.testing.assert_allclose(
        book["base_due"], book["base_paid"] + book["pending"] + book["cancelled"] + book["undetermined"]
    )


def test_the_sensitivity_inputs_grade_an_excel_sixty_as_the_ledger_does():
    import hrpark_analysis as hp

    parks, evals = frames([["P1", "渝中", 2024], ["P2", "江北", 2024]], [["P1", 2025, EXCEL_SIXTY],
                                                                        ["P2", 2025, 80.0]])  # fmt: skip
    grid = hp.sweep(parks, evals, BASELINE, shares=[0.3], pass_marks=[60])
    assert grid["n_unqualified"].tolist() == [0]  # as hp.evaluate: 60.00 is 合格
