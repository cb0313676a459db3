"""The patient's data as HL7 FHIR: one Bundle of type `collection`, every resource built and checked by the
`fhir.resources` models of FHIR R4B (4.3.0). R4B is R4 (4.0.1) with changes only in medication definitions,
evidence and subscriptions, none of which we use, so the JSON is R4 as well; the package's R4 proper (6.2) needs
pydantic 1, which the rest of the app cannot run beside.

Ids: `Patient/<id>`, `CarePlan/<id>` and `QuestionnaireResponse/<id>` are the database ids the read API answers to;
the rest are ours in the bundle (`item-<id>`, `unit-<id>` …). Codes of our own live under CANONICAL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from portal.core.clock import in_stockholm
from portal.core.personal_id import IdKind, kind_of
from portal.fhir.services.collect import Answered, MyData
from portal.models import (
    CarePlan,
    DatePrecision,
    ItemKind,
    ItemStatus,
    Message,
    PlanItem,
    PlanReading,
    PlanStatus,
    TeamRole,
)
from portal.plans.services.timeline import last_possible_day
from portal.questionnaires.services.definitions import Item

CANONICAL = "https://vardplan.example/fhir"
PERSONNUMMER = "urn:oid:1.2.752.129.2.1.3.1"
SAMORDNINGSNUMMER = "urn:oid:1.2.752.129.2.1.3.3"
RESERVNUMMER = f"{CANONICAL}/sid/reservnummer"  # regions' own numbers: no national OID
PLAN_ITEM = f"{CANONICAL}/sid/plan-item"
PHASE = f"{CANONICAL}/CodeSystem/phase"
ITEM_KIND = f"{CANONICAL}/CodeSystem/item-kind"
DIAGNOSIS = f"{CANONICAL}/CodeSystem/diagnosis"
TEAM_ROLE = f"{CANONICAL}/CodeSystem/team-role"
PHASE_EXTENSION = f"{CANONICAL}/StructureDefinition/plan-phase"
PRECISION_EXTENSION = f"{CANONICAL}/StructureDefinition/date-precision"
IDENTIFIER_SYSTEMS = {IdKind.PERSONAL: PERSONNUMMER, IdKind.COORDINATION: SAMORDNINGSNUMMER,
                      IdKind.RESERVE: RESERVNUMMER}
ACTIVITY_STATUS = {ItemStatus.PLANNED: "not-started", ItemStatus.BOOKED: "scheduled",
                   ItemStatus.DONE: "completed", ItemStatus.CANCELLED: "cancelled"}
ACTIVITY_KIND = {ItemKind.APPOINTMENT: "Appointment", ItemKind.EXAMINATION: "ServiceRequest",
                 ItemKind.TREATMENT: "ServiceRequest", ItemKind.MILESTONE: "Task"}
ANSWER_TYPE = {"scale": "integer", "single": "choice", "multiple": "choice", "yesno": "boolean", "text": "text",
               "date": "date"}
ArticleUrl = Callable[[int], str]
Json = dict[str, Any]


def ref(kind: str, ident: object, display: str | None = None) -> Json:
    return {"reference": f"{kind}/{ident}", **({"display": display} if display else {})}


def instant(value: datetime) -> str:
    return in_stockholm(value).isoformat()


def checked(data: Json) -> Resource:
    """The resource as its fhir.resources model: a field or value the model does not allow raises here."""
    return get_fhir_model_class(data["resourceType"]).model_validate(data)


def patient_resource(data: MyData) -> Json:
    patient = data.patient
    system = IDENTIFIER_SYSTEMS[kind_of(patient.personal_id)]
    return {"resourceType": "Patient", "id": str(patient.id), "identifier": [
        {"use": "official", "system": system, "value": patient.personal_id}],
        "name": [{"use": "official", "text": patient.name}], "birthDate": patient.birth_date.isoformat(),
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": patient.language}]},
                           "preferred": True}]}


def organisations(data: MyData) -> list[Json]:
    """The care providers, and the units of the care team as parts of them."""
    found = [{"resourceType": "Organization", "id": f"provider-{p.id}", "name": p.name}
             for p in data.providers.values()]
    return found + [{"resourceType": "Organization", "id": f"unit-{u.id}", "name": u.name,
                     "telecom": [{"system": "phone", "value": u.phone, "use": "work"}],
                     "partOf": ref("Organization", f"provider-{u.provider_id}")} for u in data.units.values()]


def nurse_role(data: MyData) -> Json | None:
    nurse = data.nurse
    if nurse is None:
        return None
    return {"resourceType": "PractitionerRole", "id": f"nurse-{nurse.staff_id}", "active": True,
            "practitioner": {"display": nurse.name}, "organization": ref("Organization", f"unit-{nurse.unit_id}"),
            "code": [{"text": nurse.title or "Kontaktsjuksköterska"}]}


def care_team(data: MyData) -> Json:
    plan = data.plan
    members = [{"role": [{"coding": [{"system": TEAM_ROLE, "code": m.role}]}],
                "member": ref("Organization", f"unit-{unit.id}", unit.name),
                "period": {"start": instant(m.since), **({"end": instant(m.until)} if m.until else {})}}
               for m, unit in data.team]
    if data.nurse:
        members.append({"role": [{"coding": [{"system": TEAM_ROLE, "code": "contact_nurse"}]}],
                        "member": ref("PractitionerRole", f"nurse-{data.nurse.staff_id}", data.nurse.name)})
    if plan and plan.responsible_doctor:
        members.append({"role": [{"coding": [{"system": TEAM_ROLE, "code": "responsible_doctor"}]}],
                        "member": {"display": plan.responsible_doctor}})
    current = [unit for m, unit in data.team if m.role == TeamRole.RESPONSIBLE and m.until is None]
    return {"resourceType": "CareTeam", "id": f"team-{plan.id if plan else 0}", "status": "active",
            "subject": ref("Patient", data.patient.id), "participant": members,
            **({"managingOrganization": [ref("Organization", f"unit-{current[0].id}")]} if current else {})}


def condition(data: MyData) -> Json:
    plan = _plan(data)
    return {"resourceType": "Condition", "id": f"condition-{plan.id}",
            "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                           "code": "active"}]},
            "code": {"coding": [{"system": DIAGNOSIS, "code": plan.template_key, "display": data.diagnosis}],
                     "text": data.diagnosis},
            "subject": ref("Patient", data.patient.id),
            **({"note": [{"text": plan.diagnosis_summary}]} if plan.diagnosis_summary else {})}


def scheduled_period(item: PlanItem) -> Json | None:
    """An exact time as the period's start; a day, week or month as the days it spans (FHIR partial dates)."""
    if item.starts_at is None:
        return None
    local = in_stockholm(item.starts_at)
    if item.date_precision == DatePrecision.TIME:
        return {"start": local.isoformat()}
    if item.date_precision == DatePrecision.MONTH:
        return {"start": local.strftime("%Y-%m"), "end": local.strftime("%Y-%m")}
    return {"start": local.date().isoformat(),
            "end": last_possible_day(local.date(), item.date_precision).isoformat()}


def activity(item: PlanItem) -> Json:
    """A timeline item: what, its status, when (exact, or the span of an approximate date), where."""
    period = scheduled_period(item)
    detail: Json = {"kind": ACTIVITY_KIND.get(item.kind, "Task"),
                    "code": {"coding": [{"system": ITEM_KIND, "code": item.kind}], "text": item.title},
                    "status": ACTIVITY_STATUS[item.status], "doNotPerform": False,
                    **({"scheduledPeriod": period} if period else {}),
                    **({"location": {"display": item.location}} if item.location else {}),
                    **({"performer": [ref("Organization", f"unit-{item.unit_id}")]} if item.unit_id else {}),
                    **({"description": item.preparation} if item.preparation else {})}
    return {"id": f"item-{item.id}", "extension": [
        {"url": PHASE_EXTENSION, "valueCode": item.phase},
        {"url": PRECISION_EXTENSION, "valueCode": item.date_precision}], "detail": detail}


APPOINTMENT_STATUS = {ItemStatus.BOOKED: "booked", ItemStatus.DONE: "fulfilled", ItemStatus.CANCELLED: "cancelled"}


def _appointment_times(item: PlanItem) -> Json:
    """Start and end: the exact time, or the whole day, week or month when that is all we know (FHIR wants both
    for a booked visit)."""
    if item.starts_at is None:
        return {}
    local = in_stockholm(item.starts_at)
    if item.date_precision == DatePrecision.TIME:
        return {"start": local.isoformat(), "end": local.isoformat()}
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    last = last_possible_day(local.date(), item.date_precision)
    return {"start": start.isoformat(), "end": (start + timedelta(days=(last - local.date()).days + 1)).isoformat()}


def appointment(data: MyData, item: PlanItem, booked_only: bool = True) -> Json | None:
    """A booked visit as an Appointment naming its plan item, with the place as a Location by name (the API
    answers a posted booking with this too, then also done or cancelled)."""
    status = APPOINTMENT_STATUS.get(ItemStatus(item.status))
    times = _appointment_times(item)
    if status is None or (booked_only and status != "booked") or (status != "cancelled" and not times):
        return None
    participants = [{"actor": ref("Patient", data.patient.id), "status": "accepted"}]
    if item.location:
        participants.append({"actor": {"type": "Location", "display": item.location}, "status": "accepted"})
    return {"resourceType": "Appointment", "id": f"item-{item.id}",
            "identifier": [{"system": PLAN_ITEM, "value": str(item.id)}], "status": status,
            "description": item.title, **times, "participant": participants,
            "supportingInformation": [ref("CarePlan", item.plan_id)]}


def _plan(data: MyData) -> CarePlan:
    if data.plan is None:
        raise ValueError("no plan to export")
    return data.plan


def care_plan(data: MyData) -> Json:
    plan = _plan(data)
    dated = [in_stockholm(item.starts_at) for item in data.items if item.starts_at]
    notes = [{"text": plan.personal_note}] if plan.personal_note else []
    if plan.what_matters:
        notes.append({"authorReference": ref("Patient", data.patient.id), "text": plan.what_matters})
    return {"resourceType": "CarePlan", "id": str(plan.id),
            "status": "active" if plan.status == PlanStatus.ACTIVE else "completed", "intent": "plan",
            "instantiatesUri": [f"{CANONICAL}/content/{plan.template_key}/{plan.template_version or 0}"],
            "category": [{"coding": [{"system": PHASE, "code": plan.current_phase}]}],
            "title": f"Min vårdplan: {data.diagnosis}" if data.diagnosis else "Min vårdplan",
            **({"description": plan.diagnosis_summary} if plan.diagnosis_summary else {}),
            "subject": ref("Patient", data.patient.id), "created": instant(plan.created_at),
            **({"period": {"start": min(dated).date().isoformat()}} if dated else {}),
            "careTeam": [ref("CareTeam", f"team-{plan.id}")], "addresses": [ref("Condition", f"condition-{plan.id}")],
            "supportingInfo": [ref("DocumentReference", f"reading-{r.id}") for _a, r in data.readings],
            "activity": [activity(item) for item in data.items], **({"note": notes} if notes else {})}


def document(article_url: ArticleUrl, view: Any, assigned: PlanReading) -> Json:
    """A text chosen for the patient to read, by its address in the portal."""
    return {"resourceType": "DocumentReference", "id": f"reading-{assigned.id}", "status": "current",
            "type": {"text": "Patientinformation"}, "date": instant(assigned.assigned_at), "description": view.title,
            "content": [{"attachment": {"contentType": "text/html", "url": article_url(view.id),
                                        "title": view.title}}]}


def communication(data: MyData, message: Message) -> Json:
    patient_ref = ref("Patient", data.patient.id)
    if message.author_role == "patient":
        sender, recipient = ref("Patient", data.patient.id, message.author_name), {"display": "Vårdteamet"}
    else:
        title = f", {message.author_title}" if message.author_title else ""
        role = " (närstående)" if message.author_role == "relative" else title
        sender, recipient = {"display": f"{message.author_name}{role}"}, patient_ref
    return {"resourceType": "Communication", "id": f"message-{message.id}", "status": "completed",
            "subject": patient_ref, "about": [ref("CarePlan", message.plan_id)], "sent": instant(message.created_at),
            "sender": sender, "recipient": [recipient], "payload": [{"contentString": message.body}]}


def questionnaire_url(key: str) -> str:
    return f"{CANONICAL}/Questionnaire/{key}"


def _question(item: Item, language: str) -> Json:
    found: Json = {"linkId": item.id, "text": item.text.get(language) or item.text["sv"],
                   "type": ANSWER_TYPE[item.type], "required": item.required}
    if item.type == "multiple":
        found["repeats"] = True
    if item.options:
        found["answerOption"] = [{"valueCoding": {"code": o.value, "display": o.text.get(language) or o.text["sv"]}}
                                 for o in item.options]
    if item.type == "text" and item.max_length:
        found["maxLength"] = item.max_length
    return found


def questionnaire(form: Answered, language: str) -> Json:
    definition, stored = form.definition, form.questionnaire
    return {"resourceType": "Questionnaire", "id": f"{stored.key}-{stored.version}",
            "url": questionnaire_url(stored.key), "version": str(stored.version), "name": stored.key,
            "title": definition.title.get(language) or definition.title["sv"], "status": "active",
            "subjectType": ["Patient"], "item": [
                {"linkId": group.id, "type": "group", "text": group.title.get(language) or group.title["sv"],
                 "item": [_question(item, language) for item in group.items]} for group in definition.groups]}


def _answers(item: Item, value: object, language: str) -> list[Json]:
    values = value if isinstance(value, list) else [value]
    if item.type == "scale":
        return [{"valueInteger": int(v)} for v in values]
    if item.type == "yesno":
        return [{"valueBoolean": v == "yes"} for v in values]
    if item.type == "date":
        return [{"valueDate": date.fromisoformat(str(v)).isoformat()} for v in values]
    if item.options:
        names = {o.value: o.text.get(language) or o.text["sv"] for o in item.options}
        return [{"valueCoding": {"code": v, "display": names.get(str(v), str(v))}} for v in values]
    return [{"valueString": str(v)} for v in values]


def questionnaire_response(data: MyData, form: Answered) -> Json:
    response, language = form.response, data.language
    groups = []
    for group in form.definition.groups:
        answered = [{"linkId": item.id, "answer": _answers(item, form.answers[item.id], language)}
                    for item in group.items if form.answers.get(item.id) not in (None, "", [])]
        if answered:
            groups.append({"linkId": group.id, "item": answered})
    author = (ref("Patient", data.patient.id) if response.author_user_id == data.patient.user_id
              else {"display": form.author})
    return {"resourceType": "QuestionnaireResponse", "id": str(response.id),
            "questionnaire": f"{questionnaire_url(form.questionnaire.key)}|{form.questionnaire.version}",
            "status": "completed", "subject": ref("Patient", data.patient.id),
            "authored": instant(response.submitted_at or response.updated_at), "author": author,
            "basedOn": [ref("CarePlan", response.plan_id)], "item": groups}


def resources(data: MyData, article_url: ArticleUrl) -> list[Json]:
    """Every resource of the export, in a stable order: who, the plan and its parts, messages, forms."""
    found = [patient_resource(data)]
    if data.plan is not None and data.with_plan:
        role = nurse_role(data)
        found += [care_plan(data), condition(data), care_team(data), *organisations(data),
                  *([role] if role else []), *filter(None, (appointment(data, item) for item in data.items)),
                  *(document(article_url, view, assigned) for view, assigned in data.readings)]
    found += [communication(data, message) for message in data.messages]
    seen: set[int] = set()
    for form in data.forms:
        if form.questionnaire.id not in seen:
            seen.add(form.questionnaire.id or 0)
            found.append(questionnaire(form, data.language))
    return found + [questionnaire_response(data, form) for form in data.forms]


def bundle(data: MyData, base: str, article_url: ArticleUrl, now: datetime) -> Bundle:
    """The export: a `collection` Bundle, each entry checked against its FHIR model."""
    entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": checked(r)}
               for r in resources(data, article_url)]
    return Bundle.model_validate({"resourceType": "Bundle", "type": "collection", "timestamp": instant(now),
                                  "entry": entries})


def searchset(base: str, found: list[Json]) -> Bundle:
    """A search answer: the matches, each checked against its model."""
    return Bundle.model_validate({"resourceType": "Bundle", "type": "searchset", "total": len(found), "entry": [
        {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": checked(r), "search": {"mode": "match"}}
        for r in found]})


STATUS_OF_ACTIVITY = {code: status for status, code in ACTIVITY_STATUS.items()}


def timeline_of(exported: Bundle) -> list[Json]:
    """The timeline read back from an export's CarePlan: per item its id, phase, kind, title, status, when (as
    written), how exactly, where and how to prepare (for checking that an export says what the plan says)."""
    plans = [e.resource for e in exported.entry or [] if e.resource.get_resource_type() == "CarePlan"]
    found = []
    for step in (plans[0].activity or []) if plans else []:
        extensions = {e.url: e.valueCode for e in step.extension or []}
        detail, period = step.detail, step.detail.scheduledPeriod
        found.append({"id": int(str(step.id).removeprefix("item-")), "phase": extensions[PHASE_EXTENSION],
                      "kind": detail.code.coding[0].code, "title": detail.code.text,
                      "status": STATUS_OF_ACTIVITY[detail.status], "start": _written(period.start) if period else None,
                      "precision": extensions[PRECISION_EXTENSION],
                      "location": detail.location.display if detail.location else "",
                      "preparation": detail.description or ""})
    return found


def _written(value: object) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)
