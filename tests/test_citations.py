"""Citations pinned to the text: a reference that does not resolve refuses the policy file or the sheet on
load, and ``hrpark policy show --quote`` prints each entry with the words of the clause it cites."""

from __future__ import annotations

from importlib import resources

import pytest

from hrpark_analysis.cli import main
from hrpark_analysis.errors import InputError, PolicyError
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.law.sheet import bundled_path, load_sheet

SHIPPED = resources.files("hrpark_analysis").joinpath("law", "policy-2021.yaml").read_text("utf-8")
BONUS_REF = "    reference: 第二十五条(一)\n"


def test_the_shipped_policy_and_sheet_load_with_every_reference_resolved():
    assert load_policy().params["subsidy.excellent_bonus"].reference == "第二十五条(一)"
    assert load_sheet().indicators


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        ("第九十九条", "没有第九十九条"),
        ("第二十五条(五)", "没有(五)项"),
        ("第二十五条(一)(“减少补助资金”)", "没有引文"),
    ],
)
def test_a_policy_citing_what_the_text_lacks_is_refused(tmp_path, reference, words):
    assert SHIPPED.count(BONUS_REF) == 1
    bad = tmp_path / "policy.yaml"
    bad.write_text(SHIPPED.replace(BONUS_REF, f"    reference: {reference}\n"), "utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(bad)
    assert "subsidy.excellent_bonus" in str(err.value) and words in str(err.value)


def test_the_cli_refuses_it_with_exit_2(tmp_path, capsys):
    bad = tmp_path / "policy.yaml"
    bad.write_text(SHIPPED.replace(BONUS_REF, "    reference: 第九十九条\n"), "utf-8")
    assert main(["policy", "show", "--policy", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "第九十九条" in err and str(bad) in err and "Traceback" not in err


def test_a_sheet_citing_what_the_text_lacks_is_refused(tmp_path):
    shipped = bundled_path().read_text("utf-8")
    first = next(line for line in shipped.splitlines() if line.strip().startswith("reference: 第二十一条"))
    bad = tmp_path / "sheet.yaml"
    bad.write_text(shipped.replace(first, first.split("reference:")[0] + "reference: 第九十九条", 1), "utf-8")
    with pytest.raises(InputError) as err:
        load_sheet(bad)
    assert "第九十九条" in str(err.value) and str(bad) in str(err.value)


def test_policy_show_quote_prints_the_clause_beside_each_entry(capsys):
    assert main(["policy", "show", "--quote"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("subsidy.excellent_bonus = 10"))
    block = "\n".join(lines[at : at + 4])
    assert "「(一)对年度评估为优秀等次的市级人力资源服务产业园" in block and "增加补助资金10万元" in block
    assert main(["policy", "show"]) == 0
    assert "「" not in capsys.readouterr().out
