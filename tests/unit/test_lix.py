"""Readability of our Swedish: LIX (läsbarhetsindex) of the UI catalog and of the content pack.

LIX = words / sentences + 100 × long words / words, where a long word has more than 6 letters. Below 30 is very easy
(children's books, lättläst), 30–40 easy (fiction, good public information), 40–50 medium (newspapers), above 50 hard.

How we count, so that the measure is fair to short UI strings and to Markdown:
- A word is a run of letters (numbers, placeholders such as %(name)s, markup and addresses are left out).
- A sentence ends at . ! ? or : followed by a space or the end; a line of its own (a heading, a list item) and a whole
  UI string also end one: a button label is read as a unit, not as part of the next string.
- The UI is measured over the whole Swedish catalog (every msgstr, plural forms included, pooled: words over all
  sentences), and each string of at least 10 words on its own (a short label's LIX says little).
- Content: each Swedish article (front matter title and summary, and the body) on its own.

The limits: the whole UI ≤ 40 (measured about 29), any single UI string of ≥ 10 words ≤ 55 (the three worst were
reworded), every lättläst article ≤ 30 (measured 10–21). The ordinary Swedish articles are measured and printed
(about 16–36, headings and list items counting as sentences); each lättläst text must be easier than the ordinary
article it stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "sv" / "LC_MESSAGES" / "messages.po"
PACK = ROOT / "portal" / "content" / "pack"

UI_LIMIT = 40
UI_STRING_LIMIT = 55
UI_STRING_MIN_WORDS = 10
EASY_READ_LIMIT = 30

_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[^}]*\}")
_MARKUP = re.compile(r"<[^>]+>|https?://\S+|\S+@\S+|\[([^\]]*)\]\([^)]*\)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:](?=\s|$)")


@dataclass(frozen=True)
class Counts:
    words: int
    sentences: int
    long_words: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.words + other.words, self.sentences + other.sentences, self.long_words + other.long_words)

    @property
    def lix(self) -> float:
        if not self.words:
            return 0.0
        return self.words / max(self.sentences, 1) + 100 * self.long_words / self.words


def _clean(text: str) -> str:
    return _MARKUP.sub(lambda match: match.group(1) or " ", _PLACEHOLDER.sub(" ", text))


def counts(text: str) -> Counts:
    """Words, sentences and long words of a text; every non-empty line ends a sentence."""
    words = sentences = long_words = 0
    for line in _clean(text).splitlines():
        found = _WORD.findall(line)
        if not found:
            continue
        words += len(found)
        long_words += sum(1 for word in found if len(word.replace("-", "")) > 6)
        stripped = line.strip()
        ends = len(_SENTENCE_END.findall(stripped))
        sentences += ends + (0 if _SENTENCE_END.search(stripped[-1:] + " ") else 1)
    return Counts(words, sentences, long_words)


def lix(text: str) -> float:
    return counts(text).lix


def ui_strings() -> list[str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="sv")
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found.extend(text for text in strings if text)
    return found


def articles(variant: str) -> dict[str, str]:
    """Swedish articles of one variant (sv or sv-lattlast) by file: title, summary and body."""
    found = {}
    for path in sorted(PACK.glob(f"*/articles/*.{variant}.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---", 2)
        head = [line.split(":", 1)[1].strip() for line in front.splitlines()
                if line.startswith(("title:", "summary:"))]
        found[str(path.relative_to(PACK))] = "\n".join([*head, body])
    return found


def test_lix_counts_words_sentences_and_long_words() -> None:
    # 9 words, 2 sentences, 2 long words (behandlingen, sjuksköterskan): 9/2 + 100*2/9 = 26.7
    assert counts("Du får behandlingen i dag. Fråga sjuksköterskan om allt.") == Counts(9, 2, 2)
    assert round(lix("Du får behandlingen i dag. Fråga sjuksköterskan om allt."), 1) == round(9 / 2 + 200 / 9, 1)
    assert counts("## Rubrik\n- en punkt\n- en till") == Counts(5, 3, 0)  # each line ends a sentence
    assert counts("Hej %(name)s, läs <a href=\"https://x.se\">här</a>.").words == 3


def test_the_swedish_ui_is_easy_to_read() -> None:
    strings = ui_strings()
    total = Counts(0, 0, 0)
    for text in strings:
        total += counts(text)
    long_strings = [(lix(text), text) for text in strings if counts(text).words >= UI_STRING_MIN_WORDS]
    hardest = sorted(long_strings, reverse=True)[:8]
    report = (f"UI catalog: {len(strings)} strings, {total.words} words, {total.sentences} sentences, "
              f"{total.long_words} long words, LIX {total.lix:.1f} (limit {UI_LIMIT}); "
              f"{len(long_strings)} strings of ≥ {UI_STRING_MIN_WORDS} words, hardest:\n"
              + "\n".join(f"  {value:.0f}  {text}" for value, text in hardest))
    print(report)
    assert total.lix <= UI_LIMIT, report
    too_hard = [(value, text) for value, text in long_strings if value > UI_STRING_LIMIT]
    assert not too_hard, report + "\nabove " + str(UI_STRING_LIMIT) + ":\n" + "\n".join(
        f"  {value:.0f}  {text}" for value, text in sorted(too_hard, reverse=True))


def test_every_lattlast_article_is_easy_to_read() -> None:
    measured = {file: lix(text) for file, text in articles("sv-lattlast").items()}
    report = "lättläst LIX:\n" + "\n".join(f"  {value:4.1f}  {file}" for file, value in sorted(measured.items()))
    print(report)
    assert len(measured) >= 28, report  # one per phase for the six published diagnoses and Generell
    assert all(value <= EASY_READ_LIMIT for value in measured.values()), report


def test_the_ordinary_articles_are_measured() -> None:
    measured = {file: lix(text) for file, text in articles("sv").items()}
    easy = {file: lix(text) for file, text in articles("sv-lattlast").items()}
    average = sum(measured.values()) / len(measured)
    print(f"ordinary Swedish articles: {len(measured)}, LIX average {average:.1f}, "
          f"min {min(measured.values()):.1f}, max {max(measured.values()):.1f}")
    # lättläst is markedly easier than the ordinary text it stands for
    for file, value in easy.items():
        ordinary = file.replace(".sv-lattlast.md", ".sv.md")
        assert value < measured[ordinary], f"{file}: LIX {value:.1f} is not below {ordinary}'s {measured[ordinary]:.1f}"
