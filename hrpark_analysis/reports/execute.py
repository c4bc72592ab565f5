"""Running one report notebook with papermill, and leaving nothing of the run's time or place in it.

- The kernel is ``python3`` — the runner's own interpreter (ipykernel's built-in spec) — with
  ``PYTHONHASHSEED=0`` and whatever else :func:`environment` sets (the kernel inherits ``os.environ``), and
  with every warning filtered out (:data:`KERNEL_ENVIRONMENT`, :data:`KERNEL_STARTUP`), and the notebook's
  libraries imported while it waits for its first cell (:mod:`.preload`).
- Its working directory is the folder the user runs the command from, so a path the user gave
  (``--data d``, ``data_dir: data/2025`` in a params file) means in the notebook what it meant on the command
  line, and is passed exactly as given. nbval and JupyterLab run the committed notebooks in their own folder;
  their defaults (``data_dir = ""``: the built-in sample) do not depend on the working directory.
- :func:`scrub_notebook` removes papermill's timestamps, durations and paths from the executed notebook, and
  merges a stream split in two by the kernel's flush timer (:func:`coalesce_streams`).
- A failing cell becomes a :class:`ReportError` naming the cell and its exception; anything else that stops
  the kernel too. SIGTERM (systemd, CI) is turned into KeyboardInterrupt by :func:`sigterm_as_interrupt`
  so that it unwinds like Ctrl-C and the caller's cleanup runs.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import re
import signal
import sys
import threading
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hrpark_analysis.errors import ReportError
from hrpark_analysis.io.publish import MACHINE_ERRNOS

KERNEL_NAME = "python3"
# Warnings never reach a report: a third-party deprecation notice would put the library's absolute install
# path and version-dependent text into the notebook, the HTML and nbval's comparison. The kernel inherits
# PYTHONWARNINGS (also set for nbval's kernels by the repository's conftest.py); the startup line repeats the
# filter after IPython's own, which shows DeprecationWarnings raised from notebook code.
KERNEL_ENVIRONMENT = {"PYTHONWARNINGS": "ignore"}
# Then, while the kernel waits for its first cell, a thread imports the notebook's libraries (.preload).
KERNEL_STARTUP = (
    "import warnings as _w; _w.simplefilter('ignore'); del _w; "
    "from hrpark_analysis.reports.preload import start as _s; _s(get_ipython()); del _s"
)
PAPERMILL_LOGGERS = ("papermill", "papermill.translators")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for the block (and so for the kernel it starts); restore them afterwards."""
    # jupyter_client copies os.environ into the kernel: this is how the kernel gets PYTHONHASHSEED and the
    # runner's folders. Restored afterwards so that library callers see no change.
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt (main thread only; elsewhere a no-op)."""
    # systemd and CI stop jobs with SIGTERM, whose default action skips every cleanup.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def defer_iri_grammar() -> None:
    """Let jsonschema import without building rfc3987-syntax's IRI grammar; build it on first use instead.

    papermill and nbconvert import nbformat, nbformat imports jsonschema, and jsonschema (with the
    ``format-nongpl`` extra that jupyter-events asks for) imports ``rfc3987_syntax.is_valid_syntax`` to check
    the ``iri`` formats — and that module compiles an Earley grammar at import: about a second of the report
    run, in a process that never checks a format (nbformat validates without a format checker). The stand-in
    module put in its place loads the real one the first time anything in it is used, so a format check that
    does happen gives the same answer. Called before the first import of jsonschema; otherwise a no-op.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    spec = importlib.util.find_spec("rfc3987_syntax")
    if spec is None or spec.submodule_search_locations is None:
        return

    def real() -> types.ModuleType:
        return importlib.import_module("rfc3987_syntax.syntax_helpers")  # the package's whole namespace

    def is_valid_syntax(term: str, value: str) -> bool:
        return bool(real().is_valid_syntax(term, value))

    stand_in = types.ModuleType("rfc3987_syntax")
    stand_in.__path__ = list(spec.submodule_search_locations)  # so that its submodules import as usual
    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]  # what jsonschema imports
    stand_in.__getattr__ = lambda name: getattr(real(), name)  # type: ignore[method-assign]  # the rest
    sys.modules["rfc3987_syntax"] = stand_in


class _DropParameterInference(logging.Filter):
    """Drops papermill's warnings about parameters: ``params.plan_report`` has already checked them properly."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Unable to parse line", "Passed unknown parameter"))


@contextlib.contextmanager
def quiet_parameter_warnings() -> Iterator[None]:
    """Papermill's (wrong) warnings about the parameters cell are dropped within the block."""
    # A logger's filter does not see records propagated from its children, and papermill logs the
    # parameter warnings through papermill.translators: filter every logger in PAPERMILL_LOGGERS.
    quiet = _DropParameterInference()
    logs = [logging.getLogger(name) for name in PAPERMILL_LOGGERS]
    for log in logs:
        log.addFilter(quiet)
    try:
        yield
    finally:
        for log in logs:
            log.removeFilter(quiet)


def execute_notebook(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    progress_bar: bool = False,
    timeout: float | None = None,
) -> None:
    """Execute ``notebook`` with ``parameters`` injected, writing ``output``; ReportError if it fails.

    ``timeout`` bounds each cell in seconds (None: no bound): a cell that hangs on an input stops the run
    with a ReportError instead of holding the report's lock forever.
    """
    defer_iri_grammar()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        with quiet_parameter_warnings(), environment(**KERNEL_ENVIRONMENT):
            papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters=dict(parameters),
                kernel_name=KERNEL_NAME,
                progress_bar=progress_bar,
                request_save_on_cell_execute=False,
                log_output=False,
                cwd=str(Path.cwd()),  # the user's folder: user paths are passed as given
                # The kernel's own log (a plain-TCP notice on start, a KeyboardInterrupt line on shutdown) would
                # reach the terminal and cron mail; a failure still surfaces as the ReportError below.
                extra_arguments=[
                    "--IPKernelApp.log_level=CRITICAL",
                    f"--IPKernelApp.exec_lines={KERNEL_STARTUP}",
                ],
                execution_timeout=timeout,
                # Every cell's reply and outputs are in by now, and the kernel keeps nothing worth a clean
                # exit (its history is in memory, its tables were written and closed by publish_table): a
                # graceful shutdown only waits about a second for a pandas/matplotlib interpreter to finalize.
                shutdown_kernel="immediate",
            )
    except PapermillExecutionError as exc:
        message = _ANSI.sub("", str(exc.evalue)).strip()
        raise ReportError(
            f"报告笔记本 {notebook.name} 运行失败(单元 [{exc.exec_count}]): {exc.ename}: {message}"
        ) from exc
    except (KeyboardInterrupt, ReportError):
        raise
    except OSError as exc:
        if isinstance(exc, TimeoutError):  # nbclient's CellTimeoutError is one
            bound = f"一个单元超过 {timeout:g} 秒仍未结束(可用 --timeout 调整)" if timeout else str(exc)
            raise ReportError(f"报告笔记本 {notebook.name} 运行超时: {_ANSI.sub('', bound)}") from exc
        if exc.errno in MACHINE_ERRNOS:
            raise  # the disk filled while papermill wrote the notebook: the caller names its folder
        raise ReportError(
            f"报告笔记本 {notebook.name} 无法运行: {type(exc).__name__}: {_ANSI.sub('', str(exc))}"
        ) from exc
    except Exception as exc:  # kernel died, kernel missing, timeout …: still a report that did not run
        raise ReportError(
            f"报告笔记本 {notebook.name} 无法运行: {type(exc).__name__}: {_ANSI.sub('', str(exc))}"
        ) from exc


def scrub_notebook(path: Path, source_name: str) -> None:
    """Drop papermill/nbclient timestamps, durations and paths from the executed notebook at ``path``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    for name in ("start_time", "end_time", "duration", "exception"):
        pm.pop(name, None)
    pm["input_path"] = source_name
    pm["output_path"] = path.name
    ids = {cell.get("id") for cell in nb.cells}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        # papermill gives the injected cell a random id; a fixed one keeps reruns byte-identical.
        if "injected-parameters" in cell.metadata.get("tags", []) and "injected-parameters" not in ids:
            cell["id"] = "injected-parameters"
        for name in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(name, None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    nbformat.write(nb, path)


def coalesce_streams(outputs: list[Any]) -> list[Any]:
    """Consecutive stream outputs of the same name (stdout, stderr) merged into one.

    The kernel flushes stdout on a timer, so one ``print`` sometimes arrives as two stream messages, and the
    executed notebook (and its HTML) would differ from run to run in how the same text is split.
    """
    merged: list[Any] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and output.get("name") == previous.get("name")
        ):
            previous["text"] = previous["text"] + output["text"]
        else:
            merged.append(output)
    return merged
