"""The report runner: validate parameters, execute a report notebook with papermill, publish a complete folder.

One runner serves the three reports::

    kind          notebook                           output folder (the "key")
    annual        notebooks/annual_evaluation.ipynb  <out_root>/<year>/               e.g. reports/2025/
    sensitivity   notebooks/sensitivity.ipynb        <out_root>/sensitivity-<year>/
    forecast      notebooks/subsidy_forecast.ipynb   <out_root>/forecast-<first>-<last>/

The forecast's first year is ``start_year``, else ``base_year + 1``, else ``year + 1``; its last year is
``end_year``, else ``horizon`` (a calendar year if ≥ 1000, otherwise a number of years). A finished folder holds
``<notebook>.ipynb`` (executed), ``<notebook>.html`` (no code, self-contained), ``<notebook>.xlsx`` (one sheet
per table the notebook published, see :mod:`hrpark_analysis.reports.export`) and ``manifest.json`` (inputs with sha256,
parameters, package versions, the outputs' sha256; no wall-clock time, so a rerun on the same inputs gives the
same manifest apart from the XLSX hash, which openpyxl stamps with the save time).

Parameters
----------
Parameters come from the notebook's ``parameters`` cell (defaults), then the YAML params file, then
``overrides`` (the CLI's ``--year``/``--data``); later wins. Before anything runs, every name must be declared
by the notebook (else :class:`ParameterError` naming it and the nearest valid name) and every value must have
the type of the default or annotation (``int``, ``float`` — an int is accepted and converted —, ``str``,
``bool``, ``list``, ``dict``; ``X | None`` / a ``None`` default accepts None). The params file may also hold
these runner-level keys, which are not passed to the notebook: :data:`RUNNER_KEYS` = ``out_root`` (the folder
reports go under; the ``out_root`` argument, i.e. ``--out``, wins over it; default ``reports``).

Paths: a parameter whose name ends in ``_dir``, ``_file`` or ``_path`` is a path. A relative path given in the
params file or an override (and ``out_root``) is relative to the current working directory — where the
command is run, which is the repository root in every deploy example. It must exist, and it is handed to the
notebook relative to the notebooks folder when it lies inside the repository (the kernel runs there, as nbval
does, so notebook defaults such as ``../data/sample`` keep working), otherwise absolute. Path parameters the
notebook leaves at their defaults are resolved against the notebooks folder, for the manifest.

Safety for unattended runs
--------------------------
- Everything is written into ``<out_root>/.tmp-<key>-<random>/``, which is renamed to ``<out_root>/<key>/``
  only when complete. An existing folder is never replaced unless ``force``; then the old one is renamed to
  ``.old-<key>-<random>``, the new one renamed in, and the old one deleted.
- A lock file ``<out_root>/.<key>.lock`` (filelock; an OS lock, released by the kernel even after SIGKILL)
  serialises runs of the same key. A second run waits up to ``lock_timeout`` seconds (default 5) and then
  fails with :class:`ReportError`; if it does get the lock, it finds the finished folder and refuses it without
  ``force``. Different keys run in parallel.
- On any error, Ctrl-C or SIGTERM (turned into KeyboardInterrupt while a run is active) the temporary folder is
  removed. A folder left by SIGKILL or a power cut is removed by the next run of the same key, under the lock;
  an ``.old-`` folder left between the two renames of a forced run is put back if the report is missing.

Reproducibility: the kernel (``python3``, the runner's own interpreter) gets ``PYTHONHASHSEED=0`` and runs in
the notebooks folder; papermill's timestamps, durations and absolute paths are removed from the executed
notebook's metadata. Progress goes to stderr (papermill's bar on a terminal, plain lines otherwise), never into
the notebook. A long step inside a notebook (a Monte Carlo run) reports through :func:`progress_reporter`: the
runner names a file in its temporary folder in ``HRPARK_PROGRESS_FILE`` (:data:`PROGRESS_FILE_ENV`), the
notebook appends lines to it, and a thread echoes them to stderr while the notebook runs; the file is removed
before the folder is published. Outside the runner (JupyterLab, nbval) the reporter is ``None``.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import hashlib
import json
import logging
import os
import platform
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from hrpark_analysis.errors import InputError, OutputExistsError, ParameterError, ReportError

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = Path(__file__).resolve().parent / "notebooks"
NOTEBOOKS: dict[str, str] = {
    "annual": "annual_evaluation",
    "sensitivity": "sensitivity",
    "forecast": "subsidy_forecast",
}
RUNNER_KEYS: frozenset[str] = frozenset({"out_root"})
DEFAULT_OUT_ROOT = Path("reports")
PATH_SUFFIXES = ("_dir", "_file", "_path")
LOCK_TIMEOUT = 5.0
KERNEL_NAME = "python3"
MANIFEST = "manifest.json"
VERSION_PACKAGES = (
    "hrpark_analysis",
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "openpyxl",
)
# Where the bundled policy lives; an empty ``policy_file`` parameter means this file (policy.load_policy).
BUNDLED_POLICY = Path(__file__).resolve().parents[1] / "law" / "policy-2021.yaml"
PAPERMILL_LOGGERS = ("papermill", "papermill.translators")
PROGRESS_FILE_ENV = "HRPARK_PROGRESS_FILE"
PROGRESS_FILE = ".progress.log"  # in the temporary folder; removed before the folder is published
PROGRESS_POLL = 0.2  # seconds between looks at the progress file
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NO_DEFAULT = object()


# --- declared parameters ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class NotebookParameter:
    """One name of a notebook's ``parameters`` cell with the type its values must have."""

    name: str
    default_source: str  # the default as written in the cell
    default: Any  # the default as a Python value, or _NO_DEFAULT when it is not a literal
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
    if default is _NO_DEFAULT:
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
            default = _NO_DEFAULT  # an expression (e.g. Path(...)): only the annotation can type it
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


def _is_path_parameter(name: str) -> bool:
    return name.endswith(PATH_SUFFIXES)


# --- the plan: everything decided before anything runs ---------------------------------------------------
@dataclass(frozen=True)
class ReportPlan:
    """A validated report run: which notebook, which parameters, which output folder."""

    kind: str
    notebook: Path
    key: str
    parameters: dict[str, Any]  # what papermill injects (validated; paths rebased to the notebooks folder)
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
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError("参数文件不存在", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取参数文件: {exc}", file=path) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"不是有效的 YAML: {exc}", file=path) from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError("参数文件应为 YAML 映射(参数名: 值)", file=path)
    return data


def _notebook_relative(path: Path, notebook_dir: Path) -> str:
    # Inside the repository a path is passed relative to the notebooks folder, which keeps the machine's
    # directory layout out of the executed notebook; elsewhere it must stay absolute to mean anything.
    base = REPO_ROOT
    if path.is_relative_to(base):
        return os.path.relpath(path, notebook_dir.resolve())
    return str(path)


def _resolve_user_path(name: str, value: str, source: str, notebook_dir: Path) -> str:
    path = Path(value).expanduser()
    path = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if not path.exists():
        raise InputError(f"参数 {name} 指向的路径不存在({source})", file=value)
    return _notebook_relative(path, notebook_dir)


def report_key(kind: str, params: Mapping[str, Any]) -> str:
    """The output folder name for a report from its effective parameters (see the module docstring)."""

    def year(name: str) -> int:
        value = params.get(name, _NO_DEFAULT)
        if value is _NO_DEFAULT:
            raise ParameterError(f"{kind} 报告需要参数 {name} 来确定输出文件夹名")
        if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
            raise ParameterError(f"参数 {name} 应为四位数的年份，得到 {value!r}")
        return value

    if kind == "annual":
        return str(year("year"))
    if kind == "sensitivity":
        return f"sensitivity-{year('year')}"
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
    notebook_folder = notebook.parent
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
            if _is_path_parameter(name) and isinstance(checked, str) and checked:
                checked = _resolve_user_path(name, checked, label.strip(), notebook_folder)
            parameters[name] = checked
            sources[name] = origin

    if "out_root" in file_values:
        value = file_values["out_root"]
        if not isinstance(value, str) or not value:
            raise ParameterError(f"参数文件 {params_file} 中的 out_root 应为非空字符串(报告输出文件夹)")
        out_root = (Path.cwd() / Path(value).expanduser()).resolve()

    effective = {n: p.default for n, p in declared.items() if p.default is not _NO_DEFAULT}
    effective.update(parameters)
    expressions = {
        n: p.default_source for n, p in declared.items() if p.default is _NO_DEFAULT and n not in parameters
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


# --- provenance -------------------------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _shown_path(path: Path) -> str:
    path = path.resolve()
    return path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)


def _describe_input(role: str, path: Path) -> dict[str, Any]:
    path = path.resolve()
    entry: dict[str, Any] = {"role": role, "path": _shown_path(path)}
    if path.is_file():
        entry.update(kind="file", bytes=path.stat().st_size, sha256=sha256_file(path))
    elif path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(path).parts)
        )
        entry.update(
            kind="dir",
            files=[
                {"path": p.relative_to(path).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
                for p in files
            ],
        )
    else:
        entry.update(kind="missing")
    return entry


def _inputs(plan: ReportPlan) -> list[dict[str, Any]]:
    inputs: list[dict[str, Any]] = []
    if plan.params_file is not None:
        inputs.append(_describe_input("params_file", plan.params_file))
    for name in sorted(plan.effective):
        value = plan.effective[name]
        if not _is_path_parameter(name):
            continue
        if name == "policy_file" and not value:
            inputs.append(_describe_input(name, BUNDLED_POLICY))
        elif isinstance(value, str) and value:
            path = Path(value)
            inputs.append(_describe_input(name, path if path.is_absolute() else plan.notebook.parent / path))
    return inputs


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a report depends on (``not installed`` when absent)."""
    versions = {"python": platform.python_version()}
    for name in VERSION_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


# --- running --------------------------------------------------------------------------------------------
class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = enabled and sys.stderr.isatty()

    def say(self, message: str) -> None:
        if self.enabled:
            print(message, file=sys.stderr, flush=True)

    def echo(self, message: str) -> None:
        """A line from inside the notebook; on a terminal written above papermill's bar, not through it."""
        if not self.enabled:
            return
        if self.bar:
            from tqdm import tqdm

            tqdm.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr, flush=True)


def progress_reporter(label: str, *, steps: int = 10) -> Callable[[int, int], None] | None:
    """For report notebooks: a ``progress=`` callback ``(done, total)`` that tells the runner's terminal.

    Each call whose ``done`` reaches a new tenth (``steps``) of ``total`` appends ``label: done/total (p%)``
    to the file named by ``HRPARK_PROGRESS_FILE``; the runner prints it on stderr. None when the variable is
    not set (JupyterLab, nbval), so progress never reaches a notebook's outputs.
    """
    path = os.environ.get(PROGRESS_FILE_ENV)
    if not path:
        return None
    shown = {"step": -1}

    def report(done: int, total: int) -> None:
        step = done * steps // total if total > 0 else steps
        if step == shown["step"]:
            return
        shown["step"] = step
        share = done / total if total > 0 else 1.0
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{label}: {done:,}/{total:,} ({share:.0%})\n")

    return report


class _ProgressEcho(threading.Thread):
    """Echoes the complete lines a notebook appends to ``path`` through ``say`` until stopped, then the rest."""

    def __init__(self, path: Path, say: Callable[[str], None]) -> None:
        super().__init__(name="hrpark-progress", daemon=True)
        self.path = path
        self.say = say
        self.offset = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(PROGRESS_POLL):
            self.drain()
        self.drain()

    def drain(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next look
        for line in data[:end].decode("utf-8", "replace").splitlines():
            self.say(f"  {line}")
        self.offset += end

    def stop(self) -> None:
        self.done.set()
        self.join()


@contextlib.contextmanager
def _notebook_progress(folder: Path, progress: _Progress) -> Iterator[None]:
    if not progress.enabled:
        yield
        return
    path = folder / PROGRESS_FILE
    echo = _ProgressEcho(path, progress.echo)
    echo.start()
    try:
        with _environment(**{PROGRESS_FILE_ENV: str(path)}):
            yield
    finally:
        echo.stop()
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    # The kernel inherits the runner's environment (jupyter_client copies os.environ), so this is how the
    # kernel gets PYTHONHASHSEED and the table folder; restored afterwards so library callers see no change.
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    # systemd and CI stop jobs with SIGTERM, whose default action skips every cleanup; as KeyboardInterrupt
    # it unwinds like Ctrl-C and the temporary folder is removed.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _clean_stale(out_root: Path, key: str, final: Path) -> None:
    """Remove what an interrupted run of ``key`` left behind; only called while holding the key's lock."""
    tmp_name = re.compile(re.escape(f".tmp-{key}-") + r"[A-Za-z0-9_]{8}")
    old_name = re.compile(re.escape(f".old-{key}-") + r"[0-9a-f]{8}")
    for entry in out_root.iterdir():
        if tmp_name.fullmatch(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
    olds = sorted(
        (e for e in out_root.iterdir() if old_name.fullmatch(e.name)), key=lambda e: e.stat().st_mtime
    )
    for entry in olds:
        if not final.exists():
            os.rename(entry, final)  # a forced run died between its two renames: put the old report back
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _install(tmp: Path, final: Path, key: str, force: bool) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a report folder is as readable as any other
    if not final.exists():
        os.rename(tmp, final)
        return
    if not force:
        raise OutputExistsError(f"报告文件夹已存在: {final}(如需覆盖请加 --force)")
    old = final.parent / f".old-{key}-{secrets.token_hex(4)}"
    os.rename(final, old)
    try:
        os.rename(tmp, final)
    except BaseException:
        os.rename(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


class _DropParameterInference(logging.Filter):
    """Drops papermill's warnings about parameters: :func:`plan_report` has already checked them properly."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(("Unable to parse line", "Passed unknown parameter"))


@contextlib.contextmanager
def _quiet_parameter_warnings() -> Iterator[None]:
    # A logger's filter does not see records propagated from its children, and papermill logs the
    # parameter warnings through papermill.translators: filter every logger in PAPERMILL_LOGGERS.
    quiet = _DropParameterInference()
    logs = [logging.getLogger(name) for name in PAPERMILL_LOGGERS]
    for log in logs:
        log.addFilter(quiet)
    try:
        yield
    finally:
        for log in logs:
            log.removeFilter(quiet)


def _scrub_notebook(path: Path, source_name: str) -> None:
    """Drop papermill/nbclient timestamps, durations and absolute paths from the executed notebook."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    for name in ("start_time", "end_time", "duration", "exception"):
        pm.pop(name, None)
    pm["input_path"] = source_name
    pm["output_path"] = path.name
    ids = {cell.get("id") for cell in nb.cells}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        # papermill gives the injected cell a random id; a fixed one keeps reruns byte-identical.
        if "injected-parameters" in cell.metadata.get("tags", []) and "injected-parameters" not in ids:
            cell["id"] = "injected-parameters"
        for name in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(name, None)
    nbformat.write(nb, path)


def _execute(plan: ReportPlan, output: Path, progress: _Progress) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        with _quiet_parameter_warnings():
            papermill.execute_notebook(
                str(plan.notebook),
                str(output),
                parameters=plan.parameters,
                kernel_name=KERNEL_NAME,
                progress_bar=progress.bar,
                request_save_on_cell_execute=False,
                log_output=False,
                cwd=str(plan.notebook.parent),
                # The kernel's own log (a plain-TCP notice on start, a KeyboardInterrupt line on shutdown) would
                # reach the terminal and cron mail; a failure still surfaces as the ReportError below.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
    except PapermillExecutionError as exc:
        message = _ANSI.sub("", str(exc.evalue)).strip()
        raise ReportError(
            f"报告笔记本 {plan.notebook.name} 运行失败(单元 [{exc.exec_count}]): {exc.ename}: {message}"
        ) from exc
    except (KeyboardInterrupt, ReportError):
        raise
    except Exception as exc:  # kernel died, kernel missing, timeout …: still a report that did not run
        raise ReportError(
            f"报告笔记本 {plan.notebook.name} 无法运行: {type(exc).__name__}: {_ANSI.sub('', str(exc))}"
        ) from exc


def _build(plan: ReportPlan, tmp: Path, progress: _Progress) -> None:
    from hrpark_analysis.reports import export

    stem = plan.notebook.stem
    executed = tmp / f"{stem}.ipynb"
    progress.say(f"执行笔记本 {plan.notebook.name}…")
    with _notebook_progress(tmp, progress):
        _execute(plan, executed, progress)
    _scrub_notebook(executed, plan.notebook.name)

    progress.say("导出 HTML…")
    (tmp / f"{stem}.html").write_text(export.to_html(executed), "utf-8")

    progress.say("导出 XLSX…")
    tables = export.published_tables(tmp)
    sheets = export.write_xlsx(tables, tmp / f"{stem}.xlsx")
    shutil.rmtree(tmp / export.TABLES_DIR, ignore_errors=True)

    progress.say("写入清单…")
    manifest = {
        "report": plan.kind,
        "key": plan.key,
        "notebook": {"path": _shown_path(plan.notebook), "sha256": sha256_file(plan.notebook)},
        "parameters": _jsonable(plan.effective),
        "parameter_expressions": plan.expressions,
        "parameters_given": {name: plan.sources[name] for name in sorted(plan.parameters)},
        "inputs": _inputs(plan),
        "versions": package_versions(),
        "kernel": {"name": KERNEL_NAME, "PYTHONHASHSEED": "0"},
        "tables": [
            {"sheet": sheet, "name": name, "rows": len(df), "columns": len(df.columns)}
            for sheet, (name, df) in zip(sheets, tables, strict=False)
        ],
        "outputs": [
            {"path": name, "sha256": sha256_file(tmp / name)}
            for name in (f"{stem}.ipynb", f"{stem}.html", f"{stem}.xlsx")
        ],
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")


def run_report(
    kind: str,
    params_file: Path | None,
    out_root: Path | None = None,
    overrides: dict[str, Any] | None = None,
    force: bool = False,
    progress: bool = True,
    *,
    notebook_dir: Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> Path:
    """Run report ``kind`` and return its finished folder ``<out_root>/<key>`` (absolute).

    ``out_root`` defaults to the params file's ``out_root``, else ``reports`` (relative to the working
    directory). Raises ParameterError / InputError before anything runs, OutputExistsError if the folder
    exists and not ``force``, ReportError if the notebook fails (with the failing cell's exception) or another
    run of the same key holds the lock. Nothing partial is ever left at the final path.
    """
    from filelock import FileLock, Timeout

    from hrpark_analysis.reports.export import OUTPUT_DIR_ENV

    say = _Progress(progress)
    say.say("校验参数…")
    plan = plan_report(kind, params_file, overrides, notebook_dir=notebook_dir)
    # Resolved now: papermill chdirs into the notebooks folder while the kernel runs.
    root = Path(out_root) if out_root is not None else (plan.out_root or DEFAULT_OUT_ROOT)
    root = (Path.cwd() / root.expanduser()).resolve()
    final = root / plan.key
    if final.exists() and not force:
        raise OutputExistsError(f"报告文件夹已存在: {final}(如需覆盖请加 --force)")
    root.mkdir(parents=True, exist_ok=True)

    lock = FileLock(str(root / f".{plan.key}.lock"), timeout=lock_timeout)
    try:
        lock.acquire()
    except Timeout:
        raise ReportError(
            f"另一个 {plan.key} 报告正在生成(锁文件 {root / f'.{plan.key}.lock'})；请等它结束后再试"
        ) from None
    try:
        _clean_stale(root, plan.key, final)
        if final.exists() and not force:
            raise OutputExistsError(f"报告文件夹已存在: {final}(如需覆盖请加 --force)")
        with _sigterm_as_interrupt():
            tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{plan.key}-", dir=root))
            try:
                with _environment(PYTHONHASHSEED="0", **{OUTPUT_DIR_ENV: str(tmp)}):
                    _build(plan, tmp, say)
                _install(tmp, final, plan.key, force)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    finally:
        lock.release()
    say.say(f"完成: {final}")
    return final
