"""Byte-identical office files: every zip-based output (XLSX, DOCX) rewritten with nothing of the run's time.

openpyxl (and python-docx) stamp the save time into ``docProps/core.xml`` (``dcterms:created``,
``dcterms:modified``) and into every zip entry's header, so two runs on the same inputs gave different bytes
and the manifest's hash of the workbook changed. :func:`normalize_zip` rewrites such a file with

- the core properties' created/modified dates set to the report's date (:func:`~hrpark_analysis.reports.dates.
  document_datetime`: ``report_date``, else ``SOURCE_DATE_EPOCH``, else a date derived from the inputs);
- every entry's time set to that date, fixed permissions and creator system, fixed deflate level;
- a fixed entry order: ``[Content_Types].xml`` first (some readers look for it there), then ``_rels/.rels``,
  then the rest sorted by name.

The runner applies :func:`normalize_outputs` to every ``.xlsx`` and ``.docx`` of a report folder after all
exports and before the manifest hashes them, so a new office output is covered without another step.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path

OFFICE_SUFFIXES = (".xlsx", ".docx")
CORE_PROPERTIES = "docProps/core.xml"
_FIRST = ("[Content_Types].xml", "_rels/.rels")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip header can hold
_DATE_ELEMENT = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
_DEFLATE_LEVEL = 6


def _entry_order(names: list[str]) -> list[str]:
    first = [n for n in _FIRST if n in names]
    return first + sorted(n for n in names if n not in _FIRST)


def _core_properties(xml: bytes, when: dt.datetime) -> bytes:
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _DATE_ELEMENT.sub(lambda m: m.group(1) + stamp + m.group(3), xml)


def normalize_zip(path: Path, when: dt.datetime) -> None:
    """Rewrite the zip file at ``path`` with fixed dates, entry times and order (see the module doc)."""
    path = Path(path)
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    utc = when.astimezone(dt.UTC)
    stamp = max((utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second), _ZIP_EPOCH)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as target:
            for name in _entry_order(list(entries)):
                data = entries[name]
                if name == CORE_PROPERTIES:
                    data = _core_properties(data, when)
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # otherwise 0 on Windows, 3 elsewhere: the same bytes on every OS
                info.external_attr = 0o644 << 16
                target.writestr(info, data, compresslevel=_DEFLATE_LEVEL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def normalize_outputs(folder: Path, when: dt.datetime) -> list[Path]:
    """:func:`normalize_zip` on every XLSX and DOCX directly in ``folder``; returns the files rewritten."""
    done = []
    for path in sorted(Path(folder).iterdir()):
        if path.is_file() and path.suffix.lower() in OFFICE_SUFFIXES:
            normalize_zip(path, when)
            done.append(path)
    return done
