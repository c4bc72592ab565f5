"""``manifest.json``: what a report was made from, with what, and what it produced.

The manifest records the report kind and key, the notebook (path and sha256), the effective parameters (and
which were given, by the params file or the command line), every input with its sha256 (a folder file by
file, hidden files and ``__pycache__`` left out), Python's and the main packages' versions, the kernel, the
published tables and the outputs' sha256. It holds no wall-clock time, so a rerun on the same inputs gives the
same manifest apart from the XLSX hash (openpyxl stamps the workbook with its save time).

Paths are shown the way a reader can use them on another machine: a user's path as given (relative to the
folder the command was run from; an absolute one inside that folder is made relative to it); a file that
ships with the package — the notebooks, and the built-in sample data, policy and sheet an empty path
parameter stands for (:data:`BUNDLED_INPUTS`) — as ``hrpark_analysis/…`` with ``"bundled": true``. Never the
absolute folder of a checkout, a virtual environment or a temporary directory.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable, Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrpark_analysis.io.publish import shown_path
from hrpark_analysis.reports.execute import KERNEL_NAME
from hrpark_analysis.reports.params import ReportPlan, is_path_parameter

if TYPE_CHECKING:
    import pandas as pd

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
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _package_relative(path: Path) -> str | None:
    """``hrpark_analysis/…`` for a file of the installed package, else None."""
    path = path.resolve()
    package = PACKAGE.resolve()
    return (
        (Path(package.name) / path.relative_to(package)).as_posix() if path.is_relative_to(package) else None
    )


def _shown(path: Path) -> dict[str, Any]:
    inside = _package_relative(path)
    return {"path": inside, "bundled": True} if inside is not None else {"path": shown_path(path)}


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
            inputs.append(describe_input(name, Path(value), {"path": shown_path(value)}))
        elif name in BUNDLED_INPUTS:
            inputs.append(describe_input(name, BUNDLED_INPUTS[name]()))
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


def write_manifest(
    plan: ReportPlan,
    folder: Path,
    tables: Sequence[tuple[str, pd.DataFrame]],
    sheets: Sequence[str],
    outputs: Sequence[str],
) -> Path:
    """Write ``folder/manifest.json`` for ``plan``; ``outputs`` are file names in ``folder`` to checksum."""
    manifest = {
        "report": plan.kind,
        "key": plan.key,
        "notebook": {**_shown(plan.notebook), "sha256": sha256_file(plan.notebook)},
        "parameters": _jsonable(plan.effective),
        "parameter_expressions": plan.expressions,
        "parameters_given": {name: plan.sources[name] for name in sorted(plan.parameters)},
        "inputs": report_inputs(plan),
        "versions": package_versions(),
        "kernel": {"name": KERNEL_NAME, "PYTHONHASHSEED": "0"},
        "tables": [
            {"sheet": sheet, "name": name, "rows": len(df), "columns": len(df.columns)}
            for sheet, (name, df) in zip(sheets, tables, strict=False)
        ],
        "outputs": [{"path": name, "sha256": sha256_file(folder / name)} for name in outputs],
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path
