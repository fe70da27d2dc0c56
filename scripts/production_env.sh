#!/usr/bin/env bash
# The environment `make run` serves with: production settings (DEBUG off), on one box,
# over plain http on 127.0.0.1. Sourced by run.sh (and tests/core/test_running.py).
# A value already in the caller's environment wins, except DJANGO_DEBUG, which is always off.
TCI_VAR_DIR=${TCI_VAR_DIR:-var}

export DJANGO_DEBUG=0

# A secret key of our own, generated on the first run and kept (mode 600) in var/ so that
# sessions survive a restart. Never committed: var/ is in .gitignore.
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  key_file="$TCI_VAR_DIR/secret_key"
  if [ ! -s "$key_file" ]; then
    mkdir -p "$TCI_VAR_DIR"
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > "$key_file")
  fi
  DJANGO_SECRET_KEY=$(cat "$key_file")
fi
export DJANGO_SECRET_KEY

export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}

# Only because this is served over plain http on localhost (no TLS terminator in front):
# - no redirect to https, which nothing here would answer;
# - cookies without the Secure flag, or the browser would never send the session back;
# - no HSTS: browsers ignore it over http anyway, and if this box were ever reached over
#   https, a year-long HSTS pin on "localhost" would break every other local web server.
# Everything else stays as in production (HttpOnly session cookie, nosniff, frame DENY,
# manifest static files, check --deploy's other checks). Behind a TLS proxy, set these to 1
# (and DJANGO_HSTS_SECONDS to 31536000) in the environment.
export DJANGO_SECURE_SSL_REDIRECT=${DJANGO_SECURE_SSL_REDIRECT:-0}
export DJANGO_SECURE_COOKIES=${DJANGO_SECURE_COOKIES:-0}
export DJANGO_HSTS_SECONDS=${DJANGO_HSTS_SECONDS:-0}
