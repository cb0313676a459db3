#!/usr/bin/env bash
# The whole suite on SQLite and, when TEST_DATABASE_URL is set, the same suite on PostgreSQL at the same time: two
# pytest processes side by side keep both cores busy while one of them waits for Chromium or a database, so the two
# runs take about the time of one and a half. Each suite runs in two pytest-xdist workers (on PostgreSQL each with a
# database of its own, tests/conftest.py) that steal tests from each other when one runs dry ("worksteal": the
# fuzz file alone is a third of a suite, and by whole files one worker ran it while the other idled), so that
# whichever suite ends first, both cores keep working until the other ends. PostgreSQL's output is kept and shown after SQLite's; each suite lists its
# slowest tests last.
# Arguments go to both pytest runs (e.g. scripts/test_suites.sh -x tests/views).
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  exec "$PYTEST" "$@"
fi

where="${TEST_DATABASE_URL%%@*}@…"
log=$(mktemp -t portal-tests-postgresql.XXXXXX)
"$PYTEST" -p no:cacheprovider -n "${WORKERS:-2}" --dist worksteal --durations=15 --output test-results/postgresql \
  "$@" >"$log" 2>&1 &
postgresql_run=$!
trap 'kill "$postgresql_run" 2>/dev/null; rm -f "$log"' EXIT

echo "== SQLite; the same suite runs on PostgreSQL ($where) beside it, its output follows =="
env -u TEST_DATABASE_URL "$PYTEST" -n "${WORKERS:-2}" --dist worksteal --durations=15 "$@"
sqlite=$?
wait "$postgresql_run"
postgresql=$?
echo "== The same suite on PostgreSQL ($where) =="
cat "$log"
verdict() { if [ "$1" = 0 ]; then echo passed; else echo "FAILED (exit $1)"; fi; }
echo "== SQLite $(verdict "$sqlite"); PostgreSQL $(verdict "$postgresql") =="
[ "$sqlite" = 0 ] && [ "$postgresql" = 0 ]
