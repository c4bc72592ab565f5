"""One exception hierarchy for everything a user can cause.

The CLI turns any :class:`HrparkError` into a one-line message on stderr and exit code 2
(:class:`ReportError` gives exit code 1: the inputs were valid, the report itself failed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class HrparkError(Exception):
    """Base class of every error a user can cause or fix."""

    exit_code = 2


class InputError(HrparkError):
    """A data file is malformed; carries the file, the row as the user sees it and the column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        sheet: str | None = None,
        value: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.sheet = sheet  # the worksheet of an XLSX file the row is on
        self.value = value  # the offending cell as written, for the list handed back to the district
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"文件 {self.file}")
        if self.sheet is not None:
            where.append(f"工作表 {self.sheet}")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column is not None:
            where.append(f"列 {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class InputErrors(InputError):
    """Several problems in the input, all reported at once; its first problem's file/row/column are its own.

    Raised instead of :class:`InputError` when more than one problem was found, so a district gets every
    mistake of a submission back in one run. One problem reads exactly like the single error.
    """

    def __init__(self, errors: Sequence[InputError]) -> None:
        flat: list[InputError] = []
        for err in errors:
            flat.extend(err.errors if isinstance(err, InputErrors) else [err])
        if not flat:
            raise ValueError("InputErrors needs at least one error")
        self.errors = flat
        first = flat[0]
        super().__init__(first.message, file=first.file, row=first.row, column=first.column, sheet=first.sheet,
                         value=first.value)  # fmt: skip

    def __str__(self) -> str:
        if len(getattr(self, "errors", ())) <= 1:
            return super().__str__()
        return "\n".join(str(e) for e in self.errors)


class PolicyError(HrparkError):
    """The policy file or a ``--set`` override is invalid."""


class ParameterError(HrparkError):
    """A report parameter is unknown or of the wrong type."""


class ReportError(HrparkError):
    """A report notebook failed while running; carries the failing cell's message."""

    exit_code = 1


class OutputExistsError(HrparkError):
    """The output already exists and ``--force`` was not given."""


class PathError(HrparkError):
    """A path cannot be read or written as asked: not a folder, a dangling link, no permission (exit 2)."""


class MachineError(HrparkError):
    """The machine failed a valid request: the disk is full, an I/O error, out of memory (exit 1)."""

    exit_code = 1
