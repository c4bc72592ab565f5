"""Getting a report's tables and pages out of a notebook: the table protocol, XLSX and HTML.

- :mod:`.tables` — :func:`publish_table` in a notebook, :func:`published_tables` in the runner
  (``HRPARK_OUTPUT_DIR``).
- :mod:`.xlsx` — :func:`write_xlsx`: one sheet per table, valid unique :func:`sheet_names`, formula-like text
  neutralised by :func:`safe_text` (shared with the CLI's CSV writers, ``io.tables``).
- :mod:`.html` — :func:`to_html`: code-free, escaped, self-contained.
- :mod:`.documents` — :func:`write_documents`: the PDF (:mod:`.pdf`, Typst) and the Word file (:mod:`.docx`,
  python-docx) from one reading of the executed notebook into :mod:`.blocks`.

Every report notebook imports this package for ``publish_table``; the writers (openpyxl, nbconvert, typst,
python-docx) are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hrpark_analysis.reports.export.tables import (
    OUTPUT_DIR_ENV,
    TABLES_DIR,
    TABLES_INDEX,
    publish_table,
    published_tables,
)

if TYPE_CHECKING:
    from hrpark_analysis.io.tables import safe_text
    from hrpark_analysis.reports.export.documents import write_documents
    from hrpark_analysis.reports.export.html import to_html
    from hrpark_analysis.reports.export.xlsx import sheet_names, write_xlsx

# The writers are loaded on first use. A notebook's kernel imports this package for publish_table only, and
# the runner checks its inputs before any kernel starts: neither should pay for openpyxl, python-docx and the
# notebook reader (a fifth of a second) on the way.
_LAZY = {
    "safe_text": "hrpark_analysis.io.tables",
    "write_documents": "hrpark_analysis.reports.export.documents",
    "to_html": "hrpark_analysis.reports.export.html",
    "sheet_names": "hrpark_analysis.reports.export.xlsx",
    "write_xlsx": "hrpark_analysis.reports.export.xlsx",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


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
