"""What the runner's process does while the report's kernel runs, instead of only waiting for it.

The notebook runs in its own process (the kernel) and the runner's process mostly waits for its replies. One
thread (:class:`BesideKernel`) uses that time for the work that does not need the finished notebook:

1. it readies the exporters — nbconvert's import and page templates, python-docx — which would otherwise
   come after the kernel, one after another (any failure is left for the export itself to report);
2. it gathers the manifest's facts that do not depend on the outputs: the notebook's and inputs' sha256, the
   code's identity and the environment (:func:`~hrpark_analysis.reports.manifest.manifest_facts`);
3. it writes each table into the workbook as the kernel publishes it
   (:class:`~hrpark_analysis.reports.export.xlsx.ReportWorkbook`), looking for new ones every
   :data:`POLL_SECONDS`, so that when the notebook ends only its last tables and the save remain.

:meth:`BesideKernel.finish`, called once the kernel is done, adds the remaining tables, saves the workbook and
returns what the manifest needs; an error on the thread (a full disk while saving) is raised there, in the
runner's thread. :meth:`BesideKernel.abandon` stops it when the notebook failed: nothing is saved. The
workbook's bytes are those of writing every table at the end (the same tables in the same order).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import pandas as pd

from hrpark_analysis.reports.export.tables import published_since
from hrpark_analysis.reports.manifest import manifest_facts
from hrpark_analysis.reports.params import ReportPlan

POLL_SECONDS = 0.05


def _prepare_exports() -> None:
    """Import and compile what the exports need; any failure is left for the export itself to report."""
    with contextlib.suppress(Exception):
        import docx  # noqa: F401  # python-docx: the Word document

        from hrpark_analysis.reports.export.html import prepare_html

        prepare_html()


class BesideKernel:
    """The runner's work beside the kernel for ``plan``, whose outputs go to ``folder`` (the XLSX to
    ``workbook_path``); started at once."""

    def __init__(self, plan: ReportPlan, folder: Path, workbook_path: Path) -> None:
        self._plan, self._folder, self._workbook_path = plan, folder, workbook_path
        self._kernel_done = threading.Event()
        self._abandoned = False
        self._error: BaseException | None = None
        self.tables: list[tuple[str, pd.DataFrame]] = []
        self.sheets: list[str] = []
        self.facts: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, name="hrpark-beside-kernel", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            _prepare_exports()
            self.facts = manifest_facts(self._plan, self._folder)
            from hrpark_analysis.reports.export.xlsx import ReportWorkbook

            workbook = ReportWorkbook()
            while not self._kernel_done.wait(POLL_SECONDS):
                self._absorb(workbook)
            if self._abandoned:
                return
            self._absorb(workbook)
            self.sheets = workbook.save(self._workbook_path)
        except BaseException as exc:  # raised again by finish(), in the runner's thread
            self._error = exc

    def _absorb(self, workbook: Any) -> None:
        for name, frame in published_since(self._folder, len(self.tables)):
            self.tables.append((name, frame))
            workbook.add(name, frame)

    def kernel_done(self) -> None:
        """The notebook has ended: add its last tables and save the workbook (on the thread)."""
        self._kernel_done.set()

    def finish(self) -> tuple[list[tuple[str, pd.DataFrame]], list[str], dict[str, Any]]:
        """Wait for the thread; return the published tables, their sheets and the manifest's facts."""
        self.kernel_done()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.tables, self.sheets, self.facts

    def abandon(self) -> None:
        """Stop without saving anything (the notebook failed or was interrupted)."""
        self._abandoned = True
        self._kernel_done.set()
        self._thread.join()
