"""The shipped text of 渝人社发〔2021〕57号: every reference of the policy file and the sheet resolves to its words."""

from __future__ import annotations

import re

import pytest

from hrpark_analysis.errors import PolicyError
from hrpark_analysis.law import text
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.law.sheet import load_sheet


def shipped_references() -> list[tuple[str, str]]:
    policy = load_policy()
    sheet = load_sheet()
    refs = [(f"policy {key}", p.reference) for key, p in policy.params.items()]
    refs += [(f"sheet settings.{key}", s.reference) for key, s in sheet.settings.items()]
    refs += [(f"sheet indicator {ind.id}", ind.reference) for ind in sheet.indicators]
    return refs


def test_every_reference_of_the_shipped_policy_and_sheet_resolves():
    refs = shipped_references()
    assert len(refs) > 40
    failures = []
    for where, reference in refs:
        try:
            quoted = text.resolve(reference)
        except PolicyError as exc:
            failures.append(f"{where}: {exc}")
            continue
        if not quoted.strip():
            failures.append(f"{where}: {reference!r} resolves to nothing")
    assert not failures, "\n".join(failures)


def test_the_text_has_twenty_seven_articles_and_their_clauses():
    reg = text.load()
    assert sorted(reg.articles) == list(range(1, 28))
    assert list(reg.article(8).clauses) == [1, 2, 3, 4, 5, 6, 7]
    assert list(reg.article(25).clauses) == [1, 2]
    assert not reg.article(24).clauses
    # a chapter heading is not part of the article before it
    assert "第三章" not in reg.article(10).text and "政策扶持" not in reg.article(10).text


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        ("第二十四条", ["不超过参加绩效评估园区总数的30%", "60分以下的直接确定为不合格"]),
        ("第八条(五)", ["入驻机构数量不低20家", "5亿元"]),
        ("第二十五条(二)", ["整改后仍不合格的", "连续两年评估为不合格等次的"]),
        ("第二十五条(一)", ["增加补助资金10万元"]),
        ("第十一条", ["最高300万元", "认定首年150万元、次年100万元、第三年50万元"]),
        ("第十一条 末段", ["最高300万元"]),
        ("第八条 末段", ["适当放宽相关条件要求", "可适当放宽场地面积要求"]),
        ("第十条(一)至(四)", ["申报函件", "园区拟入驻人力资源服务机构名录"]),
    ],
)
def test_a_reference_resolves_to_its_span(reference, words):
    quoted = text.resolve(reference)
    for word in words:
        assert word in quoted


def test_spans_are_exact_clauses_and_paragraphs():
    assert text.resolve("第八条(五)").startswith("(五)")
    assert "(六)" not in text.resolve("第八条(五)")
    assert text.resolve("第八条 末段").startswith("对渝东北、渝东南地区")
    assert text.resolve("第十条(一)至(四)").count("\n") == 3
    assert text.resolve("第二十四条").startswith("第二十四条 绩效评估方法")


def test_parts_of_a_compound_reference_resolve_one_by_one():
    cites = text.citations("第十一条；第二十五条(二)")
    assert [c.label for c in cites] == ["第十一条", "第二十五条(二)"]
    # another law cannot be quoted from this text, and an explanation after a citation is not a citation
    assert [c.label for c in text.citations("第二十四条；《民法典》第一千二百五十九条")] == ["第二十四条"]
    assert [c.label for c in text.citations("第二十一条(三)(“安全管理”)；扣分不使运营管理得分低于0")] == [
        "第二十一条(三)"
    ]


def test_quotations_must_be_the_texts_own_words():
    # full-width punctuation in a quotation matches the page's half-width; …… stands for omitted words
    text.resolve("第二十五条(二)(“连续两年评估为不合格等次的，取消市级人力资源服务产业园授牌”)")
    text.resolve("第二十一条(二)(“价值导向……社会责任履行情况”)")
    with pytest.raises(PolicyError, match="引文"):
        text.resolve("第二十四条(“不超过参加绩效评估园区总数的20%”)")
    with pytest.raises(PolicyError, match="引文"):
        text.resolve("第二十一条(二)(“社会责任履行情况……价值导向”)")  # fragments out of order


@pytest.mark.parametrize(
    ("reference", "fragment"),
    [
        ("第二十八条", "没有第二十八条"),
        ("第八条(八)", "没有(八)项"),
        ("第二十四条(一)", "没有(一)项"),
        ("第十条(三)至(五)", "没有(五)项"),
        ("《民法典》第一千二百五十九条", "没有引用本办法"),
        ("第二十四", "不是可解析的条款引用"),
        ("地二十四条", "不是可解析的条款引用"),
        ("第十一条 末段x", "不是可解析的条款引用"),
        ("第十一条；", "空的部分"),
    ],
)
def test_a_reference_that_does_not_resolve_is_refused(reference, fragment):
    with pytest.raises(PolicyError, match=re.escape(fragment)):
        text.resolve(reference)


@pytest.mark.parametrize(
    ("number", "word"), [(1, "一"), (10, "十"), (11, "十一"), (24, "二十四"), (1259, "一千二百五十九")]
)
def test_chinese_numerals_round_trip(number, word):
    assert text.numeral(word) == number
    assert text.chinese_numeral(number) == word


def test_a_gap_in_the_numbering_is_refused():
    with pytest.raises(PolicyError, match="不连续"):
        text.parse("第一条  甲。\n\n第三条  丙。\n")
    with pytest.raises(PolicyError, match="不连续"):
        text.parse("第一条  甲:\n(一)子;\n(三)寅。\n")
