"""The floor under a patient page, for `bench/throughput.py`: the portal with one address more, `/bench-floor/`,
never part of the portal itself.

It does only what no design of the start page can leave out: the signed-in session, the patient guard (who is
asking, which plan, for themselves or through a delegation) and one access event, saved in the request's commit.
Then it answers with the start page's HTML as drawn on the first request: what a page cache would cost that never
missed and never asked whether the page had changed. No page that is written to the access log can be cheaper.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from portal import create_app
from portal.core.access_log import Action
from portal.plans.access import current_plan, log, patient_guard

PATH = "/bench-floor/"


def add_floor(app: Flask) -> Flask:
    bp = Blueprint("bench_floor", __name__, url_prefix=PATH.rstrip("/"))
    bp.before_request(patient_guard())
    drawn: list[str] = []

    @bp.get("/")
    def floor() -> str:
        if not drawn:  # the real start page, once (it logs its own read and the visit)
            drawn.append(app.view_functions["plans.patient.start"]())
            return drawn[0]
        plan = current_plan()
        if plan is None:
            return ""
        log(Action.READ, f"plan:{plan.id}", plan.patient_id)
        return drawn[0]

    app.register_blueprint(bp)
    return app


app = add_floor(create_app())
