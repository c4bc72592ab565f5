# Targets match the README. Each one sets up the virtual environment it needs on a fresh machine
# (only python3 >= 3.11 and the package registries are assumed).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PYTHONHASHSEED := 0

# The environment is installed from the committed, hashed lock (requirements.lock, exported from uv.lock), made
# for the Python minor in .python-version. pip itself is pinned, so the installer is the same everywhere.
LOCK := requirements.lock
PIP_VERSION := 26.3
# uv only refreshes the lock (`make lock`) and resolves the lowest versions (`make test-lowest`); it lives in its
# own folder so that it is not part of the report environment the manifests record.
UV_VERSION := 0.13.9
UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
LOWEST := .venv-lowest

.PHONY: install report test test-lowest lint bench lab docs baselines lock clean-venv

# A new lock or pyproject rebuilds the environment from scratch (--clear): a package dropped from the lock must
# not linger in it.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hrpark_analysis needs Python 3.11 or newer")'
	@$(PYTHON) -c 'import sys; v = "%d.%d" % sys.version_info[:2]; want = open(".python-version").read().strip(); v == want or print(f"warning: {v} is not the Python {want} the lock was made for (README: Installing)", file=sys.stderr)'
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q hrpark_analysis
	touch $(STAMP)

install: $(STAMP)

## The main job: the annual evaluation report on the bundled sample data -> reports/2025/
report: $(STAMP)
	$(BIN)/hrpark report annual --params params/annual-2025.yaml $(ARGS)

## The whole test suite: lint, unit and property tests, end-to-end reports, nbval on the committed notebooks.
test: lint
	$(BIN)/python -m pytest

## ruff (lint + format) and the import-linter layers contract of pyproject.toml (docs/ARCHITECTURE.md).
lint: $(STAMP)
	$(BIN)/ruff check hrpark_analysis tests benchmarks scripts
	$(BIN)/ruff format --check hrpark_analysis tests benchmarks scripts
	$(BIN)/lint-imports

# pip compiles a wheel's modules when it installs them; an editable install compiles nothing, so Python compiles
# the package on every import where PYTHONDONTWRITEBYTECODE is set (CI machines): in the runner and again in the
# kernel. The bytecode is brought up to date first, so that the benchmark times the report as installed.
bench: $(STAMP)
	@$(BIN)/python -m compileall -q hrpark_analysis
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## Re-execute the committed notebooks (nbval baselines) from their jupytext .py sources.
baselines: $(STAMP)
	$(BIN)/python scripts/refresh_baselines.py

## JupyterLab on the notebooks, opening the exploration notebook (explore.ipynb: the public API's guided tour).
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=hrpark_analysis/reports/notebooks --LabApp.default_url=/lab/tree/explore.ipynb $(if $(filter 0,$(shell id -u)),--allow-root,)

## The API reference from the docstrings (pdoc, pure Python) -> docs/api/ (not committed).
docs: $(STAMP)
	rm -rf docs/api
	$(BIN)/pdoc --docformat restructuredtext --no-show-source --output-directory docs/api hrpark_analysis.api

## Refresh uv.lock from pyproject.toml (keeping every pin that still fits) and export requirements.lock with
## hashes; run it after changing a dependency. Running it again changes nothing.
lock: $(UV)
	$(UV) lock --python $$(cat .python-version)
	$(UV) export --frozen --format requirements-txt --extra dev --no-emit-project --quiet -o $(LOCK)

$(UV):
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

## The suite against the lowest versions pyproject.toml allows for its direct dependencies (a separate venv):
## proves the lower bounds true.
test-lowest: $(UV)
	$(UV) venv --quiet --clear --seed --python $(PYTHON) $(LOWEST)
	$(UV) pip compile --quiet --resolution lowest-direct --python $(LOWEST)/bin/python --extra dev \
		pyproject.toml -o $(LOWEST)/requirements.txt
	$(UV) pip install --quiet --python $(LOWEST)/bin/python -r $(LOWEST)/requirements.txt
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --no-deps --no-build-isolation -e .
	$(LOWEST)/bin/python -m pytest $(ARGS)

clean-venv:
	rm -rf $(VENV) $(UV_VENV) $(LOWEST)
