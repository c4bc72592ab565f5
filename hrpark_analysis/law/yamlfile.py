"""Reading YAML a user wrote: the one safe loader of the policy file, the sheet and report parameter files.

``yaml.safe_load`` runs no code, but it still accepts what these files must not contain:

- a key given twice in one mapping (the last silently wins): refused, naming both lines;
- aliases that expand past :data:`MAX_NODES` nodes (a "billion laughs" file): refused while the file is
  read event by event, before anything is built, so it fails in milliseconds;
- nesting deeper than :data:`MAX_DEPTH`: refused before the recursive constructor could hit Python's
  recursion limit.

Files are read with ``userfiles.read_text`` (regular file, size bound, the tables' encodings: UTF-8,
UTF-8/UTF-16 with BOM, GB18030/GBK such as a Notepad "ANSI" file with a Chinese comment). Every refusal is
an :class:`InputError` naming the file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from hrpark_analysis import userfiles
from hrpark_analysis.errors import InputError

#: The deepest nesting of mappings and lists accepted (the shipped files go 5 deep).
MAX_DEPTH = 20
#: The most nodes a file may stand for, each alias counted as the nodes it repeats (the shipped policy
#: file has about 400).
MAX_NODES = 100_000
_MERGE = "tag:yaml.org,2002:merge"


class _UniqueKeys:
    """Refuses a key repeated in one mapping (mixed into the safe loaders below)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue  # "<<: *base" merges are overridden by explicit keys on purpose
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: SafeLoader refuses it below
            if first is not None:
                raise ConstructorError(None, None, f"键 {key!r} 重复(第 {first} 行已有)", key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _UniqueKeyLoader(_UniqueKeys, yaml.SafeLoader):
    """``yaml.SafeLoader`` (pure Python) that refuses a repeated key: it names what is wrong most precisely."""


# PyYAML's libyaml parser, where the wheel has it (PyPI's wheels do): the same events, nodes and line marks,
# about eight times faster. A report reads the policy and the sheet twice (the check before the kernel, then
# the kernel itself). Its messages are terser ("found character that cannot start any token", without the
# tab), so a file it refuses is read again by the pure-Python loader for the message.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)
if _FAST_LOADER is not None:

    class _FastUniqueKeyLoader(_UniqueKeys, _FAST_LOADER):  # type: ignore[misc, valid-type]
        """The libyaml safe loader that refuses a repeated key."""


def _check_shape(text: str, source: str | Path, loader: Any = yaml.SafeLoader) -> None:
    """Depth and expanded size from the event stream (no recursion, nothing built)."""
    depth = 0
    total = 0
    anchors: dict[str, int] = {}
    open_sizes: list[tuple[int, str | None]] = []  # (total when the collection opened, its anchor)
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(f"YAML 嵌套超过 {MAX_DEPTH} 层", file=source, row=line)
            open_sizes.append((total, event.anchor))
            total += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            began, anchor = open_sizes.pop()
            if anchor is not None:
                anchors[anchor] = total - began
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor is not None:
                anchors[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            total += anchors.get(event.anchor, 1)
        if total > MAX_NODES:
            raise InputError(
                f"YAML 展开后超过 {MAX_NODES} 个节点(别名 & / * 引用过多，例如“billion laughs”)",
                file=source,
                row=line,
            )


def load_text(text: str, source: str | Path) -> Any:
    """The data of YAML ``text`` read from ``source`` (named in errors); InputError with the line if refused."""
    if _FAST_LOADER is not None:
        try:
            _check_shape(text, source, _FAST_LOADER)
            return yaml.load(text, Loader=_FastUniqueKeyLoader)
        except yaml.YAMLError:
            pass  # refused: the pure-Python loader below says why, more precisely
        except RecursionError:
            raise InputError(f"YAML 嵌套过深(上限 {MAX_DEPTH} 层)", file=source) from None
    try:
        _check_shape(text, source)
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"不是有效的 YAML: {problem}", file=source, row=mark.line + 1 if mark else None
        ) from None
    except RecursionError:  # a bound above the constructor's own: never a traceback
        raise InputError(f"YAML 嵌套过深(上限 {MAX_DEPTH} 层)", file=source) from None


def compose(text: str) -> yaml.Node | None:
    """The node tree of YAML ``text`` (libyaml where available), for looking up lines; None if it does not parse."""
    try:
        return yaml.compose(text, Loader=_FAST_LOADER or yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def read(path: str | Path) -> tuple[str, Any]:
    """A user's YAML file: its text (for line lookups) and its data, checked as :func:`load_text` says."""
    text = userfiles.read_text(path)
    return text, load_text(text, path)
