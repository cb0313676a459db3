"""The web side of a message thread, shared by the patient's and the care team's pages."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from flask import Response, make_response, redirect, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from portal.core.clock import local_date
from portal.core.drafts import take_draft
from portal.messages import services as msgs
from portal.models import MAX_MESSAGE_LENGTH, Message
from portal.web.guards import login_redirect, sign_in_keeping_text
from portal.web.htmx import is_htmx
from portal.web.stale_forms import draw_again, from_this_site

BODY_MESSAGES = {
    msgs.BodyError.EMPTY: _l("Write your message before you send it."),
    msgs.BodyError.TOO_LONG: _l("The message is too long. It can have at most %(max)s characters. Shorten it and "
                                "send it again.", max=f"{MAX_MESSAGE_LENGTH:,}".replace(",", "\u00a0")),
}


def new_client_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class ComposeForm:
    """What the writer typed; a fresh client token per form makes a resubmission harmless."""

    body: str = ""
    client_token: str = field(default_factory=new_client_token)
    error: LazyString | None = None
    saved_draft: bool = False

    @classmethod
    def from_request(cls, data: MultiDict[str, str]) -> ComposeForm:
        token = data.get("client_token", "")
        return cls(body=data.get("body", ""), client_token=token if msgs.valid_client_token(token) else "")

    def validate(self) -> str | None:
        """The cleaned body if it may be sent; else None and `error` says why."""
        if not self.client_token:
            self.client_token = new_client_token()
        body = msgs.clean_body(self.body)
        problem = msgs.check_body(body)
        self.error = BODY_MESSAGES[problem] if problem else None
        return None if problem else body


def form_with_draft(session: Session, user_id: int, path: str) -> ComposeForm:
    """A fresh form, holding text kept from before a sign-in if there is any."""
    body = take_draft(session, user_id, path)
    return ComposeForm(body=body, saved_draft=bool(body))


@dataclass(frozen=True)
class ThreadUrls:
    """Where this audience's thread lives: the page, its older pages, the poll and the form."""

    page: str
    older: str
    poll: str
    post: str


def day_pairs(messages: list[Message], previous: Message | None = None) -> list[tuple[Message, date | None]]:
    """Each message with its Stockholm day when a new day starts, for the day headings."""
    return msgs.with_days(messages, local_date, local_date(previous.created_at) if previous else None)


def compose_invalid(form: ComposeForm, urls: ThreadUrls, full_page: Response | str) -> Response:
    """422 with the text kept: the form alone for htmx, the whole page otherwise."""
    if is_htmx():
        body = render_template("messages/partials/compose.html", form=form, urls=urls, refocus=True)
        response = make_response(body, 422)
        response.headers["HX-Retarget"] = "#compose"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return make_response(full_page, 422)


def compose_sent(session: Session, message: Message, created: bool, urls: ThreadUrls, viewer_id: int) -> Response:
    """htmx: the new message to append, a fresh form and an announcement; without JS: 303 back to the thread."""
    if not is_htmx():
        return redirect(f"{urls.page}#message-{message.id}", code=303)
    previous = msgs.message_before(session, message.plan_id, message.id or 0) if created else None
    return make_response(render_template(
        "messages/partials/sent.html", form=ComposeForm(), urls=urls, viewer_id=viewer_id,
        pairs=day_pairs([message], previous) if created else []))


def new_chunk(session: Session, plan_id: int, after_id: int, urls: ThreadUrls, viewer_id: int) -> tuple[str, bool]:
    """What arrived after `after_id` (marked read), the next poll and an announcement; True if anything came."""
    new = msgs.messages_after(session, plan_id, after_id)
    previous = msgs.message_before(session, plan_id, new[0].id or 0) if new else None
    if new:
        msgs.mark_read(session, plan_id, viewer_id, new[-1].id or 0)
    from_others = [m for m in new if m.author_user_id != viewer_id]
    html = render_template("messages/partials/poll.html", pairs=day_pairs(new, previous), urls=urls,
                           viewer_id=viewer_id, after_id=new[-1].id if new else after_id, from_others=from_others)
    return html, bool(new)


def older_chunk(session: Session, plan_id: int, before_id: int, urls: ThreadUrls, viewer_id: int) -> str:
    """Earlier messages to put first, the next 'older' link, and the duplicate day heading removed."""
    page = msgs.page_before(session, plan_id, before_id)
    following = msgs.messages_after(session, plan_id, page.newest_id, limit=1) if page.messages else []
    return _older_response(page, following[0] if following else None, urls, viewer_id)


def _older_response(page: msgs.Page, following: Message | None, urls: ThreadUrls, viewer_id: int) -> str:
    pairs = day_pairs(page.messages)
    last_day = local_date(page.messages[-1].created_at) if page.messages else None
    same_day = following is not None and last_day == local_date(following.created_at)
    return render_template("messages/partials/older.html", page=page, pairs=pairs, urls=urls, viewer_id=viewer_id,
                           drop_day=last_day if same_day else None)


def is_message_form() -> bool:
    """A message being sent: its text must survive an expired session or form (other forms are shown again)."""
    return request.method == "POST" and "body" in request.form


def sign_in_first() -> Response:
    """For the thread blueprints' guards: an anonymous writer signs in again with the text kept."""
    return sign_in_keeping_text() if is_message_form() else login_redirect()


def keep_text_on_stale_form(error: CSRFError) -> Response | tuple[str, int]:
    """A message form that expired after the person was signed out: sign in again with the text carried along.

    Only for a form sent from our own pages; everything else is drawn again with what was typed, and nothing is
    saved from a request without a valid token.
    """
    if is_message_form() and not current_user.is_authenticated and from_this_site():
        return sign_in_keeping_text()
    return draw_again(error)
