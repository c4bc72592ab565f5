"""Markdown as document blocks: Markdown cells and ``text/markdown`` outputs, parsed with mistune
(nbconvert's own Markdown parser) into headings, paragraphs, block quotes, bullets and tables, with bold,
italic and inline code kept as :class:`~.blocks.Run` s.
"""

from __future__ import annotations

import unicodedata

from hrpark_analysis.reports.export.blocks import Block, HeaderCell, Heading, Paragraph, Run, Table


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
