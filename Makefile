# Two commands: `make serve` (set up everything and serve) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DATASET := data/timisoara/strategy.yaml

.PHONY: serve test lint setup install lock migrate load worker clean

# Installs the exact versions of requirements-dev.lock, each checked against its hash (pip-tools;
# regenerate with `make lock` after changing requirements*.txt). CI installs the same way.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

lock: install
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file=requirements.lock requirements.txt
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file=requirements-dev.lock requirements-dev.txt

install: $(VENV)/.installed

# A development install runs with DEBUG=1 (a generated SECRET_KEY); production sets SECRET_KEY.
DEV_ENV := DEBUG=$${DEBUG:-1}

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

load: migrate
	$(DEV_ENV) $(PY) manage.py load_strategy $(DATASET)
	$(DEV_ENV) $(PY) manage.py load_demo_data

setup: load

# `serve` runs the background-job worker inside the server (core/management/commands/serve.py) and points
# links in e-mails at 127.0.0.1:$(PORT) unless SITE_DOMAIN is set; it ends by printing the addresses to open.
serve: setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py serve 127.0.0.1:$(PORT)

worker: install
	$(DEV_ENV) $(PY) manage.py run_huey

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(DEV_ENV) $(VENV)/bin/mypy .

clean:
	rm -rf $(VENV) var staticfiles
