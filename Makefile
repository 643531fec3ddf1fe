# Two commands: `make demo` (set up and run the portal with demo data), `make test` (the test suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install demo demo-data test lint messages chromium

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo-data: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_users
	$(PY) manage.py demo_mou
	$(PY) manage.py load_gi_register
	$(PY) manage.py demo_catalog
	$(PY) manage.py demo_training
	$(PY) manage.py demo_takedowns
	$(PY) manage.py demo_sweeps
	$(PY) manage.py demo_dashboard

demo: demo-data
	@$(PY) manage.py demo_users  # once more, so the logins are the last thing above the server's log
	$(PY) manage.py runserver $(HOST)

# Browser tests drive Debian's Chromium; install it where it is missing and we are root.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg >/dev/null; } \
	  || echo "chromium is missing and cannot be installed here: browser tests will be skipped"

test: install chromium
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

# Each app, and each app inside portal/, keeps its own Thai catalogue (needs GNU gettext).
PORTAL_SUBAPPS := api dashboard jobs security
messages: install
	cd portal && ../$(PY) ../manage.py makemessages -l th --no-obsolete \
		$(foreach sub,$(PORTAL_SUBAPPS),--ignore '$(sub)/*')
	for app in $(addprefix portal/,$(PORTAL_SUBAPPS)) gi_catalog takedowns training; do \
		(cd $$app && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l th --no-obsolete); done
	$(PY) manage.py compilemessages -l th --ignore '$(VENV)'

# Performance: a fresh PostgreSQL database at 1,000,000 cases; prints each figure against its
# target and fails if one misses (README, "Performance"). Not part of `make test`.
.PHONY: bench
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)
