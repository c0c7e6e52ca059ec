"""Invariants of linking and announcing, over random sequences of operations (hypothesis).

- A demand is linked at most once, and it is linked exactly when its timeline has one more
  "taken up by a project" event than "no longer part of a project" events.
- Each public update writes one outbox row per person behind the linked demands at that moment —
  submitters with an e-mail who did not turn it off, signed-in supporters with an address who did
  not opt out — however many of those demands they are behind; an internal update writes none.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_tracker import actions as demand_actions
from requests_tracker.models import Channel, ChannelOptOut, DemandEvent, Notification, SubmitterPreference
from requests_tracker.notifications import fanout
from requests_tracker.projects import actions
from requests_tracker.projects.models import ProjectDemand, ProjectUpdate
from tests import factories

from .helpers import make_project

pytestmark = pytest.mark.django_db

DEMANDS = 4
USERS = 5

operations = st.lists(
    st.one_of(
        st.tuples(st.just("link"), st.integers(0, DEMANDS - 1)),
        st.tuples(st.just("unlink"), st.integers(0, DEMANDS - 1)),
        st.tuples(st.just("update"), st.booleans()),
    ),
    min_size=1,
    max_size=12,
)
world = st.fixed_dictionaries(
    {
        # who supports which demand, per user
        "supports": st.lists(st.sets(st.integers(0, DEMANDS - 1)), min_size=USERS, max_size=USERS),
        "opted_out": st.sets(st.integers(0, USERS - 1)),
        # per demand: a submitter's e-mail (maybe one a supporter also has), turned off or not
        "submitters": st.lists(
            st.tuples(st.sampled_from(["", "own", "same-as-user-0"]), st.booleans()), min_size=DEMANDS, max_size=DEMANDS
        ),
        "ops": operations,
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=world)
def test_links_and_announcements_keep_their_invariants(cast: factories.Cast, spec: dict[str, Any]) -> None:
    with transaction.atomic():
        _run(cast, spec)
        transaction.set_rollback(True)


def _run(cast: factories.Cast, spec: dict[str, Any]) -> None:
    project = make_project(cast)
    users = [factories.UserFactory(email=f"u{i}@example.com") for i in range(USERS)]
    for i in spec["opted_out"]:
        ChannelOptOut.objects.create(user=users[i], channel=Channel.EMAIL)
    demands = []
    for d, (email, off) in enumerate(spec["submitters"]):
        address = {"": "", "own": f"sub{d}@example.com", "same-as-user-0": "U0@example.com"}[email]
        demand = factories.make_demand(cast.tower_a, cast.category, title=f"诉求{d}", contact_email=address)
        if off:
            SubmitterPreference.objects.update_or_create(demand=demand, defaults={"email_opted_out": True})
        demands.append(demand)
    for i, supported in enumerate(spec["supports"]):
        for d in supported:
            demand_actions.demand_support(demand=demands[d], user=users[i])

    linked: set[int] = set()
    for op, arg in spec["ops"]:
        if op == "link":
            assert actions.project_link_demand(project=project, demand=demands[arg], actor=cast.captain_a) == (
                arg not in linked
            )
            linked.add(arg)
        elif op == "unlink":
            assert actions.project_unlink_demand(project=project, demand=demands[arg], actor=cast.captain_a) == (
                arg in linked
            )
            linked.discard(arg)
        else:
            before = Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).count()
            update = actions.project_post_update(project=project, actor=cast.captain_a, text="进展", is_public=arg)
            fanout.sweep(grace_seconds=0)  # the worker's part
            update.refresh_from_db()
            written = Notification.objects.filter(kind=Notification.Kind.PROJECT_UPDATE).count() - before
            expected = _people(spec, linked, users) if arg else set()
            assert written == update.notified == len(expected)
            rows = Notification.objects.filter(dedupe_key__startswith=f"project-update:{update.pk}:")
            assert {r.address.lower() for r in rows} == expected

    assert set(ProjectDemand.objects.filter(project=project).values_list("demand_id", flat=True)) == {
        demands[d].pk for d in linked
    }
    for d, demand in enumerate(demands):
        events = demand.events.values_list("kind", flat=True)
        ups = sum(1 for k in events if k == DemandEvent.Kind.PROJECT_LINKED)
        downs = sum(1 for k in events if k == DemandEvent.Kind.PROJECT_UNLINKED)
        assert ups - downs == (1 if d in linked else 0)
    assert ProjectUpdate.objects.filter(project=project).count() == sum(1 for op, _ in spec["ops"] if op == "update")


def _people(spec: dict[str, Any], linked: set[int], users: list[Any]) -> set[str]:
    """Who should hear, computed from the spec alone (an independent model of the rule)."""
    people = set()
    for i, supported in enumerate(spec["supports"]):
        if supported & linked and i not in spec["opted_out"]:
            people.add(users[i].email.lower())
    for d in linked:
        email, off = spec["submitters"][d]
        if email and not off:
            people.add({"own": f"sub{d}@example.com", "same-as-user-0": "u0@example.com"}[email])
    return people
