"""Regenerate the committed nbval baselines from their jupytext ``py:percent`` sources.

    make baselines            # all notebooks
    .venv/bin/python scripts/refresh_baselines.py sensitivity

Each ``hrpark_analysis/reports/notebooks/NAME.py`` is converted to ``NAME.ipynb``, executed in that folder with
``PYTHONHASHSEED=0`` (as nbval re-runs it), and written without execution timestamps, so that a refresh
with unchanged code and data changes nothing in git (cell ids are fixed too).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "hrpark_analysis" / "reports" / "notebooks"


def refresh(name: str) -> Path:
    source = NOTEBOOKS / f"{name}.py"
    target = NOTEBOOKS / f"{name}.ipynb"
    nb = jupytext.read(source)
    os.environ["PYTHONHASHSEED"] = "0"  # the kernel inherits it, as under `make test`
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    nb.metadata.pop("widgets", None)  # ipywidgets state (explore.ipynb): its model ids change on every run
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):  # a widget's view keeps only its text form, stable across runs
            output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
        cell["id"] = f"cell-{i:02d}"  # jupytext draws random ids; fixed ones keep refreshes diff-free
    nbformat.write(nb, target)
    return target


def main(names: list[str]) -> None:
    names = names or sorted(p.stem for p in NOTEBOOKS.glob("*.py"))
    for name in names:
        print(f"refreshing {name}.ipynb …", file=sys.stderr)
        refresh(name)


if __name__ == "__main__":
    main(sys.argv[1:])
