"""Displayed HTML as document blocks, read with the standard library's HTML parser.

- every ``<table>`` (a DataFrame's or a Styler's HTML) becomes a :class:`~.blocks.Table` exactly as displayed
  (header rows with their column spans, every cell's text in full), and a ``<caption>`` becomes the table's
  caption. A plain 0…n-1 index column with no header is dropped, as the XLSX drops it;
- the title page of :meth:`hrpark_analysis.reports.document.Document.title_page` (its HTML classes) becomes a
  :class:`~.blocks.TitlePage` (title, subtitle, issuing body, date, 示例数据 notice) and the 目录 placeholder
  after it a :class:`~.blocks.Contents`;
- HTML without a table becomes one paragraph per line of its text.
"""

from __future__ import annotations

from html.parser import HTMLParser

from hrpark_analysis.reports.export.blocks import (
    Block,
    Contents,
    HeaderCell,
    Table,
    TitlePage,
    line_paragraphs,
)


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
        blocks.extend(line_paragraphs("".join(parser.text), "body"))
    return blocks
