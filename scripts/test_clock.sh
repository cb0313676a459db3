#!/usr/bin/env bash
# Run the SQLite suite with the server's clock set to awkward moments (libfaketime): just after midnight in Sweden
# while UTC is still on the day before, New Year, the spring DST change, 29 February, a Saturday, a weekday evening.
# The clock keeps running from each start; the browser runs on the real clock. Usage: scripts/test_clock.sh [PYTEST ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
MOMENTS=(
  "2026-11-29 23:30:00"  # Monday 00:30 in Stockholm, Sunday in UTC
  "2026-12-31 23:30:00"  # New Year's Day 00:30 in Stockholm
  "2027-03-28 00:30:00"  # the night summer time starts
  "2028-02-29 05:00:00"  # a leap day
  "2026-11-28 11:00:00"  # Saturday noon
  "2026-11-26 18:10:00"  # Thursday 19:10 in Stockholm
)
failed=()
for moment in "${MOMENTS[@]}"; do
  echo "== The suite at $moment UTC =="
  if ! TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$moment" \
      env -u TEST_DATABASE_URL .venv/bin/pytest -q -p no:cacheprovider "$@"; then
    failed+=("$moment")
  fi
done
if ((${#failed[@]})); then
  echo "Failed at: ${failed[*]}"; exit 1
fi
echo "The suite passed at all ${#MOMENTS[@]} moments."
