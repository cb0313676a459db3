"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC: every stored timestamp is timezone-aware UTC."""
    return datetime.now(UTC)
