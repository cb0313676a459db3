"""When to call the unit, for this plan: the content's text for the plan's phase, and in the treatment phase one text
per kind of treatment the plan holds (chemotherapy, radiotherapy, surgery …).

The plan has no field for its treatments: a treatment is found by the words the content pack gives for it (for
chemotherapy `cellgift`, `cytostat`) in the titles of the plan's treatment items that are not cancelled. The texts
for everyone come from the newest published `generell` version; the plan's own (pinned) diagnosis version may replace
or add texts."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from portal.content.services import store as content
from portal.models import CarePlan, ItemKind, ItemStatus, Phase, PlanItem
from portal.plans.services.reading import plan_template

GENERAL = "generell"


TREATMENT_TITLES = select(PlanItem.title).where(PlanItem.plan_id == bindparam("plan_id"),
                                                PlanItem.kind == ItemKind.TREATMENT,
                                                col(PlanItem.status) != ItemStatus.CANCELLED)


def treatment_titles(session: Session, plan: CarePlan) -> list[str]:
    """The titles of the plan's treatment items that still count (not cancelled), in lower case."""
    return [title.lower() for title in session.connection().execute(TREATMENT_TITLES, {"plan_id": plan.id}).scalars()]


def texts_for(session: Session, plan: CarePlan, language: str) -> list[str]:
    """The safety texts this plan's reader gets: the phase's text, then (in treatment) each treatment's text."""
    general = content.latest_published(session, GENERAL)
    own = plan_template(session, plan) if plan.template_key != GENERAL else None
    merged = content.safety_texts([general, own], language)
    texts = [merged.phases[plan.current_phase]] if plan.current_phase in merged.phases else []
    if plan.current_phase == Phase.TREATMENT and merged.treatments:
        titles = treatment_titles(session, plan)
        texts += [text for words, text in merged.treatments.values()
                  if any(word in title for word in words for title in titles)]
    return texts
