"""The nurse's patients as a table a page at a time: sorted and filtered by what needs doing (open alerts, unread
messages, the next event), by phase and diagnosis, and by the nurse's part in the plan (contact nurse, a unit of
hers responsible or participating). Every figure is a lookup on one plan's rows by index, made for every plan of the
list only when the order or a filter needs it, else for the page's rows alone: never the country's rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import CTE, ColumnElement, Integer, ScalarSelect, Select, bindparam, func, literal
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
    """One patient of the list: what the table shows of the plan and the patient, and the plan's figures."""

    plan_id: int
    name: str
    personal_id: str
    template_key: str
    current_phase: str
    draft: bool
    alerts: int
    unread: int
    next_at: datetime | None
    team_role: str | None


@dataclass(frozen=True)
class Shape:
    """What makes one caseload query differ from another (the values travel as bound parameters): each shape is
    built once per process."""

    team: str
    sort: str
    phase: bool
    diagnosis: bool
    alerts: bool
    unread: bool
    one_plan: bool = False  # where one plan stands in the list ('Show more')
    paged: bool = False  # a page after a plan's key

    @classmethod
    def of(cls, wanted: Choice, **parts: bool) -> Shape:
        return cls(wanted.team, wanted.sort, bool(wanted.phase), bool(wanted.diagnosis), wanted.alerts,
                   wanted.unread, **parts)


def _candidates(team: str, one_plan: bool) -> CTE:
    """The plans of this list with the nurse's part in each (her units' strongest role), by index: never the
    country's plans. 'mine' = she is the contact nurse; otherwise by her units' part in the care team."""
    user_id = bindparam("user_id", type_=Integer)
    units = select(StaffMember.unit_id).where(StaffMember.user_id == user_id)
    role = func.max(CareTeamMembership.role)  # 'responsible' > 'participating'
    team_of = (select(CareTeamMembership.plan_id, role.label("team_role"))
               .where(col(CareTeamMembership.unit_id).in_(units), col(CareTeamMembership.until).is_(None))
               .group_by(CareTeamMembership.plan_id))
    if one_plan:
        team_of = team_of.where(CareTeamMembership.plan_id == bindparam("plan_id", type_=Integer))
    if team == "mine":
        nurse = select(StaffMember.id).where(StaffMember.user_id == user_id)
        part = team_of.subquery("part")
        query = (select(col(CarePlan.id).label("plan_id"), part.c.team_role)
                 .outerjoin(part, part.c.plan_id == CarePlan.id)
                 .where(col(CarePlan.contact_nurse_id).in_(nurse)))
        query = query.where(CarePlan.id == bindparam("plan_id", type_=Integer)) if one_plan else query
    else:
        if team != "all":
            team_of = team_of.having(role == team)
        part = team_of.subquery("part")
        query = select(part.c.plan_id, part.c.team_role).join(CarePlan, col(CarePlan.id) == part.c.plan_id)
    return query.where(CarePlan.status != PlanStatus.CLOSED).cte("candidate").prefix_with("MATERIALIZED")


def _figures(plan_id: ColumnElement[int]) -> tuple[ScalarSelect, ScalarSelect, ScalarSelect]:
    """Open alerts, unread messages from the patient's side and the next coming event of one plan: each a lookup
    on that plan's rows by index (alert by plan, message by plan and id, plan item by plan)."""
    alerts = select(func.count()).where(Alert.plan_id == plan_id, Alert.status == AlertStatus.OPEN)
    read = select(MessageReadState.last_read_id).where(MessageReadState.plan_id == plan_id,
                                                       MessageReadState.user_id == bindparam("user_id"))
    unread = select(func.count()).where(Message.plan_id == plan_id, col(Message.author_role).not_in([Role.STAFF]),
                                        col(Message.id) > func.coalesce(read.scalar_subquery()
                                                                        .correlate_except(MessageReadState), 0))
    coming = select(func.min(PlanItem.starts_at)).where(PlanItem.plan_id == plan_id,
                                                        col(PlanItem.starts_at) >= bindparam("now"),
                                                        col(PlanItem.status).in_(COMING))
    return (alerts.scalar_subquery().correlate_except(Alert), unread.scalar_subquery().correlate_except(Message),
            coming.scalar_subquery().correlate_except(PlanItem))


def _ranked(shape: Shape) -> tuple[Select, list[Key]]:
    """The plans with what the order and the filters need (figures only where they are needed), and the keys of the
    chosen order."""
    plans = _candidates(shape.team, shape.one_plan)
    n_alerts, n_unread, coming = _figures(plans.c.plan_id)
    query = (select(plans.c.plan_id, plans.c.team_role)
             .join(CarePlan, col(CarePlan.id) == plans.c.plan_id).join(Patient, col(Patient.id) == CarePlan.patient_id))
    query = query.where(CarePlan.current_phase == bindparam("phase")) if shape.phase else query
    query = query.where(CarePlan.template_key == bindparam("diagnosis")) if shape.diagnosis else query
    query = query.where(n_alerts > 0) if shape.alerts else query
    query = query.where(n_unread > 0) if shape.unread else query
    next_key = func.coalesce(coming, literal(NO_NEXT, DateTime(timezone=True)))
    first = {"alerts": [Key(n_alerts, descending=True)], "unread": [Key(n_unread, descending=True)],
             "next": [Key(next_key)], "name": []}[shape.sort]
    return query, [*first, Key(col(Patient.name)), Key(plans.c.plan_id)]


@lru_cache(maxsize=256)
def _page_query(shape: Shape, size: int) -> Select:
    """One page of the list: the order is found from the candidates alone, then the page's rows get their plan,
    patient and figures (lookups for these rows only)."""
    ranked, keys = _ranked(shape)
    start = [bindparam(f"start_{n}") for n in range(len(keys))] if shape.paged else None
    top = keyset.top(ranked, keys, start, size + 1, counted=True)
    n_alerts, n_unread, coming = _figures(top.c.plan_id)
    return (select(top.c.plan_id, Patient.name, Patient.personal_id, CarePlan.template_key, CarePlan.current_phase,
                   col(CarePlan.shared_at).is_(None), n_alerts, n_unread, coming, top.c.team_role, top.c.total)
            .join(CarePlan, col(CarePlan.id) == top.c.plan_id).join(Patient, col(Patient.id) == CarePlan.patient_id)
            .order_by(top.c.rank))


@lru_cache(maxsize=256)
def _key_query(shape: Shape) -> Select:
    ranked, keys = _ranked(shape)
    return ranked.with_only_columns(*(key.column for key in keys))


def _parameters(user_id: int, wanted: Choice) -> dict[str, object]:
    return {"user_id": user_id, "now": utcnow(), "phase": wanted.phase, "diagnosis": wanted.diagnosis}


def caseload(session: Session, user_id: int, wanted: Choice | None = None, after: int | None = None,
             size: int = PAGE) -> tuple[Slice[Row], int]:
    """One page of the nurse's plans in the chosen order after the plan `after` (the first page if that plan is not
    in the list), and how many plans the list holds in all. Only the page's plans and patients are read."""
    wanted = wanted or Choice()
    parameters = _parameters(user_id, wanted)
    start = _key(session, wanted, parameters, after) if after is not None else None
    paged = {f"start_{n}": value for n, value in enumerate(start)} if start is not None else {}
    found = session.execute(_page_query(Shape.of(wanted, paged=start is not None), size),
                            {**parameters, **paged}).all()
    rows = [Row(*found_row[:-1]) for found_row in found]
    total = found[0][-1] if found else 0
    return keyset.cut(rows, size, lambda row: row.plan_id, start), total


def _key(session: Session, wanted: Choice, parameters: dict[str, object], plan_id: int) -> tuple[object, ...] | None:
    """Where this plan stands in the nurse's list now; None if it is not in the list."""
    found = session.execute(_key_query(Shape.of(wanted, one_plan=True)), {**parameters, "plan_id": plan_id}).first()
    return tuple(found) if found is not None else None
