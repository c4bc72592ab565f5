"""The plan of a report run: which notebook, what the run asks for (checked), and where its folder goes.

Four reports, one notebook each, bundled with the package (``hrpark_analysis/reports/notebooks/``, found
through :mod:`importlib.resources`, so it works the same from a checkout or an installed wheel)::

    kind          notebook                    output folder (the "key", :func:`report_key`)
    annual        annual_evaluation.ipynb     <out_root>/<year>/               e.g. reports/2025/
    sensitivity   sensitivity.ipynb           <out_root>/sensitivity-<year>/
    forecast      subsidy_forecast.ipynb      <out_root>/forecast-<first>-<last>/
    certification certification.ipynb         <out_root>/certification-<year>/

The forecast's first year is ``start_year``, else ``base_year + 1``, else ``year + 1``; its last year is
``end_year``, else ``horizon`` (a calendar year if ≥ 1000, otherwise a number of years).

Parameters come from the notebook's ``parameters`` cell (defaults, read with :mod:`ast`; see :mod:`.declared`),
then the YAML params file, then ``overrides`` (the CLI's ``--year``/``--data``); later wins. Before anything
runs, every name must be declared by the notebook (else :class:`ParameterError` naming it and the nearest
valid name) and every value must have the type the notebook declares (:func:`.declared.check_value`). The
params file may also hold these runner-level keys, which are not passed to the notebook: :data:`RUNNER_KEYS` =
``out_root`` (the folder reports go under; the ``out_root`` argument, i.e. ``--out``, wins over it; default
``reports``).

Paths: a parameter whose name ends in ``_dir``, ``_file`` or ``_path`` is a path
(:func:`.declared.is_path_parameter`). A relative path given in the params file or an override (and
``out_root``) is relative to the working directory — where the command is run. It must exist, and it is
passed to the notebook exactly as given: the kernel runs in that same folder (:mod:`.execute`), so it means
there what it meant on the command line, and the executed notebook shows what the user wrote, not the
machine's directory layout. An empty path is the notebook's built-in default (the bundled sample data, policy
or sheet).

The notebook's own check of the same values (papermill alone) is :mod:`.kernel_check`, which uses
:func:`check_values` from here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from hrpark_analysis.errors import InputError, ParameterError, ReportError
from hrpark_analysis.io.publish import shown_path
from hrpark_analysis.law import yamlfile
from hrpark_analysis.reports.declared import (
    NO_DEFAULT,
    NotebookParameter,
    check_value,
    is_path_parameter,
    notebook_parameters,
    suggest,
)

NOTEBOOK_DIR = Path(str(resources.files("hrpark_analysis.reports").joinpath("notebooks")))
NOTEBOOKS: dict[str, str] = {
    "annual": "annual_evaluation",
    "sensitivity": "sensitivity",
    "forecast": "subsidy_forecast",
    "certification": "certification",
}
RUNNER_KEYS: frozenset[str] = frozenset({"out_root"})


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
        raise ParameterError(f"未知的报告类型 {kind}{suggest(kind, list(NOTEBOOKS))}")
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
    alone (:func:`.kernel_check.check_kernel`, called by the notebook itself). ``label`` says where the values came from.
    """
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name not in declared:
            raise ParameterError(
                f"{label.strip()}中的参数 {name} 不是笔记本 {notebook_name} 的参数"
                + suggest(name, sorted(set(declared) | also_allowed))
            )
        value = check_value(declared[name], value, label)
        if is_path_parameter(name) and isinstance(value, str) and value:
            value = _user_path(name, value, label.strip())
        checked[name] = value
    return checked


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
    raise ParameterError(f"未知的报告类型 {kind}{suggest(kind, list(NOTEBOOKS))}")


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
