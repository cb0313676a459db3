"""A text that knows its language, so that a page can mark text in another language than its own (`lang="sv"`).

Content is shown in the reader's language where it exists, otherwise in Swedish; a screen reader needs to know which.
"""

from __future__ import annotations

SWEDISH = "sv"


class LocalText(str):
    """A str with the language it is written in (a BCP 47 tag: sv, en, ar, fi); it behaves as the plain text."""

    lang: str

    def __new__(cls, text: str, lang: str = SWEDISH) -> LocalText:
        made = super().__new__(cls, text)
        made.lang = lang
        return made

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return LocalText, (str(self), self.lang)


def pick(text: dict[str, str], language: str) -> LocalText:
    """A {sv: …, en: …, ar: …} text in the reader's language, or in Swedish when it has none."""
    if language in text and text[language]:
        return LocalText(text[language], language)
    return LocalText(text.get(SWEDISH, ""), SWEDISH)
