"""The executed notebook as one self-contained HTML page: no code, no prompts, nothing loaded from outside.

HTML export keeps nbconvert's escaping of text outputs and pandas' escaping of ``DataFrame.to_html``
(nbconvert's own ``sanitize_html`` is left off: it mangles pandas tables). Markdown and raw-HTML displays are
NOT escaped, so a notebook must never put data (park names, file contents) into ``Markdown(...)``/``HTML(...)``
itself: it shows data through ``reports.document`` (which escapes every value) or prints it. The template is the JupyterLab one with every external script
(require.js, MathJax, Mermaid, widget manager) removed, so a report reads offline.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from pathlib import Path

# The lab template with every block that loads a script from a CDN emptied: require.js is only needed by
# widget/JS outputs, MathJax by LaTeX, Mermaid by diagrams; a report uses none of them and must read offline.
_TEMPLATE_NAME = "hrpark_report.html.j2"
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">{{ resources.hrpark_css }}</style>{%- endblock extra_css -%}
"""

# The page as a document: readable tables on screen, and on paper A4 with every column kept. Wide tables (more
# than document.WIDE_COLUMNS columns) get smaller type and a landscape page of their own; header rows repeat on
# each printed page (thead); nothing scrolls or clips when printed (JupyterLab's output areas scroll sideways).
STYLESHEET = """
body.jp-Notebook { max-width: 1100px; margin: 0 auto; }
.hrpark-title-page, .jp-RenderedHTMLCommon .hrpark-title-page p { text-align: center; margin: 3em 0 2em; }
.hrpark-title-page h1.hrpark-title { font-size: 1.9em; line-height: 1.4; margin-bottom: 0.8em; }
.hrpark-subtitle { font-size: 1.05em; color: #424242; }
.jp-RenderedHTMLCommon p.hrpark-issuer, .jp-RenderedHTMLCommon p.hrpark-date { font-size: 1.15em;
  margin: 0.3em 0; }
.hrpark-sample { color: #b71c1c; margin-top: 1.2em; }
nav.hrpark-toc { margin: 1em 0 2em; padding: 0.8em 1.2em; border: 1px solid #e0e0e0; }
nav.hrpark-toc h2 { font-size: 1.2em; margin: 0 0 0.4em; }
nav.hrpark-toc ol { list-style: none; padding-left: 0; margin: 0; }
nav.hrpark-toc li.level3 { padding-left: 2em; }
nav.hrpark-toc a { text-decoration: none; color: inherit; }
p.hrpark-text, ul.hrpark-text { font-size: 14px; line-height: 1.7; }
p.hrpark-figcaption { text-align: center; font-weight: bold; margin: 0.2em 0 1.2em; }
table.hrpark-table { border-collapse: collapse; margin: 0.4em 0 1.4em; font-size: 12.5px;
  table-layout: auto !important; }
table.hrpark-table caption { caption-side: top; text-align: left; font-weight: bold; font-size: 14px;
  padding: 0.3em 0; color: #212121; }
table.hrpark-table th, table.hrpark-table td { border: 1px solid #d0d0d0; padding: 3px 6px;
  vertical-align: top; }
table.hrpark-table thead th { background: #f2f2f2; font-weight: bold; white-space: normal;
  vertical-align: bottom; }
table.hrpark-table.hrpark-wide { font-size: 11px; }
.jp-OutputArea-output { overflow-x: auto; }
@page { size: A4 portrait; margin: 15mm 12mm; }
@page landscape { size: A4 landscape; margin: 12mm 10mm; }
@media print {
  body.jp-Notebook { max-width: none; margin: 0; }
  .jp-OutputArea-output, .jp-RenderedHTMLCommon, .jp-Cell, .jp-OutputArea, .jp-Cell-outputWrapper {
    overflow: visible !important; max-width: none !important; }
  .jp-Cell, .jp-OutputArea-child { break-inside: auto; }
  .jp-Cell:empty, .jp-OutputArea:empty { display: none; }
  .hrpark-title-page { break-after: page; margin-top: 30%; }
  nav.hrpark-toc { break-after: page; border: none; }
  h2 { break-after: avoid; }
  p.hrpark-text { break-after: avoid; }
  table.hrpark-table { font-size: 9pt; width: 100%; }
  div.hrpark-block.hrpark-wide { page: landscape; }
  table.hrpark-table.hrpark-wide { font-size: 7pt; }
  table.hrpark-table thead { display: table-header-group; }
  table.hrpark-table tr { break-inside: avoid; }
  table.hrpark-table th, table.hrpark-table td { padding: 2px 3px; }
  table.hrpark-table th { white-space: normal !important; overflow-wrap: anywhere !important; }
  table.hrpark-table td.txt { white-space: normal !important; overflow-wrap: anywhere !important;
    min-width: 0 !important; }
  table.hrpark-table.few-text td.txt { min-width: 7em !important; }
  table.hrpark-table td.num, table.hrpark-table td.short { white-space: nowrap !important;
    overflow-wrap: normal !important; }
  img { max-width: 100% !important; break-inside: avoid; }
  p.hrpark-figcaption { break-before: avoid; }
}
"""


_EXPORTER_LOCK = threading.Lock()  # the one exporter renders one page at a time (runs may share a process)


@functools.lru_cache(maxsize=1)
def _html_exporter():
    # nbconvert and jinja2 are imported here, not at module level: every report notebook imports this
    # module for publish_table, and nbconvert alone costs over a second of kernel start-up. One exporter per
    # process (nbconvert's own command line reuses one for many notebooks): its templates compile once.
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,  # images referenced from Markdown cells become data URIs
        theme="light",
        language_code="zh",
    )


def to_html(notebook_path: str | Path) -> str:
    """The executed notebook as one self-contained HTML page: no code, no prompts, no external resources."""
    import nbformat

    notebook_path = Path(notebook_path)
    nb = nbformat.read(notebook_path, as_version=4)
    title = report_title(nb)
    if title:
        nb.metadata["title"] = title  # the page's <title> (the lab template prefers it to the file name)
    exporter = _html_exporter()
    resources = {
        "metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)},
        "hrpark_css": STYLESHEET,
    }
    with _EXPORTER_LOCK:
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    return fill_toc(body)


def prepare_html() -> None:
    """Import nbconvert and compile the page's templates now, so that :func:`to_html` does only the page.

    The runner calls it in a thread while the report's kernel runs (its own process waits then).
    """
    import nbformat

    resources = {"metadata": {"name": "prepare", "path": "."}, "hrpark_css": STYLESHEET}
    with _EXPORTER_LOCK:
        _html_exporter().from_notebook_node(nbformat.v4.new_notebook(), resources=resources)


def report_title(nb) -> str | None:
    """The title a report's title page announced (``reports.document``: display metadata), if any."""
    from hrpark_analysis.reports.document import TITLE_METADATA

    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            title = output.get("metadata", {}).get(TITLE_METADATA, {}).get("title")
            if title:
                return str(title)
    return None


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")


def fill_toc(body: str) -> str:
    """Put the 目录 — every section (h2) and subsection (h3) heading, linked — where the title page left its
    place (``document.TOC_PLACEHOLDER``). A page without the placeholder is returned unchanged."""
    from hrpark_analysis.reports.document import TOC_PLACEHOLDER

    if TOC_PLACEHOLDER not in body:
        return body
    items = []
    for level, anchor, inner in _HEADING.findall(body):
        text = html.unescape(_TAG.sub("", inner)).replace("¶", "").strip()
        items.append(f'<li class="level{level}"><a href="#{anchor}">{html.escape(text)}</a></li>')
    toc = f'<nav class="hrpark-toc"><h2 class="hrpark-toc-title">目录</h2><ol>{"".join(items)}</ol></nav>'
    return body.replace(TOC_PLACEHOLDER, toc, 1)
