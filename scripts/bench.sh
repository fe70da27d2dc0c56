#!/usr/bin/env bash
# The benchmark command (README, issue 10): B1-B7, each in a database of its own, each
# printing JSON with its same-run baseline into var/benchmarks/<UTC time>/<name>.json.
# Not part of the test command. BENCH="b4 b5" runs only those; extra arguments are not
# passed (run a script alone for its options: benchmarks/README.md). About an hour in all
# on the 2-core machine, most of it loading the scale data (1,000,000 buyers twice).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
scripts/setup.sh >/dev/null
ensure_services
out=var/benchmarks/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
declare -A SCRIPTS=(
  [b1]="decisions_api.py --reuse-migrated"
  [b2]="buyer_search.py --buyers 1000000"
  [b3]="exposure.py"
  [b4]="timers.py --items 100000"
  [b5]="documents_render.py --kind loss_notice --documents 80"
  [b6]="declaration_upload.py"
  [b7]="pages.py"
)
failed=0
for name in ${BENCH:-b1 b2 b3 b4 b5 b6 b7}; do
  echo "== $name: benchmarks/${SCRIPTS[$name]}" >&2
  started=$(date +%s)
  # shellcheck disable=SC2086 # the options are words
  if .venv/bin/python benchmarks/${SCRIPTS[$name]} > "$out/$name.json" 2> "$out/$name.log"; then
    echo "   done in $(( $(date +%s) - started )) s: $out/$name.json" >&2
  else
    failed=1; echo "   FAILED (its checks or a crash): $out/$name.log" >&2
  fi
done
echo "$out"
exit $failed
