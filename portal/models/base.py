"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

from portal.core.clock import utcnow

__all__ = ["utcnow"]
