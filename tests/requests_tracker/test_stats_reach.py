"""The statistics' reach in one query (access.stats_reach, #15) is the same rule as the scope's
(`stats_building_ids(actor_scope(user))` narrowed by the filters), and the warm cached answer follows a
change of reach at once: a staff member removed from a district reads nothing of it from the cache."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from buildings.models import Building, CouncilMember, District, Subdistrict
from requests_tracker import access, selectors
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1/stats/"


def _expected(user, district: str = "", subdistrict: str = "", building: str = "") -> tuple[int, ...] | None:  # type: ignore[no-untyped-def]
    """What the filter form computes, the long way: the scope's buildings ∩ the filters' buildings."""
    scope = selectors.actor_scope(user)
    if not access.can_read_stats(scope):
        return None
    ids = access.stats_building_ids(scope)
    narrowed = {
        b.pk
        for b in Building.objects.select_related("subdistrict__district")
        if (not district or b.subdistrict.district.slug == district)
        and (not subdistrict or b.subdistrict.slug == subdistrict)
        and (not building or b.slug == building)
    }
    if district or subdistrict or building:
        ids = narrowed if ids is None else ids & narrowed
    if ids is None:
        return None if not scope.is_superuser else ()
    return tuple(sorted(ids)) or None


@pytest.mark.parametrize("seed", range(6))
def test_reach_in_one_query_equals_the_scopes_rule(cast: factories.Cast, seed: int) -> None:
    rng = random.Random(seed)
    other = District.objects.create(slug="putuo", name="普陀区")
    other_sub = Subdistrict.objects.create(slug="changzheng", name="长征镇", district=other)
    extra = [factories.BuildingFactory(subdistrict=other_sub) for _ in range(3)]
    today = timezone.localdate()
    users = [cast.captain_a, cast.captain_b, cast.plain_member_user, cast.dept_staff, cast.district_staff]
    users += [cast.resident, cast.superuser]
    # Random seats (roles, triage flags, terms past/current/future) and district staff.
    for user in rng.sample(users[:6], 3):
        start = today + timedelta(days=rng.choice([-30, 0, 5]))
        CouncilMember.objects.create(
            council=factories.CouncilFactory(building=rng.choice([cast.tower_a, cast.tower_b, *extra])),
            user=user,
            display_name="随机",
            role=rng.choice(list(CouncilMember.Role)),
            can_triage=rng.random() < 0.3,
            term_start=start,
            term_end=rng.choice([None, max(start, today - timedelta(1)), max(start, today), start + timedelta(30)]),
        )
    rng.choice(users[:6]).districts.add(other)
    filters = [{}, {"district": other.slug}, {"subdistrict": other_sub.slug}, {"building": cast.tower_a.slug}]
    filters += [{"district": District.objects.exclude(pk=other.pk).first().slug}, {"building": "no-such"}]  # type: ignore[union-attr]
    filters += [{"district": other.slug, "building": extra[0].slug}, {"subdistrict": Subdistrict.objects.first().slug}]  # type: ignore[union-attr]
    for user in users:
        token = Token.objects.get_or_create(user=user)[0].key
        for f in filters:
            expected = _expected(user, **f)
            for reach in (access.stats_reach(user_id=user.pk, **f), access.stats_reach(token=token, **f)):
                got = None if reach is None else (() if reach.building_ids is None else reach.building_ids)
                assert got == expected, (user.username, f)


def test_inactive_users_and_unknown_tokens_have_no_reach(cast: factories.Cast) -> None:
    assert access.stats_reach(token="nope") is None
    cast.district_staff.is_active = False
    cast.district_staff.save()
    assert access.stats_reach(user_id=cast.district_staff.pk) is None


def test_staff_removed_from_a_district_read_nothing_of_it_from_the_cache(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    token = Token.objects.create(user=cast.district_staff).key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
    district = cast.tower_a.subdistrict.district.slug
    first = client.get(API, {"district": district})
    assert first.json()["figures"]["received"] == 1
    assert client.get(API, {"district": district}).content == first.content  # from the cache
    cast.district_staff.districts.clear()
    refused = client.get(API, {"district": district})
    assert refused.status_code == 403
    only = client.get(API, {"district": district, "only": "figures"})
    assert only.status_code == 403


def test_the_warm_answer_is_the_full_paths_answer(cast: factories.Cast, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    factories.make_demand(cast.tower_a, cast.category)
    token = Token.objects.create(user=cast.district_staff).key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
    for params in ({}, {"only": "figures"}, {"building": cast.tower_a.slug}, {"since": "2000-01-01"}):
        full = client.get(API, params)
        with django_assert_num_queries(0):  # the token's reach and the bytes from the cache
            warm = client.get(API, params)
        assert (warm.status_code, warm["Content-Type"], warm.content) == (200, "application/json", full.content)
    # Not kept: the browsable API, and answers in another language are other keys.
    assert "text/html" in client.get(API, HTTP_ACCEPT="text/html").headers["Content-Type"]
    english = client.get(API, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["definitions"]["received"].startswith("Demands submitted")
