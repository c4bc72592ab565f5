"""What a report notebook declares in its ``parameters`` cell, and the check of a value against it.

The cell is read with :mod:`ast` (:func:`notebook_parameters`): each name with its default and the type its
values must have — from the annotation (``year: int = 2025``) or type comment, else from the default's own type.
A value must have that type (``int``, ``float`` — an int is accepted and converted —, ``str``, ``bool``,
``list``, ``dict``; ``X | None`` / a ``None`` default accepts None), nested types included (``list[str]``), and
must be plain data (:data:`PLAIN_SCALARS`, lists and mappings of them) whatever the notebook declares
(:func:`check_value`). A parameter whose name ends in ``_dir``, ``_file`` or ``_path`` is a path
(:func:`is_path_parameter`).

Used by the plan (:mod:`.params`) and by the notebook's own check (:mod:`.kernel_check`).
"""

from __future__ import annotations

import ast
import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hrpark_analysis.errors import ParameterError, ReportError

PATH_SUFFIXES = ("_dir", "_file", "_path")
NO_DEFAULT = object()  # NotebookParameter.default when the default is an expression, not a literal


@dataclass(frozen=True)
class NotebookParameter:
    """One name of a notebook's ``parameters`` cell with the type its values must have."""

    name: str
    default_source: str  # the default as written in the cell
    default: Any  # the default as a Python value, or NO_DEFAULT when it is not a literal
    types: tuple[type, ...] | None  # accepted types; None = any
    nullable: bool  # None is accepted
    annotation: str = ""  # as written (``list[str]``, ``Optional[float]``): nested types are checked from it

    @property
    def type_label(self) -> str:
        """The expected type in words, for error messages."""
        names = [t.__name__ for t in self.types] if self.types else ["任意类型"]
        return " | ".join(names + (["None"] if self.nullable and self.types else []))


_TYPE_WORDS: dict[str, type] = {
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "list": list,
    "tuple": list,  # YAML has no tuples; a list stands in for one
    "dict": dict,
}


def _union_members(node: ast.expr) -> list[ast.expr]:
    """The alternatives of ``A | B``, ``Optional[A]``, ``Union[A, B]`` (nested ones flattened)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    if isinstance(node, ast.Subscript) and _head(node) in ("optional", "union"):
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        extra = [ast.Constant(None)] if _head(node) == "optional" else []
        return [m for a in args for m in _union_members(a)] + extra
    return [node]


def _annotation_types(annotation: str) -> tuple[tuple[type, ...] | None, bool] | None:
    """``(types, nullable)`` from an annotation such as ``int``, ``str | None``, ``Optional[list[str]]``,
    ``Union[int, list]``.

    None when there is no annotation (empty, or the text ``None`` as papermill writes it) or it names a type
    outside the YAML-expressible ones; then the default decides.
    """
    text = annotation.strip()
    if not text or text == "None":
        return None
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    types: list[type] = []
    nullable = False
    for member in _union_members(tree):
        word = _head(member).removeprefix("typing.")
        if word in ("none", "nonetype"):
            nullable = True
        elif word in _TYPE_WORDS:
            types.append(_TYPE_WORDS[word])
        else:
            return None
    return (tuple(types) or None), nullable


def _default_types(default: Any) -> tuple[tuple[type, ...] | None, bool]:
    if default is NO_DEFAULT:
        return None, True
    if default is None:
        return None, True  # a None default says nothing about the type: anything goes
    for kind in (bool, int, float, str, dict):  # bool first: True is also an int
        if isinstance(default, kind):
            return (kind,), False
    if isinstance(default, list | tuple):
        return (list,), False
    return None, True


def _parameters_source(notebook: Path) -> str:
    # A version-4 notebook is read as plain JSON: importing nbformat costs the kernel about a second (jsonschema
    # builds an IRI grammar at import), and every report notebook's second cell calls check_kernel. Any other
    # version goes through nbformat, which upgrades it.
    try:
        nb = json.loads(notebook.read_text("utf-8"))
        if nb.get("nbformat") != 4:
            import nbformat

            nb = nbformat.read(notebook, as_version=4)
        cells = list(nb["cells"])
    except Exception as exc:  # unreadable, not JSON, not a notebook: several unrelated types
        raise ReportError(f"无法读取报告笔记本 {notebook}: {exc}") from exc
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return source if isinstance(source, str) else "".join(source)  # v4 JSON: a string or its lines
    raise ReportError(f"笔记本 {notebook.name} 没有标记为 parameters 的参数单元")


def notebook_parameters(notebook: Path) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares in its ``parameters``-tagged cell, with their types.

    The cell is read with :mod:`ast`, the way Python reads it. ``papermill.inspect_notebook`` (same output
    shape: name, annotation, default text) is not used because its line-based parser skips any line with a
    second ``=``, e.g. ``policy_set: list = []  # 例如 ["grading.excellent_share=0.2"]``, and such a
    parameter would then be rejected as unknown. Annotations (``year: int = 2025``) and type comments
    (``year = 2025  # type: int``) are honoured.
    """
    source = _parameters_source(notebook)
    try:
        tree = ast.parse(source, type_comments=True)
    except SyntaxError as exc:
        raise ReportError(f"笔记本 {notebook.name} 的参数单元不是有效的 Python: {exc}") from exc
    declared: dict[str, NotebookParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value, annotation = node.target.id, node.value, ast.unparse(node.annotation)
        elif (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ):
            name, value, annotation = node.targets[0].id, node.value, node.type_comment or ""
        else:
            continue  # imports, tuple unpacking, expressions: not parameters papermill could override
        default_source = ast.get_source_segment(source, value) or ast.unparse(value)
        try:
            default = ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            default = NO_DEFAULT  # an expression (e.g. Path(...)): only the annotation can type it
        typed = _annotation_types(annotation)
        types, nullable = typed if typed is not None else _default_types(default)
        declared[name] = NotebookParameter(
            name, default_source, default, types, nullable, annotation if typed is not None else ""
        )
    return declared


#: What a parameter value may be made of: YAML's plain scalars, and lists and mappings of them. papermill
#: writes values into the notebook as Python source; anything else (``!!binary`` bytes, a custom tag) must
#: never get that far.
PLAIN_SCALARS: tuple[type, ...] = (str, int, float, bool, type(None))
MAX_NESTING = 32  # deeper than any real parameter; the YAML reader has its own bound


def _foreign(value: Any, depth: int = 0) -> tuple[Any] | None:
    """``(x,)`` for the first value inside ``value`` that is not plain data, else None."""
    if isinstance(value, PLAIN_SCALARS):
        return None
    if depth >= MAX_NESTING:
        return (value,)
    if isinstance(value, list):
        items: list[Any] = value
    elif isinstance(value, dict):
        items = [x for pair in value.items() for x in pair]
    else:
        return (value,)
    for item in items:
        if isinstance(item, (list, dict)) and item is value:
            return (item,)
        found = _foreign(item, depth + 1)
        if found is not None:
            return found
    return None


def _head(node: ast.expr) -> str:
    target = node.value if isinstance(node, ast.Subscript) else node
    if isinstance(target, ast.Attribute):  # typing.Optional
        return target.attr.lower()
    if isinstance(target, ast.Name):
        return target.id.lower()
    if isinstance(target, ast.Constant) and target.value is None:
        return "none"
    return ""


def _conforms(value: Any, node: ast.expr) -> bool:
    """Whether ``value`` has the (nested) type an annotation's AST describes; unknown names accept anything."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a quoted annotation
        try:
            return _conforms(value, ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _conforms(value, node.left) or _conforms(value, node.right)
    args: list[ast.expr] = []
    if isinstance(node, ast.Subscript):
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    word = _head(node)
    if word == "optional":
        return value is None or all(_conforms(value, a) for a in args)
    if word == "union":
        return any(_conforms(value, a) for a in args)
    if word in ("none", "nonetype"):
        return value is None
    if word == "bool":
        return isinstance(value, bool)
    if word == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if word == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if word == "str":
        return isinstance(value, str)
    if word in ("list", "tuple", "sequence"):
        item = [a for a in args if not (isinstance(a, ast.Constant) and a.value is Ellipsis)]
        return isinstance(value, list) and (not item or all(_conforms(v, item[0]) for v in value))
    if word in ("dict", "mapping"):
        return isinstance(value, dict) and (
            len(args) != 2 or all(_conforms(k, args[0]) and _conforms(v, args[1]) for k, v in value.items())
        )
    return True  # Any, object, a name outside YAML's types: the plain-data check above is what holds


def _short(value: Any, limit: int = 60) -> str:
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def check_value(param: NotebookParameter, value: Any, source: str) -> Any:
    """``value`` if it fits ``param`` (an int for a float parameter becomes a float), else ParameterError.

    Only plain data passes (:data:`PLAIN_SCALARS`, lists and mappings of them), whatever the notebook
    declares; lists and mappings are checked item by item against a nested annotation (``list[str]``,
    ``dict[str, list[str]]``).
    """
    foreign = _foreign(value)
    if foreign is not None:
        raise ParameterError(
            f"参数 {param.name} 的值含有 {type(foreign[0]).__name__} {_short(foreign[0])}({source.strip()})："
            "参数只能是 str、int、float、bool、None 以及由它们组成的列表和映射"
        )
    checked: Any = _NOT_CHECKED
    if value is None:
        if param.nullable:
            checked = None
    elif param.types is None:
        checked = value
    elif isinstance(value, bool):
        if bool in param.types:
            checked = value
    elif isinstance(value, int) and float in param.types and int not in param.types:
        checked = float(value)
    elif isinstance(value, param.types):
        checked = value
    if checked is not _NOT_CHECKED and param.annotation:
        try:
            tree = ast.parse(param.annotation, mode="eval").body
        except SyntaxError:
            tree = None
        if tree is not None and not _conforms(checked, tree):
            raise ParameterError(
                f"参数 {param.name} 应为 {param.annotation}(笔记本默认值 {param.default_source})，"
                f"{source}给的是 {type(value).__name__} {_short(value)}"
            )
    if checked is not _NOT_CHECKED:
        return checked
    raise ParameterError(
        f"参数 {param.name} 应为 {param.type_label}(笔记本默认值 {param.default_source})，"
        f"{source}给的是 {type(value).__name__} {_short(value)}"
    )


_NOT_CHECKED = object()


def suggest(name: str, options: list[str]) -> str:
    hint = difflib.get_close_matches(name, options, n=1, cutoff=0.5)
    return f"；是否想用 {hint[0]}？" if hint else f"；可用参数: {', '.join(sorted(options))}"


def is_path_parameter(name: str) -> bool:
    return name.endswith(PATH_SUFFIXES)
