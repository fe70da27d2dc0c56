#!/usr/bin/env bash
# Development: the same services, but Django's auto-reloading runserver with DEBUG on
# (static files straight from the app directories, detailed error pages).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
scripts/setup.sh
ensure_services
ensure_database
export DJANGO_DEBUG=1
PY=.venv/bin/python
as_owner $PY manage.py migrate --noinput -v 0
$PY manage.py demo_data
mkdir -p var
.venv/bin/celery -A config worker --loglevel=INFO --concurrency=2 > var/worker.log 2>&1 &
WORKER=$!
.venv/bin/celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule > var/beat.log 2>&1 &
BEAT=$!
trap 'kill $WORKER $BEAT 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
PORT=${PORT:-8000}
echo
echo "Web:        http://127.0.0.1:$PORT/   (API docs: /api/docs/)   DEBUG on, runserver"
echo "Worker/beat logs: var/worker.log, var/beat.log"
$PY manage.py runserver "127.0.0.1:$PORT"
