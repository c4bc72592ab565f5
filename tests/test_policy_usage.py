"""A parameter nothing reads is a bug, in the policy file and in the sheet (as Tax-Calculator's test_function_args_usage says of its policy).

Every entry of the shipped policy file must be taken by some rule: either a rule function has a keyword
argument named after it (the rules take ``**policy.section(...)``), or the code reads it by its full dotted key.
The policy and sheet loaders in ``law/`` are left out of the search: defining a key is not reading it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import hrpark_analysis
import hrpark_analysis.rules
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.law.sheet import load_sheet

PACKAGE = Path(hrpark_analysis.__file__).parent


def _rule_keywords() -> set[str]:
    names: set[str] = set()
    for info in pkgutil.iter_modules(hrpark_analysis.rules.__path__):
        module = importlib.import_module(f"hrpark_analysis.rules.{info.name}")
        for _, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__:
                names.update(inspect.signature(fn).parameters)
    return names


def _code_outside_law() -> str:
    return "\n".join(
        p.read_text("utf-8") for p in PACKAGE.rglob("*.py") if "law" not in p.relative_to(PACKAGE).parts
    )


# Sections the Policy hands out through an accessor rather than by key: the accessor must be used.
ACCESSORS = {"regions": "region_map()"}  # 第四条: every district list becomes one district -> region map

KEYWORDS = _rule_keywords()
CODE = _code_outside_law()
KEYS = sorted(load_policy().params)


def _read(key: str) -> bool:
    section, name = key.split(".", 1)
    head = name.split(".")[0]  # subsidy.grade_factor.excellent is taken as grade_factor
    if section in ACCESSORS:
        return ACCESSORS[section] in CODE
    if head in KEYWORDS or name in KEYWORDS:
        return True
    # read by its dotted key, e.g. policy["evaluation.total_points"] or policy.section("subsidy")["grade_factor"]
    return bool(re.search(rf"[\"']{re.escape(key)}[\"']", CODE)) or (
        f'section("{section}")' in CODE and re.search(rf"[\"']{re.escape(head)}[\"']", CODE) is not None
    )


@pytest.mark.parametrize("key", KEYS)
def test_every_policy_parameter_is_read_by_some_rule(key):
    assert _read(key), f"{key}: no rule function takes it and no code reads it"


def test_the_check_itself_catches_an_unread_parameter():
    assert not _read("grading.a_parameter_nobody_reads")


SHEET_SETTINGS = sorted(load_sheet(total_points=100).settings)


@pytest.mark.parametrize("key", SHEET_SETTINGS)
def test_every_setting_of_the_sheet_is_read(key):
    # the sheet's settings are read by name: sheet.setting("rating_aggregate")
    assert f'setting("{key}")' in CODE, f"sheet setting {key}: no code reads it"
