"""Worker threads of the forecast: independent jobs over paths or years (numpy releases the GIL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor


def run_all(jobs: Sequence[Callable[[], None]], workers: ThreadPoolExecutor | None) -> None:
    """Run independent jobs, on the worker threads if any (numpy releases the GIL in array operations)."""
    if workers is None or len(jobs) <= 1:
        for job in jobs:
            job()
        return
    for future in [workers.submit(job) for job in jobs]:
        future.result()


def thread_pool(threads: int) -> ThreadPoolExecutor | None:
    return ThreadPoolExecutor(threads) if threads > 1 else None
