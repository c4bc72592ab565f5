"""The report runner: validate, execute a report notebook, publish a complete folder — safely, unattended.

``run_report("annual", Path("params/annual-2025.yaml"))`` is ``hrpark report annual --params …``. The steps,
each owned by its own module:

1. :mod:`.params` — the notebook's declared parameters, the params file and overrides checked against them,
   the output folder's key (:func:`plan_report`, :func:`report_key`); then :mod:`.preflight` loads the data
   folder, policy, sheet and report choices with the notebook's own loaders. Nothing is written (not even
   ``out_root``) and no kernel starts before this passes.
2. :mod:`.execute` — papermill runs the notebook in the user's working folder with ``PYTHONHASHSEED=0``;
   timestamps and paths are scrubbed from the result. Meanwhile :mod:`.beside_kernel` readies the exporters,
   gathers the manifest's input and environment facts and writes the workbook a table at a time.
3. :mod:`.export` — the HTML page, the PDF and Word documents, and the XLSX of the tables the notebook
   published.
4. :mod:`.manifest` — ``manifest.json``: inputs with sha256, parameters, versions, outputs.
5. :mod:`.progress` — the runner's steps and the notebook's own progress lines on stderr.

A finished folder ``<out_root>/<key>/`` holds ``<notebook>.ipynb`` (executed), ``<notebook>.html`` (no code,
self-contained), ``<notebook>.pdf`` (A4, fonts embedded), ``<notebook>.docx`` (editable in Word/WPS),
``<notebook>.xlsx`` (one sheet per published table), ``manifest.json`` and ``environment.txt``. Every XLSX/DOCX
is rewritten with the report's date and fixed zip entries (:mod:`.export.reproducible`) before the manifest
hashes it, so reruns give the same bytes (``hrpark report verify``, :mod:`.verify`).

Safety for unattended runs (the mechanics are :mod:`hrpark_analysis.io.publish`)
------------------------------------------------------------------------------
- Everything is written into ``<out_root>/.tmp-<key>-<random>/``, which is renamed to ``<out_root>/<key>/``
  only when complete. An existing folder is never replaced unless ``force``; then the old one is renamed to
  ``.old-<key>-<random>``, the new one renamed in, and the old one deleted.
- A lock file ``<out_root>/.<key>.lock`` serialises runs of the same key (removed by its holder when done). A
  second run waits up to ``lock_timeout`` seconds (default 5) and then fails with :class:`ReportError`; if it
  does get the lock, it finds the finished folder and refuses it without ``force``. Different keys run in
  parallel. Each cell runs at most ``timeout`` seconds (:data:`EXECUTION_TIMEOUT`), so a hung input cannot
  hold the lock forever.
- On any error, timeout, Ctrl-C or SIGTERM (turned into KeyboardInterrupt while a run is active) the temporary
  folder and the lock file are removed, and ``out_root`` too if this run created it. A folder left by SIGKILL
  or a power cut is removed by the next run of the same key, under the lock, or by any later writer into
  ``out_root`` once its writer's pid is dead; an ``.old-`` folder left between the two renames of a forced run
  is put back if the report is missing. An OS error while writing is one line naming the report folder
  (:func:`hrpark_analysis.io.publish.os_error`: exit 2 for a bad path, 1 for a full disk).
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hrpark_analysis.io.publish import (
    clean_stale,
    install_folder,
    key_lock,
    output_root,
    refuse_existing,
    shown_path,
    temporary_folder,
    writing,
)
from hrpark_analysis.reports.beside_kernel import BesideKernel
from hrpark_analysis.reports.execute import (
    defer_iri_grammar,
    environment,
    execute_notebook,
    scrub_notebook,
    sigterm_as_interrupt,
)
from hrpark_analysis.reports.manifest import portable_parameters, report_datetime, sha256_file, write_manifest
from hrpark_analysis.reports.params import ReportPlan, plan_report, report_key
from hrpark_analysis.reports.preflight import check_inputs
from hrpark_analysis.reports.progress import Progress, echo_notebook, progress_reporter

# Older import paths (notebooks, reports.sensitivity, tests) keep working: these names live in the modules above.
__all__ = ["ReportPlan", "plan_report", "progress_reporter", "report_key", "run_report", "sha256_file"]

DEFAULT_OUT_ROOT = Path("reports")
LOCK_TIMEOUT = 5.0
# A bound on each notebook cell, so that a hung input cannot hold the report's lock forever: far above the
# longest cell of a full-size run (the forecast's 10 000 paths take minutes, not an hour).
EXECUTION_TIMEOUT = 3600.0


def _build(plan: ReportPlan, tmp: Path, progress: Progress, timeout: float | None) -> None:
    """Execute the notebook into ``tmp`` and write everything else the finished folder holds."""
    from hrpark_analysis.reports import export
    from hrpark_analysis.reports.export.reproducible import normalize_outputs

    stem = plan.notebook.stem
    executed = tmp / f"{stem}.ipynb"
    progress.say(f"执行笔记本 {plan.notebook.name}…")
    defer_iri_grammar()  # before either thread imports jsonschema (through papermill or nbconvert)
    # This process mostly waits while the kernel runs: meanwhile a thread readies the exporters, gathers the
    # manifest's facts and writes the workbook a table at a time as the notebook publishes them.
    beside = BesideKernel(plan, tmp, tmp / f"{stem}.xlsx")
    try:
        with echo_notebook(tmp, progress) as progress_env, environment(**progress_env):
            execute_notebook(
                plan.notebook, executed, plan.parameters, progress_bar=progress.bar, timeout=timeout
            )
    except BaseException:
        beside.abandon()
        raise
    beside.kernel_done()
    scrub_notebook(executed, plan.notebook.name)

    progress.say("导出 HTML、PDF 与 Word…")
    # Typst typesets the PDF without holding the GIL: it runs beside nbconvert's HTML export and the rest of
    # the workbook, not after them.
    with ThreadPoolExecutor(max_workers=1) as pool:
        documents = pool.submit(export.write_documents, executed, tmp / stem, plan.effective)
        (tmp / f"{stem}.html").write_text(export.to_html(executed), "utf-8")
        progress.say("导出 XLSX…")
        tables, sheets, facts = beside.finish()
        documents.result()
    shutil.rmtree(tmp / export.TABLES_DIR, ignore_errors=True)

    # Every zip-based office file (XLSX, DOCX) gets the report's date instead of its save time: same bytes.
    normalize_outputs(tmp, report_datetime(plan))
    progress.say("写入清单…")
    outputs = [f"{stem}.{ext}" for ext in ("ipynb", "html", "pdf", "docx", "xlsx")]
    write_manifest(plan, tmp, tables, sheets, outputs, facts)


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
    timeout: float | None = EXECUTION_TIMEOUT,
) -> Path:
    """Run report ``kind`` and return its finished folder ``<out_root>/<key>`` (absolute).

    ``out_root`` defaults to the params file's ``out_root``, else ``reports`` (relative to the working
    directory). Raises ParameterError / InputError before anything runs, OutputExistsError if the folder
    exists and not ``force``, ReportError if the notebook fails (with the failing cell's exception) or another
    run of the same key holds the lock, or a cell runs longer than ``timeout`` seconds (None: no bound).
    Nothing partial is ever left at the final path; on failure ``out_root`` holds nothing of this run (no
    lock file, no temporary folder, and the folder itself is removed again if this run created it).
    """
    from hrpark_analysis.reports.export import OUTPUT_DIR_ENV

    # Validation takes seconds and prints nothing: a bad input is exactly one line on stderr.
    say = Progress(progress)
    plan = portable_parameters(plan_report(kind, params_file, overrides, notebook_dir=notebook_dir))
    if notebook_dir is None:  # the bundled notebooks: load their inputs now, as their first cells will
        check_inputs(kind, plan.effective)
    root = Path(out_root) if out_root is not None else (plan.out_root or DEFAULT_OUT_ROOT)
    # Not resolved: a dangling symbolic link given as --out must be refused, not followed and created.
    root = Path(os.path.abspath(Path.cwd() / root.expanduser()))
    final = root / plan.key
    if not force:
        refuse_existing(final)

    with sigterm_as_interrupt(), output_root(root) as root, key_lock(root, plan.key, lock_timeout):
        clean_stale(root, plan.key)
        if not force:
            refuse_existing(final)  # another run finished it while this one waited for the lock
        tmp = temporary_folder(root, plan.key)
        try:
            with writing(final), environment(PYTHONHASHSEED="0", **{OUTPUT_DIR_ENV: str(tmp)}):
                _build(plan, tmp, say, timeout)
                install_folder(tmp, final, plan.key, force)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    say.say(f"完成: {shown_path(final)}")
    return final
