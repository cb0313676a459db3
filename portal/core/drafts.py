"""Text kept for a writer whose session ended before it was sent: saved at sign-in, shown once, then gone.

Both steps are single statements, so two tabs that save or open at the same moment cannot fail or show it twice.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import bindparam, delete, select
from sqlmodel import Session

from portal.core import upsert
from portal.core.clock import utcnow
from portal.models import MAX_MESSAGE_LENGTH, MessageDraft

DRAFT_LIFETIME_HOURS = 12
_DRAFTS = MessageDraft.__table__  # type: ignore[attr-defined]
_KEPT = select(_DRAFTS.c.user_id).where(_DRAFTS.c.user_id == bindparam("user_id"),
                                        _DRAFTS.c.path == bindparam("path"))  # asked on every opening of a thread


def save_draft(session: Session, user_id: int, body: str, path: str) -> None:
    """Keep unsent text for this user (one draft each; a newer one replaces it)."""
    values = {"body": body[:MAX_MESSAGE_LENGTH], "path": path, "created_at": utcnow()}
    stmt = upsert.insert(session, MessageDraft).values(user_id=user_id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["user_id"],
                                               set_={name: stmt.excluded[name] for name in values}))


def take_draft(session: Session, user_id: int, path: str) -> str:
    """The kept text for this page, once (then it is gone); drafts older than 12 hours are dropped unread. Looked for
    with a read first: opening the page, nearly always without a draft, then writes nothing (no write lock)."""
    if session.execute(_KEPT, {"user_id": user_id, "path": path}).first() is None:
        return ""
    taken = session.execute(
        delete(MessageDraft).where(MessageDraft.user_id == user_id, MessageDraft.path == path)
        .returning(MessageDraft.body, MessageDraft.created_at)).first()
    if taken is None:
        return ""
    body, created = taken
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    return body if utcnow() - created < timedelta(hours=DRAFT_LIFETIME_HOURS) else ""
