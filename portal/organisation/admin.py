"""The administrator's pages for their own care provider: units, and the accounts of its staff and content editors
(invitations, work at units, deactivation). Anything of another provider is 404, and the attempt is logged."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.accounts.second_factor.services import reset_second_factor
from portal.core.access_log import Action, Actor, record_access
from portal.core.clock import utcnow
from portal.db import get_session
from portal.models import CareUnit, Role, StaffMember, User
from portal.organisation import services
from portal.security.sign_in_log import EventKind, note
from portal.web.guards import require_role
from portal.web.htmx import in_place
from portal.web.inputs import id_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_role(Role.ADMIN))

ERRORS: dict[str, LazyString] = {
    "name": _l("Write a name (at most 200 characters)."),
    "phone": _l("Write a phone number with digits, like 010-123 45 67."),
    "too_long": _l("Write a shorter text (at most 200 characters)."),
    "reply_days": _l("Write a number of days from 0 to 30."),
    "email": _l("Write the e-mail address like name@example.com."),
    "taken": _l("There is already an account with this e-mail address."),
    "role": _l("Choose what the person will do."),
    "unit": _l("Choose a unit."),
    "title": _l("Write a title, like Kontaktsjuksköterska (at most 100 characters)."),
}
NOTICES: dict[str, LazyString] = {
    "unit_saved": _l("The unit is saved."),
    "invited": _l("The account is made. An e-mail with a link to choose a password is on its way."),
    "invitation_sent": _l("A new e-mail with a link is on its way. The earlier link no longer works."),
    "membership_added": _l("The person now works at the unit."),
    "membership_ended": _l("The work at the unit is ended."),
    "title_changed": _l("The title is saved."),
    "deactivated": _l("The account is turned off. The person was signed out everywhere."),
    "activated": _l("The account can be used again."),
    "second_factor_reset": _l("The second step is reset. The person sets up a new one at the next sign-in."),
}


def note_account_change(user: User, what: str) -> None:
    """Account changes go to the security log too (what, never a secret)."""
    note(EventKind.ACCOUNT_CREATED if what == "invited" else EventKind.ACCOUNT_CHANGED, account=user, detail=what)


def _provider() -> int | None:
    return current_user.provider_id


def _denied(resource: str) -> None:
    """Another provider's object, or none: 404, and the attempt is in the access log."""
    record_access(get_session(), Actor.of(current_user._get_current_object()), Action.DENIED, resource, None)
    abort(404)


def _unit_or_404(unit_id: int) -> CareUnit:
    return services.unit_of(get_session(), _provider(), unit_id) or _denied(f"care_unit:{unit_id}")  # type: ignore[return-value]


def _account_or_404(account_id: int) -> User:
    return services.account_of(get_session(), _provider(), account_id) or _denied(f"account:{account_id}")  # type: ignore[return-value]


def _translated(codes: dict[str, str]) -> dict[str, LazyString]:
    return {name: ERRORS[code] for name, code in codes.items()}


def _notice() -> LazyString | None:
    return NOTICES.get(request.args.get("done", ""))


# --- units -------------------------------------------------------------------------------------------------------

@bp.get("/units")
def unit_list() -> str:
    """The provider's units by name, 50 at a time ('Show more' brings the next ones; under htmx only those)."""
    page = services.units(get_session(), _provider(), id_arg("after"))
    template = "organisation/partials/unit_more.html" if in_place() else "organisation/admin/unit_list.html"
    return render_template(template, page=page, notice=_notice(), has_provider=_provider() is not None)


def _unit_form(data: services.UnitInput, unit: CareUnit | None, errors: dict[str, str]) -> tuple[str, int]:
    return render_template("organisation/admin/unit_form.html", form=data, unit=unit,
                           errors=_translated(errors)), 422 if errors else 200


@bp.get("/units/new")
def unit_new() -> tuple[str, int]:
    """An empty form for a new unit."""
    if _provider() is None:
        abort(404)
    return _unit_form(services.UnitInput(), None, {})


@bp.post("/units/new")
def unit_create() -> Response | tuple[str, int]:
    """Add the unit; a refused form comes back with what was typed."""
    if _provider() is None:
        abort(404)
    data = services.UnitInput.from_form(request.form)
    if errors := services.check_unit(data):
        return _unit_form(data, None, errors)
    services.save_unit(get_session(), _provider() or 0, current_user, data)
    return redirect(url_for("organisation.admin.unit_list", done="unit_saved"), code=303)


@bp.get("/units/<int:unit_id>")
def unit_edit(unit_id: int) -> tuple[str, int]:
    """The unit's name, phone, opening hours and reply time, to change."""
    unit = _unit_or_404(unit_id)
    record_access(get_session(), Actor.of(current_user), Action.READ, f"care_unit:{unit_id}", None, unit_id)
    return _unit_form(services.UnitInput.of(unit), unit, {})


@bp.post("/units/<int:unit_id>")
def unit_update(unit_id: int) -> Response | tuple[str, int]:
    """Save the changes; patients see the new phone and hours at once."""
    unit = _unit_or_404(unit_id)
    data = services.UnitInput.from_form(request.form)
    if errors := services.check_unit(data):
        return _unit_form(data, unit, errors)
    services.save_unit(get_session(), _provider() or 0, current_user, data, unit)
    return redirect(url_for("organisation.admin.unit_list", done="unit_saved"), code=303)


# --- accounts ----------------------------------------------------------------------------------------------------

@bp.get("/accounts")
def account_list() -> str:
    """The provider's staff and content editors by name, 50 at a time."""
    page = services.accounts(get_session(), _provider(), id_arg("after"))
    template = "organisation/partials/account_more.html" if in_place() else "organisation/admin/account_list.html"
    return render_template(template, page=page, notice=_notice(), has_provider=_provider() is not None)


def _invite_form(data: services.InviteInput, errors: dict[str, str]) -> tuple[str, int]:
    units = services.units(get_session(), _provider()).rows
    return render_template("organisation/admin/account_new.html", form=data, units=units,
                           errors=_translated(errors)), 422 if errors else 200


@bp.get("/accounts/new")
def account_new() -> tuple[str, int]:
    """Invite a nurse (with a first unit and title) or a content editor by e-mail."""
    if _provider() is None:
        abort(404)
    return _invite_form(services.InviteInput(), {})


@bp.post("/accounts/new")
def account_create() -> Response | tuple[str, int]:
    """Make the account and e-mail the one-time link; a refused form keeps what was typed."""
    if _provider() is None:
        abort(404)
    data = services.InviteInput.from_form(request.form)
    if errors := services.check_invite(get_session(), _provider(), data):
        return _invite_form(data, errors)
    user = services.invite(get_session(), _provider() or 0, current_user, data, utcnow(), _base_url())
    note_account_change(user, "invited")
    return redirect(url_for("organisation.admin.account", account_id=user.id, done="invited"), code=303)


def _base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"])


def _account_page(user: User, form: dict[str, str] | None = None, errors: dict[str, str] | None = None
                  ) -> tuple[str, int]:
    session = get_session()
    return render_template("organisation/admin/account.html", account=user, notice=_notice(),
                           memberships=services.memberships(session, user.id or 0),
                           units=services.units(session, _provider()).rows, form=form or {},
                           errors=_translated(errors or {}),
                           pending=services.pending_invitation(session, user.id or 0, utcnow())), \
        422 if errors else 200


@bp.get("/accounts/<int:account_id>")
def account(account_id: int) -> tuple[str, int]:
    """One account: where the person works, their invitation, and turning the account off."""
    user = _account_or_404(account_id)
    record_access(get_session(), Actor.of(current_user), Action.READ, f"account:{account_id}", None)
    return _account_page(user)


@bp.post("/accounts/<int:account_id>/memberships")
def membership_create(account_id: int) -> Response | tuple[str, int]:
    """The person starts working at one more of the provider's units, with a title."""
    user = _account_or_404(account_id)
    form = {"unit_id": request.form.get("unit_id", "")[:20], "title": request.form.get("title", "").strip()[:400]}
    if user.role != Role.STAFF:
        abort(404)
    if errors := services.check_membership(get_session(), _provider(), form["unit_id"], form["title"]):
        return _account_page(user, form, errors)
    services.add_membership(get_session(), user, current_user, int(form["unit_id"]), form["title"])
    note_account_change(user, "membership_added")
    return redirect(url_for("organisation.admin.account", account_id=account_id, done="membership_added"), code=303)


@bp.post("/accounts/<int:account_id>/memberships/<int:staff_member_id>")
def membership_update(account_id: int, staff_member_id: int) -> Response | tuple[str, int]:
    """A new title for the person's work at one unit."""
    user = _account_or_404(account_id)
    member = services.membership_of(get_session(), user, staff_member_id) or _denied(
        f"staff_member:{staff_member_id}")
    title = request.form.get("title", "").strip()[:400]
    if not title or len(title) > services.MAX_TITLE:
        return _account_page(user, {"member": str(staff_member_id), "member_title": title},
                             {f"title-{staff_member_id}": "title"})
    services.set_title(get_session(), current_user, member, title)  # type: ignore[arg-type]
    note_account_change(user, "title_changed")
    return redirect(url_for("organisation.admin.account", account_id=account_id, done="title_changed"), code=303)


@bp.post("/accounts/<int:account_id>/memberships/<int:staff_member_id>/end")
def membership_end(account_id: int, staff_member_id: int) -> Response:
    """The person no longer works at that unit (from now on they see none of its patients)."""
    user = _account_or_404(account_id)
    member: StaffMember | None = services.membership_of(get_session(), user, staff_member_id)
    if member is None:
        _denied(f"staff_member:{staff_member_id}")
    services.end_membership(get_session(), current_user, member)  # type: ignore[arg-type]
    note_account_change(user, "membership_ended")
    return redirect(url_for("organisation.admin.account", account_id=account_id, done="membership_ended"), code=303)


def _set_active(account_id: int, active: bool) -> Response:
    user = _account_or_404(account_id)
    services.set_active(get_session(), current_user, user, active, utcnow())
    note_account_change(user, "activated" if active else "deactivated")
    done = "activated" if active else "deactivated"
    return redirect(url_for("organisation.admin.account", account_id=account_id, done=done), code=303)


@bp.post("/accounts/<int:account_id>/deactivate")
def account_deactivate(account_id: int) -> Response:
    """Turn the account off at once: every session it has ends now."""
    return _set_active(account_id, False)


@bp.post("/accounts/<int:account_id>/activate")
def account_activate(account_id: int) -> Response:
    """Let a turned-off account sign in again."""
    return _set_active(account_id, True)


@bp.post("/accounts/<int:account_id>/invitation")
def invitation_send(account_id: int) -> Response:
    """A new one-time link by e-mail (for example when the first one ran out); the earlier link stops working."""
    user = _account_or_404(account_id)
    if not user.is_active:
        abort(404)
    services.send_invitation(get_session(), user, current_user, utcnow(), _base_url())
    note_account_change(user, "invitation_sent")
    return redirect(url_for("organisation.admin.account", account_id=account_id, done="invitation_sent"), code=303)


@bp.post("/accounts/<int:account_id>/second-factor/reset")
def second_factor_reset(account_id: int) -> Response:
    """A lost phone or key: remove the account's app, passkeys and recovery codes; its sessions end, and the next
    sign-in sets up a new second step."""
    user = _account_or_404(account_id)
    reset_second_factor(get_session(), user)
    record_access(get_session(), Actor.of(current_user), Action.UPDATE, f"account:{account_id}", None)
    note_account_change(user, "second_factor_reset")
    return redirect(url_for("organisation.admin.account", account_id=account_id, done="second_factor_reset"),
                    code=303)
