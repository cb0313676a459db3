"""The nurse's patients as a table a page at a time: sorted and filtered by what needs doing (open alerts, unread
messages, the next event), by phase and diagnosis, and by the nurse's part in the plan (contact nurse, a unit of
hers responsible or participating). Every figure comes from one grouped subquery restricted to these plans."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import CTE, Select, Subquery, and_, func, literal
from sqlalchemy.types import DateTime
from sqlmodel import Session, col, select

from portal.core import keyset
from portal.core.clock import utcnow
from portal.core.keyset import Key, Slice
from portal.models import (
    Alert,
    AlertStatus,
    CarePlan,
    CareTeamMembership,
    ItemStatus,
    Message,
    MessageReadState,
    Patient,
    Phase,
    PlanItem,
    PlanStatus,
    Role,
    StaffMember,
)

PAGE = 50
SORTS = ("alerts", "name", "next", "unread")
TEAMS = ("mine", "responsible", "participating", "all")
NO_NEXT = datetime(9999, 12, 31, tzinfo=UTC)  # plans without a coming event sort last by 'next event'
COMING = (ItemStatus.PLANNED, ItemStatus.BOOKED)


@dataclass(frozen=True)
class Choice:
    """What the nurse asked the list for; anything unknown in the address falls back to the default."""

    sort: str = "alerts"
    team: str = "mine"
    phase: str = ""
    diagnosis: str = ""
    alerts: bool = False
    unread: bool = False

    def args(self) -> dict[str, str]:
        """The choice as query arguments, defaults left out (for 'Show more' and the sort links)."""
        default = Choice()
        return {name: ("1" if value is True else str(value)) for name, value in vars(self).items()
                if value != getattr(default, name)}

    def args_with(self, **changes: object) -> dict[str, str]:
        """The arguments of this choice with some parts changed (a sort link keeps the filters)."""
        return replace(self, **changes).args()  # type: ignore[arg-type]

    @property
    def filtered(self) -> bool:
        return bool(self.phase or self.diagnosis or self.alerts or self.unread)


def choice(args: Mapping[str, str], diagnoses: Collection[str]) -> Choice:
    """Read the list's choice from the query string; unknown values are ignored, never an error."""
    def one_of(name: str, allowed: Collection[str], default: str = "") -> str:
        value = args.get(name, "")
        return value if value in allowed else default
    return Choice(sort=one_of("sort", SORTS, "alerts"), team=one_of("team", TEAMS, "mine"),
                  phase=one_of("phase", [phase.value for phase in Phase]), diagnosis=one_of("diagnosis", diagnoses),
                  alerts=args.get("alerts") == "1", unread=args.get("unread") == "1")


@dataclass(frozen=True)
class Row:
    plan: CarePlan
    patient: Patient
    alerts: int
    unread: int
    next_at: datetime | None
    team_role: str | None


def _candidates(user_id: int, team: str, plan_id: int | None) -> CTE:
    """The plans of this list with the nurse's part in each (her units' strongest role), by index: never the
    country's plans. 'mine' = she is the contact nurse; otherwise by her units' part in the care team."""
    units = select(StaffMember.unit_id).where(StaffMember.user_id == user_id)
    role = func.max(CareTeamMembership.role)  # 'responsible' > 'participating'
    team_of = (select(CareTeamMembership.plan_id, role.label("team_role"))
               .where(col(CareTeamMembership.unit_id).in_(units), col(CareTeamMembership.until).is_(None))
               .group_by(CareTeamMembership.plan_id))
    if plan_id is not None:
        team_of = team_of.where(CareTeamMembership.plan_id == plan_id)
    if team == "mine":
        nurse = select(StaffMember.id).where(StaffMember.user_id == user_id)
        part = team_of.subquery("part")
        query = (select(col(CarePlan.id).label("plan_id"), part.c.team_role)
                 .outerjoin(part, part.c.plan_id == CarePlan.id)
                 .where(col(CarePlan.contact_nurse_id).in_(nurse)))
        query = query.where(CarePlan.id == plan_id) if plan_id is not None else query
    else:
        if team != "all":
            team_of = team_of.having(role == team)
        part = team_of.subquery("part")
        query = select(part.c.plan_id, part.c.team_role).join(CarePlan, col(CarePlan.id) == part.c.plan_id)
    return query.where(CarePlan.status != PlanStatus.CLOSED).cte("candidate").prefix_with("MATERIALIZED")


def _figures(user_id: int, plan_ids: Select) -> tuple[Subquery, Subquery, Subquery]:
    """Open alerts, unread messages from the patient's side and the next coming event, one grouped query each."""
    alerts = (select(Alert.plan_id, func.count().label("n")).where(col(Alert.plan_id).in_(plan_ids),
                                                                   Alert.status == AlertStatus.OPEN)
              .group_by(Alert.plan_id).subquery("alerts"))
    mark = and_(MessageReadState.plan_id == Message.plan_id, MessageReadState.user_id == user_id)
    unread = (select(Message.plan_id, func.count().label("n")).outerjoin(MessageReadState, mark)
              .where(col(Message.plan_id).in_(plan_ids), col(Message.author_role).not_in([Role.STAFF]),
                     col(Message.id) > func.coalesce(MessageReadState.last_read_id, 0))
              .group_by(Message.plan_id).subquery("unread"))
    coming = (select(PlanItem.plan_id, func.min(PlanItem.starts_at).label("at"))
              .where(col(PlanItem.plan_id).in_(plan_ids), col(PlanItem.starts_at) >= utcnow(),
                     col(PlanItem.status).in_(COMING))
              .group_by(PlanItem.plan_id).subquery("coming"))
    return alerts, unread, coming


def _ranked(user_id: int, wanted: Choice, plan_id: int | None = None) -> tuple[Select, list[Key]]:
    """The plans with what the order and the filters need, and the keys of the chosen order."""
    plans = _candidates(user_id, wanted.team, plan_id)
    alerts, unread, coming = _figures(user_id, select(plans.c.plan_id))
    name = select(Patient.name).where(Patient.id == CarePlan.patient_id).scalar_subquery()
    n_alerts, n_unread = func.coalesce(alerts.c.n, 0), func.coalesce(unread.c.n, 0)
    next_key = func.coalesce(coming.c.at, literal(NO_NEXT, DateTime(timezone=True)))
    query = (select(plans.c.plan_id, plans.c.team_role, name.label("name"), n_alerts.label("alerts"),
                    n_unread.label("unread"), coming.c.at.label("next_at"))
             .join(CarePlan, col(CarePlan.id) == plans.c.plan_id)
             .outerjoin(alerts, alerts.c.plan_id == plans.c.plan_id)
             .outerjoin(unread, unread.c.plan_id == plans.c.plan_id)
             .outerjoin(coming, coming.c.plan_id == plans.c.plan_id))
    query = _filtered(query, wanted, n_alerts, n_unread)
    first = {"alerts": [Key(n_alerts, descending=True)], "unread": [Key(n_unread, descending=True)],
             "next": [Key(next_key)], "name": []}[wanted.sort]
    return query, [*first, Key(name), Key(plans.c.plan_id)]


def _filtered(query: Select, wanted: Choice, n_alerts: object, n_unread: object) -> Select:
    if wanted.phase:
        query = query.where(CarePlan.current_phase == wanted.phase)
    if wanted.diagnosis:
        query = query.where(CarePlan.template_key == wanted.diagnosis)
    if wanted.alerts:
        query = query.where(n_alerts > 0)  # type: ignore[operator]
    if wanted.unread:
        query = query.where(n_unread > 0)  # type: ignore[operator]
    return query


def caseload(session: Session, user_id: int, wanted: Choice | None = None, after: int | None = None,
             size: int = PAGE) -> tuple[Slice[Row], int]:
    """One page of the nurse's plans in the chosen order after the plan `after` (the first page if that plan is not
    in the list), and how many plans the list holds in all. Only the page's plans and patients are read."""
    wanted = wanted or Choice()
    ranked, keys = _ranked(user_id, wanted)
    start = _key(session, user_id, wanted, after) if after is not None else None
    top = keyset.top(ranked, keys, start, size + 1, counted=True)
    query = (select(CarePlan, Patient, top.c.alerts, top.c.unread, top.c.next_at, top.c.team_role, top.c.total)
             .join(top, top.c.plan_id == CarePlan.id).join(Patient, col(Patient.id) == CarePlan.patient_id)
             .order_by(top.c.rank))
    found = session.exec(query).all()
    rows = [Row(plan, patient, alerts, unread, next_at, team_role)
            for plan, patient, alerts, unread, next_at, team_role, _total in found]
    total = found[0][-1] if found else 0
    return keyset.cut(rows, size, lambda row: row.plan.id, start), total


def _key(session: Session, user_id: int, wanted: Choice, plan_id: int) -> tuple[object, ...] | None:
    """Where this plan stands in the nurse's list now; None if it is not in the list."""
    ranked, keys = _ranked(user_id, wanted, plan_id)
    found = session.execute(ranked.with_only_columns(*(key.column for key in keys))).first()
    return tuple(found) if found is not None else None

