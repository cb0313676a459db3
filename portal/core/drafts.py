"""Text kept for a writer whose session ended before it was sent: saved at sign-in, shown once, then gone."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from portal.core.clock import utcnow
from portal.models import MAX_MESSAGE_LENGTH, MessageDraft

DRAFT_LIFETIME_HOURS = 12


def save_draft(session: Session, user_id: int, body: str, path: str) -> None:
    """Keep unsent text for this user (one draft each; a newer one replaces it)."""
    draft = session.get(MessageDraft, user_id) or MessageDraft(user_id=user_id, body="", path=path)
    draft.body, draft.path, draft.created_at = body[:MAX_MESSAGE_LENGTH], path, utcnow()
    session.add(draft)


def take_draft(session: Session, user_id: int, path: str) -> str:
    """The kept text for this page, once (then it is gone); drafts older than 12 hours are dropped unread."""
    draft = session.get(MessageDraft, user_id)
    if draft is None or draft.path != path:
        return ""
    session.delete(draft)
    session.flush()
    created = draft.created_at if draft.created_at.tzinfo else draft.created_at.replace(tzinfo=utcnow().tzinfo)
    return draft.body if utcnow() - created < timedelta(hours=DRAFT_LIFETIME_HOURS) else ""
