#!/usr/bin/env bash
# One command for the whole system as production runs it, on one box: migrations and demo
# data, static files collected (DEBUG off, hashed names, served by WhiteNoise), gunicorn,
# a Celery worker and beat. Production settings over plain http on 127.0.0.1: see
# scripts/production_env.sh. For development (runserver, auto-reload, DEBUG on): make dev.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
scripts/setup.sh
ensure_services
ensure_database
source scripts/production_env.sh
PY=.venv/bin/python
PORT=${PORT:-8000}
as_owner $PY manage.py migrate --noinput -v 0
$PY manage.py demo_data
echo "Collecting static files (compressing them takes a minute)..."
$PY manage.py collectstatic --noinput -v 0
mkdir -p var
.venv/bin/celery -A config worker --loglevel=INFO --concurrency=4 > var/worker.log 2>&1 &
WORKER=$!
.venv/bin/celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule > var/beat.log 2>&1 &
BEAT=$!
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "${WEB_CONCURRENCY:-2}" \
  --access-logfile - --error-logfile - --no-control-socket &
WEB=$!
# Whichever stops first (Ctrl-C, a crash), the others are stopped too.
trap 'kill $WEB $WORKER $BEAT 2>/dev/null || true; wait 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
echo
echo "Web:        http://127.0.0.1:$PORT/   (API docs: /api/docs/)   DEBUG off, gunicorn"
echo "Worker/beat logs: var/worker.log, var/beat.log"
wait -n
