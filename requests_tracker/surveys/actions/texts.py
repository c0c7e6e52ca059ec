"""Free-text answers: moderation (hide with a reason, the words kept) and "make it a demand"."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from buildings.access import ActorScope, actor_scope
from buildings.models import Building, User
from requests_tracker import actions as demand_actions
from requests_tracker.models import Category, Demand, DemandEvent

from .. import access
from ..models import (
    TextAnswer,
)
from .base import SurveyError, _council_label


@transaction.atomic
def text_moderate(
    *, text: TextAnswer, show: bool, actor: User, reason: str = "", scope: ActorScope | None = None
) -> TextAnswer:
    """Shows a free-text answer, or hides it with a reason; the words as written are always kept."""
    scope = scope or actor_scope(actor)
    if not access.can_manage(scope, text.survey):
        raise SurveyError(_("You may not moderate this survey."), code="forbidden")
    reason = reason.strip()
    if not show and not reason:
        raise SurveyError(_("Say why the answer is hidden."))
    text.status = TextAnswer.Status.SHOWN if show else TextAnswer.Status.HIDDEN
    text.hidden_reason = "" if show else reason[:300]
    text.moderated_by = actor
    TextAnswer.objects.filter(pk=text.pk).update(
        status=text.status, hidden_reason=text.hidden_reason, moderated_by=actor
    )
    return text


@transaction.atomic
def texts_show(*, texts: list[TextAnswer], actor: User, scope: ActorScope | None = None) -> int:
    """Shows several free-text answers at once (one UPDATE); refused as a whole if any is not the user's."""
    scope = scope or actor_scope(actor)
    surveys = {t.survey_id: t.survey for t in texts}
    if not all(access.can_manage(scope, s) for s in surveys.values()):
        raise SurveyError(_("You may not moderate this survey."), code="forbidden")
    return TextAnswer.objects.filter(pk__in=[t.pk for t in texts]).update(
        status=TextAnswer.Status.SHOWN, hidden_reason="", moderated_by=actor
    )


@transaction.atomic
def text_to_demand(
    *,
    text: TextAnswer,
    category: Category,
    actor: User,
    title: str = "",
    building: Building | None = None,
    is_public: bool = True,
    scope: ActorScope | None = None,
    at: datetime | None = None,
) -> Demand:
    """Turns a suggestion into a demand (channel “survey”), linked both ways; once per answer."""
    scope = scope or actor_scope(actor)
    survey = text.survey
    if not access.can_manage(scope, survey):
        raise SurveyError(_("You may not moderate this survey."), code="forbidden")
    building = building or survey.building
    if building is None:
        raise SurveyError(_("Say which building the demand is for."))
    if survey.building_id is None and building.subdistrict.district_id != survey.district_id:
        raise SurveyError(_("That building is not part of this survey's area."))
    # Claim the answer first: of two moderators clicking at once, only one makes a demand.
    if not TextAnswer.objects.filter(pk=text.pk, demand__isnull=True).exclude(status=TextAnswer.Status.HIDDEN).exists():
        raise SurveyError(_("This answer is hidden or has already been made into a demand."), code="state")
    locked = TextAnswer.objects.select_for_update().get(pk=text.pk)
    if locked.demand_id is not None:
        raise SurveyError(_("This answer is hidden or has already been made into a demand."), code="state")
    title = (title or text.text).strip().splitlines()[0][:120] if (title or text.text).strip() else ""
    demand = demand_actions.demand_submit(
        building=building,
        category=category,
        title=title,
        description=text.text,
        is_public=is_public,
        channel=Demand.Channel.SURVEY,
        at=at,
    )
    demand_actions.demand_log(
        demand=demand,
        kind=DemandEvent.Kind.SURVEY_LINKED,
        actor=actor,
        actor_label=_council_label(survey),
        note=_("A suggestion from the survey “%(title)s”.") % {"title": survey.title},
        data={"survey": survey.key, "title": survey.title, "role": "suggestion", "text": text.pk},
        at=at + timedelta(minutes=1) if at else None,  # after the submission on the timeline
    )
    TextAnswer.objects.filter(pk=text.pk).update(
        demand=demand, status=TextAnswer.Status.SHOWN, moderated_by=actor, hidden_reason=""
    )
    text.demand = demand
    text.status = TextAnswer.Status.SHOWN
    return demand
