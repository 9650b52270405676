# Two commands a new user needs: `make demo` and `make test`. Both create .venv and install first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO_SECONDS ?= 60

.PHONY: install demo lint test test-fast browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m planner.solve.lns  # compiles the search kernel into numba's cache (~30 s, once)
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/jemput demo --out out/demo --time-limit $(DEMO_SECONDS)

browser:
	bash scripts/install_browser.sh

# ruff on every package, mypy (strict) on planner/: configured in pyproject.toml (docs/architecture.md).
lint: $(STAMP)
	$(VENV)/bin/ruff check planner api maps jemput console tests bench scripts
	$(VENV)/bin/mypy

# The API storage tests run on SQLite and on a throwaway PostgreSQL (Debian's package, started here).
test: $(STAMP) lint browser
	url=$$(bash scripts/start_postgres.sh) && \
	JEMPUT_TEST_POSTGRES_URL=$$url JEMPUT_REQUIRE_POSTGRES=1 $(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not browser"

# Quick benchmark subset (≈ 10 min): TOPTW literature instances vs best-known, PyVRP and VROOM,
# then Jambi sites at 100 and 300 vs PyVRP. Full runs: see bench/README.md.
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/toptw.py --limit 10
	$(PY) bench/scale.py --sizes 100 300 --limit 10

clean:
	rm -rf out .pytest_cache
