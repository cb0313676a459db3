"""Requests per second for the main pages, as a ratio to a plain Flask hello-world on the same gunicorn.

Run with `make bench` (it installs Debian's wrk when missing). Both apps run under gunicorn with 2 sync workers on
127.0.0.1; wrk keeps 32 connections open for BENCH_SECONDS (default 10) per page, signed in as the demo patient or
nurse. Before that, the median time per page in-process (Flask's test client, BENCH_RUNS requests each, default 50).
The demo database is a scratch SQLite file, or BENCH_DATABASE_URL (its public schema is replaced). The machines are
shared and noisy: compare the ratios of one run, not absolute numbers between runs.

The last row, /bench-floor/ (bench/floor.py), is the floor under every patient page: the session, the patient guard
and one access event, then a page drawn once. No page that is written to the access log can pass its ratio.

`python bench/throughput.py --profile /plan/timeline` prints where the time of that page goes (pyinstrument, from the
test extras) instead, `--split` each page's CPU time in drawing, SQL, commit and the rest, and `--in-process` only
the medians.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
RUNS = int(os.environ.get("BENCH_RUNS", "50"))
CONNECTIONS = 32
PATIENT, NURSE, PASSWORD = "19680412-9820", "eva.lund@demo.vardplan.se", "vardplan-demo"
# /healthz (one SELECT 1) and /login (no query) show what a request costs before a page has any work of its own.
PAGES = [("/healthz", None), ("/login", None), ("/plan/", PATIENT), ("/plan/timeline", PATIENT),
         ("/plan/messages", PATIENT), ("/plan/reading", PATIENT), ("/staff/", NURSE), ("/staff/inbox", NURSE)]
# The floor under every patient page (bench/floor.py): the session, the patient guard and one access event, then the
# start page's HTML drawn once. What a page cache that never missed would cost; served by its own gunicorn.
FLOOR = ("/bench-floor/", PATIENT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(url: str) -> dict[str, str]:
    return {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": url, "RATELIMIT_ENABLED": "0",
            "SECRET_KEY": "bench-only-secret", "LOG_FORMAT": "text"}


def _prepare(url: str) -> None:
    from sqlalchemy import create_engine, text

    if url.startswith("postgresql"):
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for command in (["db", "upgrade"], ["forms", "import"], ["demo-data"], ["content", "import"]):
        subprocess.run(flask + command, cwd=ROOT, env=_environment(url), check=True, capture_output=True)
    if url.startswith("postgresql"):
        # Fresh statistics, as autovacuum has a minute after a load: without them PostgreSQL takes a table just
        # filled for a few rows, and the caseload's plan repeats a join 322 times (18 ms instead of 3).
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        engine.dispose()


@contextlib.contextmanager
def _gunicorn(app: str, url: str) -> Iterator[str]:
    port = _free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the request log lines: written as in production, not shown)
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--config", "/dev/null", app],
        cwd=ROOT, env=_environment(url), start_new_session=True, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # the port opens before the workers have imported the app: wait for an answer
            try:
                urllib.request.urlopen(f"{base}/", timeout=10).close()
            except urllib.error.HTTPError:
                break  # an answer all the same
            except OSError:
                time.sleep(0.1)
                continue
            break
        yield base
    except BaseException:
        log.seek(0)
        sys.stderr.write(log.read()[-4000:].decode(errors="replace"))  # why gunicorn failed, if it did
        raise
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


_LAST_STEP: dict[str, int] = {}


def _code(identifier: str) -> str:
    """The code the demo account's authenticator app shows (its fixed demo key), never one this run used already:
    the portal refuses a code twice, so a second sign-in in the same half minute takes the next one (one step early
    is accepted)."""
    import pyotp

    from portal.demo.services import demo_totp_secret

    step = max(int(time.time()) // 30, _LAST_STEP.get(identifier, 0) + 1)
    _LAST_STEP[identifier] = step
    return pyotp.TOTP(demo_totp_secret(identifier)).at(step * 30)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _cookie(base: str, identifier: str) -> str:
    """Sign in through the real forms (the password, then the authenticator code) and return the cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"Sec-Fetch-Site": "same-origin"}
    token = _token(opener.open(f"{base}/login").read().decode())
    data = urllib.parse.urlencode({"identifier": identifier, "password": PASSWORD, "csrf_token": token}).encode()
    page = opener.open(urllib.request.Request(f"{base}/login", data=data, headers=headers)).read().decode()
    data = urllib.parse.urlencode({"code": _code(identifier), "csrf_token": _token(page)}).encode()
    opener.open(urllib.request.Request(f"{base}/login/verify", data=data, headers=headers))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def _wrk(url: str, cookie: str | None) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in ms, after a second of the same load that is not counted (gunicorn's
    workers may still be importing the app when its port opens: those waits, over a second, were the p99)."""
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    threads = min(2, CONNECTIONS)
    subprocess.run(["wrk", f"-t{threads}", f"-c{CONNECTIONS}", "-d1s", *headers, url], capture_output=True, check=True)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", *headers, url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        sys.exit(f"{url} answered with errors under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rps, _ms(out, "50%"), _ms(out, "99%")


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _in_process_clients(url: str) -> tuple[dict[str, object], dict[str, str]]:
    """Test clients of the portal signed in as the demo patient and nurse, and the demo's item and plan pages."""
    os.environ.update(_environment(url))
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select
    from sqlmodel import Session

    from bench.floor import add_floor
    from portal import create_app, db
    from portal.models import CarePlan, Patient, PlanItem
    from portal.web.request_log import handler_of

    app = add_floor(create_app())
    handler = handler_of(app)  # each request's log line is still made (it is part of a page's cost), but not shown
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (for the life of the bench)
    clients: dict[str, object] = {"": app.test_client()}
    for who in (PATIENT, NURSE):
        client = clients[who] = app.test_client()
        token = _token(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"identifier": who, "password": PASSWORD, "csrf_token": token})
        token = _token(client.get("/login/verify").get_data(as_text=True))
        client.post("/login/verify", data={"code": _code(who), "csrf_token": token})
    with Session(db.get_engine(app)) as session:
        plan_id, item_id = session.execute(
            select(CarePlan.id, PlanItem.id).join(Patient, Patient.id == CarePlan.patient_id)
            .join(PlanItem, PlanItem.plan_id == CarePlan.id).where(Patient.personal_id == PATIENT.replace("-", ""))
            .order_by(PlanItem.id)).first()  # type: ignore[misc]
    extra = {f"/plan/items/{item_id}": PATIENT, f"/staff/plans/{plan_id}": NURSE, FLOOR[0]: FLOOR[1]}
    return clients, extra


def _in_process(url: str) -> list[tuple[str, float, float, int]]:
    """Median ms per page through Flask's test client (no HTTP server), after a few requests to warm up, and the SQL
    statements of one request (the same every time: a figure that does not depend on how busy the machine is).

    Both the time on the clock and the CPU time of this process: on a shared, busy machine the second varies less.
    """
    from sqlalchemy import event

    from portal import db

    clients, extra = _in_process_clients(url)
    statements = [0]
    engine = db.get_engine(clients[""].application)  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", lambda *_args: statements.__setitem__(0, statements[0] + 1))
    rows = []
    for path, who in [*PAGES, *extra.items()]:
        client = clients[who or ""]
        wall, cpu = [], []
        for n in range(RUNS + 5):
            statements[0] = 0
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)  # type: ignore[attr-defined]
            if n >= 5:
                wall.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
            if response.status_code != 200:
                sys.exit(f"{path} answered {response.status_code} in-process")
        rows.append((path, statistics.median(wall), statistics.median(cpu), statements[0]))
    return rows


def _profile(url: str, path: str) -> None:
    """Where the time of `path` goes, over BENCH_RUNS requests (pyinstrument)."""
    from pyinstrument import Profiler

    clients, extra = _in_process_clients(url)
    client = clients[dict([*PAGES, *extra.items()]).get(path, PATIENT) or ""]
    for _ in range(5):
        client.get(path)  # type: ignore[attr-defined]
    profiler = Profiler(interval=0.0002)
    with profiler:
        for _ in range(RUNS):
            client.get(path)  # type: ignore[attr-defined]
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def _split(url: str) -> None:
    """Where each page's CPU time goes, per request (BENCH_RUNS requests): drawing the templates, the SQL statements
    (sending them and reading their rows), the commit (with the writes made at it) and the rest (routing, the
    session, the guards, building objects from rows, the services' own work)."""
    import flask.templating
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    spent = {"render": 0.0, "sql": 0.0, "commit": 0.0}

    def timed(owner: object, name: str, part: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            if getattr(timed, "inside", False):  # a statement inside another part counts once, there
                return original(*args, **kwargs)
            timed.inside, began = True, time.process_time()  # type: ignore[attr-defined]
            try:
                return original(*args, **kwargs)
            finally:
                timed.inside = False  # type: ignore[attr-defined]
                spent[part] += time.process_time() - began

        setattr(owner, name, wrapper)

    timed(flask.templating, "_render", "render")
    timed(Session, "commit", "commit")
    timed(Session, "execute", "sql")
    timed(Connection, "execute", "sql")
    clients, extra = _in_process_clients(url)
    print(f"CPU ms per request, mean of {RUNS}: drawing, SQL, commit and the rest")
    print(f"{'page':<24}{'all':>7}{'draw':>7}{'SQL':>7}{'commit':>8}{'rest':>7}")
    for path, who in [*PAGES, *extra.items()]:
        client = clients[who or ""]
        client.get(path)  # type: ignore[attr-defined]
        spent.update(dict.fromkeys(spent, 0.0))
        began = time.process_time()
        for _ in range(RUNS):
            client.get(path)  # type: ignore[attr-defined]
        parts = {part: value * 1000 / RUNS for part, value in spent.items()}
        total = (time.process_time() - began) * 1000 / RUNS
        print(f"{path:<24}{total:>7.2f}{parts['render']:>7.2f}{parts['sql']:>7.2f}{parts['commit']:>8.2f}"
              f"{total - sum(parts.values()):>7.2f}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--profile", "--in-process", "--split"):
        with tempfile.TemporaryDirectory() as scratch:
            url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
            _prepare(url)
            if sys.argv[1] == "--profile":
                _profile(url, sys.argv[2])
            elif sys.argv[1] == "--split":
                _split(url)
            else:
                _print_in_process(_in_process(url), url)
        return
    if shutil.which("wrk") is None:
        sys.exit("bench/throughput.py needs wrk: sudo apt-get install wrk (make bench installs it)")
    with tempfile.TemporaryDirectory() as scratch:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
        _prepare(url)
        _print_in_process(_in_process(url), url)
        with _gunicorn("bench.hello:app", url) as hello:
            hello_rps, hello_p50, hello_p99 = _wrk(f"{hello}/", None)
        rows = []
        with _gunicorn("wsgi:app", url) as portal:
            cookies = {who: _cookie(portal, who) for who in (PATIENT, NURSE)}
            for path, who in PAGES:
                rows.append((path, *_wrk(portal + path, cookies.get(who or ""))))
        with _gunicorn("bench.floor:app", url) as floor:  # the same database: the patient's session holds
            rows.append((FLOOR[0], *_wrk(floor + FLOOR[0], cookies[FLOOR[1]])))
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"gunicorn 2 sync workers, wrk {CONNECTIONS} connections, {SECONDS} s per page, {database} demo")
    print(f"{'page':<18}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'ratio to hello':>16}")
    print(f"{'hello-world':<18}{hello_rps:>8.0f}{hello_p50:>9.1f}{hello_p99:>9.1f}{1:>16.3f}")
    for path, rps, p50, p99 in rows:
        print(f"{path:<18}{rps:>8.0f}{p50:>9.1f}{p99:>9.1f}{rps / hello_rps:>16.3f}")


def _print_in_process(rows: list[tuple[str, float, float, int]], url: str) -> None:
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"in-process (Flask test client), median of {RUNS} requests per page, {database} demo")
    print(f"{'page':<24}{'ms':>8}{'CPU ms':>8}{'SQL':>6}")
    for path, wall, cpu, statements in rows:
        print(f"{path:<24}{wall:>8.1f}{cpu:>8.1f}{statements:>6}")


if __name__ == "__main__":
    main()
