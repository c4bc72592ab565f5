"""reports.runner (+ .params, .execute, .manifest): validation, the finished folder, unattended safety.

The runner is exercised with the tiny fixture notebook in tests/fixtures/notebooks (not the real reports).
Each kernel start costs seconds, so one successful run is shared by the module-scoped ``report`` fixture and
charts are switched off in the runs that do not look at them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import openpyxl
import pytest

from hrpark_analysis.errors import InputError, MachineError, OutputExistsError, ParameterError, ReportError
from hrpark_analysis.reports.declared import _annotation_types
from hrpark_analysis.reports.params import plan_report, report_key
from hrpark_analysis.reports.runner import run_report

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTEBOOKS = FIXTURES / "notebooks"
HOSTILE = "<script>alert(1)</script>"
STEM = "annual_evaluation"
REPORT_FILES = {f"{STEM}.{ext}" for ext in ("ipynb", "html", "pdf", "docx", "xlsx")} | {
    "environment.txt",
    "manifest.json",
}
QUIET = {"draw_chart": False}  # skips the matplotlib import in runs that do not check charts


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(out_root: Path) -> list[str]:
    return sorted(p.name for p in out_root.iterdir() if p.name.startswith((".tmp-", ".old-")))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run(out_root: Path, **overrides) -> Path:
    return run_report("annual", None, out_root, overrides, progress=False, notebook_dir=NOTEBOOKS)


# --- one successful run, shared ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report(tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    data = base / "data"
    (data / "sub").mkdir(parents=True)
    (data / "parks.csv").write_text("park_id,name\nP01,示例园区\n", "utf-8")
    (data / "sub" / "scores.csv").write_text("park_id,score\nP01,75\n", "utf-8")
    (data / ".hidden").write_text("not an input", "utf-8")
    policy = base / "policy.yaml"
    policy.write_text("grading:\n  pass_mark: 60\n", "utf-8")
    params = base / "params.yaml"
    # Relative paths in the params file are relative to the working directory (chdir below).
    params.write_text(
        textwrap.dedent(
            f"""\
            year: 2031
            data_dir: data
            policy_file: policy.yaml
            park_name: "{HOSTILE}"
            scores: [61, 59.5]
            out_root: out
            """
        ),
        "utf-8",
    )
    cwd = Path.cwd()
    os.chdir(base)
    try:
        folder = run_report(
            "annual", params, overrides={"sleep_seconds": 0}, progress=False, notebook_dir=NOTEBOOKS
        )
    finally:
        os.chdir(cwd)
    return {"base": base, "folder": folder, "params": params, "policy": policy, "data": data}


def test_a_run_writes_exactly_the_report_files_into_the_key_folder(report):
    assert report["folder"] == report["base"] / "out" / "2031"
    assert {p.name for p in report["folder"].iterdir()} == REPORT_FILES
    assert leftovers(report["base"] / "out") == []


def test_manifest_records_inputs_with_their_sha256(report):
    manifest = json.loads((report["folder"] / "manifest.json").read_text("utf-8"))
    inputs = {entry["role"]: entry for entry in manifest["inputs"]}
    assert inputs["params_file"]["sha256"] == sha256(report["params"])
    assert inputs["policy_file"]["sha256"] == sha256(report["policy"])
    data = report["data"]
    assert inputs["data_dir"]["files"] == [
        {
            "path": "parks.csv",
            "bytes": (data / "parks.csv").stat().st_size,
            "sha256": sha256(data / "parks.csv"),
        },
        {
            "path": "sub/scores.csv",
            "bytes": (data / "sub" / "scores.csv").stat().st_size,
            "sha256": sha256(data / "sub" / "scores.csv"),
        },
    ]
    outputs = {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}
    assert outputs == {
        name: sha256(report["folder"] / name) for name in REPORT_FILES - {"manifest.json", "environment.txt"}
    }


def test_manifest_records_parameters_and_versions(report):
    manifest = json.loads((report["folder"] / "manifest.json").read_text("utf-8"))
    assert manifest["report"] == "annual" and manifest["key"] == "2031"
    params = manifest["parameters"]
    assert params["year"] == 2031 and params["park_name"] == HOSTILE and params["scores"] == [61, 59.5]
    assert params["sleep_seconds"] == 0.0 and params["note"] is None  # a default is recorded too
    assert manifest["parameters_given"]["sleep_seconds"] == "override"
    assert manifest["parameters_given"]["year"] == "params_file"
    assert "out_root" not in params  # a runner-level key, not a notebook parameter
    assert {"python", "hrpark_analysis", "numpy", "pandas", "scipy", "matplotlib", "papermill"} <= set(
        manifest["versions"]
    )
    assert manifest["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))


def test_executed_notebook_saw_the_parameters_and_the_fixed_hash_seed(report):
    nb = nbformat.read(report["folder"] / f"{STEM}.ipynb", as_version=4)
    text = "".join(
        output.get("text", "") for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert "年份 2031，合计 115.5 分" in text  # 61 + 59.5 − 5
    assert "PYTHONHASHSEED=0" in text


def test_executed_notebook_holds_no_times_and_no_absolute_temp_paths(report):
    raw = (report["folder"] / f"{STEM}.ipynb").read_text("utf-8")
    # The params file's relative paths reach the notebook as written: the kernel runs where the command did.
    injected = [c for c in nbformat.reads(raw, as_version=4).cells if c.get("id") == "injected-parameters"]
    assert 'data_dir = "data"' in injected[0].source and 'policy_file = "policy.yaml"' in injected[0].source
    assert str(report["base"]) not in raw
    assert ".tmp-" not in raw
    for word in ("start_time", "end_time", "duration", "iopub.execute_input", "shell.execute_reply"):
        assert word not in raw


def test_manifest_shows_paths_as_given_or_relative_to_the_working_folder(report):
    text = (report["folder"] / "manifest.json").read_text("utf-8")
    manifest = json.loads(text)
    inputs = {entry["role"]: entry for entry in manifest["inputs"]}
    # the params file was passed as an absolute path inside the working folder; the others as written
    assert (inputs["params_file"]["path"], inputs["data_dir"]["path"], inputs["policy_file"]["path"]) == (
        "params.yaml",
        "data",
        "policy.yaml",
    )
    for folder in (report["base"], report["folder"]):
        assert str(folder) not in text
        assert str(folder) not in (report["folder"] / f"{STEM}.html").read_text("utf-8")


def test_an_empty_path_parameter_is_recorded_as_the_bundled_input_it_stands_for(tmp_path):
    folder = run(tmp_path / "out", **QUIET)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    inputs = {entry["role"]: entry for entry in manifest["inputs"]}
    assert inputs["data_dir"]["path"] == "hrpark_analysis/sample_data" and inputs["data_dir"]["bundled"]
    assert {f["path"] for f in inputs["data_dir"]["files"]} >= {"parks.csv", "monthly.csv"}
    assert inputs["policy_file"] == {**inputs["policy_file"], "path": "hrpark_analysis/law/policy-2021.yaml"}


def test_html_is_code_free_escaped_and_self_contained(report):
    html = (report["folder"] / f"{STEM}.html").read_text("utf-8")
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "publish_table" not in html and "import pandas" not in html
    assert "测试夹具报告" in html and "data:image/png;base64," in html
    assert "Traceback" not in html


def test_pdf_and_docx_show_the_tables_text_as_text_and_the_figure(report):
    import docx
    import pypdf

    pdf = pypdf.PdfReader(report["folder"] / f"{STEM}.pdf")
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "测试夹具报告" in text and HOSTILE in text and "=1+1" in text  # text, never markup or a formula
    assert any("/XObject" in page["/Resources"] for page in pdf.pages)  # the chart
    document = docx.Document(report["folder"] / f"{STEM}.docx")
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["测试夹具报告"]
    [table] = [t for t in document.tables if t.rows[0].cells[0].text == "园区"]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["园区", "得分"], [HOSTILE, "61.0"], ["=1+1", "59.5"], ["普通园区", "-5.0"],
    ]  # fmt: skip
    assert len(document.inline_shapes) == 1


def test_pdf_and_docx_are_dated_by_the_report_year_and_rebuilt_byte_for_byte(report, tmp_path, monkeypatch):
    import datetime as dt

    import docx
    import pypdf

    from hrpark_analysis.reports.export import write_documents

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    folder = report["folder"]
    # The fixture's year is 2031 and it has no report_date: 31 December 2031, never today.
    assert pypdf.PdfReader(folder / f"{STEM}.pdf").metadata["/CreationDate"].startswith("D:20311231")
    props = docx.Document(folder / f"{STEM}.docx").core_properties
    stamps = {d.replace(tzinfo=None) for d in (props.created, props.modified, props.last_printed)}
    assert stamps == {dt.datetime(2031, 12, 31)}
    time.sleep(1.1)  # a wall-clock stamp anywhere would now differ by at least a second
    write_documents(folder / f"{STEM}.ipynb", tmp_path / STEM, {"year": 2031})
    for ext in ("pdf", "docx"):
        assert (tmp_path / f"{STEM}.{ext}").read_bytes() == (folder / f"{STEM}.{ext}").read_bytes(), ext
    write_documents(folder / f"{STEM}.ipynb", tmp_path / "dated", {"year": 2031, "report_date": "2032-03-15"})
    assert pypdf.PdfReader(tmp_path / "dated.pdf").metadata["/CreationDate"].startswith("D:20320315")


def test_figures_in_the_notebook_carry_no_matplotlib_version(report):
    nb = nbformat.read(report["folder"] / f"{STEM}.ipynb", as_version=4)
    pngs = [
        base64.b64decode(output["data"]["image/png"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert len(pngs) == 1
    assert b"Software" not in pngs[0] and b"atplotlib" not in pngs[0]


def test_xlsx_has_one_sheet_per_published_table_with_inert_text(report):
    workbook = openpyxl.load_workbook(report["folder"] / f"{STEM}.xlsx")
    assert workbook.sheetnames == ["说明", "得分表", "输入文件_ _数据__清单"]
    rows = [[c.value for c in row] for row in workbook["得分表"].iter_rows()]
    assert rows == [["园区", "得分"], [HOSTILE, 61.0], ["'=1+1", 59.5], ["普通园区", -5.0]]
    files = [[c.value for c in row] for row in workbook["输入文件_ _数据__清单"].iter_rows()]
    assert files == [["文件"], [".hidden"], ["parks.csv"], ["sub"]]


def test_the_workbook_written_while_the_kernel_runs_is_the_one_written_after_it(tmp_path, monkeypatch):
    # The runner adds each table to the workbook as the kernel publishes it: with the kernel held after
    # publishing, both tables go in before the notebook ends, and the file is byte for byte what write_xlsx
    # makes of the same tables at the end (after the same zip normalization).
    from hrpark_analysis.reports import beside_kernel, runner
    from hrpark_analysis.reports.export import write_xlsx
    from hrpark_analysis.reports.export.reproducible import normalize_zip
    from hrpark_analysis.reports.manifest import report_datetime

    seen: dict[str, object] = {}

    class Watched(beside_kernel.BesideKernel):
        def kernel_done(self) -> None:
            seen.setdefault("before_the_end", [name for name, _ in self.tables])
            super().kernel_done()

        def finish(self):
            result = super().finish()
            seen["tables"] = result[0]
            return result

    monkeypatch.setattr(runner, "BesideKernel", Watched)
    folder = run(tmp_path / "out", sleep_seconds=1.0, **QUIET)
    assert seen["before_the_end"] == ["得分表", "输入文件: [数据]/清单"]
    again = tmp_path / "again.xlsx"
    assert write_xlsx(seen["tables"], again) == ["得分表", "输入文件_ _数据__清单"]
    normalize_zip(again, report_datetime(plan_report("annual", None, {"year": 2025}, notebook_dir=NOTEBOOKS)))
    assert again.read_bytes() == (folder / f"{STEM}.xlsx").read_bytes()


def test_a_failure_beside_the_kernel_is_the_run_s_failure_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    from hrpark_analysis.reports import beside_kernel

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(beside_kernel, "manifest_facts", full_disk)
    out = tmp_path / "out"
    with pytest.raises(MachineError, match="磁盘空间不足") as caught:
        run(out, **QUIET)
    assert caught.value.exit_code == 1
    assert not out.exists()


def test_rerun_without_force_refuses_and_leaves_the_report_byte_for_byte_intact(report):
    before = snapshot(report["folder"])
    with pytest.raises(OutputExistsError, match="--force"):
        run_report(
            "annual", None, report["base"] / "out", {"year": 2031}, notebook_dir=NOTEBOOKS, progress=False
        )
    assert snapshot(report["folder"]) == before
    assert leftovers(report["base"] / "out") == []


def test_force_replaces_the_report_and_a_rerun_reproduces_every_byte_of_every_file(report, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(report["folder"], out / "2031")
    (out / "2031" / "stale.txt").write_text("from the old report", "utf-8")
    cwd = Path.cwd()
    os.chdir(report["base"])  # the params file's relative paths
    try:
        folder = run_report("annual", report["params"], out, {"sleep_seconds": 0}, force=True, progress=False,
                            notebook_dir=NOTEBOOKS)  # fmt: skip
    finally:
        os.chdir(cwd)
    assert folder == out / "2031"
    assert {p.name for p in folder.iterdir()} == REPORT_FILES  # stale.txt went with the old folder
    assert leftovers(out) == []
    # Same inputs, same bytes in every file: seeds, hash seed, PNG metadata, scrubbed timestamps, the XLSX's
    # fixed dates and zip entries all hold. The manifest differs only in where the folder was written.
    again, first = snapshot(folder), snapshot(report["folder"])
    manifests = [json.loads(files.pop("manifest.json")) for files in (again, first)]
    assert again == first
    assert manifests[0].pop("out_root") == f"../{tmp_path.name}/out"  # relative, even outside the folder
    assert manifests[1].pop("out_root") == "out"
    assert manifests[0] == manifests[1]


# --- failures -----------------------------------------------------------------------------------------------
def test_a_failing_cell_is_a_report_error_with_its_message_and_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ReportError) as caught:
        run(out, fail=True, park_name="甲园区", **QUIET)
    message = str(caught.value)
    assert "ValueError" in message and "故意失败: 甲园区" in message
    assert caught.value.exit_code == 1
    assert not out.exists()  # the run created it: nothing at all is left, not even a lock file


def test_an_unknown_parameter_is_named_with_the_nearest_valid_name(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("yaer: 2025\n", "utf-8")
    with pytest.raises(ParameterError, match=r"yaer.*是否想用 year"):
        run_report("annual", params, tmp_path / "out", notebook_dir=NOTEBOOKS, progress=False)
    assert not (tmp_path / "out").exists()  # nothing is written before validation passes


def test_an_unknown_override_is_named_too():
    with pytest.raises(ParameterError, match=r"命令行.*data_dri.*是否想用 data_dir"):
        plan_report("annual", None, {"data_dri": "x"}, notebook_dir=NOTEBOOKS)


def test_out_root_is_a_params_file_key_and_not_an_override():
    with pytest.raises(ParameterError, match="out_root"):
        plan_report("annual", None, {"out_root": "x"}, notebook_dir=NOTEBOOKS)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("year", "2025", "int"),
        ("year", 2025.0, "int"),
        ("year", True, "int"),  # a bool is an int in Python, never in a params file
        ("draw_chart", 1, "bool"),
        ("sleep_seconds", "0", "float"),
        ("scores", "75", "list"),
        ("options", [1], "dict"),
        ("park_name", None, "str"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(name, value, expected):
    with pytest.raises(ParameterError, match=rf"{name} 应为 {expected}"):
        plan_report("annual", None, {name: value}, notebook_dir=NOTEBOOKS)


def test_values_of_the_right_type_are_accepted_and_an_int_for_a_float_becomes_a_float():
    plan = plan_report(
        "annual",
        None,
        {"sleep_seconds": 2, "note": "任意", "options": {}, "year": 2026},
        notebook_dir=NOTEBOOKS,
    )
    assert plan.parameters["sleep_seconds"] == 2.0 and isinstance(plan.parameters["sleep_seconds"], float)
    assert plan.parameters["note"] == "任意"
    assert plan.key == "2026"


def _notebook_with_parameters(folder: Path, source: str | None) -> Path:
    cells = [nbformat.v4.new_markdown_cell("# x")]
    if source is not None:
        cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]}))
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / f"{STEM}.ipynb")
    return folder


PYTHON_PARAMETERS = textwrap.dedent(
    """\
    import math  # not a parameter
    year: int = 2025
    policy_set: list = []  # 例如 ["grading.excellent_share=0.2"]
    threshold: float | None = None
    label = "x"  # type: str | None
    base = Path("data")
    a, b = 1, 2
    """
)


def test_the_parameters_cell_is_read_as_python(tmp_path):
    folder = _notebook_with_parameters(tmp_path, PYTHON_PARAMETERS)
    # papermill's own line parser would miss policy_set (a second "=" in its comment).
    plan = plan_report(
        "annual",
        None,
        {"policy_set": ["grading.excellent_share=0.2"], "threshold": 1, "label": None, "base": "anything"},
        notebook_dir=folder,
    )
    assert plan.parameters["threshold"] == 1.0 and isinstance(plan.parameters["threshold"], float)
    assert plan.expressions == {}  # base was given; its default Path("data") is not a literal
    assert plan_report("annual", None, {}, notebook_dir=folder).expressions == {"base": 'Path("data")'}
    for name in ("math", "a", "b"):
        with pytest.raises(ParameterError, match=f"参数 {name} 不是"):
            plan_report("annual", None, {name: 1}, notebook_dir=folder)
    with pytest.raises(ParameterError, match=r"threshold 应为 float \| None"):
        plan_report("annual", None, {"threshold": "high"}, notebook_dir=folder)
    with pytest.raises(ParameterError, match=r"label 应为 str \| None"):
        plan_report("annual", None, {"label": 3}, notebook_dir=folder)


def test_a_notebook_without_a_parameters_cell_is_refused(tmp_path):
    with pytest.raises(ReportError, match="parameters"):
        plan_report("annual", None, {}, notebook_dir=_notebook_with_parameters(tmp_path, None))


def test_a_params_file_must_be_a_mapping(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("- year\n- 2025\n", "utf-8")
    with pytest.raises(InputError, match="映射"):
        plan_report("annual", params, notebook_dir=NOTEBOOKS)


def test_a_missing_params_file_or_data_folder_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(InputError, match=r"nope\.yaml"):
        plan_report("annual", tmp_path / "nope.yaml", notebook_dir=NOTEBOOKS)
    with pytest.raises(InputError, match=r"no-such-dir.*data_dir"):
        plan_report("annual", None, {"data_dir": str(tmp_path / "no-such-dir")}, notebook_dir=NOTEBOOKS)


def test_paths_are_checked_from_the_working_directory_and_passed_as_given(tmp_path, monkeypatch):
    (tmp_path / "d").mkdir()
    monkeypatch.chdir(tmp_path)
    # The kernel runs in the working directory too, so the notebook gets exactly what the user wrote.
    assert (
        plan_report("annual", None, {"data_dir": "d"}, notebook_dir=NOTEBOOKS).parameters["data_dir"] == "d"
    )
    absolute = str(tmp_path / "d")
    plan = plan_report("annual", None, {"data_dir": absolute}, notebook_dir=NOTEBOOKS)
    assert plan.parameters["data_dir"] == absolute
    assert plan_report("annual", None, {"data_dir": ""}, notebook_dir=NOTEBOOKS).parameters["data_dir"] == ""
    monkeypatch.chdir(tmp_path / "d")
    with pytest.raises(InputError, match="data_dir"):
        plan_report("annual", None, {"data_dir": "d"}, notebook_dir=NOTEBOOKS)


def test_an_unknown_kind_suggests_the_nearest_and_a_missing_notebook_is_named(tmp_path):
    with pytest.raises(ParameterError, match="是否想用 annual"):
        plan_report("anual", notebook_dir=NOTEBOOKS)
    with pytest.raises(ReportError, match=r"sensitivity\.ipynb"):
        plan_report("sensitivity", notebook_dir=tmp_path)


@pytest.mark.parametrize(
    ("kind", "params", "key"),
    [
        ("annual", {"year": 2025}, "2025"),
        ("sensitivity", {"year": 2025, "draws": 10}, "sensitivity-2025"),
        ("forecast", {"start_year": 2026, "end_year": 2030}, "forecast-2026-2030"),
        ("forecast", {"base_year": 2025, "horizon": 2030}, "forecast-2026-2030"),
        ("forecast", {"base_year": 2025, "horizon": 5}, "forecast-2026-2030"),
        ("forecast", {"year": 2025, "end_year": 2027}, "forecast-2026-2027"),
    ],
)
def test_report_keys(kind, params, key):
    assert report_key(kind, params) == key


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("annual", {}),
        ("annual", {"year": "2025"}),
        ("annual", {"year": 25}),
        ("forecast", {"base_year": 2025}),
        ("forecast", {"start_year": 2030, "end_year": 2026}),
    ],
)
def test_report_keys_need_sensible_years(kind, params):
    with pytest.raises(ParameterError):
        report_key(kind, params)


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("None", None),  # papermill's word for "no annotation"
        ("int", ((int,), False)),
        ("str | None", ((str,), True)),
        ("Optional[list[str]]", ((list,), True)),
        ("dict[str, float]", ((dict,), False)),
        ("Path", None),
    ],
)
def test_annotations_map_to_accepted_types(annotation, expected):
    assert _annotation_types(annotation) == expected


# --- interrupted and concurrent runs ----------------------------------------------------------------------
RUNNER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from hrpark_analysis.reports.runner import run_report
    run_report("annual", None, Path(sys.argv[1]), json.loads(sys.argv[2]), progress=False,
               notebook_dir=Path(sys.argv[3]))
    """
)


def start_runner(out: Path, **overrides) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(out), json.dumps({**QUIET, **overrides}), str(NOTEBOOKS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_until_executing(out: Path, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until the fixture notebook has published its tables (it then sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any((tmp / "tables" / "index.json").exists() for tmp in out.glob(".tmp-2025-*")):
            return
        if proc.poll() is not None:
            pytest.fail(f"runner exited early: {proc.communicate()}")
        time.sleep(0.05)
    pytest.fail("runner never reached the sleeping cell")


@pytest.fixture
def runner_procs():
    procs: list[subprocess.Popen] = []
    yield procs
    for proc in procs:  # never leave a sleeping runner behind, even when a test fails
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def test_a_second_run_of_the_same_key_fails_cleanly_while_the_first_completes(tmp_path, runner_procs):
    out = tmp_path / "out"
    first = start_runner(out, sleep_seconds=2.0)
    runner_procs.append(first)
    wait_until_executing(out, first)
    with pytest.raises(ReportError, match="正在生成"):
        run_report("annual", None, out, QUIET, progress=False, notebook_dir=NOTEBOOKS, lock_timeout=0.2)
    assert first.wait(timeout=90) == 0, first.stderr.read().decode()
    assert {p.name for p in (out / "2025").iterdir()} == REPORT_FILES
    assert leftovers(out) == []
    # Once the first has finished, a second run gets the lock and refuses the existing report.
    with pytest.raises(OutputExistsError):
        run_report("annual", None, out, QUIET, progress=False, notebook_dir=NOTEBOOKS, lock_timeout=0.2)


def test_sigterm_mid_run_removes_the_temporary_folder(tmp_path, runner_procs):
    out = tmp_path / "out"
    proc = start_runner(out, sleep_seconds=60.0)
    runner_procs.append(proc)
    wait_until_executing(out, proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) != 0
    assert not out.exists()  # the run created it: no report, no temporary folder, no lock file


def test_sigkill_mid_run_leaves_no_report_and_the_next_run_cleans_up(tmp_path, runner_procs):
    out = tmp_path / "out"
    proc = start_runner(out, sleep_seconds=60.0)
    runner_procs.append(proc)
    wait_until_executing(out, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (out / "2025").exists()
    stale = leftovers(out)
    assert len(stale) == 1 and stale[0].startswith(".tmp-2025-")  # SIGKILL cannot be caught …
    folder = run(out, **QUIET)  # … so the next run of the key removes it (the OS lock died with the process)
    assert {p.name for p in folder.iterdir()} == REPORT_FILES
    assert leftovers(out) == []


def test_a_forced_run_killed_between_its_renames_gets_the_old_report_back(tmp_path):
    # Simulate the state after `rename(final, old)` and before `rename(tmp, final)`.
    out = tmp_path / "out"
    old = out / ".old-2025-0123abcd"
    old.mkdir(parents=True)
    (old / "manifest.json").write_text("{}", "utf-8")
    (out / ".tmp-2025-abcd1234").mkdir()
    with pytest.raises(OutputExistsError):
        run_report("annual", None, out, QUIET, progress=False, notebook_dir=NOTEBOOKS)
    assert (out / "2025" / "manifest.json").read_text("utf-8") == "{}"
    assert leftovers(out) == []
