# Two commands: `make serve` (set up everything and serve) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DATASET := data/timisoara/strategy.yaml

.PHONY: serve test lint setup install migrate load worker clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

load: migrate
	$(PY) manage.py load_strategy $(DATASET)
	$(PY) manage.py load_demo_data

setup: load

# `serve` runs the background-job worker inside the server (core/management/commands/serve.py) and points
# links in e-mails at 127.0.0.1:$(PORT) unless SITE_DOMAIN is set; it ends by printing the addresses to open.
serve: setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py serve 127.0.0.1:$(PORT)

worker: install
	$(PY) manage.py run_huey

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

clean:
	rm -rf $(VENV) var staticfiles
