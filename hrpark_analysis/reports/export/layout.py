"""How document blocks fit an A4 page: decided once for both the PDF and the Word document.

:func:`table_layout` decides how a table fits: portrait or landscape, the font size and each column's width,
from the text it holds (CJK characters count one em, others 0.6, :func:`text_em`). :func:`figure_width_pt` gives
a figure's printed width, and :func:`sections` splits the blocks into the portrait and landscape sections both
formats set on their pages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hrpark_analysis.reports.export.blocks import (
    Block,
    Contents,
    Figure,
    HeaderCell,
    Heading,
    Table,
    TitlePage,
)

# A4 with 2 cm margins, in points: the text width of a portrait and of a landscape page.
PORTRAIT_WIDTH_PT = (210 - 40) / 25.4 * 72
LANDSCAPE_WIDTH_PT = (297 - 40) / 25.4 * 72
TABLE_FONT_PT = 9.0  # a table's font size when it fits
MIN_TABLE_FONT_PT = 6.5  # smallest readable print size; wider tables wrap their long columns instead
CELL_PADDING_EM = 1.2  # cell inset left + right, and a margin for the width estimate
LONG_TEXT_EM = 18.0  # a column with longer text wraps at this width rather than widen the table
HEADER_WRAP_EM = 5.0  # a header longer than this may wrap onto several lines
SHORT_TEXT_EM = (
    6.0  # text up to this long (a park's name, a grade) stays on one line even in the widest table
)
FIGURE_DPI = 100  # reports/charts.py DPI: a PNG's pixels at this density give its printed size


@dataclass
class Section:
    landscape: bool
    blocks: list[Block]


def sections(blocks: list[Block]) -> list[Section]:
    """Blocks split before each heading of level 1 or 2 and before the title page and the 目录 (each a
    portrait section of its own); landscape as a whole if one of its tables is.

    The PDF and the Word document set a landscape section on landscape pages, heading and text included, so
    a wide table never leaves a nearly empty portrait page before it.
    """
    result: list[Section] = []
    for block in blocks:
        starts = isinstance(block, TitlePage | Contents) or (isinstance(block, Heading) and block.level <= 2)
        after_front = bool(result) and any(isinstance(b, TitlePage | Contents) for b in result[-1].blocks)
        if not result or starts or after_front:
            result.append(Section(False, []))
        result[-1].blocks.append(block)
        if isinstance(block, Table) and block.n_columns and table_layout(block).landscape:
            result[-1].landscape = True
    return result


def text_em(text: str) -> float:
    """Width of the longest line of ``text`` in ems: CJK and full-width characters 1, others 0.6."""
    lines = str(text).split("\n") or [""]
    return max(sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in line) for line in lines)


@dataclass(frozen=True)
class TableLayout:
    landscape: bool
    font_pt: float
    widths_pt: list[float]  # each column's width, cell padding included


def table_layout(table: Table) -> TableLayout:
    """Portrait if the table fits at :data:`TABLE_FONT_PT`, else landscape, shrinking the font if needed.

    A column's natural width is its longest cell (capped at :data:`LONG_TEXT_EM`: longer text wraps), its
    longest unbreakable token (a hash, a number) or its header (capped at :data:`HEADER_WRAP_EM`), whichever
    is widest. Its least width keeps every token and a few characters of text on a line. When the natural
    widths do not fit a landscape page even at :data:`MIN_TABLE_FONT_PT`, each column gives up the same share
    of the room between its natural and its least width, so short columns (ids, names, numbers) keep theirs
    and long text and headers wrap onto more lines.
    """
    n = table.n_columns
    natural, least = [], []
    for j in range(n):
        body = max((text_em(row[j]) for row in table.body), default=0.0)
        token = max((_token_em(row[j]) for row in table.body), default=0.0)
        header = max((text_em(cell.text) for row in table.header for cell in _cells_at(row, j)), default=0.0)
        header_token = max(
            (_token_em(cell.text) for row in table.header for cell in _cells_at(row, j)), default=0.0
        )
        natural.append(
            max(min(body, LONG_TEXT_EM), token, min(header, HEADER_WRAP_EM), 1.0) + CELL_PADDING_EM
        )
        least.append(max(min(body, SHORT_TEXT_EM), token, header_token, 2.0) + CELL_PADDING_EM)
    total_em = sum(natural) or 1.0
    for landscape, available in ((False, PORTRAIT_WIDTH_PT), (True, LANDSCAPE_WIDTH_PT)):
        if total_em * TABLE_FONT_PT <= available:
            return TableLayout(landscape, TABLE_FONT_PT, [w * TABLE_FONT_PT for w in natural])
    font = max(MIN_TABLE_FONT_PT, min(TABLE_FONT_PT, LANDSCAPE_WIDTH_PT / total_em))
    font = float(int(font * 2) / 2)  # half points: the same size for tables of similar width
    room = LANDSCAPE_WIDTH_PT / font  # ems on a line
    if total_em <= room:
        return TableLayout(True, font, [w * font for w in natural])
    least_em = sum(least)
    if least_em >= room:  # not even the least widths fit: keep their proportions
        return TableLayout(True, font, [w * room / least_em * font for w in least])
    share = (room - least_em) / (total_em - least_em)
    return TableLayout(
        True, font, [(lo + (hi - lo) * share) * font for lo, hi in zip(least, natural, strict=True)]
    )


_TOKEN = re.compile(r"[^\s\u2e80-\uffff]+")


def _token_em(text: str) -> float:
    # The longest run that cannot wrap (a hash, a dotted key, a number): its column must be that wide.
    return max((len(token) * 0.6 for token in _TOKEN.findall(str(text))), default=0.0)


def _cells_at(row: list[HeaderCell], column: int) -> list[HeaderCell]:
    # The header cell covering ``column`` (a spanning cell counts for each column only if it spans one).
    start = 0
    for cell in row:
        if start <= column < start + cell.span:
            return [cell] if cell.span == 1 else []
        start += cell.span
    return []


def figure_width_pt(figure: Figure) -> float:
    """The figure's printed width: its size at the charts' DPI, never wider than a portrait page."""
    return min(figure.width_px / FIGURE_DPI * 72, PORTRAIT_WIDTH_PT)
