"""The ``hrpark`` command as a process (also ``python -m hrpark_analysis``): :func:`run`.

:func:`hrpark_analysis.cli.main` does the work and returns the exit code; tests and scripts call it in their own
process. :func:`run` is the console entry point, and ends the process without the interpreter's teardown.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

from hrpark_analysis.cli import main


def run() -> NoReturn:
    """Run :func:`~hrpark_analysis.cli.main` on ``sys.argv`` and exit with its code."""
    code = main()
    # By the time main() returns, every output has been written, closed and renamed into place. What a normal
    # exit would still do is tear the interpreter down object by object — after a report run (pandas, nbconvert,
    # jupyter_client, openpyxl loaded) about 0.3 s of a five-second command, for memory the operating system
    # frees at once. The exit handlers still run (temporary folders, logging) and both streams are flushed; a
    # thread still at work, or a stream that cannot be flushed, gets the ordinary exit instead.
    if threading.active_count() == 1:
        atexit._run_exitfuncs()
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
