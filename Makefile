# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTHON ?= python3

.PHONY: install run test lint bench migrate clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput

# Web server, Celery worker and Celery beat on the embedded defaults (SQLite and a
# filesystem broker in ./var). Ctrl-C stops all three.
run: export DEBUG ?= 1
run: export BECKN_ALLOW_PRIVATE_CALLBACKS ?= 1
run: install migrate
	$(PY) manage.py seed_demo
	@echo "Admin: http://127.0.0.1:$(PORT)/admin/"
	PATH="$(abspath $(VENV))/bin:$$PATH" $(VENV)/bin/honcho --procfile Procfile start --port $(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# mypy's Django plugin loads the settings, which want a SECRET_KEY when DEBUG is off.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	SECRET_KEY=type-check-only $(VENV)/bin/mypy
	$(PY) tools/import_cycles.py

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var staticfiles
