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
import json
import os
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


def _check_value(param: NotebookParameter, value: Any, source: str) -> Any:
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


def check_values(
    declared: Mapping[str, NotebookParameter],
    values: Mapping[str, Any],
    label: str,
    notebook_name: str,
    *,
    also_allowed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``values`` checked against the notebook's declared parameters: names, (nested) types, paths.

    The one check of every route into a report notebook: ``hrpark report`` (:func:`plan_report`) and papermill
    alone (:func:`check_kernel`, called by the notebook itself). ``label`` says where the values came from.
    """
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name not in declared:
            raise ParameterError(
                f"{label.strip()}中的参数 {name} 不是笔记本 {notebook_name} 的参数"
                + _suggest(name, sorted(set(declared) | also_allowed))
            )
        value = _check_value(declared[name], value, label)
        if is_path_parameter(name) and isinstance(value, str) and value:
            value = _user_path(name, value, label.strip())
        checked[name] = value
    return checked


# --- the notebook's own check (papermill alone, Airflow's PapermillOperator) --------------------------------
PAPERMILL_LABEL = "papermill 参数"
INJECTED_HEADER = "# Parameters"  # papermill's first line of the cell it injects after the parameters cell


def _injected_names(history: list[str]) -> list[str]:
    """The names papermill assigned in the injected cells of this kernel's input history, in order."""
    names: list[str] = []
    for source in history:
        if not source.lstrip().startswith(INJECTED_HEADER):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
    return names


def _one_line_errors(shell: Any) -> None:
    """In this kernel, an :class:`HrparkError` is shown as its one-line message, not a traceback."""
    from hrpark_analysis.errors import HrparkError

    def show(self: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
        # IPython hands a registered exception to this handler instead of showing it: show it as one line
        # (ipykernel publishes it as the cell's error output, which papermill reports).
        stb = [f"{etype.__name__}: {value}"]
        self._showtraceback(etype, value, stb)
        return stb

    shell.set_custom_exc((HrparkError,), show)


def check_kernel(kind: str, namespace: Mapping[str, Any]) -> None:
    """Check the parameters a running report notebook was given, exactly as ``hrpark report`` checks them.

    The notebooks call it in the cell after their parameters cell, so a direct papermill run
    (``papermill annual_evaluation.ipynb out.ipynb -p year 2024``, Airflow's PapermillOperator) is refused
    with the same message: an unknown name (``-p yaer 2024``) or a value of the wrong type (``-p year abc``)
    is a :class:`ParameterError`, shown in the notebook as one line. The names checked are those papermill
    injected (read back from the kernel's input history); without an injected cell (JupyterLab, nbval) the
    declared parameters' current values are checked.
    """
    declared = notebook_parameters(notebook_path(kind))
    history: list[str] = []
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        _one_line_errors(shell)
        history = [str(s) for s in shell.user_ns.get("In", [])]
    injected = _injected_names(history)
    names = injected or [n for n in declared if n in namespace]
    # A params file given to papermill (-f) may hold the runner's own keys (out_root): not the notebook's.
    values = {name: namespace[name] for name in names if name in namespace and name not in RUNNER_KEYS}
    check_values(declared, values, PAPERMILL_LABEL, notebook_path(kind).name)


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
        runner = RUNNER_KEYS if origin == "params_file" else frozenset()
        given = {name: value for name, value in values.items() if name not in runner}
        checked = check_values(declared, given, label, notebook.name, also_allowed=runner)
        parameters.update(checked)
        sources.update(dict.fromkeys(checked, origin))

    if "out_root" in file_values:
        value = file_values["out_root"]
        if not isinstance(value, str) or not value:
            raise ParameterError(f"参数文件 {params_file} 中的 out_root 应为非空字符串(报告输出文件夹)")
        out_root = Path(
            os.path.abspath(Path.cwd() / Path(value).expanduser())
        )  # a link is checked, not followed

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
