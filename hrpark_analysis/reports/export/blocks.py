"""The document blocks that the PDF and the Word export share: one reading of the notebook, two formats.

The block types — :class:`Heading`, :class:`Paragraph` (of :class:`Run` s), :class:`Table` (with
:class:`HeaderCell` header rows), :class:`Figure`, the report's :class:`TitlePage` and the place of its
:class:`Contents` — and the :class:`Document` that holds them. Nothing here reads or lays out anything:

- :mod:`.notebook_blocks` — :func:`~.notebook_blocks.read_blocks`: the executed notebook → a :class:`Document`;
- :mod:`.markdown_blocks` and :mod:`.html_blocks` — Markdown, and displayed HTML (tables, the title page),
  → blocks;
- :mod:`.layout` — how the blocks fit an A4 page (table widths and orientation, figure widths, sections).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMBER = re.compile(r"^[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?\s*%?$")
_EMPTY_VALUES = {"", "—", "-", "–", "nan", "NaN", "None", "<NA>"}


@dataclass(frozen=True)
class Run:
    """A piece of text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class TitlePage:
    """The report's title page: what :meth:`~hrpark_analysis.reports.document.Document.title_page` showed."""

    title: str
    subtitle: str = ""
    issuer: str = ""
    date: str = ""  # as the title page writes it (2025年12月31日)
    notice: str = ""  # the 示例数据 notice, when the report was built from the sample data


@dataclass
class Contents:
    """Where the 目录 goes: the PDF and the Word document list the headings there."""


@dataclass
class Paragraph:
    runs: list[Run]
    style: str = "body"  # body | quote | bullet | output (a print() line)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass
class HeaderCell:
    text: str
    span: int = 1


@dataclass
class Table:
    header: list[list[HeaderCell]]  # header rows; each row's spans add up to the column count
    body: list[list[str]]
    caption: str | None = None

    @property
    def n_columns(self) -> int:
        if self.body:
            return len(self.body[0])
        return sum(cell.span for cell in self.header[0]) if self.header else 0

    @property
    def numeric(self) -> list[bool]:
        """Per column: every non-empty cell is a number (then the column is right-aligned)."""
        result = []
        for j in range(self.n_columns):
            values = [row[j].strip() for row in self.body]
            filled = [v for v in values if v not in _EMPTY_VALUES]
            result.append(bool(filled) and all(_NUMBER.match(v.replace(" ", "")) for v in filled))
        return result


@dataclass
class Figure:
    png: bytes
    width_px: int
    height_px: int
    caption: str | None = None


Block = Heading | Paragraph | Table | Figure | TitlePage | Contents


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)


def line_paragraphs(text: str, style: str) -> list[Paragraph]:
    """One paragraph of ``style`` per non-blank line of ``text`` (``print()`` output, text around HTML tables)."""
    return [Paragraph([Run(line.strip())], style) for line in text.splitlines() if line.strip()]
