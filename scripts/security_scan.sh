#!/usr/bin/env bash
# sqlmap against a demo on 127.0.0.1: the staff's name search, id parameters in paths and query strings (as a
# signed-in nurse and patient) and the sign-in form. Exits 1 on any finding, or when a scan could not finish.
# Usage: scripts/security_scan.sh   (or make security-scan). Reports: instance/security-scan/ (SCAN_REPORTS).
# Settings: SCAN_LEVEL (3), SCAN_RISK (2), SCAN_TECHNIQUE (BEUSTQ: all), SCAN_TIMEOUT (seconds per target, 480),
# SCAN_REPORTS (instance/security-scan). About 5 minutes on a 2-core machine, half of it the sign-in form (argon2).
# WAPITI=/path/to/wapiti also runs that DAST scanner (not a project dependency; see docs/security-testing.md) with
# the nurse's cookie for WAPITI_TIME seconds (300); its report is printed for reading, it does not change the exit.
set -euo pipefail
cd "$(dirname "$0")/.."

LEVEL="${SCAN_LEVEL:-3}"
RISK="${SCAN_RISK:-2}"
TECHNIQUE="${SCAN_TECHNIQUE:-BEUSTQ}"
PER_TARGET="${SCAN_TIMEOUT:-480}"
PASSWORD="vardplan-demo"
NURSE="jonas.berg@demo.vardplan.se"   # Lars and Amira are his patients; "Hitta patient" finds Karl
PATIENT="19570923-9759"              # Lars Nyström
PY=.venv/bin/python
REPORTS="${SCAN_REPORTS:-instance/security-scan}"

PATH="$PATH:$PWD/.venv/bin"   # where the PyPI fallback below puts sqlmap
if ! command -v sqlmap >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "make security-scan needs sqlmap: sudo apt-get install sqlmap   (then run it again)"; exit 1
  fi
  echo "Installing Debian's sqlmap…"
  if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlmap >/dev/null); then
    echo "apt-get could not install sqlmap; installing it from PyPI into .venv instead."
    $PY -m pip install --quiet sqlmap
  fi
fi

scratch="$(mktemp -d /tmp/security-scan.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# --- a demo with a fresh database, throttling off (sqlmap sends thousands of requests) ----------------------------
export PORTAL_ENV=development RATELIMIT_ENABLED=0
SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_hex(32))')"
DATABASE_URL="sqlite:///$scratch/scan.sqlite3"
export SECRET_KEY DATABASE_URL
for command in "db upgrade" "forms import" "demo-data" "content import"; do
  # shellcheck disable=SC2086
  .venv/bin/flask --app wsgi $command >/dev/null
done
port="$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
.venv/bin/gunicorn -w 2 -b "127.0.0.1:$port" --timeout 60 wsgi:app >"$scratch/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "$base/login" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$scratch/server.log"; echo "The demo did not start."; exit 1; }
  sleep 0.2
done

# --- sessions: a cookie and a form token for a nurse, a patient and someone not signed in --------------------------
csrf() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1; }
cookie_of() { awk '$6 == "session" { print "session=" $7 }' "$1"; }
sign_in() {  # sign_in JAR IDENTIFIER: a session signed in as IDENTIFIER in the cookie jar JAR
  local token status
  token="$(curl -fsS -c "$1" -b "$1" "$base/login" | csrf)"
  status="$(curl -sS -o /dev/null -w '%{http_code}' -c "$1" -b "$1" --data-urlencode "csrf_token=$token" \
    --data-urlencode "identifier=$2" --data-urlencode "password=$PASSWORD" "$base/login")"
  [ "$status" = 303 ] || { echo "Signing in as $2 answered $status."; exit 1; }
}
sign_in "$scratch/nurse" "$NURSE"
sign_in "$scratch/patient" "$PATIENT"
# A form token lives in the session, so each cookie is read after the page that made its token.
search_token="$(curl -fsS -c "$scratch/nurse" -b "$scratch/nurse" "$base/staff/find" | csrf)"
login_token="$(curl -fsS -c "$scratch/anonymous" -b "$scratch/anonymous" "$base/login" | csrf)"
nurse="$(cookie_of "$scratch/nurse")"
patient="$(cookie_of "$scratch/patient")"
anonymous="$(cookie_of "$scratch/anonymous")"

# Real ids of the demo, so that the original request answers 200 and sqlmap has a page to compare with.
read -r plan item message article <<<"$($PY - "$scratch/scan.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
plan = db.execute("SELECT care_plan.id FROM care_plan JOIN patient ON patient.id = care_plan.patient_id "
                  "WHERE patient.personal_id = '195709239759'").fetchone()[0]
item = db.execute("SELECT id FROM plan_item WHERE plan_id = ? ORDER BY id", (plan,)).fetchone()[0]
message = db.execute("SELECT coalesce(max(id), 1) FROM message WHERE plan_id = ?", (plan,)).fetchone()[0]
article = db.execute("SELECT article_id FROM plan_reading WHERE plan_id = ? ORDER BY id", (plan,)).fetchone()
print(plan, item, message, article[0] if article else 1)
PY
)"

# --- the targets: a name, what to scan (sqlmap options) ----------------------------------------------------------
names=() ; targets=()
add() { names+=("$1"); targets+=("$2"); }
add search-name      "-u $base/staff/find --data q=Nystr&csrf_token=$search_token -p q --cookie $nurse"
add search-number    "-u $base/staff/find --data q=19520611-9793&csrf_token=$search_token -p q --cookie $nurse"
add sign-in          "-u $base/login --data identifier=$NURSE&password=$PASSWORD&csrf_token=$login_token -p identifier --cookie $anonymous"
add staff-plan-id    "-u $base/staff/plans/$plan* --cookie $nurse"
add staff-item-id    "-u $base/staff/plans/$plan/items/$item*/edit --cookie $nurse"
add staff-before     "-u $base/staff/plans/$plan/messages/older?before=$((message + 1)) -p before --cookie $nurse"
add staff-after      "-u $base/staff/plans/$plan/messages/new?after=0 -p after --cookie $nurse --headers HX-Request:true"
add patient-item-id  "-u $base/plan/items/$item* --cookie $patient"
add patient-article  "-u $base/plan/reading/$article* --cookie $patient"
add patient-before   "-u $base/plan/messages/older?before=$((message + 1)) -p before --cookie $patient"

mkdir -p "$REPORTS"
rm -f "$REPORTS"/*.txt
began=$SECONDS
found=() ; unfinished=()
for i in "${!names[@]}"; do
  name="${names[$i]}"
  report="$REPORTS/$name.txt"
  read -r -a options <<<"${targets[$i]}"
  echo "== sqlmap: $name =="
  status=0
  # The cookies stay as signed in above (--drop-set-cookie), redirects are not followed: a 303 is an answer too.
  TERM=dumb timeout "$PER_TARGET" sqlmap --batch --flush-session --disable-coloring --drop-set-cookie \
    --answers "follow=N" --level "$LEVEL" --risk "$RISK" --technique "$TECHNIQUE" --threads 2 \
    --output-dir "$scratch/sqlmap-$name" "${options[@]}" >"$report" 2>&1 || status=$?
  if grep -q "identified the following injection point" "$report" \
     || find "$scratch/sqlmap-$name" -name log -size +0 2>/dev/null | grep -q .; then
    found+=("$name"); echo "   FINDING (see $report)"
  elif grep -q "testing connection to the target URL" "$report" \
       && grep -A1 "testing connection to the target URL" "$report" | grep -q "responded with an HTTP error code"; then
    unfinished+=("$name"); echo "   the unchanged request was refused, so nothing was tested (see $report)"
  elif [ "$status" != 0 ] || ! grep -qE "do(es)? not (appear|seem) to be injectable" "$report"; then
    unfinished+=("$name"); echo "   did not finish cleanly (exit $status; see $report)"
  else
    echo "   nothing found ($(grep -cF "[INFO] testing '" "$report") kinds of payload tried)"
  fi
done

echo "sqlmap took $((SECONDS - began)) s for ${#names[@]} targets (level $LEVEL, risk $RISK, techniques $TECHNIQUE)."

if [ -n "${WAPITI:-}" ]; then
  # Modules that stay on this machine: ssrf, xxe, log4shell and spring4shell call back to a host on the internet,
  # redirect sends the browser to one, wapp and nikto download databases; ssl is for https, the rest brute-force.
  # ldap is left out too: there is no directory, and every page's fresh form token fools its comparison.
  echo "== wapiti (at most ${WAPITI_TIME:-300} s of scanning) =="
  wapiti_began=$SECONDS
  # Every module is loaded, used or not, and log4shell's looks up its DNS endpoint at once: keep that local too.
  "$WAPITI" -u "$base/" --scope folder -C "$nurse" --no-bugreport --flush-session --dns-endpoint localhost \
    --external-endpoint "$base/" --internal-endpoint "$base/" \
    -m "cookieflags,csp,csrf,exec,file,http_headers,permanentxss,sql,timesql,upload,xss,crlf,methods,backup,htaccess" \
    -x "$base/logout" -x "$base/session" -x "$base/language" \
    --max-scan-time "${WAPITI_TIME:-300}" --max-attack-time 60 -f txt -o "$REPORTS/wapiti.txt" \
    --store-session "$scratch/wapiti-session" --store-config "$scratch/wapiti-config" >"$REPORTS/wapiti.log" 2>&1 \
    || echo "   wapiti stopped with exit $? (see $REPORTS/wapiti.log)"
  echo "   took $((SECONDS - wapiti_began)) s; $(grep -o 'Crawled pages : [0-9]*' "$REPORTS/wapiti.txt" || true)"
  awk '/Summary of (vulnerabilities|anomalies)/ { on = 1; next } on && /^\*+$/ { on = 0 } on' \
    "$REPORTS/wapiti.txt" 2>/dev/null | grep -E ':[[:space:]]+[1-9][0-9]*$' | sed 's/^ */   /' \
    || echo "   wapiti reported no vulnerability and no anomaly"
  echo "   report: $REPORTS/wapiti.txt (read it: see docs/security-testing.md for the known false positives)"
fi

tracebacks="$(grep -c 'Traceback (most recent call last)' "$scratch/server.log" || true)"
cp "$scratch/server.log" "$REPORTS/server.log"
echo "The demo's log has $tracebacks tracebacks ($REPORTS/server.log)."
if ((${#found[@]})); then echo "Injection found in: ${found[*]}"; exit 1; fi
if ((${#unfinished[@]})); then echo "Could not finish: ${unfinished[*]}"; exit 1; fi
if [ "$tracebacks" != 0 ]; then echo "The demo answered with server errors during the scan."; exit 1; fi
echo "No injection found."
