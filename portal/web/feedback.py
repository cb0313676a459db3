"""Feedback in place: after an action, the confirmation shows where the person is looking.

One pattern for every patient action (mark an article understood, save settings, save "what matters", invite or
remove a relative, agree to sharing, remove an own item):

- The view answers the POST with `confirmed(endpoint, **values)`: a 303 to the page (POST-redirect-GET) with the
  fragment `#confirmation`, so that without JavaScript the browser scrolls to the confirmation.
- The page shows it with the `confirmation` macro (components/confirmation.html): an element with that id,
  tabindex="-1" and `data-autofocus`, the one mark app.js uses to move focus (and so scroll) after a page load or a
  swap.
- With htmx, the form carries `swap_in_place(action, section)` from the same component: htmx posts, follows the
  redirect and puts the page's section (`hx-select`) in place of the old one; app.js then focuses the confirmation.
  A refused form (422) comes back the same way, with its error summary focused.
"""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, url_for

CONFIRMATION_ID = "confirmation"


def confirmed(endpoint: str, **values: Any) -> Response:
    """Redirect (303) to `endpoint` with `values` in the query and the confirmation in the fragment."""
    return redirect(url_for(endpoint, _anchor=CONFIRMATION_ID, **values), code=303)
