"""Every YAML the program reads — the policy file, the sheet, report parameters — goes through one safe loader
(issue 12): duplicate keys, alias bombs and deep nesting are refused with the file and the line (exit 2, no
traceback, fast), and a policy file saved as GBK or UTF-16 loads like the UTF-8 one."""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hrpark_analysis.cli import main
from hrpark_analysis.errors import HrparkError
from hrpark_analysis.law import yamlfile
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.law.sheet import bundled_path, load_sheet
from hrpark_analysis.reports.params import plan_report

SHIPPED = resources.files("hrpark_analysis").joinpath("law", "policy-2021.yaml").read_text("utf-8")
PARAMS = Path(__file__).resolve().parents[1] / "params" / "annual-2025.yaml"

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)  # 10^9 x's once expanded
DEEP = "k: " + "[" * 5000 + "]" * 5000 + "\n"


def policy_show(capsys, path: Path) -> tuple[int, str]:
    code = main(["policy", "show", "--policy", str(path)])
    return code, capsys.readouterr().err


def assert_one_line(err: str, path: Path, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hrpark: 错误:"), err
    assert str(path) in err and "Traceback" not in err
    for w in words:
        assert w in err, (w, err)


# --- duplicate keys ------------------------------------------------------------------------------------------
def test_a_policy_key_given_twice_is_refused_with_both_lines(tmp_path, capsys):
    needle = "  pass_mark:\n    value: 60\n"
    assert SHIPPED.count(needle) == 1
    at = SHIPPED[: SHIPPED.index(needle)].count("\n") + 1  # line of the first pass_mark
    bad = tmp_path / "policy.yaml"
    bad.write_text(SHIPPED.replace(needle, needle + "    value: 65\n"), "utf-8")
    with pytest.raises(HrparkError) as err:
        load_policy(bad)
    assert "value" in str(err.value) and f"第 {at + 1} 行" in str(err.value)
    code, out = policy_show(capsys, bad)
    assert code == 2
    assert_one_line(out, bad, "重复", f"第 {at + 2} 行")


def test_a_sheet_key_given_twice_is_refused(tmp_path):
    shipped = bundled_path().read_text("utf-8")
    bad = tmp_path / "sheet.yaml"
    bad.write_text("settings: {}\n" + shipped, "utf-8")  # settings: twice at the top
    with pytest.raises(HrparkError) as err:
        load_sheet(bad)
    assert "settings" in str(err.value) and "重复" in str(err.value) and str(bad) in str(err.value)


def test_a_params_key_given_twice_is_refused(tmp_path, capsys):
    bad = tmp_path / "annual.yaml"
    bad.write_text(PARAMS.read_text("utf-8") + "year: 2024\n", "utf-8")
    code = main(["report", "annual", "--params", str(bad), "--out", str(tmp_path / "r")])
    assert code == 2
    err = capsys.readouterr().err  # the report command says 校验参数… on stderr before the message
    assert_one_line("\n".join(x for x in err.splitlines() if x.startswith("hrpark")), bad, "year", "重复")
    assert "Traceback" not in err and "第 5 行" in err
    assert not (tmp_path / "r").exists()


# --- alias bombs and deep nesting ----------------------------------------------------------------------------
@pytest.mark.parametrize("text", [BILLION_LAUGHS, DEEP], ids=["billion-laughs", "deep"])
def test_a_hostile_policy_file_fails_fast_with_exit_2(tmp_path, capsys, text):
    bad = tmp_path / "policy.yaml"
    bad.write_text(text, "utf-8")
    began = time.perf_counter()
    code, err = policy_show(capsys, bad)
    assert time.perf_counter() - began < 5.0  # a hang was > 60 s; the loader's own cost is in benchmarks
    assert code == 2
    assert_one_line(err, bad)


@pytest.mark.parametrize("text", [BILLION_LAUGHS, DEEP], ids=["billion-laughs", "deep"])
def test_a_hostile_params_file_or_sheet_fails_fast(tmp_path, text):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, "utf-8")
    for load in (lambda: plan_report("annual", bad), lambda: load_sheet(bad)):
        began = time.perf_counter()
        with pytest.raises(HrparkError) as err:
            load()
        assert time.perf_counter() - began < 3.0 and str(bad) in str(err.value)


def test_a_hostile_set_value_is_refused(capsys):
    assert main(["policy", "show", "--set", "grading.pass_mark=" + "[" * 3000 + "]" * 3000]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_shared_anchor_within_the_bound_still_loads(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text("a: &a [1, 2]\nb: *a\nbase: &base {x: 1}\nc:\n  <<: *base\n  x: 2\n", "utf-8")
    from hrpark_analysis.law import yamlfile

    assert yamlfile.read(ok)[1] == {"a": [1, 2], "b": [1, 2], "base": {"x": 1}, "c": {"x": 2}}


# --- encodings -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_a_policy_file_saved_in_a_chinese_windows_encoding_loads(tmp_path, capsys, encoding):
    path = tmp_path / "policy.yaml"
    path.write_bytes(
        ("# 本地修订：合格线 65 分\n" + SHIPPED.replace("    value: 60\n", "    value: 65\n", 1)).encode(
            encoding
        )
    )
    assert load_policy(path)["grading.pass_mark"] == 65
    assert main(["policy", "show", "--policy", str(path)]) == 0
    capsys.readouterr()


def test_a_policy_file_in_no_known_encoding_is_one_message(tmp_path, capsys):
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"# \xff\xfe\x00 " * 0 + b"grading:\n  pass_mark: \x81\x20\xff\n")
    code, err = policy_show(capsys, path)
    assert code == 2
    assert_one_line(err, path, "编码")


def test_the_loader_refuses_an_alias_bomb_before_building_it():
    from hrpark_analysis.errors import InputError
    from hrpark_analysis.law import yamlfile

    began = time.perf_counter()
    with pytest.raises(InputError) as err:
        yamlfile.load_text(BILLION_LAUGHS, "bomb.yaml")
    assert time.perf_counter() - began < 3.0  # measured ~1 ms; the bound only catches a hang
    assert err.value.file == "bomb.yaml" and err.value.row is not None and "别名" in err.value.message


# --- the fast (libyaml) loader and the pure-Python one ------------------------------------------------------
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=False), TEXT
)
YAML_DATA = st.recursive(
    YAML_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


def test_the_fast_loader_is_used_and_reads_the_shipped_files_as_the_pure_python_loader_does():
    assert yamlfile._FAST_LOADER is not None  # PyPI's PyYAML wheels carry libyaml
    for name in ("policy-2021.yaml", "sheet-illustrative.yaml"):
        text = resources.files("hrpark_analysis").joinpath("law", name).read_text("utf-8")
        assert yamlfile.load_text(text, name) == yaml.load(text, Loader=yamlfile._UniqueKeyLoader)


@given(YAML_DATA, st.sampled_from([False, True]))
def test_any_data_reads_back_the_same_through_either_loader(data, flow):
    text = yaml.safe_dump({"k": data}, allow_unicode=True, default_flow_style=flow)
    assert (
        yamlfile.load_text(text, "t.yaml") == yaml.load(text, Loader=yamlfile._UniqueKeyLoader) == {"k": data}
    )


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a:\n\tb: 1\n", 2, ["'\\t'"]),  # a tab: the message names it (libyaml's does not)
        ("x: 1\ny: *nowhere\n", 2, ["'nowhere'"]),
        ("a: [1, 2\nb: 3\n", 2, ["']'"]),
    ],
)
def test_a_refused_file_gets_the_pure_python_loader_s_precise_message(text, line, words):
    with pytest.raises(HrparkError) as caught:
        yamlfile.load_text(text, "p.yaml")
    message = str(caught.value)
    assert f"第 {line} 行" in message and "不是有效的 YAML" in message
    for word in words:
        assert word in message, message
