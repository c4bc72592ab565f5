"""Getting a report's tables and pages out of a notebook: the table protocol, XLSX and HTML.

- :mod:`.tables` — :func:`publish_table` in a notebook, :func:`published_tables` in the runner
  (``HRPARK_OUTPUT_DIR``).
- :mod:`.xlsx` — :func:`write_xlsx`: one sheet per table, valid unique :func:`sheet_names`, formula-like text
  neutralised by :func:`safe_text` (shared with the CLI's CSV writers, ``io.tables``).
- :mod:`.html` — :func:`to_html`: code-free, escaped, self-contained.
- :mod:`.documents` — :func:`write_documents`: the PDF (:mod:`.pdf`, Typst) and the Word file (:mod:`.docx`,
  python-docx) from one reading of the executed notebook into :mod:`.blocks`.

Every report notebook imports this package for ``publish_table``; nbconvert is only imported when HTML is made,
typst and python-docx only when the documents are.
"""

from __future__ import annotations

from hrpark_analysis.io.tables import safe_text
from hrpark_analysis.reports.export.documents import write_documents
from hrpark_analysis.reports.export.html import to_html
from hrpark_analysis.reports.export.tables import (
    OUTPUT_DIR_ENV,
    TABLES_DIR,
    TABLES_INDEX,
    publish_table,
    published_tables,
)
from hrpark_analysis.reports.export.xlsx import sheet_names, write_xlsx

__all__ = [
    "OUTPUT_DIR_ENV",
    "TABLES_DIR",
    "TABLES_INDEX",
    "publish_table",
    "published_tables",
    "safe_text",
    "sheet_names",
    "to_html",
    "write_documents",
    "write_xlsx",
]
