"""'Ladda ner mina uppgifter': the patient's (or a relative's, within their scopes) copy of the plan as a FHIR R4
bundle, a readable summary to print or save, and the access log as CSV. Every download is in the access log."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, render_template, stream_with_context, url_for
from flask_babel import get_locale

from portal.audit import services as audit
from portal.core.access_log import Action
from portal.core.clock import stockholm_now, utcnow
from portal.db import get_session
from portal.fhir.services import collect, mapping
from portal.fhir.services.collect import MyData
from portal.plans.access import acting_delegation, current_patient, log, patient_guard, require_plan

bp = Blueprint("patient", __name__, url_prefix="/plan/my-data")
bp.before_request(patient_guard())


def _mine() -> MyData:
    """What this viewer may take with them: everything for the patient, a relative's scopes for a relative."""
    patient, plan = require_plan()  # a draft is no plan here either
    delegation = acting_delegation()
    scopes = collect.ALL if delegation is None else delegation.scope_set
    return collect.collect(get_session(), patient, scopes, str(get_locale() or "sv"), plan=plan)


def _article_url(article_id: int) -> str:
    return url_for("plans.patient.article", article_id=article_id, _external=True)


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@bp.get("")
def downloads() -> str:
    """The three downloads, and what each holds."""
    data = _mine()
    log(Action.READ, "my_data", data.patient.id)
    return render_template("fhir/patient/downloads.html", data=data)


@bp.get("/fhir.json")
def bundle_download() -> Response:
    """The plan, its team, timeline and reading, the messages and the answered forms as one FHIR R4 Bundle."""
    data = _mine()
    base = url_for("fhir.api.metadata", _external=True).removesuffix("/metadata")
    exported = mapping.bundle(data, base, _article_url, utcnow())
    log(Action.READ, "my_data:fhir", data.patient.id)
    day = stockholm_now().date().isoformat()
    return Response(exported.model_dump_json(), mimetype="application/fhir+json",
                    headers=_attachment(f"min-vardplan-{day}.fhir.json"))


@bp.get("/summary")
def summary() -> str:
    """The same data as a page to read, print or save as PDF."""
    data = _mine()
    log(Action.READ, "my_data:summary", data.patient.id)
    return render_template("fhir/patient/summary.html", data=data, printed=stockholm_now())


@bp.get("/access-log.csv")
def access_log_csv() -> Response:
    """Everyone who read or changed the patient's data, as CSV (the care unit's file, the same columns)."""
    patient = current_patient()
    if patient is None:
        abort(404)
    patient_id = patient.id or 0
    log(Action.READ, "access_log:csv", patient_id)
    day = stockholm_now().date().isoformat()
    return Response(stream_with_context(_csv(patient_id)), mimetype="text/csv",
                    headers=_attachment(f"min-vardplan-atkomstlogg-{day}.csv"))


def _csv(patient_id: int) -> Iterator[str]:
    yield from audit.csv_lines(audit.all_events(get_session(), patient_id))
