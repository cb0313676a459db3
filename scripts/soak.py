"""Load and crash: gunicorn with 4 workers, bounded senders for 60 s, two `kill -9` of workers, then a count.

Run with `make soak` (SQLite, then PostgreSQL when TEST_DATABASE_URL is set), or by hand:

    .venv/bin/python scripts/soak.py sqlite
    .venv/bin/python scripts/soak.py postgresql   # SOAK_DATABASE_URL, else a database `soak` next to TEST_DATABASE_URL

Every sender signs in as a demo patient, guardian or nurse (each sender has a session of its own) and sends messages
in its plan's thread as fast as the server answers, each with a unique text and a fresh client token. When a
connection breaks (a worker was killed) the same form is sent again, as a browser would; about a third of the
acknowledged messages are also sent a second time on purpose. Some senders poll for new messages in between, so
read marks are created and moved by many requests at once. A message is *acknowledged* when the server answered
200 (htmx) or 303 (plain form). Then the server stops and the database is counted: every acknowledged text is stored
exactly once, under the message id the server named, and every stored message has exactly one `create` event
`message:<id>` in the access log. Any loss, duplicate, missing or doubled event, 5xx, unexpected status or traceback
in the server's log makes the exit status 1.

Settings (environment): SOAK_SECONDS (60), SOAK_SENDERS (50), SOAK_WORKERS (4), SOAK_KILLS (2), SOAK_RESEND (0.3,
the share of acknowledged messages sent twice on purpose), SOAK_POLL (0.3, the chance of a poll after a send),
SOAK_MAX_PER_SENDER (5000), SOAK_DATABASE_URL, SOAK_KEEP=1 (keep the scratch directory and the `soak` database).
Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.config import normalise_database_url  # noqa: E402
from portal.demo.services import DEMO_PASSWORD  # noqa: E402

SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
SENDERS = int(os.environ.get("SOAK_SENDERS", "50"))
WORKERS = int(os.environ.get("SOAK_WORKERS", "4"))
KILLS = int(os.environ.get("SOAK_KILLS", "2"))
RESEND = float(os.environ.get("SOAK_RESEND", "0.3"))
POLL = float(os.environ.get("SOAK_POLL", "0.3"))
MAX_PER_SENDER = int(os.environ.get("SOAK_MAX_PER_SENDER", "5000"))
KEEP = os.environ.get("SOAK_KEEP") == "1"
HOST = "127.0.0.1"
TIMEOUT = 30.0
RETRIES = 8
# Who sends: the demo patients with a plan, the guardian (for Elsa) and both contact nurses (in each plan they may
# answer in). See portal/demo/services.py and the README's table of demo accounts.
PATIENTS = ["19680412-9820", "19570923-9759", "19730105-9684", "sara.lind@demo.vardplan.se"]
NURSES = ["eva.lund@demo.vardplan.se", "jonas.berg@demo.vardplan.se"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COMPOSE = re.compile(r'<form id="compose"[^>]*\saction="([^"]+)"')
MESSAGE_ID = re.compile(r'id="message-(\d+)"')
LOCATION_ID = re.compile(r"#message-(\d+)$")


# --- the database -----------------------------------------------------------------------------------------------

def _maintenance(url: URL) -> str:
    """A libpq address of the same server's `postgres` database, to create and drop the soak database."""
    return url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


@dataclass
class Database:
    url: str
    drop: URL | None = None  # a PostgreSQL database this run created and drops afterwards

    @property
    def name(self) -> str:
        return make_url(self.url).get_backend_name()


def prepare_database(kind: str, scratch: Path) -> Database:
    """A fresh, empty database: a file in the scratch directory, or PostgreSQL that is never the `test` one."""
    if kind == "sqlite":
        return Database(f"sqlite:///{scratch / 'soak.sqlite3'}")
    given = os.environ.get("SOAK_DATABASE_URL", "")
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not given and not test_url:
        sys.exit("soak postgresql needs SOAK_DATABASE_URL or TEST_DATABASE_URL")
    if given:
        url = make_url(normalise_database_url(given))
        if test_url and url.database == make_url(normalise_database_url(test_url)).database or url.database == "test":
            sys.exit("SOAK_DATABASE_URL must not be the test database: other runs use it")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        return Database(url.render_as_string(hide_password=False))
    url = make_url(normalise_database_url(test_url)).set(database="soak")
    with psycopg.connect(_maintenance(url), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS soak WITH (FORCE)")
        conn.execute("CREATE DATABASE soak")
    return Database(url.render_as_string(hide_password=False), drop=url)


def drop_database(database: Database) -> None:
    if database.drop is not None and not KEEP:
        with psycopg.connect(_maintenance(database.drop), autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS soak WITH (FORCE)")


def server_env(database: Database) -> dict[str, str]:
    """One secret for every worker (a session signed by one is read by the others); throttling off."""
    env = dict(os.environ)
    env.update(PORTAL_ENV="development", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=database.url,
               RATELIMIT_ENABLED="0", PYTHONUNBUFFERED="1")
    return env


def load_demo(env: dict[str, str]) -> None:
    """As `make run` does: migrations, forms, the demo, the national content."""
    for command in (["db", "upgrade"], ["forms", "import"], ["demo-data"], ["content", "import"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command], cwd=ROOT, env=env,  # noqa: S603
                       check=True, stdout=subprocess.DEVNULL)


# --- the server ---------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """The worker processes of the gunicorn master (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"{HOST}:{port}", "--timeout", "30",
               "--graceful-timeout", "10", "wsgi:app"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start; see {log}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200 and len(children(server.pid)) == WORKERS:
                return server
        time.sleep(0.3)
    server.kill()
    sys.exit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- a browser-like client ----------------------------------------------------------------------------------------

class Broken(Exception):
    """The connection broke or timed out: no answer, so nothing is known."""


class GaveUp(Broken):
    """A poll or page read that broke while the run was stopping: not tried again, and not a problem."""


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Client:
    """Cookies kept, one connection per request (gunicorn's sync workers close it after each answer)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None, htmx: bool = False) -> Answer:
        headers = {"User-Agent": "soak"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if htmx:
            headers["HX-Request"] = "true"
        payload = None
        if form is not None:
            payload = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            raise Broken(str(error)) from error
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return Answer(response.status, response.headers.get("Location", ""), body)


# --- the senders ---------------------------------------------------------------------------------------------------

@dataclass
class Sent:
    body: str
    token: str
    message_id: int | None


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=dict)
    broken: Counter[str] = field(default_factory=Counter)
    acknowledged: list[Sent] = field(default_factory=list)
    unacknowledged: list[Sent] = field(default_factory=list)
    resends: int = 0
    resend_mismatch: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def status(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.seconds.setdefault(kind, []).append(seconds)

    def problem(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 20:
                self.problems.append(text)


class Sender(threading.Thread):
    def __init__(self, number: int, account: tuple[str, bool], port: int, run: str, plan_ids: list[int],
                 results: Results, stop: threading.Event) -> None:
        super().__init__(name=f"sender-{number}", daemon=True)
        self.number, self.run_id, self.plan_ids = number, run, plan_ids
        self.identifier, self.staff = account
        self.client = Client(port)
        self.results, self.stop = results, stop
        self.random = random.Random(number)  # noqa: S311 - a load pattern, not a secret
        self.threads: list[str] = []  # compose form addresses this sender may write in
        self.csrf = ""
        self.last_id = 0

    def call(self, kind: str, method: str, path: str, form: dict[str, str] | None = None,
             htmx: bool = False) -> Answer:
        """One request, sent again (the same form) when the connection breaks; a 5xx is counted, not retried.

        A message sent again goes as a plain form: its 303 names the message even when the first try was stored.
        """
        for attempt in range(RETRIES):
            began = time.monotonic()
            try:
                answer = self.client.request(method, path, form, htmx)
            except Broken:
                with self.results.lock:
                    self.results.broken[kind] += 1
                if self.stop.is_set() and kind not in ("send", "resend"):
                    raise GaveUp(kind) from None
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.2 + attempt * 0.3)
                htmx = htmx and kind != "send"
                continue
            self.results.status(kind, answer.status, time.monotonic() - began)
            return answer
        raise AssertionError("unreachable")

    def sign_in(self) -> None:
        page = self.call("login", "GET", "/login")
        token = CSRF.search(page.body)
        if page.status != 200 or token is None:
            raise RuntimeError(f"{self.identifier}: the sign-in page answered {page.status}")
        answer = self.call("login", "POST", "/login", {"csrf_token": token.group(1), "identifier": self.identifier,
                                                       "password": DEMO_PASSWORD})
        if answer.status != 303:
            raise RuntimeError(f"{self.identifier}: signing in answered {answer.status}")

    def find_threads(self, plan_ids: list[int]) -> None:
        pages = [f"/staff/plans/{plan_id}/messages" for plan_id in plan_ids] if self.staff else ["/plan/messages"]
        for path in pages:
            page = self.call("probe", "GET", path)  # a nurse's plans answer 200, the others 404
            form, token = COMPOSE.search(page.body), CSRF.search(page.body)
            if page.status == 200 and form and token:
                self.threads.append(form.group(1))
                self.csrf = token.group(1)
        if not self.threads:
            raise RuntimeError(f"{self.identifier}: no message form found")

    def run(self) -> None:
        try:
            self.sign_in()
            self.find_threads(self.plan_ids)
        except (RuntimeError, Broken) as error:
            self.results.problem(f"sender {self.number} could not start: {error}")
            return
        count = 0
        while not self.stop.is_set() and count < MAX_PER_SENDER:
            count += 1
            try:
                self.send_one(count)
            except GaveUp:
                break
            except Broken as error:
                self.results.problem(f"sender {self.number}: no answer after {RETRIES} tries: {error}")

    def send_one(self, count: int) -> None:
        thread = self.random.choice(self.threads)
        body = f"soak-{self.run_id}-s{self.number:02d}-n{count:05d} Hej! Ett prov på åäö, rad ett.\nRad två."
        token = secrets.token_urlsafe(24)
        htmx = self.random.random() < 0.5
        form = {"csrf_token": self.csrf, "client_token": token, "body": body}
        try:
            answer = self.call("send", "POST", thread, form, htmx)
        except Broken:
            with self.results.lock:
                self.results.unacknowledged.append(Sent(body, token, None))
            raise
        message_id = self._message_id(answer, htmx)
        if answer.status not in (200, 303) or message_id is None:
            if answer.status < 500:
                self.results.problem(f"send answered {answer.status} ({'htmx' if htmx else 'form'}): "
                                     f"{answer.body[:200]!r}")
            with self.results.lock:
                self.results.unacknowledged.append(Sent(body, token, None))
            return
        self.last_id = max(self.last_id, message_id)
        with self.results.lock:
            self.results.acknowledged.append(Sent(body, token, message_id))
        if self.random.random() < RESEND:
            again = self.call("resend", "POST", thread, form)
            with self.results.lock:
                self.results.resends += 1
                if self._message_id(again, False) != message_id:
                    self.results.resend_mismatch.append(f"{body[:40]}: {again.status} {again.location}")
        if self.random.random() < POLL:
            after = max(0, self.last_id - self.random.randint(0, 5))
            self.call("poll", "GET", f"{thread}/new?after={after}", htmx=True)
        if self.random.random() < 0.05:
            self.call("page", "GET", thread)

    @staticmethod
    def _message_id(answer: Answer, htmx: bool) -> int | None:
        if htmx and answer.status == 200:
            found = MESSAGE_ID.findall(answer.body)
            return int(found[-1]) if found else None
        if answer.status == 303:
            match = LOCATION_ID.search(answer.location)
            return int(match.group(1)) if match else None
        return None


# --- the count ----------------------------------------------------------------------------------------------------

@dataclass
class Count:
    stored: int
    duplicates: list[str]
    missing: list[str]
    wrong_id: list[str]
    stored_unacknowledged: int
    events_missing: list[int]
    events_doubled: list[int]


def count(database: Database, run: str, results: Results) -> Count:
    engine = create_engine(normalise_database_url(database.url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, body FROM message WHERE body LIKE :prefix"),
                            {"prefix": f"soak-{run}-%"}).all()
        events = Counter(r[0] for r in conn.execute(text(
            "SELECT resource FROM access_event WHERE action = 'create' AND resource LIKE 'message:%'")).all())
    engine.dispose()
    by_body: dict[str, list[int]] = {}
    for message_id, body in rows:
        by_body.setdefault(body, []).append(message_id)
    duplicates = [body[:40] for body, ids in by_body.items() if len(ids) > 1]
    missing, wrong_id = [], []
    for sent in results.acknowledged:
        ids = by_body.get(sent.body, [])
        if not ids:
            missing.append(sent.body[:40])
        elif sent.message_id not in ids:
            wrong_id.append(f"{sent.body[:40]}: answered {sent.message_id}, stored {ids}")
    acknowledged_bodies = {s.body for s in results.acknowledged}
    stored_unacknowledged = sum(1 for body in by_body if body not in acknowledged_bodies)
    missing_events = [mid for mid, _b in rows if events[f"message:{mid}"] == 0]
    doubled_events = [mid for mid, _b in rows if events[f"message:{mid}"] > 1]
    return Count(len(rows), duplicates, missing, wrong_id, stored_unacknowledged, missing_events, doubled_events)


# --- the run ------------------------------------------------------------------------------------------------------

def plan_ids(database: Database) -> list[int]:
    engine = create_engine(normalise_database_url(database.url))
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM care_plan ORDER BY id")).all()]
    engine.dispose()
    return ids


def kill_workers(server: subprocess.Popen[bytes], started: float) -> list[str]:
    """SOAK_KILLS times, evenly spread over the run: kill -9 one worker, then wait for gunicorn to replace it."""
    done = []
    for k in range(KILLS):
        at = started + SECONDS * (k + 1) / (KILLS + 1)
        time.sleep(max(0.0, at - time.monotonic()))
        workers = children(server.pid)
        if not workers:
            done.append("no worker to kill")
            continue
        victim = random.choice(workers)  # noqa: S311
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        while time.monotonic() - killed_at < 20:
            now = children(server.pid)
            if victim not in now and len(now) == WORKERS:
                break
            time.sleep(0.1)
        back = len(children(server.pid))
        done.append(f"killed worker {victim} at {killed_at - started:.1f} s; {back} workers "
                    f"{time.monotonic() - killed_at:.1f} s later")
    return done


def soak(kind: str) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="soak-"))
    database = prepare_database(kind, scratch)
    run = secrets.token_hex(4)
    print(f"== soak on {database.name}: {WORKERS} gunicorn workers, {SENDERS} senders, {SECONDS:.0f} s, "
          f"{KILLS} worker kills (run {run}) ==", flush=True)
    server = None
    try:
        env = server_env(database)
        load_demo(env)
        port = free_port()
        log = scratch / "gunicorn.log"
        server = start_server(env, port, log)
        results, stop = Results(), threading.Event()
        accounts = [(a, False) for a in PATIENTS] + [(a, True) for a in NURSES]
        plans = plan_ids(database)
        senders = [Sender(n, accounts[n % len(accounts)], port, run, plans, results, stop) for n in range(SENDERS)]
        started = time.monotonic()
        for sender in senders:
            sender.start()
        kills = kill_workers(server, started)
        time.sleep(max(0.0, started + SECONDS - time.monotonic()))
        stop.set()
        for sender in senders:
            sender.join(timeout=TIMEOUT * RETRIES)
        elapsed = time.monotonic() - started
        stop_server(server)
        server = None
        tracebacks = log.read_text(errors="replace").count("Traceback (most recent call last)")
        result = count(database, run, results)
        return report(database, results, result, kills, elapsed, tracebacks, log)
    finally:
        if server is not None:
            stop_server(server)
        drop_database(database)
        if KEEP:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def report(database: Database, results: Results, result: Count, kills: list[str], elapsed: float,
           tracebacks: int, log: Path) -> int:
    server_errors = sum(n for (_kind, status), n in results.statuses.items() if status >= 500)
    sends = {status: n for (kind, status), n in results.statuses.items() if kind == "send"}
    expected = {("probe", 404), ("send", 200), ("send", 303), ("resend", 303)}
    unexpected = {f"{kind} {status}": n for (kind, status), n in results.statuses.items()
                  if (status >= 400 or kind in ("send", "resend")) and (kind, status) not in expected}
    print(f"ran {elapsed:.1f} s; " + "; ".join(kills))
    print(f"acknowledged: {len(results.acknowledged)}  stored: {result.stored}  duplicates: {len(result.duplicates)}  "
          f"missing: {len(result.missing)}  wrong id: {len(result.wrong_id)}")
    print(f"resends on purpose: {results.resends} (answered with another message: "
          f"{len(results.resend_mismatch)})  5xx: {server_errors}  tracebacks in the server log: {tracebacks}")
    print(f"access events: missing {len(result.events_missing)}, doubled {len(result.events_doubled)}")
    print(f"never acknowledged: {len(results.unacknowledged)} (of those stored: {result.stored_unacknowledged}); "
          f"broken connections (tried again): {dict(results.broken)}")
    print(f"answers: {dict(sorted((f'{k} {s}', n) for (k, s), n in results.statuses.items()))}; "
          f"per second: {len(results.acknowledged) / elapsed:.0f} acknowledged; send statuses {sends}")
    timing = {kind: f"{statistics.median(t) * 1000:.0f}/{statistics.quantiles(t, n=20)[-1] * 1000:.0f}"
              for kind, t in sorted(results.seconds.items()) if len(t) > 1}
    print(f"time per answer in ms, median/95th percentile (4 workers shared by {SENDERS} senders): {timing}")
    failures = []
    for label, items in (("missing", result.missing), ("duplicated", result.duplicates),
                         ("stored under another id", result.wrong_id),
                         ("resent and answered with another message", results.resend_mismatch),
                         ("without an access event", result.events_missing),
                         ("with two access events", result.events_doubled)):
        if items:
            failures.append(f"{len(items)} {label}, e.g. {items[:3]}")
    if server_errors:
        failures.append(f"{server_errors} answers with a 5xx status")
    if unexpected:
        failures.append(f"unexpected answers: {unexpected}")
    if tracebacks:
        failures.append(f"{tracebacks} tracebacks in {log}")
    if results.problems:
        failures.append("problems: " + "; ".join(results.problems[:5]))
    if not results.acknowledged:
        failures.append("nothing was acknowledged")
    if sum(1 for k in kills if k.startswith("killed")) < KILLS:
        failures.append(f"only {kills} of {KILLS} worker kills happened")
    if failures:
        if tracebacks:
            text_ = log.read_text(errors="replace")
            start = text_.find("Traceback (most recent call last)")
            print(text_[max(0, start - 300):start + 3000])
        print(f"FAILED on {database.name}:\n  " + "\n  ".join(failures))
        return 1
    print(f"OK on {database.name}: every acknowledged message stored exactly once, each with its access event")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("sqlite", "postgresql"):
        sys.exit("usage: soak.py sqlite|postgresql")
    sys.exit(soak(sys.argv[1]))
