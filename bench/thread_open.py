"""How long a message thread takes to open: 10 and 30 messages against 10,000 (medians of repeated runs).

Run with `make bench`. Uses a scratch SQLite database, or BENCH_DATABASE_URL (e.g. the local PostgreSQL).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PORTAL_ENV", "test")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from portal import create_app, db  # noqa: E402
from portal.models import Message  # noqa: E402
from portal.web.request_log import handler_of  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import sign_in  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "25"))


def _thread(session: Session, size: int) -> tuple[str, int]:
    """A patient whose thread has `size` messages, alternating patient and nurse."""
    patient, plan, nurse = factories.patient_with_plan(session, items=3)
    start = datetime.now(UTC) - timedelta(days=size // 20 + 1)
    rows = [{"plan_id": plan.id, "author_user_id": patient.user_id if n % 2 else nurse.user_id,
             "author_role": "patient" if n % 2 else "staff", "author_name": "Maria Ek" if n % 2 else "Eva Lund",
             "author_title": "" if n % 2 else "Kontaktsjuksköterska", "body": f"Meddelande nummer {n}.\nRad två.",
             "client_token": f"bench-{plan.id}-{n:08d}", "created_at": start + timedelta(minutes=70 * n)}
            for n in range(size)]
    for chunk in range(0, len(rows), 2000):
        session.execute(insert(Message), rows[chunk:chunk + 2000])
    session.commit()
    return patient.personal_id, plan.id


def _median_ms(app: object, personal_id: str) -> float:
    client = app.test_client()  # type: ignore[attr-defined]
    sign_in(client, personal_id, factories.PASSWORD)
    for _ in range(3):  # warm up caches and the template
        assert client.get("/plan/messages").status_code == 200
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        response = client.get("/plan/messages")
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url})
        handler = handler_of(app)  # each request's log line is still made, as in production, but not shown
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (for the life of the bench)
        engine = db.get_engine(app)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
        db.upgrade(app)
        with Session(engine) as session:
            small, page, large = _thread(session, 10), _thread(session, 30), _thread(session, 10_000)
            session.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would have after a bulk load
        small_ms, page_ms, large_ms = (_median_ms(app, t[0]) for t in (small, page, large))
        engine.dispose()
    print(f"database: {engine.dialect.name}; runs per thread: {RUNS}")
    print(f"open a thread of 10 messages:     median {small_ms:6.1f} ms")
    print(f"open a thread of 30 messages:     median {page_ms:6.1f} ms  (one full page: 30 shown)")
    print(f"open a thread of 10,000 messages: median {large_ms:6.1f} ms  (30 shown)")
    print(f"ratio 10,000 / 10: {large_ms / small_ms:.2f}   ratio 10,000 / 30: {large_ms / page_ms:.2f}")


if __name__ == "__main__":
    main()
