#!/usr/bin/env bash
# The test command (README and CI): lint, Django checks, migrations check, the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
scripts/setup.sh
ensure_services
# Both database roles; the tests run as the owner, which creates the test databases
# (tests/core/test_db_roles.py connects as the application role).
ensure_database --owner-createdb
export POSTGRES_CONNECT_AS=owner
PY=.venv/bin/python
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --diff . | head -40; exit 1; }
# Apps import only downward (pyproject.toml [tool.importlinter]).
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
$PY manage.py check
$PY manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Model changes without a migration:"; $PY manage.py makemigrations --check --dry-run; exit 1; }
# Tests get Redis database 14, so a development worker on this machine cannot take their tasks.
export CELERY_BROKER_URL=${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/14}
# In parallel (pytest-xdist): each worker has a test database and a Celery queue of its
# own (tests/conftest.py). TEST_WORKERS=0 runs everything in this one process.
exec .venv/bin/pytest -n "${TEST_WORKERS:-2}" "$@"
