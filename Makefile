# Targets match the README. Each one sets up the virtual environment it needs on a fresh machine
# (only python3 >= 3.11 and the package registries are assumed).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PYTHONHASHSEED := 0

.PHONY: install report test lint bench lab docs baselines clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hrpark_analysis needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
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

bench: $(STAMP)
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

clean-venv:
	rm -rf $(VENV)
