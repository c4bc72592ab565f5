"""The table protocol: a report notebook hands its tables to the report runner, one XLSX sheet each.

::

    from hrpark_analysis.reports.export import publish_table
    publish_table(scores, "得分表")          # returns ``scores``, so it can end a cell and display

When the environment variable ``HRPARK_OUTPUT_DIR`` (:data:`OUTPUT_DIR_ENV`) names a folder, the runner
(``reports.runner.run_report``) is executing the notebook and each call writes the frame as a pickle
``<dir>/tables/NN.pkl`` (``NN`` = 01, 02, … in call order) and appends ``{"file", "name"}`` to
``<dir>/tables/index.json``. When it is not set (JupyterLab, nbval re-running the committed baseline in place)
the call writes nothing and only returns the frame. An environment variable rather than a notebook parameter
keeps the runner's temporary path out of the executed notebook. Pickles keep dtypes exactly; they are read
back only by the runner (:func:`published_tables`), from the folder it created, with the same interpreter,
and are deleted after the XLSX is built.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

OUTPUT_DIR_ENV = "HRPARK_OUTPUT_DIR"
TABLES_DIR = "tables"
TABLES_INDEX = "index.json"


def publish_table(df: pd.DataFrame, name_zh: str, *, output_dir: str | Path | None = None) -> pd.DataFrame:
    """Hand ``df`` to the report runner as the next XLSX sheet, titled ``name_zh``; return ``df`` unchanged.

    Writes only when ``output_dir`` or the ``HRPARK_OUTPUT_DIR`` environment variable is set (the runner sets
    it); otherwise it is a no-op, so notebooks run in JupyterLab or under nbval write nothing.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"publish_table expects a DataFrame, got {type(df).__name__}")
    target = output_dir if output_dir is not None else os.environ.get(OUTPUT_DIR_ENV)
    if not target:
        return df
    tables = Path(target) / TABLES_DIR
    tables.mkdir(parents=True, exist_ok=True)
    index_path = tables / TABLES_INDEX
    index = json.loads(index_path.read_text("utf-8")) if index_path.exists() else []
    file = f"{len(index) + 1:02d}.pkl"
    df.to_pickle(tables / file)
    index.append({"file": file, "name": str(name_zh)})
    # Rewrite the whole index so that a reader never sees a half-appended entry list.
    tmp = index_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(index, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, index_path)
    return df


def published_tables(output_dir: str | Path) -> list[tuple[str, pd.DataFrame]]:
    """The ``(name, frame)`` pairs published into ``output_dir``, in publication order (empty if none)."""
    return published_since(output_dir, 0)


def published_since(output_dir: str | Path, start: int) -> list[tuple[str, pd.DataFrame]]:
    """The tables published into ``output_dir`` after the first ``start``, in order: safe to call while the
    notebook still publishes (a table's pickle is complete before the index names it)."""
    tables = Path(output_dir) / TABLES_DIR
    index_path = tables / TABLES_INDEX
    if not index_path.exists():
        return []
    entries = json.loads(index_path.read_text("utf-8"))[start:]
    return [(entry["name"], pd.read_pickle(tables / entry["file"])) for entry in entries]
