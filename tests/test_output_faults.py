"""Faults of the machine and of output paths end in one ``hrpark: 错误:`` line, never a traceback (issue 12).

A path that cannot be used is exit 2; the machine failing a valid request (a full disk) is exit 1. Either
way nothing partial is left where the output would be, two writers into one folder cannot both succeed, and
what a killed writer left behind is removed by the next one.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from hrpark_analysis.cli import main
from hrpark_analysis.engine.dataset import SAMPLE_DIR
from hrpark_analysis.errors import MachineError, ReportError
from hrpark_analysis.io import publish, tables
from hrpark_analysis.reports.runner import run_report

PARKS = SAMPLE_DIR / "parks.csv"
EVALS = SAMPLE_DIR / "evaluations.csv"
NOTEBOOKS = Path(__file__).resolve().parent / "fixtures" / "notebooks"


def run(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hrpark: 错误: "), err
    assert "Traceback" not in err
    return lines[0]


def evaluate(capsys, out, *extra) -> tuple[int, str]:
    return run(capsys, "evaluate", "--parks", PARKS, "--evaluations", EVALS, "--out", out, *extra)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# --- bad output paths: exit 2 ------------------------------------------------------------------------------
def test_out_that_is_a_regular_file_is_named_and_left_alone(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("out").write_text("my notes", "utf-8")
    code, err = evaluate(capsys, "out")
    assert code == 2
    line = one_error_line(err)
    assert "out" in line and "不是文件夹" in line
    assert Path("out").read_text("utf-8") == "my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_out_under_a_regular_file_is_named(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("notes").write_text("x", "utf-8")
    code, err = evaluate(capsys, "notes/out")
    assert code == 2 and "notes" in one_error_line(err) and "不是文件夹" in err


def test_out_that_is_a_dangling_symlink_is_named_and_not_followed(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink(tmp_path / "gone", "out")
    code, err = evaluate(capsys, "out")
    assert code == 2
    line = one_error_line(err)
    assert "out" in line and "符号链接" in line
    assert os.path.islink("out") and not (tmp_path / "gone").exists()


def test_out_under_a_read_only_parent_is_exit_2_naming_the_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # Tests may run as root, whom permissions do not stop: the OS's answer for a read-only filesystem is
    # simulated at the one call that creates folders.
    real_mkdir = os.mkdir

    def read_only(path, *args, **kwargs):
        if Path(os.path.abspath(path)).parent == tmp_path / "ro":
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *args, **kwargs)

    Path("ro").mkdir()
    monkeypatch.setattr(os, "mkdir", read_only)
    code, err = evaluate(capsys, "ro/out")
    assert code == 2
    line = one_error_line(err)
    assert "ro/out" in line and "只读" in line
    assert list(Path("ro").iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_under_a_read_only_parent_for_real(capsys, tmp_path, monkeypatch):  # pragma: no cover - as root
    monkeypatch.chdir(tmp_path)
    Path("ro").mkdir()
    os.chmod("ro", 0o555)
    try:
        code, err = evaluate(capsys, "ro/out")
    finally:
        os.chmod("ro", 0o755)
    assert code == 2 and "ro/out" in one_error_line(err)


def test_a_report_into_an_out_that_is_a_file_is_refused_before_anything_runs(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("out").write_text("my notes", "utf-8")
    code, err = run(capsys, "report", "annual", "--year", 2025, "--out", "out")
    assert code == 2
    assert "out" in one_error_line(err) and "不是文件夹" in err
    assert Path("out").read_text("utf-8") == "my notes"


def test_a_report_into_a_dangling_symlink_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink(tmp_path / "gone", "out")
    code, err = run(capsys, "report", "annual", "--year", 2025, "--out", "out")
    assert code == 2 and "符号链接" in one_error_line(err)
    assert not (tmp_path / "gone").exists()


def test_any_other_os_error_is_one_line_naming_its_path(capsys, tmp_path, monkeypatch):
    from hrpark_analysis.engine import sample

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "locked.csv"))

    monkeypatch.setattr(sample, "write_sample", denied)
    code, err = run(capsys, "sample", "--out", tmp_path / "s")
    assert code == 2
    line = one_error_line(err)
    assert "locked.csv" in line and "没有权限" in line


# --- the machine's faults: exit 1, nothing partial ----------------------------------------------------------
def full_disk_after(monkeypatch, n_ok: int) -> None:
    """write_csv writes ``n_ok`` files, then half of the next one and fails as a full disk does."""
    real = tables.write_csv
    calls = {"n": 0}

    def write_csv(frame, path, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > n_ok:
            Path(path).write_text("park_id,ye", "utf-8")
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(frame, path, *args, **kwargs)

    monkeypatch.setattr(tables, "write_csv", write_csv)


def test_a_disk_that_fills_while_writing_is_exit_1_and_leaves_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    full_disk_after(monkeypatch, 1)
    code, err = evaluate(capsys, "new/out")
    assert code == 1
    line = one_error_line(err)
    assert "new/out" in line and "磁盘空间不足" in line
    assert list(tmp_path.iterdir()) == []  # not even the folders this run created


def test_a_full_disk_during_a_forced_rewrite_keeps_the_previous_outputs(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert evaluate(capsys, "out")[0] == 0
    before = {p.name: p.read_bytes() for p in Path("out").iterdir()}
    full_disk_after(monkeypatch, 1)
    code, err = evaluate(capsys, "out", "--force")
    assert code == 1 and "磁盘空间不足" in one_error_line(err)
    assert {p.name: p.read_bytes() for p in Path("out").iterdir()} == before


def test_a_rename_that_fails_half_way_takes_the_first_file_back(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("out").mkdir()
    real_replace = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        if Path(dst).name == "ledger.csv":
            calls["n"] += 1
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code, err = evaluate(capsys, "out")
    assert code == 1 and "磁盘读写错误" in one_error_line(err) and calls["n"] == 1
    assert list(Path("out").iterdir()) == []  # grades.csv went back out with the rest


def test_a_full_disk_while_exporting_a_report_is_exit_1_and_leaves_nothing(tmp_path, monkeypatch):
    from hrpark_analysis.reports import export

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.html"))

    monkeypatch.setattr(export, "to_html", full)
    out = tmp_path / "out"
    with pytest.raises(MachineError, match=r"磁盘空间不足"):
        run_report("annual", None, out, {"draw_chart": False}, progress=False, notebook_dir=NOTEBOOKS)
    assert not out.exists()


# --- two writers, killed writers ------------------------------------------------------------------------------
def test_two_evaluate_runs_into_one_folder_cannot_both_succeed(capsys, tmp_path, monkeypatch):
    out = tmp_path / "out"
    waiting = threading.Event()
    real_sleep = time.sleep

    def sleep(seconds):  # the lock's wait loop sleeps: the second run is waiting for the first
        waiting.set()
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    second: dict[str, int] = {}
    with publish.output_files(out, ["grades.csv", "ledger.csv"]) as tmp:  # the first run, mid-write
        thread = threading.Thread(target=lambda: second.update(code=main(
            ["evaluate", "--parks", str(PARKS), "--evaluations", str(EVALS), "--out", str(out)])))  # fmt: skip
        thread.start()
        assert waiting.wait(20), "the second run did not wait for the first"
        (tmp / "grades.csv").write_text("first", "utf-8")
        (tmp / "ledger.csv").write_text("first", "utf-8")
    thread.join(60)
    assert second["code"] == 2
    assert "已存在" in capsys.readouterr().err
    assert (out / "grades.csv").read_text("utf-8") == "first"
    assert sorted(p.name for p in out.iterdir()) == ["grades.csv", "ledger.csv"]  # no lock file either


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from hrpark_analysis.io.publish import output_files, temporary_folder
    out = Path(sys.argv[1])
    if sys.argv[2] == "report":
        (temporary_folder(out, "2025") / "half.ipynb").write_text("{", "utf-8")
        os.kill(os.getpid(), signal.SIGKILL)
    with output_files(out, ["grades.csv"]) as tmp:
        (tmp / "grades.csv").write_text("park_id,ye", "utf-8")
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.parametrize("writer", ["evaluate", "report"])
def test_the_next_run_removes_what_a_sigkilled_writer_left(capsys, tmp_path, writer):
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(out), writer], check=False)
    assert proc.returncode == -9
    stale = [p.name for p in out.iterdir() if p.name.startswith(".tmp-")]
    assert len(stale) == 1
    mine = out / ".tmp-notes"  # a folder of the user's that happens to look similar: no marker, kept
    mine.mkdir()
    alive = out / ".tmp-abcdefgh"  # a writer still running (this test): kept
    alive.mkdir()
    (alive / publish.OWNER_MARKER).write_text(f"{os.getpid()}\n", "ascii")
    code, _ = evaluate(capsys, out)
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".tmp-abcdefgh",
        ".tmp-notes",
        "grades.csv",
        "ledger.csv",
    ]


def test_a_marker_with_a_dead_pid_is_stale_and_a_live_one_is_not(tmp_path):
    dead, live = tmp_path / ".tmp-deadbeef", tmp_path / ".tmp-2026-livelive"
    for folder, pid in ((dead, dead_pid()), (live, os.getpid())):
        folder.mkdir()
        (folder / publish.OWNER_MARKER).write_text(f"{pid}\n", "ascii")
    publish.clean_stale(tmp_path, "2025")
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name]


# --- a bound on execution; the lock is released on every way out ---------------------------------------------
def test_a_hung_cell_times_out_and_releases_the_lock(tmp_path):
    out = tmp_path / "out"
    started = time.monotonic()
    with pytest.raises(ReportError, match="超时"):
        run_report("annual", None, out, {"draw_chart": False, "sleep_seconds": 120.0}, progress=False,
                   notebook_dir=NOTEBOOKS, timeout=3)  # fmt: skip
    assert time.monotonic() - started < 100
    assert not out.exists()  # no lock file, no temporary folder, and the folder this run created is gone
    with publish.key_lock(tmp_path, "2025", timeout=0):  # and nobody holds the lock
        pass


def test_a_disk_that_fills_while_the_notebook_is_written_names_the_report_folder(tmp_path, monkeypatch):
    import papermill

    def full(notebook, output, **kwargs):
        Path(output).write_text('{"cells": [', "utf-8")
        raise OSError(errno.ENOSPC, "No space left on device", output)

    monkeypatch.setattr(papermill, "execute_notebook", full)
    out = tmp_path / "out"
    with pytest.raises(MachineError) as caught:
        run_report("annual", None, out, {"draw_chart": False}, progress=False, notebook_dir=NOTEBOOKS)
    assert caught.value.exit_code == 1
    assert str(caught.value) == f"无法写入 {out / '2025'}: 磁盘空间不足"  # not the temporary file inside
    assert not out.exists()


def test_a_negative_timeout_is_refused_before_anything_runs(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "report", "annual", "--year", 2025, "--timeout", -1, "--out", "out")
    assert code == 2 and "--timeout" in one_error_line(err)
    assert not (tmp_path / "out").exists()
