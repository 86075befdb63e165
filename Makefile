# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTHON ?= python3

.PHONY: install run test lint lint-quick typecheck bench soak migrate clean dev-env

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

migrate: install dev-env
	$(PY) manage.py migrate --noinput

# Marks this checkout as a development one: the settings read var/dev.env (DEBUG on, a
# secret key generated into var/, callbacks to local BAPs allowed), so manage.py and celery
# run with no extra variables. Delete the file to get production's refusals back.
VAR_DIR ?= var
dev-env: $(VAR_DIR)/dev.env
$(VAR_DIR)/dev.env:
	mkdir -p $(VAR_DIR)
	printf '%s\n' '# A development checkout (make dev-env); see cpo_portal/settings/environment.py.' \
	  'DEBUG=1' 'BECKN_ALLOW_PRIVATE_CALLBACKS=1' > $@

# Web server, the protocol pool's server (the Beckn endpoints with only the middleware they
# need: cpo_portal/settings/protocol_pool.py), Celery worker and Celery beat on the embedded
# defaults (SQLite and the project's filesystem broker in ./var/broker,
# cpo_portal/background/embedded_broker.py). Ctrl-C stops them all; so does any one of them stopping.
# honcho gives each Procfile line its own port, 100 apart: the protocol server is on
# PORT + 100, and BAPs are given that address (BECKN_SUBSCRIBER_URI, unless set). Roaming
# partners are given the web server's (OCPI_PUBLIC_URL follows PORT unless set).
PROTOCOL_PORT = $(shell expr $(PORT) + 100)
run: install migrate
	$(PY) manage.py seed_demo
	@echo "Admin: http://127.0.0.1:$(PORT)/admin/  Dashboards: http://127.0.0.1:$(PORT)/analytics/"
	@echo "API docs: http://127.0.0.1:$(PORT)/api/docs/  (README.md: Quick start)"
	@echo "Beckn BPP (for BAPs): http://127.0.0.1:$(PROTOCOL_PORT)/beckn"
	OCPI_PUBLIC_URL="$${OCPI_PUBLIC_URL:-http://127.0.0.1:$(PORT)/ocpi}" \
	  BECKN_SUBSCRIBER_URI="$${BECKN_SUBSCRIBER_URI:-http://127.0.0.1:$(PROTOCOL_PORT)/beckn}" \
	  PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/honcho --procfile Procfile start --port $(PORT)

# The suite in parallel: one pytest-xdist worker per CPU and one more, since some tests
# mostly wait (real Celery workers riding out an outage, a browser; TEST_WORKERS=0: one
# process), each test file on one worker so that worlds built once per module are built once, files
# handed out in collection order (the longest first: tests/conftest.py); the ten slowest
# tests are listed at the end, so that drift shows.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=10 \
	  $(PYTEST_ARGS)

# `make lint` is the quick checks (seconds) and the type check (minutes), which CI runs
# beside the tests (.ci/run). mypy's Django plugin loads the settings, which want a
# SECRET_KEY when DEBUG is off.
lint: lint-quick typecheck

lint-quick: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) tools/import_cycles.py
	$(PY) tools/type_ignores.py
	$(PY) tools/private_attributes.py

typecheck: install
	SECRET_KEY=type-check-only $(VENV)/bin/mypy

bench: install
	$(PY) bench/run_all.py

# `make run`'s Procfile in a fresh var/ with the demo data, 2,000 signed Beckn requests from
# four BAPs; fails if a process stops or an ACKed message gets no callback (bench/soak.py;
# the suite runs a shorter one, tests/integration/test_soak.py).
SOAK_REQUESTS ?= 2000
soak: install
	$(PY) bench/soak.py --requests $(SOAK_REQUESTS)

clean:
	rm -rf $(VENV) var staticfiles
