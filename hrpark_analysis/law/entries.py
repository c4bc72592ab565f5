"""Value checks shared by the policy file and the evaluation sheet: each returns an error message or None.

Messages are Chinese because they reach users through :class:`errors.PolicyError` and friends.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable
from typing import Any

Check = Callable[[Any], str | None]


def suggest(value: Any, options: Iterable[str]) -> str:
    """``；是否想用 X？`` for the nearest valid option, or an empty string."""
    hint = difflib.get_close_matches(str(value), list(options), n=1, cutoff=0.5)
    return f"；是否想用 {hint[0]}？" if hint else ""


def is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def number(lo: float | None = None, hi: float | None = None, lo_open: bool = False) -> Check:
    def check(v: Any) -> str | None:
        if not is_number(v):
            return f"应为数值，实际为 {v!r}"
        if lo is not None and (v <= lo if lo_open else v < lo):
            return f"应{'大于' if lo_open else '不小于'} {lo}，实际为 {v}"
        if hi is not None and v > hi:
            return f"应不大于 {hi}，实际为 {v}"
        return None

    return check


def integer(lo: int, hi: int | None = None) -> Check:
    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int):
            return f"应为整数，实际为 {v!r}"
        if v < lo or (hi is not None and v > hi):
            return f"应在 {lo}–{hi} 之间，实际为 {v}" if hi is not None else f"应不小于 {lo}，实际为 {v}"
        return None

    return check


def boolean(v: Any) -> str | None:
    return None if isinstance(v, bool) else f"应为 true 或 false，实际为 {v!r}"


def choice(*options: str) -> Check:
    def check(v: Any) -> str | None:
        if v in options:
            return None
        return f"应为 {' / '.join(options)} 之一，实际为 {v!r}{suggest(v, options)}"

    return check


def optional(inner: Check) -> Check:
    return lambda v: None if v is None else inner(v)


def text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else f"应为非空文字，实际为 {v!r}"


def list_of(inner: Check, allowed: Iterable[str] | None = None, min_len: int = 1) -> Check:
    allowed_set = set(allowed) if allowed is not None else None

    def check(v: Any) -> str | None:
        if not isinstance(v, list) or len(v) < min_len:
            return f"应为至少 {min_len} 项的列表，实际为 {v!r}"
        for item in v:
            if (msg := inner(item)) is not None:
                return f"列表项 {item!r}: {msg}"
            if allowed_set is not None and item not in allowed_set:
                return f"列表项 {item!r} 不在 {sorted(allowed_set)} 之中"
        return None

    return check
