"""A report kernel imports its notebook's libraries while it waits for the first cell.

A kernel the runner starts is ready a few tenths of a second before its first cell arrives (papermill connects,
asks for the kernel's info, injects the parameters). :func:`start`, called by the kernel's start-up line
(:data:`hrpark_analysis.reports.execute.KERNEL_STARTUP`), uses that wait: a thread imports :data:`MODULES`,
the libraries every report notebook imports first — pandas, matplotlib's figure and renderer, and the
package's parameter check, loaders, charts and document.

The cells never run alongside the thread: a ``pre_run_cell`` hook waits for it before each cell, so no import
in a cell races one in the thread, and the first cell finds the modules loaded. Nothing else changes — the
same modules imported once, the same outputs byte for byte. If an import fails in the thread it is left
alone: the cell's own import then reports it as it always would. Kernels started by JupyterLab or nbval do
not run the start-up line, and do not preload.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

# Only libraries whose import has no side effect on the kernel: never pyplot or the inline backend, which
# configure the running IPython shell and are imported by the notebook's own first cells.
MODULES = (
    "pandas",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "hrpark_analysis.reports.kernel_check",
    "hrpark_analysis.law.policy",
    "hrpark_analysis.engine.dataset",
    "hrpark_analysis.reports.charts",
    "hrpark_analysis.reports.document",
)


def import_modules(names: tuple[str, ...]) -> None:
    """Import ``names`` in order; stop quietly at the first that fails (the notebook reports it)."""
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            return


def start(shell: Any) -> threading.Thread:
    """Import :data:`MODULES` on a thread; make every cell of ``shell`` (an IPython shell) wait for it."""
    thread = threading.Thread(target=import_modules, args=(MODULES,), name="hrpark-preload", daemon=True)
    thread.start()

    def wait_for_imports(*_info: Any) -> None:
        thread.join()

    shell.events.register("pre_run_cell", wait_for_imports)
    return thread
