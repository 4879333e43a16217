# Yorisoi: every install step the project needs lives here.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
YORISOI := $(VENV)/bin/yorisoi
PORT ?= 8000
export YORISOI_DATA_DIR ?= $(CURDIR)/.data

.PHONY: run test bench lint loadtest index install install-dev browser postgres wrk clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[dev,st]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.dev-installed

# Debian's Chromium drives the emulator and dashboard browser tests; a Japanese font draws the rich menu image.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=ja | grep -q . || \
		{ apt-get update -q && apt-get install -y -q chromium fonts-noto-cjk; }

index: install
	$(YORISOI) index

run: index
	$(YORISOI) serve --local --host 127.0.0.1 --port $(PORT)

# Debian's PostgreSQL server binaries: the tests start a throwaway cluster with them (tests/postgres.py).
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		{ apt-get update -q && apt-get install -y -q postgresql; }

test: install-dev browser postgres
	$(PY) -m ruff check .
	$(YORISOI) docs check
	$(PY) -m pytest -q

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# wrk posts the webhook bench's burst (a C client: Python senders cost as much CPU as the server they measure).
wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q wrk; }

bench: index postgres wrk
	$(PY) -m tools.bench_knowledge
	$(PY) -m tools.bench_bot
	$(PY) -m tools.bench_workers --postgres

loadtest: install
	$(PY) -m tools.loadtest

clean:
	rm -rf $(VENV) .data .pytest_cache .ruff_cache *.egg-info
