"""The authorization matrix's world, shared by the matrix, the fuzz tests and the CSRF tests: one patient's objects
(Maria's) with every kind of actor (ACTORS) around them, each signed in without the password form; every route of
app.url_map (ROUTES) and its address in that world; the policy of each endpoint (POLICIES) and what each actor should
meet there (expected); a form that gets past parsing; and a fingerprint of the tables, to show that nothing was
written."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from portal.core.clock import stockholm_today
from portal.models import (
    Alert,
    Article,
    CareTeamMembership,
    CareUnit,
    ContentTemplate,
    Delegation,
    DelegationStatus,
    Handover,
    ItemSource,
    Patient,
    PlanItem,
    PlanReading,
    Relation,
    Role,
    TeamRole,
    User,
)
from portal.plans.access import ACTING_KEY, ENDPOINT_RULES
from portal.questionnaires.services import answering
from portal.questionnaires.services.definitions import load_all
from portal.relatives import services as delegations
from tests import factories

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", "403", "404"

ACTORS = (
    "anonymous", "owning_patient", "other_patient",
    "relative_plan", "relative_messages_read", "relative_messages_send", "relative_forms",
    "revoked_relative", "expired_relative", "guardian_of_child_now_13",
    "nurse_responsible", "nurse_participating", "nurse_other_unit", "editor", "admin",
)
RELATIVE_SCOPES = {
    "relative_plan": "plan",
    "relative_messages_read": "messages_read",
    "relative_messages_send": "messages_read messages_send",
    "relative_forms": "forms",
}
NURSES = ("nurse_responsible", "nurse_participating", "nurse_other_unit")
RELATIVES = (*RELATIVE_SCOPES, "revoked_relative", "expired_relative", "guardian_of_child_now_13")
NON_STAFF = ("owning_patient", "other_patient", *RELATIVES)

# Endpoint policies. Patient endpoints (`<feature>.patient.*`) take theirs from portal.plans.access.ENDPOINT_RULES
# (what a relative needs).
PUBLIC = "public"  # everyone
SIGNED_IN = "signed_in"  # any account; anonymous users sign in first
STAFF_ANY = "staff_any"  # any care staff, no patient object in the URL
STAFF_TEAM = "staff_team"  # staff of a unit in the plan's care team (responsible or participating)
STAFF_RESPONSIBLE = "staff_responsible"  # only the responsible unit changes it; participating units get 403
STAFF_RECEIVING = "staff_receiving"  # staff of the unit a pending handover goes to (the world: the participating unit)
EDITOR = "editor"
ADMIN = "admin"  # only administrators
API = "api"  # other systems with a bearer token (portal.fhir): every signed-in person and anonymous user gets 401
SECRET_ADDRESS = "secret_address"  # a calendar app's feed (plans/calendar.py): without the secret, 404 for everyone

POLICIES: dict[str, str] = {
    "static": PUBLIC, "accounts.home": PUBLIC, "web.accessibility": PUBLIC, "web.language": PUBLIC,
    "web.language_update": PUBLIC,
    "web.healthz": PUBLIC,
    "accounts.login": PUBLIC, "accounts.login_submit": PUBLIC, "accounts.logout": PUBLIC,
    "accounts.eid_start": PUBLIC, "accounts.eid_callback": PUBLIC,
    "accounts.session_status": PUBLIC, "accounts.session_extend": SIGNED_IN,
    "relatives.public.invitation": PUBLIC, "relatives.public.invitation_open": PUBLIC,
    "relatives.public.invitation_account": PUBLIC, "relatives.public.invitation_account_confirm": PUBLIC,
    "relatives.public.invitation_account_restart": PUBLIC,
    "relatives.public.invitation_accept": SIGNED_IN, "relatives.public.choose": SIGNED_IN,
    "relatives.public.choose_submit": SIGNED_IN, "relatives.public.welcome": SIGNED_IN,
    "content.editor.index": EDITOR, "content.editor.version": EDITOR, "content.editor.article": EDITOR,
    "content.editor.version_publish": EDITOR, "content.editor.version_retire": EDITOR,
    "plans.staff.caseload": STAFF_ANY, "messages.staff.inbox": STAFF_ANY, "messages.staff.waiting": STAFF_ANY,
    "plans.staff.patient_find": STAFF_ANY,
    "plans.staff.patient_search": STAFF_ANY, "plans.staff.plan_new": STAFF_ANY, "plans.staff.emergency": STAFF_ANY,
    "plans.staff.patient_new": STAFF_ANY,
    "plans.staff.plan": STAFF_TEAM, "plans.staff.history": STAFF_TEAM, "plans.staff.reading": STAFF_TEAM,
    "questionnaires.staff.form_list": STAFF_TEAM, "questionnaires.staff.form_assign": STAFF_RESPONSIBLE,
    "questionnaires.staff.form_response": STAFF_TEAM, "questionnaires.staff.alert": STAFF_TEAM,
    "questionnaires.staff.response_alerts": STAFF_TEAM,
    "questionnaires.staff.response_alerts_handle": STAFF_RESPONSIBLE,
    "plans.staff.contact_details": STAFF_RESPONSIBLE, "plans.staff.contact_details_update": STAFF_RESPONSIBLE,
    "messages.staff.thread": STAFF_TEAM, "messages.staff.thread_new": STAFF_TEAM,
    "messages.staff.thread_older": STAFF_TEAM, "messages.staff.message_create": STAFF_TEAM,
    "messages.staff.thread_handled": STAFF_TEAM, "messages.staff.thread_unread": STAFF_TEAM,
    "plans.staff.reading_update": STAFF_RESPONSIBLE,
    "plans.staff.item_new": STAFF_RESPONSIBLE, "plans.staff.item_create": STAFF_RESPONSIBLE,
    "plans.staff.item": STAFF_TEAM,
    "plans.staff.item_edit": STAFF_RESPONSIBLE, "plans.staff.item_update": STAFF_RESPONSIBLE,
    "plans.staff.item_delete": STAFF_RESPONSIBLE, "plans.staff.item_move": STAFF_RESPONSIBLE,
    "plans.staff.plan_details_update": STAFF_RESPONSIBLE, "plans.staff.handover": STAFF_RESPONSIBLE,
    "plans.staff.handover_create": STAFF_RESPONSIBLE, "plans.staff.team_unit_remove": STAFF_RESPONSIBLE,
    "plans.staff.handover_cancel": STAFF_RESPONSIBLE, "plans.staff.handover_review": STAFF_RECEIVING,
    "plans.staff.handover_accept": STAFF_RECEIVING, "plans.staff.handover_decline": STAFF_RECEIVING,
    "plans.staff.version": STAFF_RESPONSIBLE, "plans.staff.version_move": STAFF_RESPONSIBLE,
    "relatives.staff.guardians": STAFF_RESPONSIBLE, "relatives.staff.guardian_create": STAFF_RESPONSIBLE,
    "audit.staff.access_log": STAFF_RESPONSIBLE,
    "plans.staff.plan_preview": STAFF_TEAM, "plans.staff.plan_preview_timeline": STAFF_TEAM,
    "plans.staff.plan_summary_update": STAFF_RESPONSIBLE, "plans.staff.plan_share": STAFF_RESPONSIBLE,
    "security.admin.report": ADMIN,
    "fhir.api.metadata": PUBLIC, "fhir.oauth.token": PUBLIC, "fhir.api.patient_read": API,
    "fhir.api.patient_search": API, "fhir.api.patient_search_post": API, "fhir.api.careplan_read": API,
    "fhir.api.careplan_search": API, "fhir.api.response_read": API, "fhir.api.response_search": API,
    "fhir.api.appointment_create": API,
    # The second step of a password sign-in and the activation letter: public pages that need a half sign-in or a
    # letter's code (without one they send the visitor to sign in or to the first step); the letter is printed by
    # the responsible unit.
    "accounts.factor.verify": PUBLIC, "accounts.factor.verify_submit": PUBLIC, "accounts.factor.verify_passkey": PUBLIC,
    "accounts.factor.setup": PUBLIC, "accounts.factor.setup_qr": PUBLIC, "accounts.factor.setup_app": PUBLIC,
    "accounts.factor.setup_passkey": PUBLIC,
    "accounts.activation.start": PUBLIC, "accounts.activation.start_submit": PUBLIC,
    "accounts.activation.account": PUBLIC, "accounts.activation.account_submit": PUBLIC,
    "accounts.activation.qr": PUBLIC,
    "accounts.staff.activation_letter": STAFF_RESPONSIBLE,
    "organisation.admin.unit_list": ADMIN, "organisation.admin.unit_new": ADMIN,
    "organisation.admin.unit_create": ADMIN, "organisation.admin.unit_edit": ADMIN,
    "organisation.admin.unit_update": ADMIN, "organisation.admin.account_list": ADMIN,
    "organisation.admin.account_new": ADMIN, "organisation.admin.account_create": ADMIN,
    "organisation.admin.account": ADMIN, "organisation.admin.membership_create": ADMIN,
    "organisation.admin.membership_end": ADMIN, "organisation.admin.membership_update": ADMIN,
    "organisation.admin.account_deactivate": ADMIN,
    "organisation.admin.account_activate": ADMIN, "organisation.admin.invitation_send": ADMIN,
    "organisation.admin.second_factor_reset": ADMIN,
    "organisation.public.welcome": PUBLIC, "organisation.public.welcome_open": PUBLIC,
    "organisation.public.welcome_password": PUBLIC, "organisation.public.welcome_done": PUBLIC,
    "security.admin.sign_ins": ADMIN, "security.admin.sign_ins_csv": ADMIN,
    "plans.public.calendar_feed": SECRET_ADDRESS,
}
# Patient endpoints whose URL holds one of the owning patient's objects: another patient gets 404 there.
PATIENT_OBJECT_PARAMS = {"item_id", "article_id", "response_id", "assignment_id", "delegation_id"}


def _patient_expectation(rule: str, actor: str, has_object: bool) -> str:
    if actor == "anonymous":
        return LOGIN
    if actor in NURSES or actor in ("editor", "admin"):
        return FORBIDDEN
    if actor == "owning_patient":
        return OK
    if actor == "other_patient":
        return NOT_FOUND if has_object else OK  # their own pages; never Maria's objects
    if actor in ("revoked_relative", "expired_relative", "guardian_of_child_now_13"):
        return FORBIDDEN  # the access-ended page
    scopes = RELATIVE_SCOPES[actor].split()
    return OK if rule in scopes else FORBIDDEN


def is_patient_endpoint(endpoint: str) -> bool:
    """A page of the patient's (or a relative's acting for them), in any feature."""
    return endpoint.split(".")[1:2] == ["patient"]


def expected(endpoint: str, method: str, actor: str, params: set[str]) -> str:
    if is_patient_endpoint(endpoint):
        return _patient_expectation(ENDPOINT_RULES[endpoint], actor, bool(params & PATIENT_OBJECT_PARAMS))
    policy = POLICIES[endpoint]
    if policy == PUBLIC:
        return OK
    if policy == API:
        return LOGIN  # 401: a session cookie is no bearer token
    if policy == SECRET_ADDRESS:
        return NOT_FOUND  # a session is no secret address
    if actor == "anonymous":
        return LOGIN
    if policy == SIGNED_IN:
        return OK
    if policy == EDITOR:
        return OK if actor in ("editor", "admin") else FORBIDDEN
    if policy == ADMIN:
        return OK if actor == "admin" else FORBIDDEN
    if actor not in NURSES:
        return FORBIDDEN
    if policy == STAFF_RECEIVING:
        return OK if actor == "nurse_participating" else NOT_FOUND
    if policy == STAFF_ANY or actor == "nurse_responsible":
        return OK
    if actor == "nurse_other_unit":
        return NOT_FOUND
    return OK if policy == STAFF_TEAM else FORBIDDEN


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    acting: dict[str, int] = field(default_factory=dict)
    ids: dict[str, object] = field(default_factory=dict)
    new_patient_pid: str = ""
    maria_pid: str = ""


def _delegation(session: Session, patient: Patient, user: User, scopes: str, **extra: object) -> Delegation:
    today = stockholm_today()
    values = {"relation": Relation.PARTNER, "valid_from": today - timedelta(days=30),
              "valid_until": today + timedelta(days=200), "status": DelegationStatus.ACTIVE, **extra}
    found = Delegation(patient_id=patient.id, relative_user_id=user.id, scopes=scopes, invite_name=user.name,
                       invite_email=user.email or "", **values)
    session.add(found)
    session.commit()
    return found


def build_world(session: Session) -> World:
    world = World()
    maria, plan, nurse = factories.patient_with_plan(session, items=1)
    responsible_unit = session.get(CareUnit, nurse.unit_id)
    participating_unit = factories.unit(session, name="Bröstmottagningen")
    other_unit = factories.unit(session, name="Hudmottagningen")
    participating_nurse = factories.staff(session, participating_unit, name="Pia Deltar")
    other_nurse = factories.staff(session, other_unit, name="Olle Annan")
    membership = CareTeamMembership(plan_id=plan.id, unit_id=participating_unit.id, role=TeamRole.PARTICIPATING)
    session.add(membership)
    staff_item = session.exec(select(PlanItem)).first()
    own_item = factories.item(session, plan, days=9, title="Tandläkaren")
    own_item.source = ItemSource.PATIENT
    session.add(own_item)
    template = ContentTemplate(diagnosis_key="brostcancer", version=1, status="draft", content_hash="x" * 64,
                               data=json.dumps({"name": {"sv": "Bröstcancer", "en": "Breast cancer"},
                                                "about": {"sv": "Om.", "en": "About."}, "self_care": [],
                                                "skeleton": []}))
    session.add(template)
    session.flush()
    article = Article(template_id=template.id, slug="behandling-trotthet", phase="treatment", content_hash="y" * 64,
                      data=json.dumps({lang: {"title": "Trötthet", "summary": "Kort.", "body": "Text.", "links": []}
                                       for lang in ("sv", "en")}))
    session.add(article)
    session.flush()
    plan.template_version = 1
    session.add(plan)
    session.add(PlanReading(plan_id=plan.id, article_id=article.id))
    session.commit()

    answering.import_definitions(session, load_all())
    nurse_user = session.get(User, nurse.user_id)
    maria_user = session.get(User, maria.user_id)
    answered = answering.assign(session, plan.id, "mabra", None, nurse_user)
    sent = answering.start_or_resume(session, answered, maria_user)
    definition = answering.definition_of(answering.latest_questionnaire(session, "mabra"))
    answering.save_answers(session, sent, definition, {"distress": 9, "problems_physical": []}, [])
    assert answering.submit(session, sent, definition, now=datetime.now(UTC))
    needs = answering.assign(session, plan.id, "behov", None, nurse_user)
    response = answering.start_or_resume(session, needs, maria_user)
    current = answering.assign(session, plan.id, "viktigt", None, nurse_user)
    alert = session.exec(select(Alert)).first()
    # A handover waiting for the participating unit: its staff answer it, nobody else.
    handover = Handover(plan_id=plan.id, from_unit_id=responsible_unit.id, to_unit_id=participating_unit.id,
                        note="Tar över.", created_by_user_id=nurse.user_id)
    session.add(handover)
    session.commit()

    other, _other_plan, _ = factories.patient_with_plan(session, items=1)
    newcomer = factories.patient(session, name="Nils Ny")
    world.users.update({
        "owning_patient": session.get(User, maria.user_id), "other_patient": session.get(User, other.user_id),
        "nurse_responsible": session.get(User, nurse.user_id),
        "nurse_participating": session.get(User, participating_nurse.user_id),
        "nurse_other_unit": session.get(User, other_nurse.user_id),
        "editor": factories.user(session, role=Role.EDITOR), "admin": factories.user(session, role=Role.ADMIN),
    })
    world.users["admin"].provider_id = responsible_unit.provider_id  # the provider of the units and staff in URLs
    session.add(world.users["admin"])
    for actor, scopes in RELATIVE_SCOPES.items():
        world.users[actor] = factories.user(session, role=Role.RELATIVE)
        world.acting[actor] = _delegation(session, maria, world.users[actor], scopes).id or 0
    world.users["revoked_relative"] = factories.user(session, role=Role.RELATIVE)
    revoked = _delegation(session, maria, world.users["revoked_relative"], "plan messages_read",
                          status=DelegationStatus.REVOKED)
    world.acting["revoked_relative"] = revoked.id or 0
    world.users["expired_relative"] = factories.user(session, role=Role.RELATIVE)
    expired = _delegation(session, maria, world.users["expired_relative"], "plan messages_read",
                          valid_until=stockholm_today() - timedelta(days=1))
    world.acting["expired_relative"] = expired.id or 0
    child = factories.patient(session, name="Elsa Lind")
    today = stockholm_today()
    child.birth_date = today.replace(year=today.year - 13) if (today.month, today.day) != (2, 29) \
        else date(today.year - 13, 2, 28)
    session.add(child)
    child_plan = factories.plan(session, child, responsible_unit, nurse)
    world.users["guardian_of_child_now_13"] = factories.user(session, role=Role.RELATIVE)
    guardian = _delegation(session, child, world.users["guardian_of_child_now_13"], " ".join(delegations.ALL_SCOPES),
                           relation=Relation.GUARDIAN, valid_until=stockholm_today() + timedelta(days=400))
    world.acting["guardian_of_child_now_13"] = guardian.id or 0
    assert child_plan.id

    world.ids = {
        "plan_id": plan.id, "item_id": staff_item.id, "own_item_id": own_item.id, "article_id": article.id,
        "patient_id": maria.id,
        "response_id": sent.id, "draft_response_id": response.id, "assignment_id": current.id,
        "alert_id": alert.id if alert else 0, "delegation_id": world.acting["relative_plan"],
        "membership_id": membership.id, "handover_id": handover.id, "key": "brostcancer", "version": 1,
        "slug": "behandling-trotthet",
        "token": "not-a-real-invitation", "step": 1, "filename": "css/base.css",
        "unit_id": responsible_unit.id, "account_id": nurse.user_id, "staff_member_id": nurse.id,
    }
    world.maria_pid = maria.personal_id
    world.new_patient_pid = newcomer.personal_id
    return world


def url(app: Flask, endpoint: str, arguments: set[str], world: World) -> str:
    """The endpoint's address with the world's ids (on a patient's page, the item is one the patient added)."""
    values = {}
    for name in arguments:
        if name == "item_id" and is_patient_endpoint(endpoint):
            values[name] = world.ids["own_item_id"]
        elif name == "response_id" and endpoint in (
                "questionnaires.patient.form_step", "questionnaires.patient.form_step_save",
                "questionnaires.patient.form_review", "questionnaires.patient.form_submit"):
            values[name] = world.ids["draft_response_id"]
        else:
            values[name] = world.ids[name]
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def form_data(endpoint: str, world: World) -> dict[str, object]:
    """Enough for each POST to get past parsing; validation errors (422) still count as 'allowed'."""
    return {
        "plans.staff.plan_new": {"personal_id": world.new_patient_pid},
        "plans.staff.emergency": {"personal_id": world.maria_pid},
        "plans.staff.patient_search": {"q": "Nils"},
        "web.language_update": {"language": "en"},
        "accounts.login_submit": {"identifier": "", "password": ""},
    }.get(endpoint, {"body": "Hej", "client_token": factories.client_token(), "title": "x", "response": "understood"})


def sign_in(client: FlaskClient, world: World, actor: str) -> None:
    """Sign in without the password form (the matrix makes thousands of requests; argon2 would dominate)."""
    if actor == "anonymous":
        return
    with client.session_transaction() as state:
        state["_user_id"] = world.users[actor].get_id()
        state["_fresh"] = True
        if actor in world.acting:
            state[ACTING_KEY] = world.acting[actor]


def routes(app: Flask) -> list[tuple[str, str, frozenset[str]]]:
    """Every (endpoint, method, path parameters) of app.url_map, but HEAD and OPTIONS."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, frozenset(rule.arguments)))
    return sorted(found)


def _make_app() -> Flask:
    from portal import create_app

    return create_app({"DATABASE_URL": "sqlite://"})


ROUTES = routes(_make_app())


# What a refused request may still write: its own access-log event, and the state of a delegation it found ended.
REFUSALS_MAY_WRITE = {"access_event", "delegation"}


def fingerprint(session: Session) -> dict[str, int]:
    """Every table's rows (but those a refusal may write), as one number each: any insert, update or delete shows."""
    session.commit()
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name not in REFUSALS_MAY_WRITE]
    return {table.name: hash(tuple(tuple(row) for row in session.connection().execute(
        sa_select(table).order_by(*table.primary_key.columns)).all())) for table in tables}
