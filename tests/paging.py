"""What the paging tests share: odd values of a paging parameter (`after`, `before`), each of which gives the first
page."""

from __future__ import annotations

ODD_CURSORS = ["-1", "0", "abc", "1e3", "99999999999999999999", "2147483648", "", "%00", "１２"]
