# 涉税舆情监测与应急处置系统 — two commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install setup format bench clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PY) >/dev/null 2>&1 || { echo "需要 Python 3.11（找不到 $(PY)）"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(BIN)/yuqing setup

run: setup
	$(BIN)/yuqing run

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy yuqing

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/poll.py

clean:
	rm -rf $(VENV) var build *.egg-info
