"""The executed notebook as document blocks: the one reading that the PDF and the Word export share.

:func:`read_blocks` walks the executed notebook in order and turns what the HTML page shows into
:class:`Heading`, :class:`Paragraph`, :class:`Table` and :class:`Figure` blocks (code is never shown):

- Markdown cells and ``text/markdown`` outputs are parsed with mistune (nbconvert's own Markdown parser):
  headings, paragraphs, block quotes, lists, bold, italic and inline code;
- ``print()`` output becomes one paragraph per line;
- ``text/html`` outputs (a DataFrame's or a Styler's HTML) are read with the standard library's HTML parser:
  every ``<table>`` becomes a :class:`Table` exactly as displayed (header rows with their column spans,
  every cell's text in full), and a ``<caption>`` becomes the table's caption. A plain 0…n-1 index column
  with no header is dropped, as the XLSX drops it;
- ``image/png`` outputs become figures;
- the title page of :meth:`hrpark_analysis.reports.document.Document.title_page` (its HTML classes) becomes a
  :class:`TitlePage` (title, subtitle, issuing body, date, 示例数据 notice) and the 目录 placeholder after it a
  :class:`Contents`, which the PDF and the Word document fill from the headings themselves;
- a paragraph that is only a caption (``表3 …`` before a table, ``图2 …`` before or after a figure) is
  attached to that table or figure.

:func:`table_layout` decides, once for both formats, how a table fits an A4 page: portrait or landscape,
the font size and each column's width, from the text it holds (CJK characters count one em, others 0.6).
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

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

_CAPTION = re.compile(r"^\s*(表|图)\s*\d+")
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


# ---------------------------------------------------------------------------------------------- text widths


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


# ---------------------------------------------------------------------------------------------- markdown


def _inline(children: list[dict], bold: bool = False, italic: bool = False) -> list[Run]:
    runs: list[Run] = []
    for node in children:
        kind = node["type"]
        if kind == "text":
            runs.append(Run(node["raw"], bold, italic))
        elif kind == "codespan":
            runs.append(Run(node["raw"], bold, italic, code=True))
        elif kind == "strong":
            runs.extend(_inline(node["children"], True, italic))
        elif kind == "emphasis":
            runs.extend(_inline(node["children"], bold, True))
        elif kind == "softbreak":
            # A line break inside a Chinese paragraph is no space; between Latin words it is one.
            prev = runs[-1].text[-1:] if runs else ""
            if prev and unicodedata.east_asian_width(prev) not in "WF":
                runs.append(Run(" ", bold, italic))
        elif kind == "linebreak":
            runs.append(Run("\n", bold, italic))
        elif "children" in node:  # link, strikethrough …: keep the text
            runs.extend(_inline(node["children"], bold, italic))
        elif "raw" in node:  # inline html …: the text as written
            runs.append(Run(node["raw"], bold, italic))
    return _merge(runs)


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].code) == (
            run.bold,
            run.italic,
            run.code,
        ):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic, run.code)
        elif run.text:
            merged.append(run)
    return merged


def _plain(children: list[dict]) -> str:
    return "".join(run.text for run in _inline(children))


def _markdown_blocks(nodes: list[dict], style: str = "body") -> list[Block]:
    blocks: list[Block] = []
    for node in nodes:
        kind = node["type"]
        if kind == "heading":
            blocks.append(Heading(int(node["attrs"]["level"]), _plain(node["children"]).strip()))
        elif kind in ("paragraph", "block_text"):
            runs = _inline(node["children"])
            if runs:
                blocks.append(Paragraph(runs, style))
        elif kind == "block_quote":
            blocks.extend(_markdown_blocks(node["children"], "quote"))
        elif kind == "list":
            for item in node["children"]:
                blocks.extend(_markdown_blocks(item.get("children", []), "bullet"))
        elif kind == "block_code":
            blocks.extend(Paragraph([Run(line, code=True)], "output") for line in node["raw"].splitlines())
        elif kind == "table":
            blocks.append(_markdown_table(node))
    return blocks


def _markdown_table(node: dict) -> Table:
    header: list[HeaderCell] = []
    body: list[list[str]] = []
    for part in node["children"]:
        if part["type"] == "table_head":
            header = [HeaderCell(_plain(cell["children"])) for cell in part["children"]]
        else:
            body = [[_plain(cell["children"]) for cell in row["children"]] for row in part["children"]]
    return Table([header] if header else [], body)


def markdown_blocks(text: str) -> list[Block]:
    """Markdown text as blocks (headings, paragraphs, quotes, bullets, tables)."""
    import mistune

    parse = mistune.create_markdown(renderer="ast", plugins=["table", "strikethrough"])
    return _markdown_blocks(parse(text))


# ---------------------------------------------------------------------------------------------- html tables


class _TableParser(HTMLParser):
    """Every ``<table>`` of an HTML fragment: caption, rows of (is_header_section, tag, text, colspan, rowspan)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.text: list[str] = []  # text outside tables
        self._table: dict | None = None
        self._row: list | None = None
        self._cell: dict | None = None
        self._section = "tbody"
        self._skip = 0  # inside <style>/<script>
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            self._table = {"caption": "", "rows": []}
            self._section = "tbody"
        elif self._table is None:
            if tag in ("br", "p", "div", "li"):
                self.text.append("\n")
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
            self._table["rows"].append((self._section == "thead", self._row))
        elif tag in ("td", "th") and self._row is not None:
            self._cell = {
                "tag": tag,
                "text": [],
                "colspan": _int(a.get("colspan")),
                "rowspan": _int(a.get("rowspan")),
            }
            self._row.append(self._cell)
        elif tag == "br" and self._cell is not None:
            self._cell["text"].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._table is None:
            self.text.append(data)
        elif self._in_caption:
            self._table["caption"] += data
        elif self._cell is not None:
            self._cell["text"].append(data)


def _int(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _clean(text: str) -> str:
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _grid(rows: list[list[dict]]) -> list[list[dict | None]]:
    """Rows with every rowspan expanded (continuation cells are None); colspans kept on the first cell."""
    grid: list[list[dict | None]] = []
    pending: dict[int, int] = {}  # column -> rows still covered by a rowspan above
    for row in rows:
        out: list[dict | None] = []
        col = 0
        cells = iter(row)
        while True:
            if pending.get(col, 0) > 0:
                pending[col] -= 1
                out.append(None)
                col += 1
                continue
            cell = next(cells, None)
            if cell is None:
                break
            out.append(cell)
            for k in range(cell["colspan"]):
                if cell["rowspan"] > 1:
                    pending[col + k] = cell["rowspan"] - 1
            out.extend([None] * (cell["colspan"] - 1))
            col += cell["colspan"]
        while pending.get(col, 0) > 0:  # rowspans reaching past this row's last cell
            pending[col] -= 1
            out.append(None)
            col += 1
        grid.append(out)
    return grid


def _table_from_html(parsed: dict) -> Table | None:
    head_rows = [row for is_head, row in parsed["rows"] if is_head]
    body_rows = [row for is_head, row in parsed["rows"] if not is_head and row]
    if not head_rows and body_rows and all(c["tag"] == "th" for c in body_rows[0]):
        head_rows, body_rows = body_rows[:1], body_rows[1:]
    width = max((sum(c["colspan"] for c in r) for r in head_rows + body_rows), default=0)
    if width == 0:
        return None

    body_grid = _grid(body_rows)
    body = [
        [_clean("".join(c["text"])) if c else "" for c in row] + [""] * (width - len(row))
        for row in body_grid
    ]
    index_th = [bool(row) and row[0] is not None and row[0]["tag"] == "th" for row in body_grid]

    header: list[list[HeaderCell]] = []
    for row in head_rows:
        cells = [HeaderCell(_clean("".join(c["text"])), c["colspan"]) for c in row]
        missing = width - sum(c.span for c in cells)
        if missing > 0:
            cells.append(HeaderCell("", missing))
        header.append(cells)
    # pandas puts the index name on a second header row of its own (name, blank, blank …): fold it up.
    if len(header) >= 2 and all(c.span == 1 for c in header[-1]) and not any(c.text for c in header[-1][1:]):
        name = header[-1][0].text
        header = header[:-1]
        if name and header[-1] and header[-1][0].span == 1 and not header[-1][0].text:
            header[-1][0] = HeaderCell(name)

    # A default RangeIndex (0, 1, 2 … with no name) carries nothing a reader needs: drop it, as the XLSX does.
    default_index = [row[0] for row in body] == [str(i) for i in range(len(body))]
    unnamed = all(row and row[0].span == 1 and not row[0].text for row in header)
    if body and all(index_th) and default_index and unnamed:
        body = [row[1:] for row in body]
        header = [row[1:] for row in header]
    header = [row for row in header if row]
    caption = _clean(parsed["caption"]) or None
    return Table(header, body, caption)


class _TitlePageParser(HTMLParser):
    """The title page's facts by the class of the element holding each, and whether a 目录 place follows."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.known = fields  # class -> TitlePage field
        self.values: dict[str, str] = {}
        self.contents = False
        self._open: list[str | None] = []  # the field of each open element (None: not a fact)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "nav" and "hrpark-toc" in classes:
            self.contents = True
        if tag not in ("br", "img", "hr", "meta", "link"):  # void elements never close
            self._open.append(next((self.known[c] for c in classes if c in self.known), None))

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag not in ("br", "img", "hr", "meta", "link"):
            self._open.pop()

    def handle_data(self, data: str) -> None:
        field = next((f for f in reversed(self._open) if f), None)
        if field:
            self.values[field] = self.values.get(field, "") + data


def _title_page_blocks(html: str) -> list[Block] | None:
    """The title page (and the 目录 place after it) if ``html`` is the title page output, else None."""
    from hrpark_analysis.reports.document import TITLE_PAGE_CLASS, TITLE_PAGE_FIELDS, TOC_PLACEHOLDER

    if f'class="{TITLE_PAGE_CLASS}"' not in html:
        return None
    parser = _TitlePageParser(TITLE_PAGE_FIELDS)
    parser.feed(html)
    parser.close()
    values = {field: " ".join(text.split()) for field, text in parser.values.items()}
    blocks: list[Block] = [TitlePage(**values)] if values.get("title") else []
    if parser.contents or TOC_PLACEHOLDER in html:
        blocks.append(Contents())
    return blocks


def html_blocks(html: str) -> list[Block]:
    """The tables of an HTML output (text around them as paragraphs); the title page as its own blocks."""
    title_page = _title_page_blocks(html)
    if title_page is not None:
        return title_page
    parser = _TableParser()
    parser.feed(html)
    parser.close()
    blocks: list[Block] = []
    for parsed in parser.tables:
        table = _table_from_html(parsed)
        if table is not None:
            blocks.append(table)
    if not parser.tables:
        blocks.extend(_lines("".join(parser.text), "body"))
    return blocks


# ---------------------------------------------------------------------------------------------- notebook


def _lines(text: str, style: str) -> list[Paragraph]:
    return [Paragraph([Run(line.strip())], style) for line in text.splitlines() if line.strip()]


def _png_size(png: bytes) -> tuple[int, int]:
    # PNG IHDR: width and height are the big-endian 32-bit integers at bytes 16–24.
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _output_blocks(output: dict) -> list[Block]:
    kind = output.get("output_type")
    if kind == "stream":
        return _lines(_text(output.get("text", "")), "output") if output.get("name") == "stdout" else []
    if kind not in ("display_data", "execute_result"):
        return []  # errors never reach a finished report (the runner stops on them)
    data = output.get("data", {})
    if "text/markdown" in data:
        return markdown_blocks(_text(data["text/markdown"]))
    if "image/png" in data:
        png = base64.b64decode(_text(data["image/png"]))
        return [Figure(png, *_png_size(png))]
    if "text/html" in data:
        return html_blocks(_text(data["text/html"]))
    if "text/plain" in data:
        text = _text(data["text/plain"])
        if text.startswith("<") and text.endswith(">"):  # an object's repr (<Figure size …>): not content
            return []
        return _lines(text, "output")
    return []


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _attach_captions(blocks: list[Block]) -> list[Block]:
    """A caption paragraph (表N … / 图N …) moves into the table or figure it names."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if isinstance(block, Paragraph) and (match := _CAPTION.match(block.text)):
            word = match.group(1)
            if word == "表" and isinstance(nxt, Table) and nxt.caption is None:
                nxt.caption = block.text.strip()
                i += 1
                continue
            if word == "图":
                if isinstance(nxt, Figure) and nxt.caption is None:
                    nxt.caption = block.text.strip()
                    i += 1
                    continue
                if out and isinstance(out[-1], Figure) and out[-1].caption is None:
                    out[-1].caption = block.text.strip()
                    i += 1
                    continue
        out.append(block)
        i += 1
    return out


def read_blocks(notebook_path: str | Path) -> Document:
    """The executed notebook at ``notebook_path`` as a :class:`Document` (title = its first level-1 heading)."""
    # The executed notebook is nbformat 4 JSON, written by the runner; json reads it without nbformat's
    # schema machinery (over a second of imports).
    nb = json.loads(Path(notebook_path).read_text("utf-8"))
    blocks: list[Block] = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            blocks.extend(markdown_blocks(_text(cell["source"])))
        elif cell["cell_type"] == "code":
            for output in cell.get("outputs", []):
                blocks.extend(_output_blocks(output))
    blocks = _outline_levels(_attach_captions(blocks))
    title = next((b.title for b in blocks if isinstance(b, TitlePage)), None) or next(
        (b.text for b in blocks if isinstance(b, Heading) and b.level == 1), Path(notebook_path).stem
    )
    return Document(title, blocks)


def _outline_levels(blocks: list[Block]) -> list[Block]:
    """Headings renumbered so that the report's sections are level 1 and their subsections level 2.

    A report with a title page writes its sections as Markdown ``##`` (the page's ``<h1>`` is the title):
    in the PDF's bookmarks and 目录 and as Word's Heading 1 they are the top level. The shallowest heading
    becomes level 1, so a notebook that titles itself with ``#`` keeps its levels.
    """
    levels = [b.level for b in blocks if isinstance(b, Heading)]
    shift = min(levels, default=1) - 1
    if shift <= 0:
        return blocks
    return [Heading(b.level - shift, b.text) if isinstance(b, Heading) else b for b in blocks]
