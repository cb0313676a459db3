"""User text is shown as text: escaped, with only web addresses turned into safe links."""

from __future__ import annotations

import pytest

from portal.web.text import linkify


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Se https://example.se.", ('Se <a href="https://example.se" rel="noopener noreferrer nofollow">'
                                   "https://example.se</a>.")),
        ("(www.1177.se)", '(<a href="https://www.1177.se" rel="noopener noreferrer nofollow">www.1177.se</a>)'),
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ('https://a.se/"onmouseover="x', ('<a href="https://a.se/" rel="noopener noreferrer nofollow">'
                                         'https://a.se/</a>&#34;onmouseover=&#34;x')),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("rad 1\nrad 2", "rad 1\nrad 2"),
    ],
)
def test_linkify(text: str, html: str) -> None:
    assert str(linkify(text)) == html
