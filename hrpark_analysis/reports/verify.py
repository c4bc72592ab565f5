"""``hrpark report verify DIR``: does a published report still come out of its recorded inputs, byte for byte?

Reads ``DIR/manifest.json`` (:mod:`.manifest`) and

1. finds every recorded input: a user's path relative to the folder the report was run from (inferred from
   the manifest's ``out_root`` and ``DIR``'s own location, else the current folder), a bundled one in the
   installed package, the CJK font in the installed ``mplfonts``; and the notebook;
2. checks each against its sha256. A missing or changed file is named and nothing is run
   (:class:`~hrpark_analysis.errors.InputError`, exit 2): a different input would prove nothing;
3. re-runs the report with the same parameters — the same params file and the same command-line overrides —
   into a temporary folder (:func:`~hrpark_analysis.reports.runner.run_report`), removed afterwards;
4. compares every file of the two folders byte for byte. ``manifest.json`` and ``environment.txt`` describe
   the run rather than its result: their report-describing fields must agree; the machine-describing ones
   (code identity, Python, platform, packages) are shown as notes when they differ, since they explain a
   difference but are not one.

:func:`verify_report` returns a :class:`Verification`; it is identical only when no file and no recorded
field differs (the CLI's exit code 0, else 1).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrpark_analysis.errors import InputError
from hrpark_analysis.io.publish import shown_path
from hrpark_analysis.reports.manifest import (
    ENVIRONMENT_FILE,
    MANIFEST,
    PACKAGE,
    cjk_font_file,
    sha256_file,
)

# Manifest fields that describe the report itself: a rerun must reproduce them exactly.
REPORT_FIELDS = (
    "report",
    "key",
    "notebook",
    "parameters",
    "parameter_expressions",
    "parameters_given",
    "seeds",
    "inputs",
    "tables",
)  # "outputs" are the files themselves, compared byte for byte
# Fields that describe the machine and the code that ran: shown when they differ, not a difference.
MACHINE_FIELDS = ("code", "environment", "versions", "kernel")
_NOT_COMPARED = (MANIFEST, ENVIRONMENT_FILE)


@dataclass
class Verification:
    """The outcome: files compared, those that differ (with why), and notes on the machine."""

    folder: Path
    kind: str
    inputs_checked: int
    identical: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.different

    def text(self) -> str:
        """What ``hrpark report verify`` prints: the inputs checked, each file, the notes, the verdict."""
        where = shown_path(self.folder)
        lines = [f"核对 {where}: {self.kind} 报告，{self.inputs_checked} 个输入文件与清单一致，已重新运行"]
        lines += [f"  一致: {name}" for name in self.identical]
        lines += [f"  不一致: {name}" for name in self.different]
        lines += [f"  说明: {note}" for note in self.notes]
        if self.ok:
            lines.append(f"结论: {where} 可以复现，全部 {len(self.identical)} 个输出文件逐字节一致")
        else:
            lines.append(
                f"结论: {where} 不能复现，{len(self.different)} 处不一致: {', '.join(self.different)}"
            )
        return "\n".join(lines)


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError("不是报告文件夹: 找不到 manifest.json", file=shown_path(folder))
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"无法读取报告清单: {exc}", file=shown_path(path)) from exc
    if not isinstance(manifest, dict) or not {"report", "inputs", "parameters", "outputs"} <= set(manifest):
        raise InputError(
            "报告清单缺少 report/inputs/parameters/outputs，无法据此重新运行", file=shown_path(path)
        )
    return manifest


def _run_folders(folder: Path, manifest: dict[str, Any]) -> list[Path]:
    """Where the report may have been run from: inferred from ``out_root``, then the current folder."""
    candidates = []
    out_root = manifest.get("out_root")
    if isinstance(out_root, str) and out_root and not Path(out_root).is_absolute():
        parts = Path(out_root).parts
        here = folder.resolve()
        if ".." not in parts and len(parts) < len(here.parents):  # DIR = <run folder>/<out_root>/<key>
            candidates.append(here.parents[len(parts)])
    candidates.append(Path.cwd())
    return list(dict.fromkeys(candidates))


def _located(entry: dict[str, Any], run_folder: Path) -> Path:
    path = str(entry.get("path", ""))
    if entry.get("role") == "cjk_font":
        return cjk_font_file()
    if entry.get("bundled"):
        return PACKAGE.parent / path
    return Path(path) if Path(path).is_absolute() else run_folder / path


def _input_problems(entry: dict[str, Any], path: Path) -> list[str]:
    """What is missing or changed about one recorded input (empty when it matches)."""
    shown = str(entry.get("path"))
    kind = entry.get("kind")
    if kind == "file":
        if not path.is_file():
            return [f"{shown} 不存在"]
        return [] if sha256_file(path) == entry.get("sha256") else [f"{shown} 已改变(sha256 与清单不符)"]
    if kind == "dir":
        if not path.is_dir():
            return [f"{shown} 不存在"]
        problems = []
        recorded = {f["path"]: f["sha256"] for f in entry.get("files", [])}
        present = {
            p.relative_to(path).as_posix()
            for p in path.rglob("*")
            if p.is_file()
            and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(path).parts)
        }
        for name in sorted(recorded):
            if name not in present:
                problems.append(f"{shown}/{name} 不存在")
            elif sha256_file(path / name) != recorded[name]:
                problems.append(f"{shown}/{name} 已改变(sha256 与清单不符)")
        problems += [f"{shown}/{name} 是清单中没有的新文件" for name in sorted(present - set(recorded))]
        return problems
    return [] if not path.exists() else [f"{shown} 在报告运行时不存在，现在却存在"]


def check_inputs(folder: Path, manifest: dict[str, Any]) -> tuple[Path, int]:
    """The run folder in which every recorded input (and the notebook) matches, and the number of files.

    InputError (exit 2) naming every missing or changed file when no candidate folder matches.
    """
    entries = [*manifest["inputs"], {"role": "notebook", "kind": "file", **manifest.get("notebook", {})}]
    first: list[str] | None = None
    for run_folder in _run_folders(folder, manifest):
        problems = [p for e in entries for p in _input_problems(e, _located(e, run_folder))]
        if not problems:
            count = sum(len(e.get("files", [])) if e.get("kind") == "dir" else 1 for e in entries)
            return run_folder, count
        first = first if first is not None else problems
    assert first is not None
    raise InputError("输入与报告清单不符，未重新运行: " + "；".join(first), file=first[0].split(" ")[0])


@contextlib.contextmanager
def _working_folder(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _compare_manifests(old: dict[str, Any], new: dict[str, Any], result: Verification) -> None:
    for name in REPORT_FIELDS:
        if old.get(name) != new.get(name):
            result.different.append(f"{MANIFEST}: {name}")
    for name in MACHINE_FIELDS:
        if old.get(name) != new.get(name):
            result.notes.append(f"运行环境与报告记录不同: {name}")


def _environment_changes(old: Path, new: Path) -> list[str]:
    def pins(path: Path) -> dict[str, str]:
        if not path.is_file():
            return {}
        lines = [line.split("==", 1) for line in path.read_text("utf-8").splitlines() if "==" in line]
        return {name.lower(): version for name, version in lines}

    before, after = pins(old), pins(new)
    changes = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            changes.append(f"{name} {before.get(name, '无')} → {after.get(name, '无')}")
    return changes


def verify_report(folder: Path, *, progress: bool = True) -> Verification:
    """Re-run the report in ``folder`` from its manifest and compare (see the module docstring)."""
    from hrpark_analysis.reports.runner import run_report

    folder = Path(folder)
    manifest = _read_manifest(folder)
    run_folder, count = check_inputs(folder, manifest)
    result = Verification(folder=folder, kind=str(manifest["report"]), inputs_checked=count)

    params = next((e for e in manifest["inputs"] if e.get("role") == "params_file"), None)
    given = manifest.get("parameters_given", {})
    overrides = {n: manifest["parameters"][n] for n, source in given.items() if source == "override"}
    notebook = manifest.get("notebook", {})
    notebook_dir = None if notebook.get("bundled") else _located(notebook, run_folder).parent

    scratch = Path(tempfile.mkdtemp(prefix="hrpark-verify-"))
    try:
        with _working_folder(run_folder):
            rerun = run_report(
                result.kind,
                Path(params["path"]) if params else None,
                out_root=scratch,
                overrides=overrides,
                progress=progress,
                notebook_dir=notebook_dir,
            )
        names = sorted(
            {p.name for p in folder.iterdir() if p.is_file()}
            | {p.name for p in rerun.iterdir() if p.is_file()}
        )
        for name in names:
            if name in _NOT_COMPARED:
                continue
            a, b = folder / name, rerun / name
            same = a.is_file() and b.is_file() and a.read_bytes() == b.read_bytes()
            (result.identical if same else result.different).append(name)
        _compare_manifests(manifest, json.loads((rerun / MANIFEST).read_text("utf-8")), result)
        result.notes += [
            f"已安装的包不同: {c}"
            for c in _environment_changes(folder / ENVIRONMENT_FILE, rerun / ENVIRONMENT_FILE)
        ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result
