"""reports.progress: progress from inside a notebook reaches the terminal (never the notebook); papermill kept quiet.

The whole path — a real notebook writing progress while the runner echoes it — is exercised end to end in
tests/test_sensitivity_report.py; these tests pin the two halves and the logging filter without a kernel.
"""

from __future__ import annotations

import logging

import pytest

from hrpark_analysis.reports import progress
from hrpark_analysis.reports.execute import quiet_parameter_warnings
from hrpark_analysis.reports.progress import PROGRESS_FILE_ENV, ProgressEcho, progress_reporter


def test_outside_the_runner_there_is_no_reporter(monkeypatch):
    monkeypatch.delenv(PROGRESS_FILE_ENV, raising=False)
    assert progress_reporter("蒙特卡洛抽样") is None


def test_the_reporter_writes_a_line_each_time_a_new_step_is_reached(tmp_path, monkeypatch):
    path = tmp_path / "progress.log"
    monkeypatch.setenv(PROGRESS_FILE_ENV, str(path))
    update = progress_reporter("抽样", steps=5)
    for done in range(10, 101, 10):  # steps of a fifth: 0 1 1 2 2 3 3 4 4 5
        update(done, 100)
    assert path.read_text("utf-8").splitlines() == [
        "抽样: 10/100 (10%)",
        "抽样: 20/100 (20%)",
        "抽样: 40/100 (40%)",
        "抽样: 60/100 (60%)",
        "抽样: 80/100 (80%)",
        "抽样: 100/100 (100%)",
    ]


def test_thousands_are_grouped_in_a_line(tmp_path, monkeypatch):
    path = tmp_path / "progress.log"
    monkeypatch.setenv(PROGRESS_FILE_ENV, str(path))
    progress_reporter("抽样")(25_000, 100_000)
    assert path.read_text("utf-8") == "抽样: 25,000/100,000 (25%)\n"


def test_the_echo_prints_complete_lines_once_and_waits_for_a_partial_one(tmp_path):
    path = tmp_path / "progress.log"
    said: list[str] = []
    echo = ProgressEcho(path, said.append)
    echo.drain()  # no file yet: nothing, no error
    assert said == []
    path.write_bytes("第一行\n第二".encode())
    echo.drain()
    assert said == ["  第一行"]
    with open(path, "ab") as handle:
        handle.write("行\n".encode())
    echo.drain()
    echo.drain()
    assert said == ["  第一行", "  第二行"]


def test_the_echo_thread_drains_what_was_written_before_it_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_POLL", 60.0)  # the thread never polls: only the final drain runs
    path = tmp_path / "progress.log"
    said: list[str] = []
    echo = ProgressEcho(path, said.append)
    echo.start()
    path.write_text("a\nb\n", "utf-8")
    echo.stop()
    assert said == ["  a", "  b"]
    assert not echo.is_alive()


@pytest.mark.parametrize("logger", ["papermill", "papermill.translators"])
def test_papermills_parameter_warnings_are_dropped_from_every_papermill_logger(logger, caplog):
    message = "Unable to parse line 4 'policy_set: list = []  # 例如 [\"a=b\"]'."
    with caplog.at_level(logging.WARNING):
        with quiet_parameter_warnings():
            logging.getLogger(logger).warning(message)
            logging.getLogger(logger).warning("Kernel died")
        logging.getLogger(logger).warning(message)  # the filter is gone afterwards
    assert [r.getMessage() for r in caplog.records] == ["Kernel died", message]
