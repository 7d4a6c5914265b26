# 涉税舆情监测与应急处置系统 — two commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ECHARTS := yuqing/web/static/vendor/echarts.min.js

.PHONY: run test test-fast lint install setup format bench clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PY) >/dev/null 2>&1 || { echo "需要 Python 3.11（找不到 $(PY)）"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Apache ECharts comes from the npm registry at install time and is served locally (no CDN on the intranet).
$(ECHARTS): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && mkdir -p $(@D) && cp node_modules/echarts/dist/echarts.min.js $@; \
	else echo "警告：未找到 npm，图表将以表格显示（安装 Node.js/npm 后重新 make）"; fi

install: $(STAMP) $(ECHARTS)

setup: install
	$(BIN)/yuqing setup

run: setup
	$(BIN)/yuqing run

test: install
	$(BIN)/pytest

# The inner loop: everything but the browser, the slow and the crash tests (make test runs them all).
test-fast: install
	$(BIN)/pytest -m "not browser and not slow and not crash"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy yuqing
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/poll.py

clean:
	rm -rf $(VENV) var build *.egg-info
