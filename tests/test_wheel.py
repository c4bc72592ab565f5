"""The package works from an installed wheel, run from a folder that has nothing to do with the checkout.

The wheel is built from a copy of the sources (so no ``build/`` or egg-info lands in the checkout) and
installed with ``--no-deps`` into a fresh virtual environment. The project's dependencies are made visible the
fast way: a ``.pth`` file in the new environment lists this environment's site-packages directory (a plain path
line: the editable ``hrpark_analysis`` finder there is not activated that way, so ``import hrpark_analysis``
finds the wheel's copy) and ``JUPYTER_PATH`` its ``share/jupyter`` (nbconvert's templates, the kernel spec).
Then, from an empty temporary folder, the commands a user types: ``hrpark sample`` and ``hrpark report annual``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REPORT_FILES = {
    "annual_evaluation.ipynb",
    "annual_evaluation.html",
    "annual_evaluation.pdf",
    "annual_evaluation.docx",
    "annual_evaluation.xlsx",
    "environment.txt",
    "manifest.json",
}


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def _build_wheel(base: Path) -> Path:
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(
        REPO / "hrpark_analysis", src / "hrpark_analysis", ignore=shutil.ignore_patterns("__pycache__")
    )
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q"]
    if int(metadata.version("setuptools").split(".")[0]) >= 77:
        command.append("--no-build-isolation")  # no download when this environment can build it already
    _run([*command, "./src", "-w", "W"], cwd=base)
    (wheel,) = (base / "W").glob("hrpark_analysis-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(venv, env)``: a fresh virtual environment with the wheel installed, and the environment to run it in."""
    base = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(base)
    names = zipfile.ZipFile(wheel).namelist()
    for data in (
        "law/policy-2021.yaml",
        "sample_data/parks.csv",
        "reports/notebooks/annual_evaluation.ipynb",
    ):
        assert f"hrpark_analysis/{data}" in names

    venv = base / "V"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q",
          "--disable-pip-version-check", wheel], cwd=base)  # fmt: skip
    site = Path(
        _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base).stdout.strip()
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_hrpark_dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(ours)), "utf-8")

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "HRPARK_", "JUPYTER"))
    }
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    env["PYTHONHASHSEED"] = "0"
    return venv, env


def test_the_installed_package_is_the_wheel_not_the_checkout(installed, tmp_path):
    venv, env = installed
    code = "import hrpark_analysis; print(hrpark_analysis.__file__)"
    where = Path(_run([venv / "bin" / "python", "-c", code], tmp_path, env).stdout.strip())
    assert where.is_relative_to(venv), where
    # The report kernel is the runner's own interpreter, so it imports the wheel's copy too.
    code = "from jupyter_client.manager import KernelManager; print(KernelManager(kernel_name='python3').format_kernel_cmd()[0])"
    assert (
        Path(_run([venv / "bin" / "python", "-c", code], tmp_path, env).stdout.strip())
        == venv / "bin" / "python"
    )


def test_sample_and_annual_report_from_an_empty_folder(installed, tmp_path):
    venv, env = installed
    here = tmp_path / "empty"
    here.mkdir()
    hrpark = venv / "bin" / "hrpark"
    runs = [
        _run([hrpark, "sample", "--out", "d"], here, env),
        _run([hrpark, "report", "annual", "--year", "2025", "--data", "d", "--out", "r"], here, env),
    ]
    folder = here / "r" / "2025"
    assert {p.name for p in folder.iterdir()} == REPORT_FILES

    binary = {".xlsx", ".docx", ".pdf"}
    texts = {p.name: p.read_text("utf-8") for p in folder.iterdir() if p.suffix not in binary}
    for suffix in ("xlsx", "docx"):
        with zipfile.ZipFile(folder / f"annual_evaluation.{suffix}") as package:
            texts.update(
                {f"{suffix}:{n}": package.read(n).decode("utf-8", "replace") for n in package.namelist()}
            )
    texts["pdf"] = (folder / "annual_evaluation.pdf").read_bytes().decode("latin-1")  # its uncompressed parts
    texts.update({f"stdout {i}": run.stdout for i, run in enumerate(runs)})
    forbidden = {str(tmp_path), str(tmp_path.resolve()), str(REPO), str(venv)}
    for name, text in texts.items():
        for path in forbidden:
            assert path not in text, f"{name} contains {path}"
    for i, run in enumerate(runs):  # terminal messages may name the output folder, never the checkout
        # (a warning may name a dependency's file: they live in this environment, which happens to be in it)
        assert str(REPO) not in run.stderr.replace(sys.prefix, ""), f"stderr {i}: {run.stderr}"

    manifest = json.loads(texts["manifest.json"])
    inputs = {entry["role"]: entry for entry in manifest["inputs"]}
    assert inputs["data_dir"]["path"] == "d"
    assert manifest["notebook"]["path"] == "hrpark_analysis/reports/notebooks/annual_evaluation.ipynb"
    # Installed from the wheel, not a checkout: no commit to record, and no error for it; the files' hash stands in.
    assert manifest["code"]["git"] is None and len(manifest["code"]["sha256"]) == 64


def test_the_public_api_from_the_wheel(installed, tmp_path):
    """Issue 16's Done-when, from the installed wheel: the one-liner, and ``hp.compare`` at 20% 优秀."""
    venv, env = installed
    code = (
        "import hrpark_analysis as hp; p = hp.load_policy(); d = hp.sample_dataset(2025); "
        "r = hp.evaluate(d.parks, d.evaluations, p); print(len(r.grades)); print(hp.__file__); "
        "c = hp.compare(p, hp.load_policy(overrides=['grading.excellent_share=0.2']), d.parks, d.evaluations); "
        "print(sorted(zip(c.park_id, c.year.astype(int))))"
    )
    count, where, changed = _run([venv / "bin" / "python", "-c", code], tmp_path, env).stdout.splitlines()
    assert count == "48" and Path(where).is_relative_to(venv)  # 8 + 16 + 24 parks evaluated in 2023–2025
    # floor(0.2 n) places for n = 8, 16, 24 leaves 1, 3, 4 of the baseline's 2, 4, 6 优秀 (the lowest ranked go)
    assert changed == "[('P01', 2024), ('P08', 2023), ('P08', 2025), ('P11', 2025)]"
    assert (venv / "lib").exists() and any(
        venv.glob("lib/python*/site-packages/hrpark_analysis/reports/notebooks/explore.ipynb")
    )
