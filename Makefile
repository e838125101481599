# Two commands do all set-up on a fresh machine:
#   make run    - virtual environment, dependencies, offline map assets, ingest seeds/, start the dashboard
#   make test   - the same set-up plus the browser and database test tools, then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STORE  ?= data/events.gpkg
PORT   ?= 8501

.PHONY: setup setup-test run test bench screenshots clean-store

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

static/.installed: scripts/install_assets.sh
	bash scripts/install_assets.sh
	touch $@

setup: $(VENV)/.installed static/.installed

# Test-only system packages (Chromium for the browser tests; PostgreSQL + PostGIS for the server
# store are installed and started by scripts/start_postgres.sh in `make test`).
setup-test: setup
	bash scripts/install_test_deps.sh

# Who's On First villages: `make run` tries `gazetteer download` once, when no import exists yet;
# offline (or without a pinned commit) it carries on with the shipped gazetteer.
GAZ_DIR := $(or $(GEO_GAZETTEER_DIR),data/gazetteer/local)

run: setup
	@ls $(GAZ_DIR)/wof_*.csv >/dev/null 2>&1 || [ -e $(GAZ_DIR)/.download-tried ] || { \
	  mkdir -p $(GAZ_DIR) && touch $(GAZ_DIR)/.download-tried; \
	  $(PY) -m geo gazetteer download || echo "carrying on with the shipped gazetteer (see README, Gazetteer)" >&2; }
	$(PY) -m geo ingest seeds/ --store $(STORE)
	GEO_STORE=$(STORE) $(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.address localhost

# A throwaway PostgreSQL + PostGIS on 127.0.0.1:54329 for the server-store tests. Where it cannot be
# started the PostGIS tests are skipped with the reason (and fail under CI, which must run them).
test: setup-test
	@url="$$(bash scripts/start_postgres.sh)" || { echo "PostGIS server not started: its tests will be skipped" >&2; url=""; }; \
	GEO_TEST_POSTGRES_URL="$$url" $(PY) -m pytest -q

bench: setup
	$(PY) -m benchmarks

screenshots: setup-test
	$(PY) tests/browser/make_screenshots.py

clean-store:
	rm -f $(STORE) $(STORE)-wal $(STORE)-shm
