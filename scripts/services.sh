#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer; start the local ones if they are installed but down.
# Sourced by run.sh, test.sh and .ci/run.
PGHOST=${POSTGRES_HOST:-127.0.0.1}
PGPORT=${POSTGRES_PORT:-5432}
REDIS_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}

pg_up() { (echo > /dev/tcp/"$PGHOST"/"$PGPORT") >/dev/null 2>&1; }
redis_up() { python3 - "$REDIS_URL" <<'PY' >/dev/null 2>&1
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=2)
s.sendall(b"PING\r\n"); assert s.recv(16).startswith(b"+PONG")
PY
}

ensure_services() {
  if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "Starting PostgreSQL..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
  fi
  if ! redis_up && command -v redis-server >/dev/null 2>&1; then
    echo "Starting Redis..."
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  fi
  local missing=0
  if ! pg_up; then
    echo "PostgreSQL is not reachable on $PGHOST:$PGPORT." >&2; missing=1
  fi
  if ! redis_up; then
    echo "Redis is not reachable at $REDIS_URL." >&2; missing=1
  fi
  if [ "$missing" = 1 ]; then
    echo "Start them with:  docker compose up -d db redis   (or install postgresql and redis-server)" >&2
    return 1
  fi
}

# Database roles (core/db_roles.py): the application connects as POSTGRES_USER (tci_app),
# which cannot alter history; migrations and bulk loads run as the owner (tci_owner); the
# admin (a superuser, `postgres` here) only creates the two. Passwords, if any, come from
# POSTGRES_PASSWORD, POSTGRES_OWNER_PASSWORD and POSTGRES_ADMIN_PASSWORD.
as_owner() { POSTGRES_CONNECT_AS=owner "$@"; }
as_admin() { POSTGRES_CONNECT_AS=admin "$@"; }

# The database, both roles, the database handed to the owner, the application's grants.
# Extra arguments go to db_roles (test.sh: --owner-createdb).
ensure_database() {
  local db=${POSTGRES_DB:-tci}
  local admin=${POSTGRES_ADMIN_USER:-postgres}
  if ! PGPASSWORD=${POSTGRES_ADMIN_PASSWORD:-} psql -h "$PGHOST" -p "$PGPORT" -U "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" postgres 2>/dev/null | grep -q 1; then
    PGPASSWORD=${POSTGRES_ADMIN_PASSWORD:-} createdb -h "$PGHOST" -p "$PGPORT" -U "$admin" "$db"
  fi
  as_admin .venv/bin/python manage.py db_roles -v 0 "$@"
}
