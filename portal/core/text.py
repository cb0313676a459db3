"""What every piece of typed text goes through before anything reads it: no control characters, no noncharacters,
no lone surrogates, and digits typed full-width (１２３) read as ordinary digits."""

from __future__ import annotations

import re
import unicodedata

_KEEP = {"\n", "\t"}
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NONCHARACTER = re.compile("[\ufdd0-\ufdef\ufffe\uffff]")


def clean_text(raw: str) -> str:
    """Line breaks kept (as \\n), tabs kept; NUL, ESC, other control characters, U+FFFE/U+FFFF and lone surrogates
    dropped. Format characters (such as the joiners Arabic and emoji need) stay."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").translate(_FULL_WIDTH_DIGITS)
    text = _NONCHARACTER.sub("", text)
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cs"))
