"""Flat at national scale: every page a patient, a relative, a nurse or an editor opens, timed in a country-sized
PostgreSQL database and in one a hundredth of its size, side by side (big/small ratio of medians).

    make bench-scale
    SCALE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432 .venv/bin/python bench/scale.py

The big database `scale_big` holds 100,000 patients with a plan each at 400 units (4 nurses per unit), 1,000,000
plan items, 800,000 readings, 2,000,000 messages, 10,000,000 access events, 300,000 form responses, 20,000
relatives and 500,000 plan changes; `scale_small` has the same shape (per unit, per nurse, per plan and per patient
everything is alike) with 1,000 patients at 4 units. The people whose pages are timed are the same in both: patient
number 10·units+1 (a relative, an open alert, a draft form), their contact nurse (62 patients, 250 in the unit) and
an editor. Each database is built with `INSERT … SELECT generate_series` with its foreign keys, unique constraints and
secondary indexes dropped, which are then made again (so every row is checked) before VACUUM ANALYZE.

Every GET page in `app.url_map` under /plan, /staff, /editor and the public ones is timed in-process (Flask test
client), big and small taking turns; pages it cannot fill or that refuse are listed with the reason.
SCALE_RUNS (default 15) sets the timed runs per page; SCALE_REUSE=1 keeps databases already built by this script.
"""

from __future__ import annotations

import logging
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

os.environ.setdefault("PORTAL_ENV", "test")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, url_for  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Connection, make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from portal import create_app, db  # noqa: E402
from portal.models import User  # noqa: E402
from portal.plans.access import ACTING_KEY, ENDPOINT_RULES, OWNER, OWNER_OR_GUARDIAN  # noqa: E402
from tests.conftest import client_as, csrf_from  # noqa: E402

RUNS = int(os.environ.get("SCALE_RUNS", "15"))
SHAPE = 3  # raise when the data below changes, so that SCALE_REUSE builds again
SIZES = {"big": (100_000, 400), "small": (1_000, 4)}  # patients, units
NURSES, EVENTS = 4, 100  # nurses per unit (about 62 patients each), access events per patient
FIRST = ["Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kerstin", "Ingrid", "Lars", "Anders", "Johan", "Per",
         "Karl", "Erik", "Nils", "Olof", "Åsa", "Örjan", "Ulla", "Birgitta"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson", "Lindberg", "Jakobsson",
        "Magnusson", "Lindström", "Östlund", "Åberg", "Ek", "Berg", "Lind"]
SEARCH = "svens"
BIG_TABLES = ("user_account", "patient", "care_plan", "message", "access_event", "plan_item", "plan_reading",
              "form_response", "plan_change", "message_read_state", "care_team_membership", "form_assignment",
              "alert", "delegation")


def _array(words: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{word}'" for word in words) + "]"


# Ids are given, so rows find each other by arithmetic: patient i (1..N) is at unit u = 1 + (i-1) % U, the j-th
# there (j = (i-1) / U); its plan has id i, its account id S + i; nurse (u-1)·4 + 1 + j % 4 is its contact nurse.
# j % 5 = 0: a relative; j % 10 = 0: an open alert. Messages, items, events… of plan i have ids (i-1)·k + 1 … i·k.
FILL = [
    ("luhn", """CREATE FUNCTION pg_temp.luhn(d text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT d || ((10 - sum(CASE WHEN k % 2 = 1 THEN (substr(d, k, 1)::int * 2) / 10
                                                        + (substr(d, k, 1)::int * 2) % 10
                                    ELSE substr(d, k, 1)::int END) % 10) % 10)::text
        FROM generate_series(1, length(d)) AS k $$"""),
    ("regions", """INSERT INTO region (id, name) SELECT g, 'Region ' || g FROM generate_series(1, 21) g;
        INSERT INTO care_provider (id, region_id, name) SELECT g, g, 'Vårdgivare ' || g FROM generate_series(1, 21) g;
        INSERT INTO care_unit (id, provider_id, name, phone, opening_hours, reply_days)
        SELECT g, 1 + (g - 1) % 21, 'Mottagning ' || g, '010-100 00 ' || lpad((g % 100)::text, 2, '0'),
               'Vardagar 8–16', 2 FROM generate_series(1, :units) g"""),
    ("staff", """INSERT INTO user_account (id, email, password_hash, role, name, session_nonce, is_active,
                                        created_at, notify_messages)
        SELECT g, 'nurse' || g || '@scale.example', 'x', 'staff', 'Sjuksköterska ' || g, md5(g::text), true,
               now() - interval '2 years', false FROM generate_series(1, :staff) g;
        INSERT INTO staff_member (id, user_id, unit_id, title)
        SELECT g, g, 1 + (g - 1) / :nurses, 'Kontaktsjuksköterska' FROM generate_series(1, :staff) g"""),
    ("patients", """INSERT INTO user_account (id, personal_id, password_hash, role, name, session_nonce, is_active,
                                            created_at, notify_messages)
        SELECT :staff + i, pid, 'x', 'patient', name, md5('p' || i), true, now() - interval '1 year', false
        FROM (SELECT i, substr(to_char(date '1930-01-01' + i % 30000, 'YYYY'), 1, 2)
                        || pg_temp.luhn(to_char(date '1930-01-01' + i % 30000, 'YYMMDD')
                                        || lpad((i / 30000)::text, 3, '0')) AS pid,
                     (%(first)s)[1 + i % 20] || ' ' || (%(last)s)[1 + (i / 20) % 25] AS name
              FROM generate_series(1, :patients) i) p;
        INSERT INTO patient (id, user_id, personal_id, name, birth_date, language)
        SELECT i, id, personal_id, name, to_date(substr(personal_id, 1, 8), 'YYYYMMDD'), 'sv'
        FROM (SELECT id - :staff AS i, id, personal_id, name FROM user_account WHERE role = 'patient') u"""),
    ("plans", """INSERT INTO care_plan (id, patient_id, template_key, template_version, diagnosis_summary,
                                      contact_nurse_id, responsible_doctor, current_phase, status, personal_note,
                                      what_matters, created_at, updated_at, shared_at)
        SELECT i, i, t.diagnosis_key, t.version, '', ((i - 1) % :units) * :nurses + 1 + ((i - 1) / :units) % :nurses,
               'Dr. Berg', 'treatment', 'active', '', '', now() - interval '100 days', now() - interval '1 day',
               now() - interval '99 days'
        FROM generate_series(1, :patients) i
        JOIN (SELECT diagnosis_key, version, row_number() OVER (ORDER BY diagnosis_key) - 1 AS n, count(*) OVER () c
              FROM content_template WHERE status = 'published') t ON t.n = i % t.c;
        INSERT INTO care_team_membership (id, plan_id, unit_id, role, since)
        SELECT i, i, 1 + (i - 1) % :units, 'responsible', now() - interval '100 days'
        FROM generate_series(1, :patients) i"""),
    ("items", """INSERT INTO plan_item (id, plan_id, phase, kind, title, body, preparation, starts_at, date_precision,
                                      location, unit_id, status, source, position, created_at, updated_at)
        SELECT (i - 1) * 10 + k, i,
               (ARRAY['investigation', 'investigation', 'treatment', 'treatment', 'treatment', 'treatment',
                      'rehabilitation', 'rehabilitation', 'follow_up', 'treatment'])[k],
               (ARRAY['examination', 'appointment', 'treatment', 'milestone'])[1 + k % 4],
               CASE WHEN k = 10 THEN 'Tandläkare' ELSE 'Händelse ' || k END, 'Vad som händer.', '',
               now() + (k - 4) * interval '12 days', CASE WHEN k % 3 = 0 THEN 'week' ELSE 'time' END,
               'Mottagningen', 1 + (i - 1) % :units, CASE WHEN k < 4 THEN 'done' ELSE 'booked' END,
               CASE WHEN k = 10 THEN 'patient' ELSE 'staff' END, k, now() - interval '90 days',
               now() - interval '9 days'
        FROM generate_series(1, :patients) i, generate_series(1, 10) k"""),
    ("readings", """INSERT INTO plan_reading (plan_id, article_id, assigned_at, read_at, response, responded_at)
        SELECT p.id, a.id, now() - interval '90 days',
               CASE WHEN a.rn <= 3 THEN now() - interval '30 days' END,
               CASE WHEN a.rn <= 2 THEN 'understood' END, CASE WHEN a.rn <= 2 THEN now() - interval '30 days' END
        FROM care_plan p
        JOIN content_template t ON t.diagnosis_key = p.template_key AND t.version = p.template_version
        JOIN (SELECT id, template_id, row_number() OVER (PARTITION BY template_id ORDER BY position, slug) rn
              FROM article) a ON a.template_id = t.id AND a.rn <= 8"""),
    ("messages", """INSERT INTO message (id, plan_id, author_user_id, author_role, author_name, author_title, body,
                                       client_token, created_at)
        SELECT (i - 1) * 20 + k, i,
               CASE WHEN k % 2 = 1 THEN :staff + i
                    ELSE ((i - 1) % :units) * :nurses + 1 + ((i - 1) / :units) % :nurses END,
               CASE WHEN k % 2 = 1 THEN 'patient' ELSE 'staff' END,
               CASE WHEN k % 2 = 1 THEN 'Patient' ELSE 'Sjuksköterska' END,
               CASE WHEN k % 2 = 1 THEN '' ELSE 'Kontaktsjuksköterska' END,
               'Meddelande ' || k || '. Hur går det med behandlingen? Jag undrar över tiden på torsdag.',
               'scale-' || ((i - 1) * 20 + k),
               now() - (20 - k) * interval '3 days' - (i % 1000) * interval '1 minute'
        FROM generate_series(1, :patients) i, generate_series(1, 20) k;
        INSERT INTO message_read_state (id, plan_id, user_id, last_read_id)
        SELECT 2 * i - 1, i, :staff + i, i * 20 FROM generate_series(1, :patients) i
        UNION ALL
        SELECT 2 * i, i, ((i - 1) % :units) * :nurses + 1 + ((i - 1) / :units) % :nurses, i * 20 - (i % 2)
        FROM generate_series(1, :patients) i;
        INSERT INTO message_thread_state (plan_id, handled_upto_id, handled_by_user_id, handled_at)
        SELECT i, i * 20 - 1, ((i - 1) % :units) * :nurses + 1, now() - interval '1 day'
        FROM generate_series(1, :patients) i WHERE i % 3 <> 0"""),
    ("relatives", """INSERT INTO user_account (id, email, password_hash, role, name, session_nonce, is_active,
                                             created_at, notify_messages)
        SELECT :staff + :patients + i, 'anhorig' || i || '@scale.example', 'x', 'relative', 'Anhörig ' || i,
               md5('r' || i), true, now() - interval '1 year', false
        FROM generate_series(1, :patients) i WHERE ((i - 1) / :units) % 5 = 0;
        INSERT INTO delegation (id, patient_id, relative_user_id, relation, scopes, valid_from, valid_until, status,
                                invite_name, invite_email, created_by_user_id, created_at, accepted_at)
        SELECT i, i, :staff + :patients + i, 'partner', 'plan messages_read messages_send forms',
               current_date - 90, current_date + 300, 'active', 'Anhörig ' || i, 'anhorig' || i || '@scale.example',
               :staff + i, now() - interval '90 days', now() - interval '89 days'
        FROM generate_series(1, :patients) i WHERE ((i - 1) / :units) % 5 = 0"""),
    ("forms", """INSERT INTO form_assignment (id, plan_id, questionnaire_key, repeat_weeks, due_at, active,
                                            created_by_user_id, created_at)
        SELECT i, i, 'mabra', 2, now() - interval '1 day', true, ((i - 1) % :units) * :nurses + 1,
               now() - interval '60 days' FROM generate_series(1, :patients) i;
        INSERT INTO form_response (id, assignment_id, plan_id, questionnaire_id, author_user_id, answers, score,
                                   status, created_at, updated_at, submitted_at)
        SELECT (i - 1) * 3 + k, i, i, q.id, :staff + i,
               '{"distress": ' || (2 + k + i % 3) || ', "problems_physical": ["tiredness"]}',
               CASE WHEN k < 3 THEN 2 + k + i % 3 END, CASE WHEN k < 3 THEN 'submitted' ELSE 'draft' END,
               now() - (50 - 15 * k) * interval '1 day', now() - (50 - 15 * k) * interval '1 day',
               CASE WHEN k < 3 THEN now() - (50 - 15 * k) * interval '1 day' END
        FROM generate_series(1, :patients) i, generate_series(1, 3) k,
             (SELECT id FROM questionnaire WHERE key = 'mabra' ORDER BY version DESC LIMIT 1) q;
        INSERT INTO alert (plan_id, response_id, reason, profession, status, created_at, action_note)
        SELECT i, (i - 1) * 3 + 2, 'high_distress', 'nurse', 'open', now() - interval '20 days', ''
        FROM generate_series(1, :patients) i WHERE ((i - 1) / :units) % 10 = 0"""),
    ("changes", """INSERT INTO plan_change (plan_id, at, actor_user_id, role, what, detail)
        SELECT i, now() - (100 - 20 * k) * interval '1 day', ((i - 1) % :units) * :nurses + 1, 'staff', 'item_update',
               'Händelse ' || k FROM generate_series(1, :patients) i, generate_series(1, 5) k"""),
    ("access events", """INSERT INTO access_event (id, at, actor_user_id, role, acting_for_delegation_id, emergency,
                                                 patient_id, action, resource, unit_id)
        SELECT g, now() - (:events - g) * (interval '100 days' / :events),
               CASE WHEN r = 3 AND rel THEN :staff + :patients + p WHEN r = 7 THEN :staff + p
                    ELSE ((p - 1) % :units) * :nurses + 1 + ((p - 1) / :units) % :nurses END,
               CASE WHEN r = 3 AND rel THEN 'relative' WHEN r = 7 THEN 'patient' ELSE 'staff' END,
               CASE WHEN r = 3 AND rel THEN p END, false, p, 'read', 'plan:' || p,
               CASE WHEN r = 3 AND rel OR r = 7 THEN NULL ELSE 1 + (p - 1) % :units END
        FROM (SELECT g, 1 + (g - 1) % :patients AS p, ((g - 1) / :patients) % 10 AS r,
                     (((g - 1) % :patients) / :units) % 5 = 0 AS rel
              FROM generate_series(1, :events) g) e"""),
    ("editor", """INSERT INTO user_account (id, email, password_hash, role, name, session_nonce, is_active, created_at,
                                          notify_messages)
        VALUES (:staff + 2 * :patients + 1, 'redaktor@scale.example', 'x', 'editor', 'Redaktör', md5('e'), true,
                now(), false)"""),
]


@dataclass(frozen=True)
class Country:
    patients: int
    units: int

    @property
    def staff(self) -> int:
        return self.units * NURSES

    @property
    def values(self) -> dict[str, int]:
        return {"patients": self.patients, "units": self.units, "staff": self.staff, "nurses": NURSES,
                "events": self.patients * EVENTS}


def _server(base: str, name: str) -> str:
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _constraints(conn: Connection) -> tuple[list[str], list[str], list[str]]:
    """Drop every foreign key, and the unique constraints and secondary indexes of the big tables; return the
    statements that make them again (foreign keys last, so that they find their unique keys)."""
    fks = conn.execute(text("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                               WHERE contype = 'f' AND connamespace = 'public'::regnamespace""")).all()
    uniques = conn.execute(text("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
                                   FROM pg_constraint WHERE contype = 'u' AND conrelid::regclass::text = ANY(:t)"""),
                           {"t": list(BIG_TABLES)}).all()
    indexes = conn.execute(text("""SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = 'public'
                                   AND tablename = ANY(:t) AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                   WHERE c.conname = i.indexname)"""), {"t": list(BIG_TABLES)}).all()
    for table, name, _definition in [*fks, *uniques]:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return ([definition for _name, definition in indexes],
            [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in uniques],
            [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in fks])


def _sequences(conn: Connection) -> None:
    """Ids were given by the load: each serial continues after the largest."""
    for table, column in conn.execute(text("""SELECT table_name, column_name FROM information_schema.columns
                                              WHERE table_schema = 'public' AND column_default LIKE 'nextval%'""")):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "  # noqa: S608
                          f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"))


def build(base: str, name: str, country: Country) -> float:
    """A fresh database `name` of this country's size; returns the seconds it took."""
    began = time.perf_counter()
    server = create_engine(_server(base, "postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    app = create_app({"DATABASE_URL": _server(base, name)})
    db.upgrade(app)
    runner = app.test_cli_runner()
    for command in (["forms", "import"], ["content", "import", "--publish"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    engine = db.get_engine(app)
    with engine.begin() as conn:
        for setting in ("synchronous_commit = off", "maintenance_work_mem = '512MB'", "jit = off"):
            conn.execute(text(f"SET LOCAL {setting}"))
        indexes, uniques, fks = _constraints(conn)
        for step, sql in FILL:
            started = time.perf_counter()
            for statement in sql.replace("%(first)s", _array(FIRST)).replace("%(last)s", _array(LAST)).split(";\n"):
                conn.execute(text(statement), {k: v for k, v in country.values.items() if f":{k}" in statement})
            print(f"  {name}: {step} in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        for statement in [*indexes, *uniques, *fks]:
            conn.execute(text(statement))
        _sequences(conn)
        print(f"  {name}: {len(indexes)} indexes, {len(uniques)} unique and {len(fks)} foreign keys made again "
              f"(every row checked) in {time.perf_counter() - started:.1f} s", flush=True)
        conn.execute(text("CREATE TABLE bench_scale (shape int, patients int)"))
        conn.execute(text("INSERT INTO bench_scale VALUES (:shape, :patients)"),
                     {"shape": SHAPE, "patients": country.patients})
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - began


def _built(base: str, name: str, country: Country) -> bool:
    engine = create_engine(_server(base, name))
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text("SELECT shape, patients FROM bench_scale")).one()) == (SHAPE,
                                                                                                  country.patients)
    except Exception:  # noqa: BLE001  (no such database or table: build it)
        return False
    finally:
        engine.dispose()


# --- timing ----------------------------------------------------------------------------------------------------------

@dataclass
class World:
    """One database's app and the people whose pages are timed."""

    app: Flask
    clients: dict[str, FlaskClient]
    ids: dict[str, object]


def _world(base: str, name: str, country: Country) -> World:
    app = create_app({"DATABASE_URL": _server(base, name)})
    app.logger.setLevel(logging.WARNING)
    logging.getLogger("portal").setLevel(logging.WARNING)
    patient = country.units * 10 + 1  # the 11th patient of unit 1: a relative, an alert, a draft form
    with Session(db.get_engine(app)) as session:
        one = lambda sql, **kw: session.execute(text(sql), kw).scalar_one()  # noqa: E731
        plan = patient
        nurse = one("SELECT s.user_id FROM care_plan p JOIN staff_member s ON s.id = p.contact_nurse_id "
                    "WHERE p.id = :p", p=plan)
        ids = {
            "plan_id": plan,
            "staff_item": one("SELECT min(id) FROM plan_item WHERE plan_id = :p AND source = 'staff'", p=plan),
            "own_item": one("SELECT min(id) FROM plan_item WHERE plan_id = :p AND source = 'patient'", p=plan),
            "draft": one("SELECT id FROM form_response WHERE plan_id = :p AND status = 'draft'", p=plan),
            "submitted": one("SELECT max(id) FROM form_response WHERE plan_id = :p AND status = 'submitted'", p=plan),
            "alert_id": one("SELECT min(id) FROM alert WHERE plan_id = :p", p=plan),
            "article_id": one("SELECT min(article_id) FROM plan_reading WHERE plan_id = :p", p=plan),
            "template": tuple(session.execute(text(
                "SELECT t.diagnosis_key, t.version, (SELECT min(slug) FROM article a WHERE a.template_id = t.id) "
                "FROM care_plan p JOIN content_template t ON t.diagnosis_key = p.template_key "
                "AND t.version = p.template_version WHERE p.id = :p"), {"p": plan}).one()),
            "delegation": one("SELECT id FROM delegation WHERE patient_id = :p", p=patient),
            "older": one("SELECT id FROM message WHERE plan_id = :p ORDER BY id OFFSET 10 LIMIT 1", p=plan),
        }
        users = {role: session.get(User, uid) for role, uid in (
            ("patient", country.staff + patient), ("relative", country.staff + country.patients + patient),
            ("nurse", nurse), ("editor", country.staff + 2 * country.patients + 1))}
        clients = {role: client_as(app, user) for role, user in users.items()}
    with clients["relative"].session_transaction() as state:
        state[ACTING_KEY] = ids["delegation"]
    clients["anonymous"] = app.test_client()
    return World(app, clients, ids)


def _audience(endpoint: str, rule: str) -> list[str] | str:
    """Who opens this page, or why it is not timed."""
    if rule.startswith("/plan"):
        shared = ENDPOINT_RULES.get(endpoint) not in (None, OWNER, OWNER_OR_GUARDIAN)
        return ["patient", "relative"] if shared else ["patient"]
    if rule.startswith("/staff"):
        return ["nurse"]
    if rule.startswith("/editor"):
        return ["editor"]
    if rule.startswith("/admin"):
        return "an administrator's page"
    if rule.startswith("/fhir"):
        return "the FHIR API for other systems (a client's token, not a person's page)"
    if endpoint == "static" or endpoint == "web.healthz":
        return "not a page (a file or a health check)"
    if endpoint == "relatives.public.choose":
        return ["relative"]
    return ["anonymous", "patient"] if endpoint == "accounts.home" else ["anonymous"]


def _arguments(endpoint: str, arguments: set[str], ids: dict[str, object]) -> dict[str, object] | str:
    """Values for the rule's arguments from the persona's data, or why there are none."""
    key, version, slug = ids["template"]  # type: ignore[misc]
    known: dict[str, object] = {"plan_id": ids["plan_id"], "alert_id": ids["alert_id"],
                                "article_id": ids["article_id"], "key": key, "version": version, "slug": slug,
                                "step": 1}
    known["item_id"] = ids["own_item"] if endpoint.startswith("plans.patient.item_edit") else ids["staff_item"]
    known["response_id"] = (ids["draft"] if endpoint in ("questionnaires.patient.form_step",
                                                         "questionnaires.patient.form_review")
                            else ids["submitted"])
    missing = arguments - known.keys()
    if missing:
        return f"no value for {', '.join(sorted(missing))}"
    query = {"before": ids["older"]} if endpoint.endswith(".thread_older") else {}  # older than the 11th message
    return {name: known[name] for name in arguments} | query


@dataclass
class Page:
    label: str
    run: Callable[[World], object]


def pages(app: Flask) -> tuple[list[Page], list[tuple[str, str]]]:
    """Every GET page of app.url_map for its audience, plus the lists' next pages and find by name."""
    timed, skipped = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if "GET" not in (rule.methods or ()):
            continue
        audience = _audience(rule.endpoint, rule.rule)
        if isinstance(audience, str):
            skipped.append((f"{rule.endpoint} {rule.rule}", audience))
            continue
        for role in audience:
            timed.append(Page(f"{role:9s} {rule.rule}", partial(_get, rule.endpoint, frozenset(rule.arguments),
                                                                 role)))
    extra = [
        ("nurse     /staff/?after=… (page 2)", lambda w: w.clients["nurse"].get(f"/staff/?after={_after(w)}")),
        ("nurse     /staff/inbox?after=… (page 2)", lambda w: w.clients["nurse"].get(
            f"/staff/inbox?after={_inbox_after(w)}")),
        ("nurse     …/access-log?format=csv", lambda w: w.clients["nurse"].get(
            f"/staff/plans/{w.ids['plan_id']}/access-log?format=csv")),
        ("patient   /plan/access-log?period=all", lambda w: w.clients["patient"].get("/plan/access-log?period=all")),
        (f"nurse     POST /staff/find '{SEARCH}'", lambda w: _find(w)),
    ]
    timed += [Page(label, run) for label, run in extra]
    return timed, skipped


def _get(endpoint: str, arguments: frozenset[str], role: str, world: World) -> object:
    """GET the endpoint as `role`, its address filled from the world's data."""
    values = _arguments(endpoint, set(arguments), world.ids)
    if isinstance(values, str):
        raise LookupError(values)
    with world.app.test_request_context():
        path = url_for(endpoint, **values)
    return world.clients[role].get(path)


def _after(world: World) -> str:
    if "caseload_after" not in world.ids:
        html = world.clients["nurse"].get("/staff/").get_data(as_text=True)
        found = re.search(r'href="/staff/\?after=(\d+)"', html)
        world.ids["caseload_after"] = found.group(1) if found else "0"
    return str(world.ids["caseload_after"])


def _inbox_after(world: World) -> str:
    if "inbox_after" not in world.ids:
        html = world.clients["nurse"].get("/staff/inbox").get_data(as_text=True)
        found = re.search(r'href="/staff/inbox\?after=(\d+)"', html)
        world.ids["inbox_after"] = found.group(1) if found else "0"
    return str(world.ids["inbox_after"])


def _find(world: World) -> object:
    client = world.clients["nurse"]
    if "csrf" not in world.ids:
        world.ids["csrf"] = csrf_from(client.get("/staff/find").get_data(as_text=True))
    return client.post("/staff/find", data={"csrf_token": world.ids["csrf"], "q": SEARCH})


def _once(page: Page, world: World) -> tuple[float, int, int]:
    began = time.perf_counter()
    response = page.run(world)
    size = len(response.get_data())  # type: ignore[attr-defined]  (a streamed body is read to its end)
    spent = (time.perf_counter() - began) * 1000
    response.close()  # type: ignore[attr-defined]
    return spent, response.status_code, size  # type: ignore[attr-defined]


def _medians(page: Page, worlds: dict[str, World], runs: int) -> tuple[float, float, set[int], int]:
    """Median ms in the big and the small database (taking turns, so that both see the same load on the machine),
    the statuses seen and the big one's size in bytes."""
    times: dict[str, list[float]] = {"big": [], "small": []}
    statuses, size = set(), 0
    for _ in range(runs):
        for name, world in worlds.items():
            spent, status, length = _once(page, world)
            times[name].append(spent)
            statuses.add(status)
            size = length if name == "big" else size
    return statistics.median(times["big"]), statistics.median(times["small"]), statuses, size


def measure(worlds: dict[str, World]) -> None:
    """The table; a page over 1.3 is timed again with twice the runs (the machine is shared and noisy), and the
    second measurement is the one shown, with the first beside it."""
    timed, skipped = pages(worlds["big"].app)
    print(f"\n{'page (who, address)':52s} {'big ms':>8s} {'small ms':>9s} {'ratio':>6s} {'status':>7s} {'KB':>6s}")
    ratios: list[tuple[float, str]] = []
    for page in timed:
        try:
            for world in worlds.values():  # warm: templates, caches, the plan's rows
                for _ in range(2):
                    _once(page, world)
        except LookupError as missing:
            skipped.append((page.label.strip(), str(missing)))
            continue
        big, small, statuses, size = _medians(page, worlds, RUNS)
        if statuses - {200, 204, 302, 303}:
            skipped.append((page.label.strip(), f"answers {sorted(statuses)}"))
            continue
        note = ""
        if big / small > 1.3:
            note = f"  (timed again; first {big:.1f}/{small:.1f} = {big / small:.2f})"
            big, small, statuses, size = _medians(page, worlds, 2 * RUNS)
        ratios.append((big / small, page.label))
        print(f"{page.label:52s} {big:8.1f} {small:9.1f} {big / small:6.2f} {'/'.join(map(str, sorted(statuses))):>7s} "
              f"{size / 1024:6.1f}{note}", flush=True)
    highest = max(ratios)
    print(f"\n{len(ratios)} pages timed, {RUNS} runs each; highest ratio {highest[0]:.2f} ({highest[1].strip()})")
    over = [label.strip() for ratio, label in ratios if ratio > 1.3]
    print("every ratio ≤ 1.3" if not over else f"over 1.3: {', '.join(over)}")
    print("\nnot timed:")
    for label, why in skipped:
        print(f"  {label}: {why}")


def main() -> None:
    base = os.environ.get("SCALE_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") \
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    reuse = os.environ.get("SCALE_REUSE") == "1"
    worlds: dict[str, World] = {}
    for size in ("big", "small"):
        name, country = f"scale_{size}", Country(*SIZES[size])
        if reuse and _built(base, name, country):
            print(f"{name}: kept from an earlier run ({country.patients:,} patients)")
        else:
            print(f"building {name}: {country.patients:,} patients at {country.units} units …", flush=True)
            print(f"{name} built in {build(base, name, country):.0f} s", flush=True)
        worlds[size] = _world(base, name, country)
    measure(worlds)
    for world in worlds.values():
        db.get_engine(world.app).dispose()


if __name__ == "__main__":
    main()
