#!/usr/bin/env bash
# One command for the whole system: install, migrate, demo data, web, worker and beat.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
scripts/setup.sh
ensure_services
ensure_database
PY=.venv/bin/python
$PY manage.py migrate --noinput -v 0
$PY manage.py demo_data
mkdir -p var
.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 > var/worker.log 2>&1 &
WORKER=$!
.venv/bin/celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule > var/beat.log 2>&1 &
BEAT=$!
trap 'kill $WORKER $BEAT 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
PORT=${PORT:-8000}
echo
echo "Web:        http://127.0.0.1:$PORT/   (API docs: /api/docs/)"
echo "Worker/beat logs: var/worker.log, var/beat.log"
$PY manage.py runserver "127.0.0.1:$PORT"
