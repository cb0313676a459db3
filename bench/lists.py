"""How long the staff lists take at one unit's real size among a country's data (medians of repeated runs).

100,000 patients with a plan each at 401 units. One unit has 2,000 of them (spread among the rest, one contact nurse
for all), a thread for each (6,000 messages) among 100,000 messages in 10,000 other plans; 5,000 access events for
one plan among 100,000 for others, and 20,000 delegations.
Each list page is timed in-process with the Flask test client: the inbox, the caseload, find by name, the unit's
access-log review (screen and CSV) and the patient's "who has looked at my plan".

    .venv/bin/python bench/lists.py                       # a scratch SQLite file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/paging_bench .venv/bin/python bench/lists.py

The database is emptied first. BENCH_RUNS (default 20) sets the number of timed runs per page; BENCH_SCALE=small
keeps the unit, its nurse and the busy plan but only 500 other patients (for the big/small ratio).
"""

from __future__ import annotations

import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PORTAL_ENV", "test")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from portal import create_app, db  # noqa: E402
from portal.core.personal_id import with_check_digit  # noqa: E402
from portal.models import (  # noqa: E402
    AccessEvent,
    CarePlan,
    CareTeamMembership,
    CareUnit,
    Delegation,
    Message,
    MessageThreadState,
    Patient,
    Role,
    StaffMember,
    User,
)
from tests import factories  # noqa: E402
from tests.conftest import csrf_from, sign_in  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SMALL = os.environ.get("BENCH_SCALE") == "small"  # the same unit, nurse and busy plan in an almost empty country
PATIENTS, UNIT_PATIENTS = (2_500 if SMALL else 100_000), 2_000
OTHER_PLANS, OTHER_MESSAGES_EACH = (100 if SMALL else 10_000), 10
LOG_EVENTS, OTHER_EVENTS, DELEGATIONS = 5_000, (1_000 if SMALL else 100_000), (100 if SMALL else 20_000)
FIRST = ["Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kerstin", "Ingrid", "Lars", "Anders", "Johan", "Per",
         "Karl", "Erik", "Nils", "Olof", "Åsa", "Örjan", "Ulla", "Birgitta"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson",
        "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson", "Lindberg", "Jakobsson",
        "Magnusson", "Lindström", "Östlund", "Åberg", "Ek", "Berg", "Lind"]
SEARCH = "svens"  # a name word's beginning: about 80 of the unit's patients (and 400 elsewhere)


def _name(n: int) -> str:
    return f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"


def _number(n: int) -> str:
    born = date(1930, 1, 1) + timedelta(days=n % 30_000)
    return born.strftime("%Y")[:2] + with_check_digit(born.strftime("%y%m%d") + f"{n // 30_000:03d}")


def _rows(model: type[SQLModel], count: int, make: Callable[[int], dict[str, object]]) -> Iterator[dict]:
    for n in range(count):
        yield model(**make(n)).model_dump(exclude={"id"})


def _bulk(session: Session, model: type[SQLModel], rows: Iterator[dict]) -> None:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == 5000:
            session.execute(insert(model), chunk)
            chunk = []
    if chunk:
        session.execute(insert(model), chunk)


def _new_ids(session: Session, model: type[SQLModel], insert_rows: Callable[[], None]) -> list[int]:
    """Insert rows, then return the new rows' ids in order."""
    table = model.__tablename__  # type: ignore[attr-defined]
    before = session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()  # noqa: S608
    insert_rows()
    query = text(f"SELECT id FROM {table} WHERE id > :before ORDER BY id")  # noqa: S608
    return list(session.execute(query, {"before": before}).scalars().all())


def _country(session: Session, here: int, nurse: int) -> tuple[list[int], list[int]]:
    """PATIENTS patients with a plan each: UNIT_PATIENTS of them (spread among the rest) at our unit with our nurse,
    the others at 400 other units with a nurse each. Returns our unit's plans and the others'."""
    provider = session.execute(text("SELECT provider_id FROM care_unit WHERE id = :id"), {"id": here}).scalar_one()
    units = _new_ids(session, CareUnit, lambda: _bulk(session, CareUnit, _rows(CareUnit, 400, lambda n: {
        "provider_id": provider, "name": f"Mottagning {n}", "phone": "010-100 00 00"})))
    users = _new_ids(session, User, lambda: _bulk(session, User, _rows(User, 400, lambda n: {
        "email": f"sjukskoterska{n}@bench.example", "name": "Sjuksköterska", "role": Role.STAFF,
        "password_hash": factories.PASSWORD_HASH})))
    nurses = _new_ids(session, StaffMember, lambda: _bulk(session, StaffMember, _rows(StaffMember, 400, lambda n: {
        "user_id": users[n], "unit_id": units[n], "title": "Kontaktsjuksköterska"})))
    patients = _new_ids(session, Patient, lambda: _bulk(session, Patient, _rows(Patient, PATIENTS, lambda n: {
        "personal_id": _number(n), "name": _name(n), "birth_date": date(1950, 1, 1)})))
    ours = set(random.Random(15).sample(range(PATIENTS), UNIT_PATIENTS))  # noqa: S311  (invented data)
    plans = _new_ids(session, CarePlan, lambda: _bulk(session, CarePlan, _rows(CarePlan, PATIENTS, lambda n: {
        "patient_id": patients[n], "template_key": "brostcancer", "current_phase": "treatment",
        "contact_nurse_id": nurse if n in ours else nurses[n % len(nurses)]})))
    _bulk(session, CareTeamMembership, _rows(CareTeamMembership, PATIENTS, lambda n: {
        "plan_id": plans[n], "unit_id": here if n in ours else units[n % len(units)]}))
    return [plans[n] for n in sorted(ours)], [plans[n] for n in range(PATIENTS) if n not in ours]


def _message(plan_id: int, n: int, author: int, role: str, at: datetime) -> dict[str, object]:
    return {"plan_id": plan_id, "author_user_id": author, "author_role": role, "author_name": "Namn",
            "author_title": "", "body": f"Meddelande {n}", "client_token": f"bench-{plan_id}-{n:06d}",
            "created_at": at}


def fill(session: Session) -> dict[str, object]:
    """The data described above; returns what the timed requests need."""
    here, elsewhere = factories.unit(session), factories.unit(session, name="Kirurgmottagningen")
    nurse, other_nurse = factories.staff(session, here), factories.staff(session, elsewhere, name="Per Holm")
    nurse_user, other_user = session.get(User, nurse.user_id), session.get(User, other_nurse.user_id)
    patient = factories.patient(session, name="Britt Öberg")  # the busy plan's patient, who signs in
    relative = factories.user(session, role=Role.RELATIVE)
    start = datetime.now(UTC) - timedelta(days=40)

    own, others = _country(session, here.id, nurse.id)
    busy = factories.plan(session, patient, here, nurse)
    talking = random.Random(16).sample(others, OTHER_PLANS)  # noqa: S311
    _bulk(session, Message, (_message(plan_id, n, patient.user_id if n % 2 else nurse_user.id,
                                      "patient" if n % 2 else "staff", start + timedelta(seconds=9 * (3 * i + n)))
                             for i, plan_id in enumerate(own) for n in (1, 2, 3)))
    _bulk(session, Message, (_message(plan_id, n, patient.user_id if n % 2 else other_user.id,
                                      "patient" if n % 2 else "staff", start + timedelta(seconds=i + n))
                             for i, plan_id in enumerate(talking) for n in range(OTHER_MESSAGES_EACH)))
    handled = session.execute(text("SELECT max(id) FROM message")).scalar_one()
    _bulk(session, MessageThreadState, ({"plan_id": plan_id, "handled_upto_id": handled,
                                         "handled_by_user_id": nurse_user.id, "handled_at": start}
                                        for plan_id in own[::2] + talking[::2]))
    first_other = session.get(CarePlan, others[0]).patient_id
    _bulk(session, Delegation, _rows(Delegation, DELEGATIONS, lambda n: {
        "patient_id": first_other + n % OTHER_PLANS, "relation": "child", "scopes": "plan",
        "valid_from": date(2026, 1, 1), "valid_until": date(2030, 1, 1), "status": "active",
        "invite_name": "Anhörig", "invite_email": f"a{n}@example.se"}))
    own_delegation = Delegation(patient_id=patient.id, relative_user_id=relative.id, relation="child",
                                scopes="plan", valid_from=date(2026, 1, 1), valid_until=date(2030, 1, 1),
                                status="active", invite_name="Olle", invite_email="olle@example.se")
    session.add(own_delegation)
    session.flush()
    _bulk(session, AccessEvent, _rows(AccessEvent, LOG_EVENTS, lambda n: {
        "at": datetime.now(UTC) - timedelta(minutes=7 * (LOG_EVENTS - n)),
        "actor_user_id": relative.id if n % 10 == 0 else nurse_user.id,
        "role": "relative" if n % 10 == 0 else "staff",
        "acting_for_delegation_id": own_delegation.id if n % 10 == 0 else None,
        "patient_id": patient.id, "action": "read", "resource": f"plan:{busy.id}",
        "unit_id": None if n % 10 == 0 else here.id}))
    _bulk(session, AccessEvent, _rows(AccessEvent, OTHER_EVENTS, lambda n: {
        "at": start + timedelta(seconds=20 * n), "actor_user_id": other_user.id, "role": "staff",
        "patient_id": first_other + n % OTHER_PLANS, "action": "read", "resource": "plan",
        "unit_id": elsewhere.id}))
    session.commit()
    return {"nurse": nurse_user.email, "patient": patient.personal_id, "plan": busy.id}


def _median_ms(request: Callable[[], object]) -> tuple[float, int]:
    for _ in range(3):  # warm up caches and templates
        request()
    times, size = [], 0
    for _ in range(RUNS):
        began = time.perf_counter()
        response = request()
        size = len(response.get_data())  # type: ignore[attr-defined]  (a streamed body is read to its end)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code  # type: ignore[attr-defined]
        response.close()  # type: ignore[attr-defined]
    return statistics.median(times), size


def _signed_in(app: Flask, identifier: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, identifier, factories.PASSWORD).status_code == 303
    return client


def measure(app: Flask, world: dict[str, object]) -> list[tuple[str, float, int]]:
    nurse, patient = _signed_in(app, str(world["nurse"])), _signed_in(app, str(world["patient"]))
    token = csrf_from(nurse.get("/staff/find").get_data(as_text=True))
    log = f"/staff/plans/{world['plan']}/access-log"
    pages: list[tuple[str, Callable[[], object]]] = [
        ("staff inbox            GET /staff/inbox", lambda: nurse.get("/staff/inbox")),
        ("caseload               GET /staff/", lambda: nurse.get("/staff/")),
        (f"find by name '{SEARCH}'   POST /staff/find", lambda: nurse.post("/staff/find",
                                                                         data={"csrf_token": token, "q": SEARCH})),
        ("unit's access log      GET …/access-log", lambda: nurse.get(log)),
        ("unit's access log CSV  GET …/access-log?format=csv", lambda: nurse.get(f"{log}?format=csv")),
        ("patient's access log   GET /plan/access-log", lambda: patient.get("/plan/access-log")),
        ("patient's log, all     GET /plan/access-log?period=all",
         lambda: patient.get("/plan/access-log?period=all")),
    ]
    return [(label, *_median_ms(request)) for label, request in pages]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/lists.sqlite3"
        app = create_app({"DATABASE_URL": url})
        app.logger.setLevel(logging.WARNING)  # no line per request while timing
        engine = db.get_engine(app)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
        db.upgrade(app)
        began = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            world = fill(session)
        with engine.connect() as conn:  # what autovacuum does after a bulk load: statistics, visibility map
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
        print(f"database: {engine.dialect.name} ({'small' if SMALL else 'national'}); filled in "
              f"{time.perf_counter() - began:.0f} s; runs per page: {RUNS}")
        for label, ms, size in measure(app, world):
            print(f"{label:58s} median {ms:8.1f} ms  {size / 1024:8.1f} KB")
        engine.dispose()


if __name__ == "__main__":
    main()
