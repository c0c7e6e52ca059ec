"""Who a user is, for every access rule in the project: seats, departments, districts (loaded once).

It lives at the bottom layer so that every package above (services, demands, elections, surveys) asks
the same scope; each package's own `access.py` turns it into "may this user see / do this".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import CouncilMember, User


@dataclass(frozen=True)
class ActorScope:
    """What one user may reach, loaded once per request (3 queries for a signed-in user, 0 otherwise)."""

    user_id: int | None = None
    is_superuser: bool = False
    triage_building_ids: frozenset[int] = field(default_factory=frozenset)
    member_building_ids: frozenset[int] = field(default_factory=frozenset)
    member_ids: frozenset[int] = field(default_factory=frozenset)
    department_ids: frozenset[int] = field(default_factory=frozenset)
    district_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def handles_demands(self) -> bool:
        """Whether the user works on demands at all (as opposed to a resident or anonymous)."""
        return bool(
            self.is_superuser or self.triage_building_ids or self.member_ids or self.department_ids or self.district_ids
        )


ANONYMOUS_SCOPE = ActorScope()


def serving_members(today: date | None = None) -> QuerySet[CouncilMember]:
    """Council seats whose term covers `today` (a Shanghai date; both ends included)."""
    today = today or timezone.localdate()
    return CouncilMember.objects.filter(
        Q(term_start__isnull=True) | Q(term_start__lte=today),
        Q(term_end__isnull=True) | Q(term_end__gte=today),
    )


def active_seats(user: User, today: date | None = None) -> QuerySet[CouncilMember]:
    return serving_members(today).filter(user=user)


def actor_scope(user: User | AnonymousUser | None) -> ActorScope:
    """The user's reach: superuser flag, council seats (current terms only), departments, districts."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_SCOPE
    assert isinstance(user, User)
    cached = getattr(user, "_lousihui_scope", None)
    if cached is not None:
        return cached
    seats = list(active_seats(user).values_list("id", "council__building_id", "role", "can_triage"))
    scope = ActorScope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        member_ids=frozenset(s[0] for s in seats),
        member_building_ids=frozenset(s[1] for s in seats),
        triage_building_ids=frozenset(s[1] for s in seats if s[3] or s[2] in CouncilMember.TRIAGE_ROLES),
        department_ids=frozenset(user.departments.values_list("id", flat=True)),
        district_ids=frozenset(user.districts.values_list("id", flat=True)),
    )
    user._lousihui_scope = scope  # type: ignore[attr-defined]
    return scope
