"""A report's PDF and Word documents, from one reading of the executed notebook (no second kernel).

:func:`write_documents` reads the executed notebook once into :mod:`.blocks`
(:func:`.notebook_blocks.read_blocks`) and hands the same blocks to :mod:`.pdf` and :mod:`.docx`. Both carry
the report's date from :func:`hrpark_analysis.reports.dates.document_datetime` — the ``report_date``
parameter if the notebook has one, else ``SOURCE_DATE_EPOCH``, else 31 December of the report's year — and
the ``issuer`` parameter as author, so the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hrpark_analysis.reports.dates import document_facts
from hrpark_analysis.reports.export.docx import write_docx
from hrpark_analysis.reports.export.notebook_blocks import read_blocks
from hrpark_analysis.reports.export.pdf import write_pdf


def write_documents(executed: str | Path, stem: str | Path, parameters: Mapping[str, Any]) -> list[Path]:
    """Write ``<stem>.pdf`` and ``<stem>.docx`` from the executed notebook; return their paths."""
    document = read_blocks(executed)
    date, author = document_facts(parameters)
    stem = Path(stem)
    pdf, docx = stem.with_name(stem.name + ".pdf"), stem.with_name(stem.name + ".docx")
    write_pdf(document, pdf, date=date, author=author)
    write_docx(document, docx, date=date, author=author)
    return [pdf, docx]
