"""Getting a report's tables and pages out of a notebook: the table protocol, XLSX and HTML.

The table protocol
------------------
A report notebook hands a table to the report runner with :func:`publish_table`::

    from hrpark_analysis.reports.export import publish_table
    publish_table(scores, "得分表")          # returns ``scores``, so it can end a cell and display

When the environment variable ``HRPARK_OUTPUT_DIR`` (:data:`OUTPUT_DIR_ENV`) names a folder, the runner
(``report.run_report``) is executing the notebook and each call writes the frame as a pickle
``<dir>/tables/NN.pkl`` (``NN`` = 01, 02, … in call order) and appends ``{"file", "name"}`` to
``<dir>/tables/index.json``. When it is not set (JupyterLab, nbval re-running the committed baseline in place)
the call writes nothing and only returns the frame. An environment variable rather than a notebook parameter
keeps the runner's temporary path out of the executed notebook. Pickles keep dtypes exactly; they are read
back only by the runner, from the folder it created, with the same interpreter, and are deleted after the
XLSX is built.

Text safety
-----------
Every text cell written to XLSX goes through :func:`safe_text` (a value starting with ``=``, ``+``, ``-``,
``@``, tab or CR becomes ``'…`` so that a spreadsheet shows it as text, never runs it as a formula); CSV
writers use the same function (``tables.write_csv``). HTML export keeps nbconvert's escaping of text outputs
and pandas' escaping of ``DataFrame.to_html`` (nbconvert's own ``sanitize_html`` is left off: it mangles
pandas tables). Markdown and raw-HTML displays are NOT escaped, so a notebook must never put data (park names,
file contents) into ``Markdown(...)``/``HTML(...)``: print it, or show it in a DataFrame. The template is
the JupyterLab one with every external script (require.js, MathJax, Mermaid, widget manager) removed, so a
report reads offline.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

# safe_text lives with the other writers in tables.py (CSV); re-exported here as part of the report API.
from hrpark_analysis.io.tables import safe_text

__all__ = [
    "OUTPUT_DIR_ENV",
    "TABLES_DIR",
    "TABLES_INDEX",
    "publish_table",
    "published_tables",
    "safe_text",
    "sheet_names",
    "to_html",
    "write_xlsx",
]

OUTPUT_DIR_ENV = "HRPARK_OUTPUT_DIR"
TABLES_DIR = "tables"
TABLES_INDEX = "index.json"
SHEET_MAX = 31  # Excel's limit on sheet name length
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


# --- the table protocol ----------------------------------------------------------------------------------
def publish_table(df: pd.DataFrame, name_zh: str, *, output_dir: str | Path | None = None) -> pd.DataFrame:
    """Hand ``df`` to the report runner as the next XLSX sheet, titled ``name_zh``; return ``df`` unchanged.

    Writes only when ``output_dir`` or the ``HRPARK_OUTPUT_DIR`` environment variable is set (the runner sets
    it); otherwise it is a no-op, so notebooks run in JupyterLab or under nbval write nothing.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"publish_table expects a DataFrame, got {type(df).__name__}")
    target = output_dir if output_dir is not None else os.environ.get(OUTPUT_DIR_ENV)
    if not target:
        return df
    tables = Path(target) / TABLES_DIR
    tables.mkdir(parents=True, exist_ok=True)
    index_path = tables / TABLES_INDEX
    index = json.loads(index_path.read_text("utf-8")) if index_path.exists() else []
    file = f"{len(index) + 1:02d}.pkl"
    df.to_pickle(tables / file)
    index.append({"file": file, "name": str(name_zh)})
    # Rewrite the whole index so that a reader never sees a half-appended entry list.
    tmp = index_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(index, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, index_path)
    return df


def published_tables(output_dir: str | Path) -> list[tuple[str, pd.DataFrame]]:
    """The ``(name, frame)`` pairs published into ``output_dir``, in publication order (empty if none)."""
    tables = Path(output_dir) / TABLES_DIR
    index_path = tables / TABLES_INDEX
    if not index_path.exists():
        return []
    entries = json.loads(index_path.read_text("utf-8"))
    return [(entry["name"], pd.read_pickle(tables / entry["file"])) for entry in entries]


# --- XLSX -------------------------------------------------------------------------------------------------
def sheet_names(names: Sequence[str]) -> list[str]:
    """Valid, unique Excel sheet names for ``names``, in order.

    Characters Excel forbids (``[]:*?/\\``) become ``_``, names are cut to 31 characters, a leading or
    trailing apostrophe is dropped (Excel rejects it), an empty name becomes ``表N``, and repeats get
    `` (2)``, `` (3)`` … (compared case-insensitively, as Excel does).
    """
    result: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        base = _SHEET_FORBIDDEN.sub("_", str(name)).strip().strip("'").strip() or f"表{i}"
        base = base[:SHEET_MAX]
        candidate, n = base, 1
        while candidate.lower() in seen:
            n += 1
            suffix = f" ({n})"
            candidate = base[: SHEET_MAX - len(suffix)] + suffix
        seen.add(candidate.lower())
        result.append(candidate)
    return result


def _flat_label(label: object) -> str:
    if isinstance(label, tuple):
        return " / ".join(str(part) for part in label if str(part) != "")
    return str(label)


def _cell(value: object) -> object:
    """A value openpyxl can store, with formula-like text neutralized."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN: an empty cell, not the text "nan"
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, bool | int | float):
        return value
    if hasattr(value, "isoformat"):
        return value  # date / datetime: openpyxl writes them as dates
    return safe_text(str(value))


def _frame_for_sheet(df: pd.DataFrame) -> pd.DataFrame:
    # A meaningful index (park id, year …) becomes columns; a plain 0..n-1 RangeIndex is dropped.
    if isinstance(df.index, pd.RangeIndex) and df.index.name is None:
        return df
    return df.reset_index()


def write_xlsx(tables: Sequence[tuple[str, pd.DataFrame]], path: str | Path) -> list[str]:
    """Write one sheet per ``(name, frame)`` to ``path``; return the sheet names used.

    Header and text cells pass through :func:`safe_text`; NaN/None become empty cells; a workbook with no
    tables gets one sheet ``说明`` saying so (an XLSX file needs at least one sheet).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    names = sheet_names([name for name, _ in tables])
    for sheet_name, (_, df) in zip(names, tables, strict=True):
        frame = _frame_for_sheet(df)
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([_cell(_flat_label(col)) for col in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        for idx, col in enumerate(frame.columns, start=1):
            # Rough width from the header and a sample of values; CJK characters count double.
            sample = [_flat_label(col), *(str(v) for v in frame.iloc[:50, idx - 1])]
            width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) for text in sample)
            sheet.column_dimensions[get_column_letter(idx)].width = min(max(width + 2, 8), 60)
    if not tables:
        sheet = workbook.create_sheet("说明")
        sheet.append(["本报告没有导出表格。"])
        names = ["说明"]
    workbook.save(path)
    return names


# --- HTML -------------------------------------------------------------------------------------------------
# The lab template with every block that loads a script from a CDN emptied: require.js is only needed by
# widget/JS outputs, MathJax by LaTeX, Mermaid by diagrams; a report uses none of them and must read offline.
_TEMPLATE_NAME = "hrpark_report.html.j2"
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def _html_exporter():
    # nbconvert and jinja2 are imported here, not at module level: every report notebook imports this
    # module for publish_table, and nbconvert alone costs over a second of kernel start-up.
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
    exporter = _html_exporter()
    resources = {"metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body
