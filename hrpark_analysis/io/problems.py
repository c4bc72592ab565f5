"""Every problem of a submission at once: a collector that readers fill instead of stopping at the first.

A district sending a workbook with a dozen mistakes gets them all back in one run. Readers add each problem
(file, worksheet, row, column, the value as written, what was expected) to a :class:`Problems` and raise
once at the end; one problem raises the single :class:`~hrpark_analysis.errors.InputError` exactly as
before, several raise :class:`~hrpark_analysis.errors.InputErrors`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from hrpark_analysis import labels
from hrpark_analysis.errors import InputError, InputErrors


class Problems:
    """The problems found so far, in the order found; ``raise_any`` raises them all."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []
        self.cells: set[tuple[str | None, int | None, str | None]] = set()  # (file, row, column) flagged
        self.columns: set[tuple[str | None, str]] = set()  # (file, column) missing or unreadable

    def add(self, error: InputError) -> None:
        """Record one problem (or each of several)."""
        for err in error.errors if isinstance(error, InputErrors) else [error]:
            self.errors.append(err)
            self.cells.add((err.file, err.row, err.column))

    def flagged(self, file: str | Path, row: int, column: str) -> bool:
        """A cell already has a problem (or its column is missing): later checks of it would only repeat it."""
        name = str(file)
        return (name, row, column) in self.cells or (name, column) in self.columns

    def missing(self, file: str | Path, column: str) -> None:
        """The column is absent: no row check of it is meaningful."""
        self.columns.add((str(file), column))

    @contextlib.contextmanager
    def collecting(self) -> Iterator[None]:
        """Record an InputError raised inside instead of letting it stop the run (one file's reader)."""
        try:
            yield
        except InputError as err:
            self.add(err)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def raise_any(self) -> None:
        """Raise what was found: the single InputError as it is, several as one InputErrors."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InputErrors(self.errors)


# --- showing and handing back ----------------------------------------------------------------------------
def ordered(errors: Sequence[InputError]) -> list[InputError]:
    """Grouped by file (in the order the files were read), then by row as the user sees it."""
    files: dict[str | None, int] = {}
    for err in errors:
        files.setdefault(err.file, len(files))
    return sorted(errors, key=lambda e: (files[e.file], e.row if e.row is not None else 0))


def listing(errors: Sequence[InputError], limit: int = 50) -> list[str]:
    """The lines the CLI prints for several problems: a count, then one line each (the first ``limit``)."""
    errors = ordered(errors)
    lines = [labels.ERRORS_HEADER.format(n=len(errors), files=len({e.file for e in errors}))]
    lines += [f"  {e}" for e in errors[:limit]]
    if len(errors) > limit:
        lines.append("  " + labels.ERRORS_MORE.format(n=len(errors) - limit))
    return lines
