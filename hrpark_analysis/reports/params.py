"""Report parameters: what a notebook declares, what a run asks for, and where its folder goes.

Four reports, one notebook each, bundled with the package (``hrpark_analysis/reports/notebooks/``, found
through :mod:`importlib.resources`, so it works the same from a checkout or an installed wheel)::

    kind          notebook                    output folder (the "key", :func:`report_key`)
    annual        annual_evaluation.ipynb     <out_root>/<year>/               e.g. reports/2025/
    sensitivity   sensitivity.ipynb           <out_root>/sensitivity-<year>/
    forecast      subsidy_forecast.ipynb      <out_root>/forecast-<first>-<last>/
    certification certification.ipynb         <out_root>/certification-<year>/

The forecast's first year is ``start_year``, else ``base_year + 1``, else ``year + 1``; its last year is
``end_year``, else ``horizon`` (a calendar year if ≥ 1000, otherwise a number of years).

Parameters come from the notebook's ``parameters`` cell (defaults, read with :mod:`ast`), then the YAML params
file, then ``overrides`` (the CLI's ``--year``/``--data``); later wins. Before anything runs, every name must
be declared by the notebook (else :class:`ParameterError` naming it and the nearest valid name) and every value
must have the type of the default or annotation (``int``, ``float`` — an int is accepted and converted —,
``str``, ``bool``, ``list``, ``dict``; ``X | None`` / a ``None`` default accepts None). The params file may also
hold these runner-level keys, which are not passed to the notebook: :data:`RUNNER_KEYS` = ``out_root`` (the
folder reports go under; the ``out_root`` argument, i.e. ``--out``, wins over it; default ``reports``).

Paths: a parameter whose name ends in ``_dir``, ``_file`` or ``_path`` is a path. A relative path given in the
params file or an override (and ``out_root``) is relative to the working directory — where the command is
run. It must exist, and it is passed to the notebook exactly as given: the kernel runs in that same folder
(:mod:`.execute`), so it means there what it meant on the command line, and the executed notebook shows what
the user wrote, not the machine's directory layout. An empty path is the notebook's built-in default (the
bundled sample data, policy or sheet).
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from hrpark_analysis.errors import InputError, ParameterError, ReportError
from hrpark_analysis.io.publish import shown_path
from hrpark_analysis.law import yamlfile

NOTEBOOK_DIR = Path(str(resources.files("hrpark_analysis.reports").joinpath("notebooks")))
NOTEBOOKS: dict[str, str] = {
    "annual": "annual_evaluation",
    "sensitivity": "sensitivity",
    "forecast": "subsidy_forecast",
    "certification": "certification",
}
RUNNER_KEYS: frozenset[str] = frozenset({"out_root"})
PATH_SUFFIXES = ("_dir", "_file", "_path")
NO_DEFAULT = object()  # NotebookParameter.default when the default is an expression, not a literal


# --- declared parameters ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NotebookParameter:
    """One name of a notebook's ``parameters`` cell with the type its values must have."""

    name: str
    default_source: str  # the default as written in the cell
    default: Any  # the default as a Python value, or NO_DEFAULT when it is not a literal
    types: tuple[type, ...] | None  # accepted types; None = any
    nullable: bool  # None is accepted

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


def _annotation_types(annotation: str) -> tuple[tuple[type, ...] | None, bool] | None:
    """``(types, nullable)`` from an annotation such as ``int``, ``str | None``, ``Optional[list[str]]``.

    None when there is no annotation (empty, or the text ``None`` as papermill writes it) or it names a type
    outside the YAML-expressible ones; then the default decides.
    """
    text = annotation.strip()
    if not text or text == "None":
        return None
    optional = re.fullmatch(r"(?:typing\.)?Optional\[(.*)\]", text)
    if optional:
        text = optional.group(1) + " | None"
    types: list[type] = []
    nullable = False
    for part in text.split("|"):
        word = re.sub(r"\[.*\]$", "", part.strip()).removeprefix("typing.").lower()
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
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for an unreadable file
        raise ReportError(f"无法读取报告笔记本 {notebook}: {exc}") from exc
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return cell.source
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
        declared[name] = NotebookParameter(name, default_source, default, types, nullable)
    return declared


def _check_value(param: NotebookParameter, value: Any, source: str) -> Any:
    """``value`` if it fits ``param`` (an int for a float parameter becomes a float), else ParameterError."""
    if value is None:
        if param.nullable:
            return None
    elif param.types is None:
        return value
    elif isinstance(value, bool):
        if bool in param.types:
            return value
    elif isinstance(value, int) and float in param.types and int not in param.types:
        return float(value)
    elif isinstance(value, param.types):
        return value
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    raise ParameterError(
        f"参数 {param.name} 应为 {param.type_label}(笔记本默认值 {param.default_source})，"
        f"{source}给的是 {type(value).__name__} {shown}"
    )


def _suggest(name: str, options: list[str]) -> str:
    hint = difflib.get_close_matches(name, options, n=1, cutoff=0.5)
    return f"；是否想用 {hint[0]}？" if hint else f"；可用参数: {', '.join(sorted(options))}"


def is_path_parameter(name: str) -> bool:
    return name.endswith(PATH_SUFFIXES)


# --- the plan: everything decided before anything runs ---------------------------------------------------
@dataclass(frozen=True)
class ReportPlan:
    """A validated report run: which notebook, which parameters, which output folder."""

    kind: str
    notebook: Path
    key: str
    parameters: dict[str, Any]  # what papermill injects (validated; paths as the user gave them)
    effective: dict[str, Any]  # notebook defaults overlaid with ``parameters``
    params_file: Path | None = None
    out_root: Path | None = None  # from the params file's ``out_root``, absolute
    sources: dict[str, str] = field(default_factory=dict)  # parameter -> "params_file" | "override"
    expressions: dict[str, str] = field(default_factory=dict)  # defaults that are not literals, as written


def notebook_path(kind: str, notebook_dir: Path | None = None) -> Path:
    """The notebook behind report ``kind``; ParameterError for an unknown kind, ReportError if it is missing."""
    if kind not in NOTEBOOKS:
        raise ParameterError(f"未知的报告类型 {kind}{_suggest(kind, list(NOTEBOOKS))}")
    folder = Path(notebook_dir) if notebook_dir is not None else NOTEBOOK_DIR
    path = folder / f"{NOTEBOOKS[kind]}.ipynb"
    if not path.is_file():
        raise ReportError(f"找不到报告笔记本 {path}")
    return path


def _load_params_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise InputError("参数文件不存在", file=path)
    _, data = yamlfile.read(path)  # one safe loader: encodings, duplicate keys, alias bombs, depth
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError("参数文件应为 YAML 映射(参数名: 值)", file=path)
    return data


def _user_path(name: str, value: str, source: str) -> str:
    """``value`` if it names an existing path (a relative one from the working directory), else InputError.

    Passed on as given; only a ``~`` is expanded (the kernel would not), shown relative to the working folder
    when inside it.
    """
    path = Path(value).expanduser()
    if not path.exists():
        raise InputError(f"参数 {name} 指向的路径不存在({source})", file=value)
    return shown_path(path.resolve()) if value.startswith("~") else value


def report_key(kind: str, params: Mapping[str, Any]) -> str:
    """The output folder name for a report from its effective parameters (see the module docstring)."""

    def year(name: str) -> int:
        value = params.get(name, NO_DEFAULT)
        if value is NO_DEFAULT:
            raise ParameterError(f"{kind} 报告需要参数 {name} 来确定输出文件夹名")
        if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
            raise ParameterError(f"参数 {name} 应为四位数的年份，得到 {value!r}")
        return value

    if kind == "annual":
        return str(year("year"))
    if kind == "sensitivity":
        return f"sensitivity-{year('year')}"
    if kind == "certification":
        return f"certification-{year('year')}"
    if kind == "forecast":
        if "start_year" in params:
            first = year("start_year")
        elif "base_year" in params:
            first = year("base_year") + 1
        else:
            first = year("year") + 1
        if "end_year" in params or "horizon" not in params:
            last = year("end_year")
        else:
            horizon = params["horizon"]
            if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
                raise ParameterError(f"参数 horizon 应为正整数(年数或终止年份)，得到 {horizon!r}")
            last = horizon if horizon >= 1000 else first + horizon - 1
        if last < first:
            raise ParameterError(f"预测区间无效: {first}–{last}")
        return f"forecast-{first}-{last}"
    raise ParameterError(f"未知的报告类型 {kind}{_suggest(kind, list(NOTEBOOKS))}")


def plan_report(
    kind: str,
    params_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    notebook_dir: Path | None = None,
) -> ReportPlan:
    """Validate everything a run needs without running it (no files written)."""
    notebook = notebook_path(kind, notebook_dir)
    declared = notebook_parameters(notebook)
    if not declared:
        raise ReportError(f"笔记本 {notebook.name} 的参数单元没有声明任何参数")

    layers: list[tuple[str, str, Mapping[str, Any]]] = []
    file_values: dict[str, Any] = {}
    if params_file is not None:
        params_file = Path(params_file)
        file_values = _load_params_file(params_file)
        layers.append(("params_file", f"参数文件 {params_file} ", file_values))
    if overrides:
        layers.append(("override", "命令行", dict(overrides)))

    parameters: dict[str, Any] = {}
    sources: dict[str, str] = {}
    out_root: Path | None = None
    for origin, label, values in layers:
        # Runner-level keys belong in the params file only; the CLI has its own flags for them.
        allowed = set(declared) | (RUNNER_KEYS if origin == "params_file" else set())
        for name, value in values.items():
            if name in RUNNER_KEYS and origin == "params_file":
                continue
            if name not in declared:
                raise ParameterError(
                    f"{label.strip()}中的参数 {name} 不是笔记本 {notebook.name} 的参数"
                    + _suggest(name, sorted(allowed))
                )
            checked = _check_value(declared[name], value, label)
            if is_path_parameter(name) and isinstance(checked, str) and checked:
                checked = _user_path(name, checked, label.strip())
            parameters[name] = checked
            sources[name] = origin

    if "out_root" in file_values:
        value = file_values["out_root"]
        if not isinstance(value, str) or not value:
            raise ParameterError(f"参数文件 {params_file} 中的 out_root 应为非空字符串(报告输出文件夹)")
        out_root = (Path.cwd() / Path(value).expanduser()).resolve()

    effective = {n: p.default for n, p in declared.items() if p.default is not NO_DEFAULT}
    effective.update(parameters)
    expressions = {
        n: p.default_source for n, p in declared.items() if p.default is NO_DEFAULT and n not in parameters
    }
    key = report_key(kind, effective)
    return ReportPlan(
        kind=kind,
        notebook=notebook,
        key=key,
        parameters=parameters,
        effective=effective,
        params_file=params_file,
        out_root=out_root,
        sources=sources,
        expressions=expressions,
    )
