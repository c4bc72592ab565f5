"""``manifest.json``: what a report was made from, with what, and what it produced — enough to rebuild it.

The manifest records

- the report kind and key, the folder it was written under (``out_root``, as a path relative to the folder
  the command was run from), the notebook (path and sha256);
- the effective parameters (and which were given, by the params file or the command line) and the seeds;
- every input with its sha256 (a folder file by file, hidden files and ``__pycache__`` left out): the params
  file, every path parameter, and always the regulation text and the CJK font the charts are drawn with;
- the code: the package version, a sha256 over the package's files (:func:`package_digest`) and, when the
  package runs from a git checkout, the commit and whether the tree had uncommitted changes;
- the environment: Python, the platform, numpy's BLAS, and every installed distribution with its version in
  ``environment.txt`` beside the manifest (:data:`ENVIRONMENT_FILE`, hashed here), i.e. what
  ``pip install`` would need to rebuild it;
- the kernel, the published tables and every output file of the folder with its sha256.

It holds no wall-clock time, so a rerun on the same inputs gives the same manifest (``hrpark report verify``
checks exactly that).

Paths are shown the way a reader can use them on another machine: a user's path as given (relative to the
folder the command was run from; an absolute one inside that folder is made relative to it); a file that
ships with the package — the notebooks, and the built-in sample data, policy and sheet an empty path
parameter stands for (:data:`BUNDLED_INPUTS`) — as ``hrpark_analysis/…`` with ``"bundled": true``. Never the
absolute folder of a checkout, a virtual environment or a temporary directory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable, Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrpark_analysis import userfiles
from hrpark_analysis.io.publish import OWNER_MARKER, shown_path
from hrpark_analysis.reports.declared import is_path_parameter
from hrpark_analysis.reports.execute import KERNEL_NAME
from hrpark_analysis.reports.params import ReportPlan

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "manifest.json"
ENVIRONMENT_FILE = "environment.txt"
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
PACKAGE = Path(str(resources.files("hrpark_analysis")))


def _bundled_policy() -> Path:
    from hrpark_analysis.law.policy import BASELINE_NAME

    return PACKAGE / "law" / BASELINE_NAME


def _bundled_sheet() -> Path:
    from hrpark_analysis.law.sheet import bundled_path

    return bundled_path()


def _bundled_sample() -> Path:
    from hrpark_analysis.engine.dataset import SAMPLE_DIR

    return SAMPLE_DIR


# What an empty path parameter means in the report notebooks: the file or folder shipped with the package.
BUNDLED_INPUTS: dict[str, Callable[[], Path]] = {
    "policy_file": _bundled_policy,
    "sheet_file": _bundled_sheet,
    "data_dir": _bundled_sample,
}


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes (:func:`hrpark_analysis.userfiles.sha256`)."""
    return userfiles.sha256(path)


def _package_relative(path: Path) -> str | None:
    """``hrpark_analysis/…`` for a file of the installed package, else None."""
    path = path.resolve()
    package = PACKAGE.resolve()
    return (
        (Path(package.name) / path.relative_to(package)).as_posix() if path.is_relative_to(package) else None
    )


def portable_path(path: str | Path) -> str:
    """A user's path as a report shows it: a relative one as given; an absolute one relative to the working
    folder, with ``..`` when it lies outside (a data folder on another disk keeps no user's home path)."""
    path = Path(path)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # another drive on Windows: no relative form exists
        return shown_path(path)


def _shown(path: Path) -> dict[str, Any]:
    inside = _package_relative(path)
    return {"path": inside, "bundled": True} if inside is not None else {"path": portable_path(path)}


def describe_input(role: str, path: Path, shown: dict[str, Any] | None = None) -> dict[str, Any]:
    """One input: ``role`` (the parameter), the path as shown, and its sha256 (per file for a folder)."""
    entry: dict[str, Any] = {"role": role, **(shown if shown is not None else _shown(path))}
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


def report_inputs(plan: ReportPlan) -> list[dict[str, Any]]:
    """The params file and every path parameter of ``plan`` (an empty one as the bundled default it means)."""
    inputs: list[dict[str, Any]] = []
    if plan.params_file is not None:
        inputs.append(describe_input("params_file", plan.params_file))
    for name in sorted(plan.effective):
        value = plan.effective[name]
        if not is_path_parameter(name) or not isinstance(value, str):
            continue
        if value:
            # As the kernel saw it: relative to the working folder, where the command was run.
            inputs.append(describe_input(name, Path(value), {"path": portable_path(value)}))
        elif name in BUNDLED_INPUTS:
            inputs.append(describe_input(name, BUNDLED_INPUTS[name]()))
    inputs.append(describe_input("regulation_text", _regulation_text()))
    inputs.append(
        describe_input("cjk_font", cjk_font_file(), {"path": f"mplfonts/fonts/{cjk_font_file().name}"})
    )
    return inputs


def _regulation_text() -> Path:
    from hrpark_analysis.law.text import TEXT_NAME

    return PACKAGE / "law" / TEXT_NAME


def cjk_font_file() -> Path:
    """The CJK font file the charts are drawn with (in the installed ``mplfonts``)."""
    from hrpark_analysis.reports.fonts import cjk_font_path

    return cjk_font_path()


def package_digest() -> tuple[str, int]:
    """sha256 over the package's files (relative path and bytes, ``__pycache__`` left out) and their count.

    Identifies the code even outside git (an installed wheel): any edited module, notebook or data file changes it.
    """
    digest = hashlib.sha256()
    files = sorted(
        p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(sha256_file(path).encode() + b"\n")
    return digest.hexdigest(), len(files)


def git_state() -> dict[str, Any] | None:
    """``{"commit", "dirty"}`` when the package runs from a git checkout, else None (never an error)."""
    checkout = PACKAGE.resolve().parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(checkout), *args], capture_output=True, text=True, timeout=20, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    # The package must be the checkout's own folder, not an install that happens to sit inside some repository.
    if top is None or (Path(top).resolve() / PACKAGE.name) != PACKAGE.resolve():
        return None
    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--", ".")
    if commit is None or status is None:
        return None
    return {"commit": commit, "dirty": bool(status)}


def code_identity() -> dict[str, Any]:
    """The package's version, the sha256 of its files, and its git commit when run from a checkout."""
    digest, count = package_digest()
    return {
        "package": "hrpark_analysis",
        "version": _version("hrpark_analysis"),
        "sha256": digest,
        "files": count,
        "git": git_state(),
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def installed_distributions() -> list[str]:
    """``name==version`` of every installed distribution, sorted, one each: the environment to rebuild."""
    seen: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            seen.setdefault(name.lower().replace("_", "-"), f"{name}=={dist.version}")
    return [seen[key] for key in sorted(seen)]


def _blas() -> dict[str, Any]:
    # numpy's own build record; directories are left out (absolute paths of the build machine).
    try:
        import numpy as np

        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # older numpy without mode="dicts", or an unusual build
        return {}
    return {k: v for k, v in blas.items() if "directory" not in k}


def environment_record(folder: Path) -> dict[str, Any]:
    """Write ``folder/environment.txt`` (every distribution) and describe Python, platform and BLAS."""
    lines = installed_distributions()
    path = folder / ENVIRONMENT_FILE
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "blas": _blas(),
        "packages_file": ENVIRONMENT_FILE,
        "packages": len(lines),
        "sha256": sha256_file(path),
    }


def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a report depends on (``not installed`` when absent)."""
    versions = {"python": platform.python_version()}
    for name in VERSION_PACKAGES:
        versions[name] = _version(name)
    return versions


def portable_parameters(plan: ReportPlan) -> ReportPlan:
    """``plan`` with every absolute path parameter made relative to the working folder (:func:`portable_path`).

    The kernel runs in that folder, so the path means the same; the notebook, HTML, XLSX and manifest then show
    ``../data/2025`` where the user typed ``/home/…/data/2025``.
    """

    def fix(values: dict[str, Any]) -> dict[str, Any]:
        return {
            name: portable_path(value)
            if is_path_parameter(name) and isinstance(value, str) and value
            else value
            for name, value in values.items()
        }

    return dataclasses.replace(plan, parameters=fix(plan.parameters), effective=fix(plan.effective))


def report_datetime(plan: ReportPlan) -> dt.datetime:
    """The report's one date for file metadata (:func:`~hrpark_analysis.reports.dates.document_datetime`):
    ``report_date`` if the notebook has it, else ``SOURCE_DATE_EPOCH``, else 31 December of the report's
    year (``year``, or the forecast's ``base_year``)."""
    from hrpark_analysis.reports.dates import document_datetime

    effective = plan.effective
    year = effective.get("year", effective.get("base_year"))
    return document_datetime(effective.get("report_date") or None, int(year) if year is not None else 1980)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def manifest_facts(plan: ReportPlan, folder: Path) -> dict[str, Any]:
    """What the manifest records that does not depend on the outputs: the notebook, the inputs, the code and
    the environment (writing ``folder/environment.txt``). The runner gathers them while the kernel runs."""
    return {
        "notebook": {**_shown(plan.notebook), "sha256": sha256_file(plan.notebook)},
        "inputs": report_inputs(plan),
        "code": code_identity(),
        "environment": environment_record(folder),
        "versions": package_versions(),
    }


def write_manifest(
    plan: ReportPlan,
    folder: Path,
    tables: Sequence[tuple[str, pd.DataFrame]],
    sheets: Sequence[str],
    outputs: Sequence[str] = (),
    facts: dict[str, Any] | None = None,
) -> Path:
    """Write ``folder/manifest.json`` (and ``environment.txt``) for ``plan``.

    Every file of ``folder`` is an output and is checksummed (``outputs`` names files that must be among them);
    ``folder`` is the temporary folder inside the output root, whose path relative to the working folder is
    recorded as ``out_root``. ``facts`` are :func:`manifest_facts` gathered earlier (else gathered now).
    """
    facts = facts if facts is not None else manifest_facts(plan, folder)
    # The temporary folder's owner marker (io/publish.py) is removed when the folder is installed: not an output.
    files = sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.name not in (MANIFEST, ENVIRONMENT_FILE) and not p.name.startswith(OWNER_MARKER)
    )
    missing = sorted(set(outputs) - set(files))
    if missing:
        raise FileNotFoundError(f"report outputs missing: {', '.join(missing)}")
    manifest = {
        "report": plan.kind,
        "key": plan.key,
        "out_root": portable_path(folder.resolve().parent),
        "notebook": facts["notebook"],
        "parameters": _jsonable(plan.effective),
        "parameter_expressions": plan.expressions,
        # In the order given (params file, then command line): papermill injects them in this order.
        "parameters_given": {name: plan.sources[name] for name in plan.parameters},
        "seeds": {
            "PYTHONHASHSEED": "0",
            **{name: plan.effective[name] for name in sorted(plan.effective) if "seed" in name},
        },
        "inputs": facts["inputs"],
        "code": facts["code"],
        "environment": facts["environment"],
        "versions": facts["versions"],
        "kernel": {"name": KERNEL_NAME, "PYTHONHASHSEED": "0"},
        "tables": [
            {"sheet": sheet, "name": name, "rows": len(df), "columns": len(df.columns)}
            for sheet, (name, df) in zip(sheets, tables, strict=False)
        ],
        "outputs": [{"path": name, "sha256": sha256_file(folder / name)} for name in files],
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(_jsonable(manifest), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path
