"""The executed notebook as an A4 PDF, typeset by Typst with the Noto Sans CJK font embedded.

The ``typst`` package from PyPI bundles the Typst compiler, and ``mplfonts`` ships the font file
(``reports/fonts.py`` finds it), so the PDF needs no system package, browser or download. System fonts are
ignored, so every machine typesets with the same font and the same bytes come out.

The document is the notebook's :mod:`.blocks` (the Word export reads the same blocks) serialised as JSON next
to a fixed Typst template (:data:`TEMPLATE`): the template draws the title page (title, subtitle, issuing
body, date and the 示例数据 notice, on a page of its own), the 目录 (Typst's ``outline()`` of the sections
and subsections, with page numbers counted from 摘要), headings (they become the PDF's bookmarks),
paragraphs, figures and tables, and treats every string from the report as text, never as Typst markup.
Tables follow :func:`.layout.table_layout`: portrait when they fit, else on a landscape page at a smaller
size, with header rows repeated on every page and long cells wrapped (nothing is cut). The document date is
:func:`hrpark_analysis.reports.dates.document_datetime`, never the wall clock.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import asdict
from pathlib import Path

from hrpark_analysis.reports.export.blocks import (
    Block,
    Contents,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
    TitlePage,
)
from hrpark_analysis.reports.export.layout import figure_width_pt, sections, table_layout

FONT_FAMILY = "Noto Sans CJK SC"

# Every value comes from data.json and is placed as a string, so nothing in a report is read as markup.
TEMPLATE = r"""
#let data = json("data.json")
#set document(
  title: data.title,
  author: data.author,
  date: datetime(year: data.date.at(0), month: data.date.at(1), day: data.date.at(2)),
)
#set page(paper: "a4", margin: (x: 2cm, y: 2.2cm), numbering: "1 / 1", number-align: center)
#set text(font: data.font, size: 10.5pt, lang: "zh", region: "cn")
#set par(leading: 0.75em, spacing: 0.9em)
#show heading: set block(above: 1.4em, below: 0.8em)
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 13pt)
#show heading.where(level: 3): set text(size: 11.5pt)
// The shipped CJK font has one weight: bold is drawn by stroking the glyphs' outlines.
#let bold(body) = text(stroke: 0.028em + black, body)
#show strong: it => bold(it.body)
#show heading: it => bold(it)

#let runs(rs) = for r in rs {
  let c = if r.code { text(fill: rgb("#37474f"), r.text) } else { r.text }
  if r.bold { c = strong(c) }
  if r.italic { c = emph(c) }
  c
}

#let caption(t) = block(sticky: true, below: 0.5em, text(size: 10pt, bold(t)))

#let grid-table(t) = {
  set text(size: t.font * 1pt)
  set par(leading: 0.45em, justify: false)
  let head = t.header.map(row => row.map(c => table.cell(
    colspan: c.span, align: center + horizon, fill: luma(232), bold(c.text),
  ))).flatten()
  block(width: t.widths.sum() * 1pt, breakable: true, {
    if t.caption != none { caption(t.caption) }
    table(
      columns: t.widths.map(w => w * 1pt),
      align: (x, y) => (if t.numeric.at(x) { right } else { left }) + horizon,
      stroke: 0.4pt + luma(150),
      inset: (x: 0.4em, y: 0.35em),
      table.header(repeat: true, ..head),
      ..t.body.flatten(),
    )
  })
}

// The title page: a page of its own without a page number (nor has the 目录: the report counts from 摘要).
#let title-page(t) = page(numbering: none, {
  set align(center)
  set par(justify: false, leading: 0.9em)
  v(16%)
  block(width: 100%, text(size: 24pt, bold(t.title)))
  if t.subtitle != "" {
    v(1.6em)
    block(width: 86%, text(size: 12pt, fill: luma(70), t.subtitle))
  }
  v(1fr)
  text(size: 15pt, t.issuer)
  v(0.7em)
  text(size: 15pt, t.date)
  v(10%)
  if t.notice != "" {
    block(width: 86%, inset: 0.8em, stroke: 0.6pt + rgb("#b71c1c"),
      align(left, text(size: 10pt, fill: rgb("#b71c1c"), t.notice)))
  }
  v(4%)
})

// The 目录: the headings of the sections and their subsections with their page numbers, on its own pages.
#let contents() = {
  page(numbering: none, {
    align(center, text(size: 17pt, bold("目录")))
    v(1em)
    show outline.entry.where(level: 1): it => { v(0.35em); bold(it) }
    outline(title: none, depth: 2, indent: 2em)
  })
  counter(page).update(1)
}

#let draw(b) = {
  if b.kind == "title-page" {
    title-page(b)
  } else if b.kind == "contents" {
    contents()
  } else if b.kind == "heading" {
    heading(level: b.level, b.text)
  } else if b.kind == "paragraph" {
    if b.style == "quote" {
      block(fill: luma(242), inset: (x: 0.8em, y: 0.6em), width: 100%, stroke: (left: 2pt + luma(170)), par(runs(b.runs)))
    } else if b.style == "bullet" {
      list(runs(b.runs))
    } else {
      par(runs(b.runs))
    }
  } else if b.kind == "table" {
    grid-table(b)
  } else if b.kind == "figure" {
    block(breakable: false, width: 100%, {
      align(center, image(b.file, width: b.width * 1pt))
      if b.caption != none { align(center, text(size: 10pt, bold(b.caption))) }
    })
  }
}

// A section holding a table too wide for portrait is set on landscape pages as a whole.
#for s in data.sections {
  if s.landscape {
    page(flipped: true, for b in s.blocks { draw(b) })
  } else {
    for b in s.blocks { draw(b) }
  }
}
"""


def _block(block: Block, folder: Path, figures: list[str]) -> dict | None:
    """One block as the template's JSON; a figure's PNG is written into ``folder`` beside it."""
    if isinstance(block, TitlePage):
        return {"kind": "title-page", **asdict(block)}
    if isinstance(block, Contents):
        return {"kind": "contents"}
    if isinstance(block, Heading):
        return {"kind": "heading", "level": min(block.level, 6), "text": block.text}
    if isinstance(block, Paragraph):
        runs = [{"text": r.text, "bold": r.bold, "italic": r.italic, "code": r.code} for r in block.runs]
        return {"kind": "paragraph", "style": block.style, "runs": runs}
    if isinstance(block, Table) and block.n_columns:
        layout = table_layout(block)
        return {
            "kind": "table",
            "caption": block.caption,
            "header": [[{"text": c.text, "span": c.span} for c in row] for row in block.header],
            "body": block.body,
            "numeric": block.numeric,
            "font": layout.font_pt,
            "widths": [round(w, 2) for w in layout.widths_pt],
        }
    if isinstance(block, Figure):
        figures.append(f"figure-{len(figures) + 1}.png")
        (folder / figures[-1]).write_bytes(block.png)
        width = round(figure_width_pt(block), 2)
        return {"kind": "figure", "file": figures[-1], "width": width, "caption": block.caption}
    return None


def _data(document: Document, folder: Path, date: dt.datetime, author: str) -> dict:
    figures: list[str] = []
    parts = [
        {"landscape": s.landscape, "blocks": [d for b in s.blocks if (d := _block(b, folder, figures))]}
        for s in sections(document.blocks)
    ]
    return {
        "title": document.title,
        "author": author,
        "date": [date.year, date.month, date.day],
        "font": [FONT_FAMILY],
        "sections": parts,
    }


def write_pdf(document: Document, path: str | Path, *, date: dt.datetime, author: str = "") -> None:
    """Typeset ``document`` into the PDF ``path``, dated ``date`` (document info and XMP), by ``author``."""
    import typst

    from hrpark_analysis.reports.fonts import cjk_font_path

    with tempfile.TemporaryDirectory(prefix="hrpark-pdf-") as tmp:
        folder = Path(tmp)
        data = _data(document, folder, date, author)
        (folder / "data.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        (folder / "main.typ").write_text(TEMPLATE, "utf-8")
        compiler = typst.Compiler(
            root=str(folder),
            font_paths=[str(cjk_font_path().parent)],  # typst searches folders, not files
            ignore_system_fonts=True,  # the same font on every machine: the same bytes
        )
        pdf = compiler.compile(input=str(folder / "main.typ"), format="pdf", timestamp=date)
    Path(path).write_bytes(pdf)
