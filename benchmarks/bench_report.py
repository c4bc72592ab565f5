"""Issue 10 benchmark: the whole annual report run against the toolchain floor, side by side.

The report run is ``hrpark report annual --params params/annual-2025.yaml --force`` (executed notebook, HTML,
PDF, DOCX, XLSX, manifest). The floor is what any papermill report costs in the same environment: papermill
runs a two-cell notebook (a parameters cell and one ``print``) and nbconvert exports it to HTML, in a fresh
process. Both run as whole processes, alternately (A B A B …), and the ratio is taken pair by pair so that a
machine whose speed drifts does not bias it. Target: median ratio ≤ 1.5 (the PDF and Word files must not
cost a second kernel).

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_report.py [RUNS]`` (default 5 pairs after one
warm-up pair); ``bench_report.py --floor FOLDER`` runs the floor alone, to time it with another tool (e.g.
``/usr/bin/time -v``). Not a test: timings vary with the machine's load.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5

FLOOR = """
import sys
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter

folder = Path(sys.argv[-1])
nb = nbformat.v4.new_notebook()
nb.cells = [
    nbformat.v4.new_code_cell("year = 2025", metadata={"tags": ["parameters"]}),
    nbformat.v4.new_code_cell('print(f"{year} 年")'),
]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
source, executed = folder / "floor.ipynb", folder / "floor-out.ipynb"
nbformat.write(nb, source)
papermill.execute_notebook(str(source), str(executed), parameters={"year": 2025}, kernel_name="python3",
                           progress_bar=False)
body, _ = HTMLExporter().from_filename(str(executed))
(folder / "floor.html").write_text(body, "utf-8")
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    if sys.argv[1:2] == ["--floor"]:  # the floor alone, in this process: for timing it with other tools
        exec(FLOOR, {"__name__": "floor"})  # reads the folder from sys.argv[-1]
        return
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    python = sys.executable
    hrpark = str(Path(python).with_name("hrpark"))
    with tempfile.TemporaryDirectory(prefix="hrpark-bench-") as tmp:
        out = Path(tmp) / "reports"
        report = [
            hrpark,
            "report",
            "annual",
            "--params",
            "params/annual-2025.yaml",
            "--out",
            str(out),
            "--force",
        ]
        floor = [python, "-c", FLOOR, tmp]
        reports, floors = [], []
        for i in range(runs + 1):  # the first pair warms the disk cache and is not counted
            r, f = timed(report), timed(floor)
            if i:
                reports.append(r)
                floors.append(f)
        outputs = sorted(p.name for p in (out / "2025").iterdir())
    ratios = [r / f for r, f in zip(reports, floors, strict=True)]
    print(f"annual report run ({', '.join(outputs)}):")
    print(
        f"  report  median {statistics.median(reports):.2f} s  (min {min(reports):.2f}, max {max(reports):.2f})"
    )
    print(
        f"  floor   median {statistics.median(floors):.2f} s  (papermill two-cell notebook + nbconvert HTML)"
    )
    ratio = statistics.median(ratios)
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"  ratio   median {ratio:.2f}×  (pairs: {', '.join(f'{x:.2f}' for x in ratios)}; {verdict} {TARGET_RATIO}×)"
    )


if __name__ == "__main__":
    main()
