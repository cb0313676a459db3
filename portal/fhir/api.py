"""The FHIR R4 API for a care provider's own systems (JSON only): read and search Patient, CarePlan and
QuestionnaireResponse, and post a booked Appointment. A bearer token from /oauth/token with the endpoint's scope is
needed; a system sees only patients with a plan at its provider's units. Every read, and every refusal, is in the
access log as that system. Identifiers (personal numbers) are searched only in a POST body, never in an address."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Response, abort, g, request, url_for
from werkzeug.exceptions import HTTPException

from portal.core.access_log import Action, Actor, record_access
from portal.core.text import parse_id
from portal.db import get_session
from portal.fhir.oauth import require_token, token_server
from portal.fhir.services import capability, mapping, records
from portal.fhir.services.clients import SYSTEM_ROLE
from portal.models import ApiClient, Patient

FHIR_JSON = "application/fhir+json"
bp = Blueprint("api", __name__, url_prefix="/fhir/R4")
token_bp = Blueprint("oauth", __name__, url_prefix="/oauth")


def _answer(body: dict[str, Any], status: int = 200, **headers: str) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=FHIR_JSON, headers=headers)


def _resource(model: Any, status: int = 200, **headers: str) -> Response:
    return Response(model.model_dump_json(), status=status, mimetype=FHIR_JSON, headers=headers)


def outcome(status: int, code: str, text: str) -> Response:
    """An OperationOutcome: what went wrong, in words a developer reads."""
    return _answer({"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": code, "diagnostics": text}]}, status)


@bp.errorhandler(HTTPException)
def _error(error: HTTPException) -> Response:
    """Authlib's own 401/403 as it made them (with WWW-Authenticate); anything else as an OperationOutcome."""
    if type(error).__module__.startswith("authlib"):
        return error.get_response()
    code = {404: "not-found", 405: "not-supported", 429: "throttled"}.get(error.code or 500, "processing")
    return outcome(error.code or 500, code, error.description or "")


def _log(client: ApiClient | None, action: Action, resource: str, patient_id: int | None) -> None:
    actor = Actor(client.user_id, SYSTEM_ROLE) if client else Actor(None, "anonymous")
    record_access(get_session(), actor, action, resource[:100], patient_id)


def _system(scope: str) -> ApiClient:
    """The calling system, if its token is valid and carries `scope`; else 401 or 403 (logged as a refusal)."""
    try:
        require_token.acquire_token([scope])
    except OAuth2Error as error:
        _log(g.get("api_client"), Action.DENIED, f"fhir:{request.endpoint}", None)
        require_token.raise_error_response(error)
    return g.api_client


def _found(client: ApiClient, thing: Any, resource: str) -> Any:
    """The object, or 404 (logged): another provider's patient is as unknown as one that does not exist."""
    if thing is None:
        _log(client, Action.DENIED, resource, None)
        abort(404, "No such resource for this system.")
    return thing


def _search(client: ApiClient, found: list[tuple[dict[str, Any], int]]) -> Response:
    for resource, patient_id in found:
        _log(client, Action.READ, f"fhir:{resource['resourceType']}/{resource['id']}", patient_id)
    return _resource(mapping.searchset(_base(), [resource for resource, _p in found]))


def _base() -> str:
    return url_for("fhir.api.metadata", _external=True).removesuffix("/metadata")


def _patient_param(client: ApiClient) -> Patient | None:
    """`?patient=12` or `?patient=Patient/12`, if this system may see that patient."""
    number = parse_id((request.args.get("patient") or request.args.get("subject") or "").removeprefix("Patient/"))
    return records.patient_of(get_session(), client, number) if number else None


@bp.get("/metadata")
def metadata() -> Response:
    """The CapabilityStatement: what this server reads and accepts, and how to get a token."""
    return _resource(capability.statement(_base(), url_for("fhir.oauth.token", _external=True)))


@bp.get("/Patient/<int:patient_id>")
def patient_read(patient_id: int) -> Response:
    client = _system("patient.read")
    patient = _found(client, records.patient_of(get_session(), client, patient_id), f"fhir:Patient/{patient_id}")
    _log(client, Action.READ, f"fhir:Patient/{patient_id}", patient.id)
    return _answer(records.patient_json(patient))


@bp.get("/Patient")
def patient_search() -> Response:
    """Search by `_id`; a search by identifier goes in a POST body (personal numbers stay out of addresses)."""
    client = _system("patient.read")
    if request.args.get("identifier"):
        return outcome(400, "not-supported", "Search by identifier with POST /fhir/R4/Patient/_search.")
    number = parse_id(request.args.get("_id"))
    patient = records.patient_of(get_session(), client, number) if number else None
    return _search(client, [(records.patient_json(patient), patient.id or 0)] if patient else [])


@bp.post("/Patient/_search")
def patient_search_post() -> Response:
    """Search by `identifier` (system|value) sent as a form body."""
    client = _system("patient.read")
    patient = records.patient_by_identifier(get_session(), client, request.form.get("identifier", ""))
    return _search(client, [(records.patient_json(patient), patient.id or 0)] if patient else [])


@bp.get("/CarePlan/<int:plan_id>")
def careplan_read(plan_id: int) -> Response:
    client = _system("careplan.read")
    session = get_session()
    plan = _found(client, records.plan_of(session, client, plan_id), f"fhir:CarePlan/{plan_id}")
    patient = session.get(Patient, plan.patient_id)
    _log(client, Action.READ, f"fhir:CarePlan/{plan_id}", plan.patient_id)
    return _answer(records.plan_json(session, patient, plan))


@bp.get("/CarePlan")
def careplan_search() -> Response:
    """`?patient=` (needed) and `?status=active|completed`."""
    client = _system("careplan.read")
    session, patient = get_session(), _patient_param(client)
    status = request.args.get("status")
    plans = records.plans_of(session, client, patient.id or 0, status) if patient else []
    return _search(client, [(records.plan_json(session, patient, plan), plan.patient_id) for plan in plans])


@bp.get("/QuestionnaireResponse/<int:response_id>")
def response_read(response_id: int) -> Response:
    client = _system("questionnaireresponse.read")
    session = get_session()
    resource = f"fhir:QuestionnaireResponse/{response_id}"
    response = _found(client, records.response_of(session, client, response_id), resource)
    patient = records.patient_of_response(session, response)
    _log(client, Action.READ, resource, patient.id)
    return _answer(records.response_json(session, patient, response))


@bp.get("/QuestionnaireResponse")
def response_search() -> Response:
    """`?patient=` (needed): the patient's submitted forms."""
    client = _system("questionnaireresponse.read")
    session, patient = get_session(), _patient_param(client)
    responses = records.responses_of(session, client, patient.id or 0) if patient else []
    return _search(client, [(records.response_json(session, patient, r), patient.id or 0) for r in responses])


IMPORT_ERRORS: dict[records.ImportError_, tuple[int, str, str]] = {
    records.ImportError_.INVALID: (400, "structure", "Not a valid FHIR R4 Appointment."),
    records.ImportError_.STATUS: (422, "value", "Status must be booked, fulfilled or cancelled."),
    records.ImportError_.START: (422, "required", "A booked appointment needs a start."),
    records.ImportError_.PATIENT: (404, "not-found", "No such patient with a plan for this system."),
    records.ImportError_.ITEM: (404, "not-found", "No such item in the patient's plan."),
    records.ImportError_.NOT_RESPONSIBLE: (403, "forbidden", "Another care provider holds this plan."),
}


@bp.post("/Appointment")
def appointment_create() -> Response:
    """A booking from the booking system: moves the plan item it names (or adds one) — booked, when, where."""
    client = _system("appointment.write")
    result = records.import_appointment(get_session(), client, request.get_json(force=True, silent=True))
    if isinstance(result, records.ImportError_):
        _log(client, Action.DENIED, "fhir:Appointment", None)
        return outcome(*IMPORT_ERRORS[result])
    patient = records.patient_of_item(get_session(), result.item)
    _log(client, Action.CREATE if result.created else Action.UPDATE, f"plan_item:{result.item.id}", patient.id)
    body = records.appointment_json(get_session(), result.item)
    location = f"{_base()}/Appointment/{body['id']}"
    return _answer(body, 201 if result.created else 200, Location=location)


@token_bp.post("/token")
def token() -> Response:
    """Client credentials: id and secret (HTTP Basic or form), the scopes wanted; a bearer token for an hour."""
    return token_server().create_token_response()


def exempt(csrf_exempt: Callable[[Blueprint], None]) -> None:
    """A JSON API with bearer tokens: no cookies, so no CSRF tokens."""
    csrf_exempt(bp)
    csrf_exempt(token_bp)
