"""The executed notebook as a :class:`~.blocks.Document`: what its HTML page shows, in order (code is never shown).

:func:`read_blocks` walks the executed notebook's cells and outputs:

- Markdown cells and ``text/markdown`` outputs become blocks through :mod:`.markdown_blocks`;
- ``print()`` output becomes one paragraph per line;
- ``text/html`` outputs (tables, the title page and the 目录's place) become blocks through :mod:`.html_blocks`;
- ``image/png`` outputs become figures;
- a paragraph that is only a caption (``表3 …`` before a table, ``图2 …`` before or after a figure) is
  attached to that table or figure;
- headings are renumbered so that the report's sections are level 1 and their subsections level 2.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from hrpark_analysis.reports.export.blocks import (
    Block,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
    TitlePage,
    line_paragraphs,
)
from hrpark_analysis.reports.export.html_blocks import html_blocks
from hrpark_analysis.reports.export.markdown_blocks import markdown_blocks

_CAPTION = re.compile(r"^\s*(表|图)\s*\d+")


def _png_size(png: bytes) -> tuple[int, int]:
    # PNG IHDR: width and height are the big-endian 32-bit integers at bytes 16–24.
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _output_blocks(output: dict) -> list[Block]:
    kind = output.get("output_type")
    if kind == "stream":
        return (
            line_paragraphs(_text(output.get("text", "")), "output") if output.get("name") == "stdout" else []
        )
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
        return line_paragraphs(text, "output")
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
