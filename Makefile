# Two commands: `make demo` (set up and run the portal with demo data), `make test` (the test suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
# The database: DATABASE_URL when it is set, else a private PostgreSQL in var/pg/ (bin/devdb.py),
# started on first use and left running (`make devdb-stop` stops it).
WITH_DB := $(PY) bin/devdb.py run --

.PHONY: install lock demo demo-data test lint messages chromium pdf-libs devdb devdb-stop

# Installs exactly the locked versions (requirements-dev.txt), then the project itself.
$(VENV)/.installed: pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $@

install: $(VENV)/.installed

# After changing a dependency in pyproject.toml: re-resolve both lock files (the production image
# installs requirements.txt, the same versions without the dev extra).
UV_COMPILE := $(PY) -m uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m uv --version >/dev/null 2>&1 || $(PY) -m pip install --quiet 'uv>=0.9,<1'
	$(UV_COMPILE) $(LOCK_ARGS) --extra dev -o requirements-dev.txt
	$(UV_COMPILE) $(LOCK_ARGS) -c requirements-dev.txt -o requirements.txt

devdb: install
	@$(PY) bin/devdb.py start

devdb-stop:
	@if [ -x $(PY) ]; then $(PY) bin/devdb.py stop; fi

demo-data: install pdf-libs
	$(WITH_DB) $(PY) manage.py migrate --noinput
	$(WITH_DB) $(PY) manage.py demo_users
	$(WITH_DB) $(PY) manage.py demo_mou
	$(WITH_DB) $(PY) manage.py load_gi_register
	$(WITH_DB) $(PY) manage.py demo_catalog
	$(WITH_DB) $(PY) manage.py demo_training
	$(WITH_DB) $(PY) manage.py demo_takedowns
	$(WITH_DB) $(PY) manage.py demo_sweeps
	$(WITH_DB) $(PY) manage.py demo_dashboard

demo: demo-data
	@$(WITH_DB) $(PY) manage.py demo_users  # once more, so the logins are the last thing above the server's log
	$(WITH_DB) $(PY) manage.py runserver $(HOST)

# Browser tests drive Debian's Chromium; install it where it is missing and we are root.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg >/dev/null; } \
	  || echo "chromium is missing and cannot be installed here: browser tests will be skipped"

# PDF certificates: WeasyPrint needs Debian's Pango, and Thai fonts (fonts-thai-tlwg); with
# HarfBuzz's subsetter (libharfbuzz-subset0) it embeds the fonts' used glyphs several times faster
# than with fontTools.
pdf-libs:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset \
	    && fc-list :lang=th | grep -q .; } \
	  || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	      fonts-thai-tlwg >/dev/null; } \
	  || echo "Pango, HarfBuzz's subsetter or Thai fonts are missing and cannot be installed" \
	    "here: no PDF certificates, or slower ones"

test: install chromium pdf-libs
	$(WITH_DB) $(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache  # the layers and no import cycle: pyproject.toml

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
bench: install pdf-libs
	$(PY) bench/run.py $(BENCH_ARGS)
