"""All tables, imported here so that SQLModel.metadata knows them (Alembic reads it)."""

from __future__ import annotations

from portal.models.access import AccessEvent
from portal.models.administration import AccountInvitation
from portal.models.api import ApiClient, ApiToken
from portal.models.content import Article, ContentTemplate, PlanReading, ReadingResponse, TemplateStatus
from portal.models.delegation import Delegation, DelegationStatus, EmergencyAccess, Relation, Scope
from portal.models.forms import (
    Alert,
    AlertAction,
    AlertStatus,
    FormAssignment,
    FormResponse,
    Questionnaire,
    ResponseStatus,
)
from portal.models.handover import (
    MAX_HANDOVER_NOTE,
    ConsentMethod,
    Handover,
    HandoverStatus,
    ProviderConsent,
)
from portal.models.messages import (
    MAX_MESSAGE_LENGTH,
    Message,
    MessageDraft,
    MessageReadState,
    MessageThreadState,
    Notification,
)
from portal.models.people import CareProvider, CareUnit, Patient, Region, Role, StaffMember, User
from portal.models.plans import (
    CarePlan,
    CareTeamMembership,
    DatePrecision,
    ItemKind,
    ItemSource,
    ItemStatus,
    Phase,
    PlanChange,
    PlanItem,
    PlanStatus,
    PlanVisit,
    TeamRole,
)
from portal.models.second_factor import ActivationLetter, Passkey, RecoveryCode
from portal.models.security import SecurityEvent

__all__ = [
    "ActivationLetter",
    "Passkey",
    "RecoveryCode",
    "AccountInvitation",
    "ApiClient",
    "ApiToken",
    "Delegation",
    "DelegationStatus",
    "EmergencyAccess",
    "Relation",
    "Scope",
    "Article",
    "ContentTemplate",
    "PlanChange",
    "PlanReading",
    "ReadingResponse",
    "TemplateStatus",
    "Alert",
    "AlertAction",
    "AlertStatus",
    "FormAssignment",
    "FormResponse",
    "Questionnaire",
    "ResponseStatus",
    "MAX_MESSAGE_LENGTH",
    "Message",
    "MessageDraft",
    "MessageReadState",
    "MessageThreadState",
    "Notification",
    "AccessEvent",
    "MAX_HANDOVER_NOTE",
    "ConsentMethod",
    "Handover",
    "HandoverStatus",
    "ProviderConsent",
    "CarePlan",
    "CareProvider",
    "CareTeamMembership",
    "CareUnit",
    "DatePrecision",
    "ItemKind",
    "ItemSource",
    "ItemStatus",
    "Patient",
    "Phase",
    "PlanItem",
    "PlanStatus",
    "PlanVisit",
    "Region",
    "Role",
    "SecurityEvent",
    "StaffMember",
    "TeamRole",
    "User",
]
