"""``hrpark report verify DIR`` and the manifest it rebuilds from (issue 11).

One report of the tiny fixture notebook (tests/fixtures/notebooks) is published from a working folder, with a
data folder outside it given as an absolute path. Verifying re-runs the notebook (a kernel start, seconds), so
only the identical case and the changed-output case run it; a changed or missing input is refused before.
The real reports are verified in their own test files, on the report their module already made.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from hrpark_analysis.cli import main
from hrpark_analysis.reports.charts import cjk_font_path
from hrpark_analysis.reports.runner import run_report

NOTEBOOKS = Path(__file__).resolve().parent / "fixtures" / "notebooks"
REPO = Path(__file__).resolve().parents[1]
STEM = "annual_evaluation"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("verify")
    work, data = base / "work", base / "elsewhere" / "data"
    data.mkdir(parents=True)
    work.mkdir()
    (data / "parks.csv").write_text("park_id,name\nP01,示例园区\n", "utf-8")
    (work / "params.yaml").write_text("year: 2032\ndraw_chart: false\nout_root: reports\n", "utf-8")
    cwd = Path.cwd()
    os.chdir(work)
    try:
        # Two overrides out of alphabetical order, as `--year 2032 --data …` gives them: papermill injects them
        # in this order, so the rerun must too.
        overrides = {"park_name": "乙园区", "data_dir": str(data)}
        folder = run_report("annual", Path("params.yaml"), overrides=overrides, progress=False,
                            notebook_dir=NOTEBOOKS)  # fmt: skip
    finally:
        os.chdir(cwd)
    return {"base": base, "work": work, "data": data, "folder": folder}


def verify(folder: Path, cwd: Path, capsys) -> tuple[int, str, str]:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(["report", "verify", str(folder)])
    finally:
        os.chdir(previous)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_fresh_report_verifies_identical_even_from_another_folder(published, capsys):
    # Run from the folder above: the run folder is found from the manifest's out_root and DIR's location.
    code, out, err = verify(published["folder"], published["base"], capsys)
    assert code == 0, out + err
    assert "不一致" not in out
    for name in (f"{STEM}.ipynb", f"{STEM}.html", f"{STEM}.xlsx"):
        assert f"一致: {name}" in out
    assert "可以复现" in out


def test_one_changed_byte_of_an_input_is_named_and_nothing_is_run(published, capsys):
    parks = published["data"] / "parks.csv"
    original = parks.read_bytes()
    parks.write_bytes(original.replace(b"P01", b"P02"))
    try:
        code, out, err = verify(published["folder"], published["work"], capsys)
    finally:
        parks.write_bytes(original)
    assert code == 2
    assert err.startswith("hrpark: 错误: ") and err.count("\n") == 1
    assert "../elsewhere/data/parks.csv 已改变" in err
    assert "重新运行" not in out and out == ""


def test_a_missing_input_is_named_with_exit_2(published, capsys):
    params = published["work"] / "params.yaml"
    saved = params.read_bytes()
    params.unlink()
    try:
        code, _, err = verify(published["folder"], published["work"], capsys)
    finally:
        params.write_bytes(saved)
    assert code == 2 and "params.yaml 不存在" in err


def test_a_changed_output_is_named_with_exit_1(published, capsys, tmp_path):
    copy = published["work"] / "reports" / "2032-copy"
    shutil.copytree(published["folder"], copy)
    try:
        xlsx = copy / f"{STEM}.xlsx"
        data = bytearray(xlsx.read_bytes())
        data[len(data) // 2] ^= 0x01
        xlsx.write_bytes(bytes(data))
        code, out, _ = verify(copy, published["work"], capsys)
    finally:
        shutil.rmtree(copy)
    assert code == 1
    assert f"不一致: {STEM}.xlsx" in out and f"一致: {STEM}.ipynb" in out
    assert "不能复现" in out and out.rstrip().endswith(f"{STEM}.xlsx")


def test_a_folder_without_a_manifest_is_a_user_error(tmp_path, capsys):
    code, _, err = verify(tmp_path, tmp_path, capsys)
    assert code == 2 and "manifest.json" in err


def test_report_verify_keeps_the_report_contract():
    # `hrpark report annual ...` still parses as before; a stray folder argument is refused.
    assert main(["report", "annual", "some/folder", "--year", "2025"]) == 2


# --- what the manifest records --------------------------------------------------------------------------------
def test_the_manifest_records_the_regulation_text_the_sheet_and_the_font_with_their_sha256(published):
    manifest = json.loads((published["folder"] / "manifest.json").read_text("utf-8"))
    inputs = {entry["role"]: entry for entry in manifest["inputs"]}
    text = REPO / "hrpark_analysis" / "law" / "measures-2021.zh.txt"
    assert inputs["regulation_text"]["path"] == "hrpark_analysis/law/measures-2021.zh.txt"
    assert inputs["regulation_text"]["sha256"] == sha256(text)
    assert inputs["cjk_font"]["sha256"] == sha256(cjk_font_path())
    assert inputs["policy_file"]["path"] == "hrpark_analysis/law/policy-2021.yaml"
    assert inputs["policy_file"]["sha256"] == sha256(REPO / "hrpark_analysis" / "law" / "policy-2021.yaml")
    assert inputs["params_file"] == {**inputs["params_file"], "path": "params.yaml"}
    assert manifest["seeds"]["PYTHONHASHSEED"] == "0"


def test_the_manifest_records_the_commit_the_code_hash_and_the_environment(published):
    manifest = json.loads((published["folder"] / "manifest.json").read_text("utf-8"))
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:  # a checkout (CI's clean clone is one)
        assert manifest["code"]["git"]["commit"] == head.stdout.strip()
        assert isinstance(manifest["code"]["git"]["dirty"], bool)
    assert len(manifest["code"]["sha256"]) == 64 and manifest["code"]["files"] > 50
    env = manifest["environment"]
    packages = (published["folder"] / "environment.txt").read_text("utf-8").splitlines()
    assert env["sha256"] == sha256(published["folder"] / "environment.txt")
    assert env["packages"] == len(packages) and len(packages) > 50
    assert any(line.startswith("numpy==") for line in packages)
    assert any(line.lower().startswith(("openpyxl==", "scipy==")) for line in packages)
    assert env["python"].count(".") == 2 and env["blas"].get("name")
    outputs = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert outputs == {
        n: sha256(published["folder"] / n)
        for n in (f"{STEM}.ipynb", f"{STEM}.html", f"{STEM}.pdf", f"{STEM}.docx", f"{STEM}.xlsx")
    }


def test_a_data_folder_outside_the_working_folder_appears_nowhere_as_an_absolute_path(published):
    manifest = json.loads((published["folder"] / "manifest.json").read_text("utf-8"))
    inputs = {entry["role"]: entry for entry in manifest["inputs"]}
    assert inputs["data_dir"]["path"] == "../elsewhere/data"
    assert manifest["parameters"]["data_dir"] == "../elsewhere/data"
    assert manifest["out_root"] == "reports"
    import pypdf

    folder = published["folder"]
    texts = {
        p.name: p.read_text("utf-8")
        for p in folder.iterdir()
        if p.suffix in (".ipynb", ".html", ".json", ".txt")
    }
    for office in (f"{STEM}.xlsx", f"{STEM}.docx"):  # every XML part of the zip, pictures left out
        with zipfile.ZipFile(folder / office) as book:
            texts.update(
                {
                    f"{office}:{n}": book.read(n).decode("utf-8")
                    for n in book.namelist()
                    if n.endswith((".xml", ".rels"))
                }
            )
    pdf = pypdf.PdfReader(folder / f"{STEM}.pdf")
    texts[f"{STEM}.pdf"] = "\n".join(page.extract_text() for page in pdf.pages) + str(pdf.metadata)
    assert "../elsewhere/data" in texts[f"{STEM}.ipynb"]
    for name, text in texts.items():
        for absolute in (str(published["base"]), str(published["base"].resolve())):
            assert absolute not in text, f"{name} contains {absolute}"
