# Two commands on a fresh machine with Python >= 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` serves on HOST:PORT (e.g. HOST=0.0.0.0 PORT=8101 for the local network).
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint messages migrate seed worker beat backup restore bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# DEBUG is off unless set (technopark/settings.py): the developer's commands turn it on.
run migrate seed worker beat messages test: export DEBUG ?= true

## run: install, migrate, load the demo network and serve http://$(HOST):$(PORT) (SQLite, Celery eager)
# The links in the emails it sends point at what it serves, unless PORTAL_URL is set (environment or .env).
ifeq ($(shell grep -sE '^[[:space:]]*(export[[:space:]]+)?PORTAL_URL[[:space:]]*=' .env),)
run: export PORTAL_URL ?= http://$(HOST):$(PORT)
endif
run: $(BIN)/.installed
	@case "$(HOST)" in \[*\]) ;; *:*) echo "HOST is the address alone: make run HOST=$(firstword $(subst :, ,$(HOST))) PORT=$(lastword $(subst :, ,$(HOST)))"; exit 2;; esac
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Links in emails: $(or $(PORTAL_URL),the PORTAL_URL of .env)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The browser tests' accessibility checks need axe-core from npm (pinned in package-lock.json):
# installed by `make test` when Debian's Chromium is there to run them and npm to fetch it.
CHROMIUM := /usr/bin/chromium
NPM ?= npm
TEST_DEPS := $(BIN)/.installed
ifneq ($(wildcard $(CHROMIUM)),)
ifneq ($(shell command -v $(NPM) 2>/dev/null),)
TEST_DEPS += node_modules/axe-core
endif
endif

node_modules/axe-core: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --silent
	touch $@

## test: the whole suite, on both cores (browser tests skip without /usr/bin/chromium unless REQUIRE_BROWSER=1)
## PYTEST_ARGS="tests/startups -x" picks tests; PYTEST_WORKERS=0 runs in one process (pdb, -s)
PYTEST_WORKERS ?= 2
test: $(TEST_DEPS)
	@[ ! -x $(CHROMIUM) ] || [ -f node_modules/axe-core/axe.min.js ] || \
	  echo "warning: $(CHROMIUM) is there but npm is not: the accessibility tests need axe-core (apt-get install npm)"
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS)) $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## messages: refresh the French and Arabic catalogues after changing user-facing text
messages: $(BIN)/.installed
	$(BIN)/python manage.py makemessages -l fr -l ar --add-location=file --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

migrate: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput

seed: $(BIN)/.installed
	$(BIN)/python manage.py seed_demo

## worker / beat: with REDIS_URL set (see README)
worker: $(BIN)/.installed
	$(BIN)/celery -A technopark worker --loglevel=info

beat: $(BIN)/.installed
	$(BIN)/celery -A technopark beat --loglevel=info

## backup: pg_dump of the DATABASE_URL database to backups/technopark-<UTC>.dump (or BACKUP_FILE=...)
backup: $(BIN)/.installed
	$(BIN)/python manage.py db_backup $(if $(BACKUP_FILE),--file "$(BACKUP_FILE)")

## restore: BACKUP_FILE=... pg_restore into the DATABASE_URL database (replaces what the backup holds)
restore: $(BIN)/.installed
	$(BIN)/python manage.py db_restore "$(BACKUP_FILE)"

## bench: large dataset on PostgreSQL; cold, warm (wrk) and background work; tables in docs/benchmarks.md
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/technopark_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/3
bench: $(BIN)/.installed
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) DEBUG=false SECRET_KEY=bench-only-not-secret \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver SECURE_SSL_REDIRECT=false REQUIRE_STAFF_MFA=false LOG_LEVEL=WARNING \
	  $(BIN)/python manage.py bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
