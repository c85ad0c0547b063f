# Two commands: `make run` (the app on an embedded PostgreSQL + a filesystem broker + fake
# providers) and `make test` (the whole suite on PostgreSQL + Redis). Both bootstrap what
# they need.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/altavoz_test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: install run db-stop test test-fast lint typecheck check bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced

run: install
	# PostgreSQL from a wheel under var/ (unless DATABASE_URL names one), then honcho.
	$(PY) scripts/run_demo.py $(PROCESSES)

test: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools -v0
	# CONN_MAX_AGE=0: the live server answers each request on a new thread, and a persistent
	# connection per finished thread would pile up to PostgreSQL's max_connections.
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		CONN_MAX_AGE=0 $(VENV)/bin/pytest $(PYTEST_ARGS)

# The suite without the browser and the Celery-worker tests: a quick loop while working.
test-fast:
	$(MAKE) test PYTEST_ARGS="-m 'not browser and not worker' $(PYTEST_ARGS)"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	# mypy with the django-stubs plugin ([tool.mypy] in pyproject.toml); it loads config.settings.
	$(VENV)/bin/mypy .

# What CI runs: lint, types, then the whole suite.
check: lint typecheck test

bench: install
	# Each benchmark makes (and drops) its own database through the maintenance database.
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=redis://127.0.0.1:6379/8 $(PY) -m bench $(BENCH)

db-stop: install
	$(PY) -m config.embedded_db stop

clean:
	rm -rf $(VENV) $(TOOLS) var/broker
