"""Progress of a report run on the terminal (stderr), never in the notebook.

Two halves meet in a file. Inside a report notebook, a long step (a Monte Carlo run) takes
:func:`progress_reporter` as its ``progress=`` callback: each new tenth appends a line to the file named by
``HRPARK_PROGRESS_FILE`` (:data:`PROGRESS_FILE_ENV`). The runner names that file (in its temporary folder, see
:func:`echo_notebook`) and a thread (:class:`ProgressEcho`) prints the lines on stderr while the notebook runs;
the file is removed before the folder is published. Outside the runner (JupyterLab, nbval) the variable is
not set and the reporter is ``None``, so no progress ever reaches a notebook's outputs.

The runner's own steps go through :class:`Progress`: plain lines, written above papermill's bar on a terminal.
This module is imported by notebook kernels: it imports nothing beyond the standard library at load time.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

PROGRESS_FILE_ENV = "HRPARK_PROGRESS_FILE"
PROGRESS_FILE = ".progress.log"  # in the temporary folder; removed before the folder is published
PROGRESS_POLL = 0.2  # seconds between looks at the progress file


class Progress:
    """The runner's messages on stderr; ``bar`` = papermill may draw its progress bar (a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = enabled and sys.stderr.isatty()

    def say(self, message: str) -> None:
        if self.enabled:
            print(message, file=sys.stderr, flush=True)

    def echo(self, message: str) -> None:
        """A line from inside the notebook; on a terminal written above papermill's bar, not through it."""
        if not self.enabled:
            return
        if self.bar:
            from tqdm import tqdm

            tqdm.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr, flush=True)


def progress_reporter(label: str, *, steps: int = 10) -> Callable[[int, int], None] | None:
    """For report notebooks: a ``progress=`` callback ``(done, total)`` that tells the runner's terminal.

    Each call whose ``done`` reaches a new tenth (``steps``) of ``total`` appends ``label: done/total (p%)``
    to the file named by ``HRPARK_PROGRESS_FILE``; the runner prints it on stderr. None when the variable is
    not set (JupyterLab, nbval), so progress never reaches a notebook's outputs.
    """
    path = os.environ.get(PROGRESS_FILE_ENV)
    if not path:
        return None
    shown = {"step": -1}

    def report(done: int, total: int) -> None:
        step = done * steps // total if total > 0 else steps
        if step == shown["step"]:
            return
        shown["step"] = step
        share = done / total if total > 0 else 1.0
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{label}: {done:,}/{total:,} ({share:.0%})\n")

    return report


class ProgressEcho(threading.Thread):
    """Echoes the complete lines a notebook appends to ``path`` through ``say`` until stopped, then the rest."""

    def __init__(self, path: Path, say: Callable[[str], None]) -> None:
        super().__init__(name="hrpark-progress", daemon=True)
        self.path = path
        self.say = say
        self.offset = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(PROGRESS_POLL):
            self.drain()
        self.drain()

    def drain(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next look
        for line in data[:end].decode("utf-8", "replace").splitlines():
            self.say(f"  {line}")
        self.offset += end

    def stop(self) -> None:
        self.done.set()
        self.join()


@contextlib.contextmanager
def echo_notebook(folder: Path, progress: Progress) -> Iterator[dict[str, str]]:
    """Echo the notebook's progress file in ``folder`` while the block runs.

    Yields the environment the kernel needs to find the file (empty when progress is off); the caller sets it.
    """
    if not progress.enabled:
        yield {}
        return
    path = folder / PROGRESS_FILE
    echo = ProgressEcho(path, progress.echo)
    echo.start()
    try:
        yield {PROGRESS_FILE_ENV: str(path)}
    finally:
        echo.stop()
        path.unlink(missing_ok=True)
