"""第二十四条: worked cases (tests/cases/grading.yaml) and invariants of the grading rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.rules.grading import (
    EXCELLENT,
    NOT_EVALUATED,
    QUALIFIED,
    UNQUALIFIED,
    below_pass_mark,
    excellent_cap,
    grade_scores,
    pass_side,
    places_needed,
    tie_counts,
    tie_groups,
)

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "grading.yaml").read_text("utf-8"))
LETTER = {"E": EXCELLENT, "Q": QUALIFIED, "U": UNQUALIFIED}
BASELINE = load_policy().section("grading")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_worked_case(case):
    policy = load_policy(overrides=case.get("set"))
    n = len(case["scores"])
    dims = {
        k: np.array(case[k], float) for k in ("score_economic", "score_role", "score_operations") if k in case
    }
    result = grade_scores(
        np.array(case["scores"], float),
        np.array(case.get("veto", [False] * n)),
        None,
        dims or None,
        **policy.section("grading"),
    )
    assert result.grade.tolist() == [LETTER[g] for g in case["expect"]]
    assert int(result.cap) == case["cap"]
    assert bool(result.cap_exceeded) == case.get("cap_exceeded", False)
    assert bool(result.ties_excluded) == case.get("ties_excluded", False)


@pytest.mark.parametrize(
    ("share", "n", "rounding", "expected"),
    [
        (0.29, 100, "floor", 29),  # a binary floor of 0.29 × 100 = 28.999… would give 28
        (0.3, 10, "floor", 3),
        (0.3, 7, "floor", 2),  # 2.1
        (0.3, 7, "ceil", 3),
        (0.3, 5, "round", 2),  # 1.5 rounds half up
        (0.3, 3, "round", 1),  # 0.9
        (0.3, 1, "round", 0),  # 0.3
        (0.07, 100, "floor", 7),  # 0.07 × 100 = 7.000000000000001 in binary
        (0.57, 100, "floor", 57),  # 0.57 × 100 = 56.99999999999999 in binary
        (1.0, 13, "floor", 13),
    ],
)
def test_excellent_cap_is_exact(share, n, rounding, expected):
    assert int(excellent_cap(n, excellent_share=share, cap_rounding=rounding)) == expected


def test_share_029_of_100_distinct_parks_gives_29_excellent():
    scores = 60.0 + 0.4 * np.arange(100)
    result = grade_scores(scores, **{**BASELINE, "excellent_share": 0.29})
    assert int((result.grade == EXCELLENT).sum()) == 29
    # the 29 best are the excellent ones
    assert set(np.flatnonzero(result.grade == EXCELLENT)) == set(range(71, 100))


def test_parks_not_taking_part_are_not_graded_and_do_not_count():
    scores = np.array([95, 90, 85, np.nan, 80])
    active = np.array([True, True, True, True, False])
    result = grade_scores(scores, None, active, **BASELINE)
    # NaN and inactive parks are out; N = 3 → floor(0.9) = 0 places
    assert result.grade.tolist() == [QUALIFIED, QUALIFIED, QUALIFIED, NOT_EVALUATED, NOT_EVALUATED]
    assert int(result.n_participants) == 3
    assert result.rank.tolist() == [1, 2, 3, 0, 0]


def test_leading_axes_are_independent_evaluations():
    a = np.array([95, 90, 85, 80, 75, 70, 65, 62, 60, 50.0])
    stacked = grade_scores(np.stack([a, a[::-1]]), **BASELINE)
    assert stacked.grade[0].tolist() == grade_scores(a, **BASELINE).grade.tolist()
    assert stacked.grade[1].tolist() == grade_scores(a[::-1], **BASELINE).grade.tolist()


def test_rank_shares_the_better_rank_on_ties():
    result = grade_scores(np.array([80, 90, 80, 70.0]), **BASELINE)
    assert result.rank.tolist() == [2, 1, 2, 4]


# --- properties ----------------------------------------------------------------------------------------
scores_strategy = st.lists(
    st.integers(min_value=0, max_value=40).map(lambda v: 50 + v / 2), min_size=1, max_size=40
)  # half-point scores around the pass mark: many ties


@given(
    scores=scores_strategy,
    share=st.integers(1, 100).map(lambda p: p / 100),
    rounding=st.sampled_from(["floor", "round", "ceil"]),
    tie_policy=st.sampled_from(["exclude", "dimension"]),
    data=st.data(),
)
def test_cap_is_never_passed_under_exclude_or_dimension(scores, share, rounding, tie_policy, data):
    n = len(scores)
    veto = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    role = data.draw(st.lists(st.integers(0, 3).map(float), min_size=n, max_size=n))
    dims = {"score_role": np.array(role), "score_economic": np.zeros(n), "score_operations": np.zeros(n)}
    args = {**BASELINE, "excellent_share": share, "cap_rounding": rounding, "tie_policy": tie_policy}
    result = grade_scores(np.array(scores), np.array(veto), None, dims, **args)
    assert int(result.n_excellent) <= int(result.cap)
    assert not bool(result.cap_exceeded)


@given(
    scores=scores_strategy,
    share=st.integers(1, 100).map(lambda p: p / 100),
    tie_policy=st.sampled_from(["exclude", "include"]),
    inclusive=st.booleans(),
    min_score=st.one_of(st.none(), st.integers(50, 70).map(float)),
)
def test_a_higher_score_never_gets_a_worse_grade(scores, share, tie_policy, inclusive, min_score):
    args = {
        **BASELINE,
        "excellent_share": share,
        "tie_policy": tie_policy,
        "pass_mark_inclusive": inclusive,
        "excellent_min_score": min_score,
    }
    s = np.array(scores)
    grade = grade_scores(s, **args).grade
    higher = s[:, None] > s[None, :]
    assert not (higher & (grade[:, None] < grade[None, :])).any()
    # equal scores (and no vetoes) always get the same grade
    same = s[:, None] == s[None, :]
    assert not (same & (grade[:, None] != grade[None, :])).any()


@given(scores=scores_strategy, data=st.data())
def test_tie_counts_match_a_direct_count(scores, data):
    s = np.array(scores)
    valid = np.array(data.draw(st.lists(st.booleans(), min_size=len(s), max_size=len(s))))
    above, at_or_above = tie_counts([s], valid)
    for i in np.flatnonzero(valid):
        assert above[i] == int((valid & (s > s[i])).sum())
        assert at_or_above[i] == int((valid & (s >= s[i])).sum())


@given(scores=scores_strategy, share=st.integers(1, 100).map(lambda p: p / 100))
def test_include_takes_at_least_as_many_as_exclude_and_only_tied_extras(scores, share):
    s = np.array(scores)
    exc = grade_scores(s, **{**BASELINE, "excellent_share": share, "tie_policy": "exclude"})
    inc = grade_scores(s, **{**BASELINE, "excellent_share": share, "tie_policy": "include"})
    assert int(inc.n_excellent) >= int(exc.n_excellent)
    extra = (inc.grade == EXCELLENT) & (exc.grade != EXCELLENT)
    # the extras form one group of equal scores
    assert len(set(s[extra].tolist())) <= 1


def test_skipping_the_rank_changes_no_grade():
    s = np.array([95, 90, 88, 88, 80, 75, 70, 65, 62, 61.0])
    full = grade_scores(s, **BASELINE)
    fast = grade_scores(s, **BASELINE, with_rank=False)
    assert fast.grade.tolist() == full.grade.tolist()
    assert not fast.rank.any() and full.rank.any()


def test_tie_groups_give_each_position_its_run_of_equal_keys():
    score = np.array([[9.0, 7.0, 7.0, 5.0, 5.0, 5.0], [8.0, 8.0, 8.0, 8.0, 2.0, 1.0]])
    start, end = tie_groups([score])
    np.testing.assert_array_equal(start, [[0, 1, 1, 3, 3, 3], [0, 0, 0, 0, 4, 5]])
    np.testing.assert_array_equal(end, [[1, 3, 3, 6, 6, 6], [4, 4, 4, 4, 5, 6]])
    # a second key splits a run of equal scores (tie_policy="dimension")
    start, end = tie_groups([score[0], np.array([1.0, 3.0, 2.0, 4.0, 4.0, 0.0])])
    np.testing.assert_array_equal(start, [0, 1, 2, 3, 3, 5])
    np.testing.assert_array_equal(end, [1, 2, 3, 5, 5, 6])


def test_places_needed_is_how_each_tie_policy_treats_a_group_straddling_the_cap():
    above, at_or_above = np.array([0, 1, 1, 3]), np.array([1, 3, 3, 4])
    np.testing.assert_array_equal(places_needed(above, at_or_above, tie_policy="include"), [1, 2, 2, 4])
    for policy in ("exclude", "dimension"):
        np.testing.assert_array_equal(places_needed(above, at_or_above, tie_policy=policy), at_or_above)
    with pytest.raises(ValueError, match="tie_policy"):
        places_needed(above, at_or_above, tie_policy="coin")


@given(
    st.lists(st.integers(0, 20).map(lambda v: v * 5.0), min_size=1, max_size=12),
    st.lists(st.integers(0, 20).map(lambda v: v * 5.0), min_size=1, max_size=8, unique=True),
    st.booleans(),
)
def test_pass_side_counts_the_marks_below_pass_mark_says_a_score_passes(scores, marks, inclusive):
    score = np.array(scores)
    marks = np.sort(np.array(marks))
    passed = ~below_pass_mark(score[:, None], pass_mark=marks[None, :], pass_mark_inclusive=inclusive)
    np.testing.assert_array_equal(
        np.searchsorted(marks, score, side=pass_side(inclusive)), passed.sum(axis=1)
    )
    # one reading per row (the Sobol sample) is the scalar reading row by row
    rows = np.array([inclusive, not inclusive])[:, None]
    per_row = below_pass_mark(score[None, :], pass_mark=60.0, pass_mark_inclusive=rows)
    np.testing.assert_array_equal(
        per_row[0], below_pass_mark(score, pass_mark=60.0, pass_mark_inclusive=inclusive)
    )
    np.testing.assert_array_equal(
        per_row[1], below_pass_mark(score, pass_mark=60.0, pass_mark_inclusive=not inclusive)
    )
