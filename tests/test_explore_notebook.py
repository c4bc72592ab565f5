"""explore.ipynb (issue 16): the committed baseline is its jupytext source executed, it ships in the wheel,
and its live controls re-grade when a control moves (run here outside Jupyter, as plain Python)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "hrpark_analysis" / "reports" / "notebooks"


def test_baseline_is_the_source_and_ships_in_the_wheel():
    source = jupytext.read(NOTEBOOKS / "explore.py")
    baseline = nbformat.read(NOTEBOOKS / "explore.ipynb", as_version=4)
    assert [c.source for c in source.cells] == [c.source for c in baseline.cells]
    ignored = [c for c in baseline.cells if c.cell_type == "code" and "NBVAL_IGNORE_OUTPUT" in c.source]
    assert len(ignored) == 1 and "interactive_output" in ignored[0].source  # only the widgets' cell
    assert "widgets" not in baseline.metadata  # no widget model ids committed
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    for name in ("explore.ipynb", "explore.py"):
        assert any(fnmatch(f"reports/notebooks/{name}", pattern) for pattern in data["hrpark_analysis"])


def test_the_notebook_calls_only_the_public_api_for_results():
    code = "\n".join(c.source for c in jupytext.read(NOTEBOOKS / "explore.py").cells if c.cell_type == "code")
    assert "from hrpark_analysis.engine" not in code and "from hrpark_analysis.rules" not in code
    for call in (
        "hp.load_policy",
        "hp.sample_dataset",
        "hp.evaluate",
        "hp.compare",
        "hp.sweep",
        "hp.monte_carlo",
    ):
        assert call in code


def test_moving_a_control_regrades(capsys, monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {}
    cells = [c.source for c in jupytext.read(NOTEBOOKS / "explore.py").cells if c.cell_type == "code"]
    exec(compile("\n\n".join(cells), "explore.py", "exec"), namespace)
    capsys.readouterr()
    namespace["controls"]["excellent_share"].value = 0.2
    out = capsys.readouterr().out
    # 24 parks take part in 2025: 20% gives floor(4.8) = 4 places (第二十四条), and the four 优秀 lost over
    # 2023–2025 (2 → 1, 4 → 3, 6 → 4) are the park-years that change against the baseline
    assert "优秀名额 4 个；优秀 4 个" in out
    assert "与基准政策相比有变化的园区年度: 4 个" in out
    namespace["controls"]["pass_mark"].value = 65.0
    assert "不合格 5 个" in capsys.readouterr().out  # P04 62.07 and P07 60.00 fall below 65 too: 3 + 2
