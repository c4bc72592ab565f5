"""The report runner: validate, execute a report notebook, publish a complete folder — safely, unattended.

``run_report("annual", Path("params/annual-2025.yaml"))`` is ``hrpark report annual --params …``. The steps,
each owned by its own module:

1. :mod:`.params` — the notebook's declared parameters, the params file and overrides checked against them,
   the output folder's key (:func:`plan_report`, :func:`report_key`). Nothing is written before this passes.
2. :mod:`.execute` — papermill runs the notebook in the user's working folder with ``PYTHONHASHSEED=0``;
   timestamps and paths are scrubbed from the result.
3. :mod:`.export` — the HTML page and the XLSX of the tables the notebook published.
4. :mod:`.manifest` — ``manifest.json``: inputs with sha256, parameters, versions, outputs.
5. :mod:`.progress` — the runner's steps and the notebook's own progress lines on stderr.

A finished folder ``<out_root>/<key>/`` holds ``<notebook>.ipynb`` (executed), ``<notebook>.html`` (no code,
self-contained), ``<notebook>.xlsx`` (one sheet per published table), ``manifest.json`` and
``environment.txt``. Every XLSX/DOCX is rewritten with the report's date and fixed zip entries
(:mod:`.export.reproducible`) before the manifest hashes it, so reruns give the same bytes
(``hrpark report verify``, :mod:`.verify`).

Safety for unattended runs (the mechanics are :mod:`hrpark_analysis.io.publish`)
------------------------------------------------------------------------------
- Everything is written into ``<out_root>/.tmp-<key>-<random>/``, which is renamed to ``<out_root>/<key>/``
  only when complete. An existing folder is never replaced unless ``force``; then the old one is renamed to
  ``.old-<key>-<random>``, the new one renamed in, and the old one deleted.
- A lock file ``<out_root>/.<key>.lock`` serialises runs of the same key. A second run waits up to
  ``lock_timeout`` seconds (default 5) and then fails with :class:`ReportError`; if it does get the lock, it
  finds the finished folder and refuses it without ``force``. Different keys run in parallel.
- On any error, Ctrl-C or SIGTERM (turned into KeyboardInterrupt while a run is active) the temporary folder is
  removed. A folder left by SIGKILL or a power cut is removed by the next run of the same key, under the lock;
  an ``.old-`` folder left between the two renames of a forced run is put back if the report is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hrpark_analysis.io.publish import (
    clean_stale,
    install_folder,
    key_lock,
    refuse_existing,
    shown_path,
    temporary_folder,
)
from hrpark_analysis.reports.execute import (
    environment,
    execute_notebook,
    scrub_notebook,
    sigterm_as_interrupt,
)
from hrpark_analysis.reports.manifest import portable_parameters, report_datetime, sha256_file, write_manifest
from hrpark_analysis.reports.params import ReportPlan, plan_report, report_key
from hrpark_analysis.reports.progress import Progress, echo_notebook, progress_reporter

# Older import paths (notebooks, reports.sensitivity, tests) keep working: these names live in the modules above.
__all__ = ["ReportPlan", "plan_report", "progress_reporter", "report_key", "run_report", "sha256_file"]

DEFAULT_OUT_ROOT = Path("reports")
LOCK_TIMEOUT = 5.0


def _build(plan: ReportPlan, tmp: Path, progress: Progress) -> None:
    """Execute the notebook into ``tmp`` and write everything else the finished folder holds."""
    from hrpark_analysis.reports import export
    from hrpark_analysis.reports.export.reproducible import normalize_outputs

    stem = plan.notebook.stem
    executed = tmp / f"{stem}.ipynb"
    progress.say(f"执行笔记本 {plan.notebook.name}…")
    with echo_notebook(tmp, progress) as progress_env, environment(**progress_env):
        execute_notebook(plan.notebook, executed, plan.parameters, progress_bar=progress.bar)
    scrub_notebook(executed, plan.notebook.name)

    progress.say("导出 HTML…")
    (tmp / f"{stem}.html").write_text(export.to_html(executed), "utf-8")

    progress.say("导出 XLSX…")
    tables = export.published_tables(tmp)
    sheets = export.write_xlsx(tables, tmp / f"{stem}.xlsx")
    shutil.rmtree(tmp / export.TABLES_DIR, ignore_errors=True)

    # Every zip-based office file (XLSX, DOCX) gets the report's date instead of its save time: same bytes.
    normalize_outputs(tmp, report_datetime(plan))
    progress.say("写入清单…")
    write_manifest(plan, tmp, tables, sheets, [f"{stem}.ipynb", f"{stem}.html", f"{stem}.xlsx"])


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
    from hrpark_analysis.reports.export import OUTPUT_DIR_ENV

    say = Progress(progress)
    say.say("校验参数…")
    plan = portable_parameters(plan_report(kind, params_file, overrides, notebook_dir=notebook_dir))
    root = Path(out_root) if out_root is not None else (plan.out_root or DEFAULT_OUT_ROOT)
    root = (Path.cwd() / root.expanduser()).resolve()
    final = root / plan.key
    if not force:
        refuse_existing(final)
    root.mkdir(parents=True, exist_ok=True)

    with key_lock(root, plan.key, lock_timeout):
        clean_stale(root, plan.key)
        if not force:
            refuse_existing(final)  # another run finished it while this one waited for the lock
        with sigterm_as_interrupt():
            tmp = temporary_folder(root, plan.key)
            try:
                with environment(PYTHONHASHSEED="0", **{OUTPUT_DIR_ENV: str(tmp)}):
                    _build(plan, tmp, say)
                install_folder(tmp, final, plan.key, force)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    say.say(f"完成: {shown_path(final)}")
    return final
