"""Numbered captions: 表1 …, 图1 … in the order a report shows them, and the words that refer to them.

A report never types a number by hand. :class:`Captions` hands out the next number of a kind when a table or
figure is shown, remembers it under the table's name, and gives the reference (``表3``) the text uses::

    captions = Captions()
    captions.table("得分表")        # '表1 得分表'
    captions.figure("得分分布")      # '图1 得分分布'
    captions.ref("得分表")          # '表1'
"""

from __future__ import annotations

from dataclasses import dataclass, field

TABLE = "表"
FIGURE = "图"


@dataclass
class Captions:
    """The numbers given so far, per kind (表/图), and which name got which number."""

    counts: dict[str, int] = field(default_factory=lambda: {TABLE: 0, FIGURE: 0})
    numbers: dict[str, str] = field(default_factory=dict)

    def _next(self, kind: str, name: str, title: str | None) -> str:
        self.counts[kind] += 1
        label = f"{kind}{self.counts[kind]}"
        self.numbers.setdefault(name, label)
        return f"{label} {title or name}"

    def table(self, name: str, title: str | None = None) -> str:
        """The next table's caption, ``表N title`` (``title`` defaults to ``name``)."""
        return self._next(TABLE, name, title)

    def figure(self, name: str, title: str | None = None) -> str:
        """The next figure's caption, ``图N title``."""
        return self._next(FIGURE, name, title)

    def peek(self, kind: str) -> str:
        """The label the next ``kind`` (表/图) will get, for text written just before it is shown."""
        return f"{kind}{self.counts[kind] + 1}"

    def ref(self, name: str) -> str:
        """``表N``/``图N`` of a table or figure already shown under ``name``."""
        if name not in self.numbers:
            raise KeyError(f"no table or figure called {name!r} has been shown yet")
        return self.numbers[name]
