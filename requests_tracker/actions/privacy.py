"""Personal data: erasing a submitter's contact details (after the retention period, or at once when the
submitter asks) and logging each time a handler has them shown in the admin."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import override

from buildings.models import User

from .. import access
from ..changes import DemandChange, DemandFacts, after_change
from ..models import Channel, ContactReveal, Demand, DemandEvent, Notification, SubmitterPreference
from ..privacy import CONTACT_FIELDS
from ..selectors import ActorScope, actor_scope
from .base import TransitionError, _now

#: Who asked for an erasure: the retention task, or the submitter on the tracking page.
ERASED_BY_RETENTION = "retention"
ERASED_BY_SUBMITTER = "submitter"


@transaction.atomic
def demand_erase_contact(*, demand: Demand, by: str, at: datetime | None = None) -> DemandEvent | None:
    """Erases the submitter's contact details and what was kept because of them (their e-mails in the
    outbox, their e-mail preference; feature data such as hall-form answers, through the after-change
    path's "contact_erased"); leaves an internal timeline note naming the fields, never their values.

    None when there was nothing left to erase. Idempotent: a second call finds nothing.
    """
    if by not in (ERASED_BY_RETENTION, ERASED_BY_SUBMITTER):
        raise ValueError(f"unknown eraser {by!r}")
    locked = Demand.objects.select_for_update().get(pk=demand.pk)
    fields = [name for name in CONTACT_FIELDS if getattr(locked, name)]
    # A hall request's form answers are personal data too (a child's name, symptoms), even without contact.
    feature_data = (
        locked.channel == Demand.Channel.HALL
        and not locked.events.filter(kind=DemandEvent.Kind.CONTACT_ERASED).exists()
    )
    if not fields and not feature_data:
        return None
    now = _now(at)
    if fields:
        # A new version: a form opened before the erasure cannot write the details back.
        Demand.objects.filter(pk=demand.pk).update(**dict.fromkeys(fields, ""), version=F("version") + 1)
    Notification.objects.filter(demand=demand, recipient__isnull=True, channel=Channel.EMAIL).delete()
    SubmitterPreference.objects.filter(demand=demand).delete()
    with override(settings.LANGUAGE_CODE):
        if by == ERASED_BY_RETENTION:
            note = _("Contact details erased: %(days)s days have passed since the demand was resolved.") % {
                "days": settings.CONTACT_RETENTION_DAYS
            }
        else:
            note = _("Contact details erased at the submitter's request.")
        label = str(_("the submitter")) if by == ERASED_BY_SUBMITTER else ""
    event = DemandEvent.objects.create(
        demand=demand,
        kind=DemandEvent.Kind.CONTACT_ERASED,
        actor=None,
        actor_label=label,
        note=note,
        is_public=False,
        data={"by": by, "fields": fields},
        created_at=now,
    )
    after_change(
        DemandChange(
            demand_id=demand.pk,
            building_id=demand.building_id,
            events=(event,),
            fields=frozenset({"contact", "contact_erased"}),
        )
    )
    for name in fields:
        setattr(demand, name, "")
    return event


@transaction.atomic
def contact_reveal(
    *, demand: Demand, actor: User, scope: ActorScope | None = None, at: datetime | None = None
) -> ContactReveal:
    """Logs that `actor` had `demand`'s contact details shown (who, whose, when); refuses anyone who may
    not see them. Nothing about the demand changes, so there is no after-change call."""
    scope = scope or actor_scope(actor)
    if not access.can_see_private(scope, demand):
        raise TransitionError(_("You may not see this demand's contact details."), code="forbidden")
    return ContactReveal.objects.create(
        revealed_at=_now(at),
        user=actor,
        username=actor.get_username(),
        demand=demand,
        demand_number=demand.pk,
        building_id=demand.building_id,
        fields=[name for name in CONTACT_FIELDS if getattr(demand, name)],
    )


@transaction.atomic
def demand_delete(*, demand: Demand, actor: User | None) -> bool:
    """A superuser deletes a demand (the admin's delete; anyone else answers, merges or hides it).

    The demand and what hangs on it (timeline, photos, supports, links) go, and the after-change path
    takes it off the tallies and rollups, the screens, the cached statistics and the search, in the
    same transaction: a deletion that bypassed it left the figures and the public list's count behind.
    False when it was gone already.
    """
    if not access.may_delete_demands(actor_scope(actor)):
        raise PermissionDenied
    locked = Demand.objects.select_for_update().filter(pk=demand.pk).first()
    if locked is None:
        return False
    change = DemandChange(
        demand_id=locked.pk,
        building_id=locked.building_id,
        before=(locked.status, locked.outcome),
        facts_before=DemandFacts.of(locked),
        fields=frozenset({"deleted"}),
    )
    locked.delete()
    after_change(change)
    return True
