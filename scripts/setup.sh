#!/usr/bin/env bash
# Install what the project needs on a Debian machine: system packages and the virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

# WeasyPrint needs Pango (and HarfBuzz to subset the CJK font fast: ENVIRONMENT.md).
APT_PACKAGES="fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium poppler-utils gettext postgresql-client"
missing=""
for p in $APT_PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "Please install the system packages:$missing (sudo apt-get install$missing)" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
if compgen -G "locale/*/LC_MESSAGES/*.po" > /dev/null; then
  .venv/bin/python manage.py compilemessages --ignore=.venv -v 0
fi
# The GB 2312 cut of the CJK font the PDFs use (documents/fonts.py): about 20 s, once.
.venv/bin/python manage.py document_fonts
