"""'Vilka kan se min plan': the care providers that may see the patient's plan, and the patient's consent to each
one other than the responsible provider (PDL 6 kap.): agree when a provider asks, withdraw at any time."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.core.access_log import Action
from portal.core.text import parse_id
from portal.db import get_session
from portal.models import CarePlan
from portal.plans.access import log, require_plan
from portal.plans.patient import bp
from portal.plans.services import handover as handovers
from portal.web.feedback import confirmed

ERRORS: dict[str, LazyString] = {
    "responsible": _l("The care provider responsible for your plan always sees it."),
    "unknown": _l("Choose one of the care providers on this page."),
}
DONE = {"agreed": _l("Thank you. The care provider can now see your plan."),
        "withdrawn": _l("The care provider can no longer see your plan.")}


def _page(plan: CarePlan, error: LazyString | None = None) -> tuple[str, int]:
    done = DONE.get(request.args.get("done", ""))
    return render_template("plans/patient/sharing.html", shown=handovers.sharing(get_session(), plan), error=error,
                           done=done), 422 if error else 200


@bp.get("/sharing")
def sharing() -> tuple[str, int]:
    """Which care providers may see the plan, and which ask to."""
    patient, plan = require_plan()
    log(Action.READ, f"sharing:{plan.id}", patient.id)
    return _page(plan)


@bp.post("/sharing")
def sharing_update() -> Response | tuple[str, int]:
    """Agree that a provider may see the plan, or withdraw that consent."""
    patient, plan = require_plan()
    choice = request.form.get("answer", "")
    provider_id = parse_id(request.form.get("provider")) or 0
    problem = handovers.answer(get_session(), plan, provider_id, choice == "agree") \
        if choice in ("agree", "withdraw") else "unknown"
    if problem is not None:
        log(Action.READ, f"sharing:{plan.id}", patient.id)
        return _page(plan, ERRORS[problem])
    log(Action.UPDATE, f"sharing:{plan.id}", patient.id)
    return confirmed("plans.patient.sharing", done="agreed" if choice == "agree" else "withdrawn")
