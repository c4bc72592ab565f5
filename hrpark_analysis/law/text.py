"""The shipped text of 渝人社发〔2021〕57号, parsed into articles and clauses, so that a reference resolves.

``measures-2021.zh.txt`` is the bureau's web page as published. :func:`parse` finds the articles (第一条 …
第二十七条; chapter headings 第N章 are skipped) and, within each, its paragraphs and clauses ((一)(二)…).
A reference, as the policy file and the evaluation sheet write it, names one or more parts separated by ``；``:

- ``第二十四条``: the whole article;
- ``第八条(五)``: one clause; ``第十条(一)至(四)``: a run of clauses;
- ``第八条 末段``: the article's last paragraph (the one after its clauses);
- an optional parenthesis after the locator: a note, in which every “quotation” must be the text's own words
  (``……`` stands for omitted words, the fragments must appear in order);
- ``《民法典》第一千二百五十九条``: an article of another law, which this text cannot quote (skipped);
- free words after a citation (``第二十一条(三)；扣分不使运营管理得分低于0``): an explanation (skipped).

:func:`resolve` returns the quoted span(s) of this text and raises :class:`~hrpark_analysis.errors.PolicyError`
for a reference that does not resolve: an article or clause the text does not have, a quotation it does not
contain, or a reference that cites nothing of this text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from hrpark_analysis.errors import PolicyError

TEXT_NAME = "measures-2021.zh.txt"
TITLE = "重庆市市级人力资源服务产业园管理办法(试行)"
_OWN_NAMES = {TITLE, "重庆市市级人力资源服务产业园管理办法", "本办法"}

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "零〇一二三四五六七八九十百千两"

_ARTICLE_LINE = re.compile(rf"^第([{_NUMERAL}]+)条\s*(.*)$")
_CHAPTER_LINE = re.compile(rf"^第[{_NUMERAL}]+章(\s|$)")
_CLAUSE_START = re.compile(r"^\(([一二三四五六七八九十]+)\)")
_PART = re.compile(
    rf"^(?:《(?P<law>[^》]+)》)?第(?P<article>[{_NUMERAL}]+)条"
    r"\s*(?P<locator>末段|\((?P<first>[一二三四五六七八九十]+)\)(?:\s*(?:至|、|-|–|—)\s*\((?P<last>[一二三四五六七八九十]+)\))?)?"
    r"\s*(?P<note>\(.*\))?$"
)
_QUOTE = re.compile(r"“([^”]*)”")
_ELLIPSIS = re.compile(r"\.{3,}|…+")


def numeral(text: str) -> int:
    """A Chinese numeral as written in article numbers: 二十四 -> 24, 十一 -> 11, 一千二百五十九 -> 1259."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise ValueError(f"不是中文数字: {text!r}")
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
    return total + (digit or 0)


def chinese_numeral(n: int) -> str:
    """The inverse of :func:`numeral` for 1–9999 as article numbers write it: 24 -> 二十四, 10 -> 十."""
    if not 0 < n < 10000:
        raise ValueError(f"超出范围: {n}")
    digits = "零一二三四五六七八九"
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            out += ("" if (unit == "十" and d == 1 and not out) else digits[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _normal(text: str) -> str:
    """For comparing words: full-width punctuation as half-width (NFKC) and no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Article:
    """One article: its paragraphs (the first starts with 第N条) and its clauses by number."""

    number: int
    paragraphs: tuple[str, ...]
    clauses: Mapping[int, str]

    @property
    def label(self) -> str:
        return f"第{chinese_numeral(self.number)}条"

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def last_paragraph(self) -> str:
        """末段: the article's last paragraph (for 第八条, the relaxations after clause (七))."""
        return self.paragraphs[-1]


@dataclass(frozen=True)
class Citation:
    """One resolved part of a reference: where (``第八条(五)``) and the words of the text there."""

    label: str
    text: str


@dataclass(frozen=True)
class Regulation:
    """The parsed text: articles by number."""

    articles: Mapping[int, Article]
    source: str = TEXT_NAME

    def article(self, number: int) -> Article:
        if number not in self.articles:
            raise PolicyError(f"{self.source} 没有第{chinese_numeral(number)}条(共 {len(self.articles)} 条)")
        return self.articles[number]

    def citations(self, reference: str) -> list[Citation]:
        """Every part of ``reference`` that cites this text, resolved; raises PolicyError if one does not."""
        parts = [p.strip() for p in re.split(r"[；;]", unicodedata.normalize("NFKC", str(reference)))]
        out: list[Citation] = []
        cited_any = False
        for part in parts:
            if not part:
                raise PolicyError(f"依据 {reference!r} 含空的部分")
            match = _PART.match(part)
            if match is None:
                if part.startswith(("第", "《")) or not cited_any:
                    raise PolicyError(
                        f"依据 {reference!r} 中的 {part!r} 不是可解析的条款引用(如 第八条(五)、第八条 末段)"
                    )
                continue  # an explanation after a citation, e.g. 扣分不使运营管理得分低于0
            cited_any = True
            law = match["law"]
            if law is not None and law not in _OWN_NAMES:
                continue  # another law (《民法典》…): not in this text
            out.append(self._citation(reference, match))
        if not out:
            raise PolicyError(f"依据 {reference!r} 没有引用本办法的任何条款")
        return out

    def resolve(self, reference: str) -> str:
        """The words of this text that ``reference`` cites (several parts one per line)."""
        return "\n".join(c.text for c in self.citations(reference))

    def _citation(self, reference: str, match: re.Match[str]) -> Citation:
        number = numeral(match["article"])
        if number not in self.articles:
            raise PolicyError(
                f"依据 {reference!r}: {self.source} 没有第{match['article']}条(共 {len(self.articles)} 条)"
            )
        article = self.articles[number]
        label = article.label
        if match["locator"] == "末段":
            label, text = f"{label} 末段", article.last_paragraph
        elif match["first"] is not None:
            first = numeral(match["first"])
            last = numeral(match["last"]) if match["last"] else first
            wanted = range(first, last + 1)
            missing = [n for n in wanted if n not in article.clauses]
            if missing or last < first:
                have = "、".join(f"({chinese_numeral(n)})" for n in article.clauses) or "没有款项"
                raise PolicyError(
                    f"依据 {reference!r}: {label}没有({chinese_numeral(missing[0] if missing else first)})项；该条: {have}"
                )
            label += f"({match['first']})" + (f"至({match['last']})" if match["last"] else "")
            text = "\n".join(article.clauses[n] for n in wanted)
        else:
            text = article.text
        for quote in _QUOTE.findall(match["note"] or ""):
            _check_quote(reference, label, quote, text)
        return Citation(label, text)


def _check_quote(reference: str, label: str, quote: str, text: str) -> None:
    haystack, start = _normal(text), 0
    for fragment in (_normal(f) for f in _ELLIPSIS.split(quote)):
        if not fragment:
            continue
        found = haystack.find(fragment, start)
        if found < 0:
            raise PolicyError(f"依据 {reference!r}: {label}中没有引文“{quote}”")
        start = found + len(fragment)


def parse(text: str, source: str = TEXT_NAME) -> Regulation:
    """Articles and clauses of the regulation's text; everything before 第一条 (the notice) is skipped."""
    articles: dict[int, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = re.sub(r"\s+", " ", raw).strip()  # the page pads 第N条 with en spaces
        if not line:
            continue
        if match := _ARTICLE_LINE.match(line):
            number = numeral(match[1])
            if number != len(articles) + 1:
                if not articles and number != 1:
                    continue  # 第N条 in the notice before the Measures begin (none today)
                raise PolicyError(f"{source}: 条文编号不连续，第{match[1]}条出现在第{len(articles)}条之后")
            current = articles.setdefault(number, [])
            current.append(line)
        elif _CHAPTER_LINE.match(line):
            current = None  # a chapter heading ends the article before it
        elif current is not None:
            current.append(line)
    if not articles:
        raise PolicyError(f"{source}: 找不到第一条")
    out: dict[int, Article] = {}
    for number, paragraphs in articles.items():
        clauses: dict[int, str] = {}
        for paragraph in paragraphs[1:]:
            if match := _CLAUSE_START.match(paragraph):
                n = numeral(match[1])
                if n != len(clauses) + 1:
                    raise PolicyError(
                        f"{source}: 第{chinese_numeral(number)}条的款项编号不连续: ({match[1]})"
                    )
                clauses[n] = paragraph
        out[number] = Article(number, tuple(paragraphs), clauses)
    return Regulation(out, source)


@cache
def load() -> Regulation:
    """The shipped text of 渝人社发〔2021〕57号, parsed (read once with importlib.resources)."""
    text = resources.files("hrpark_analysis").joinpath("law", TEXT_NAME).read_text("utf-8")
    return parse(text, f"hrpark_analysis/law/{TEXT_NAME}")


def resolve(reference: str) -> str:
    """The words of the shipped text that ``reference`` cites; PolicyError if it does not resolve."""
    return load().resolve(reference)


def citations(reference: str) -> list[Citation]:
    """Each part of ``reference`` that cites the shipped text, with its label and words."""
    return load().citations(reference)
