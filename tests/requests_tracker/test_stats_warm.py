"""The warm statistics answer keeps each reader's reach and the projects' figures (#15): a status
change recomputes the figures alone, and every write that changes who may read what — a seat's term,
a user deactivated or no longer superuser, a token revoked, a staff member removed, a building moved —
takes effect at the next request, with nothing served from the cache."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from buildings.models import District, Subdistrict, User
from requests_tracker import actions
from requests_tracker.projects import actions as project_actions
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/v1/stats/"
#: Whole buildings: the open demands and the departments, the buildings' tallies, histograms, months and
#: categories (their chunk of the cached sums moved with the change), the ranked buildings' and the
#: categories' names (on SQLite, live: as many).
FIGURES = 8
PROJECTS = 3  # the projects' section (projects.selectors.project_figures)
ROLLUPS = 4  # of FIGURES: the buildings' rollups, when a change moved them (stats/partials.py)


def _token_client(user: User) -> Client:
    token = Token.objects.get_or_create(user=user)[0].key
    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")


def _projects(data: dict) -> dict:  # type: ignore[type-arg]
    return next(s for s in data["sections"] if s["key"] == "projects")


def test_a_status_change_recomputes_the_figures_alone(
    cast: factories.Cast, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    demand = factories.make_demand(cast.tower_a, cast.category)
    client = _token_client(cast.district_staff)
    district = cast.tower_a.subdistrict.district.slug
    with django_assert_num_queries(1 + FIGURES + PROJECTS):  # the reach, the figures, the projects
        first = client.get(API, {"district": district}).json()
    with django_assert_num_queries(0):  # warm: the reach and the bytes from one cache read
        assert client.get(API, {"district": district}).json() == first
    with django_capture_on_commit_callbacks(execute=True):
        actions.demand_transition(
            demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
        )
    with django_assert_num_queries(FIGURES):  # the reach and the projects' figures are still current
        after = client.get(API, {"district": district}).json()
    assert (after["figures"]["waiting"], after["figures"]["in_progress"]) == (0, 1)
    assert after["generated_at"] != first["generated_at"]
    # A demand linked to a project moves the projects' figures: they are computed again (the rollups,
    # which a link does not move, come from the cache).
    with django_capture_on_commit_callbacks(execute=True):
        project = project_actions.project_create(actor=cast.captain_a, buildings=[cast.tower_a], title="外卖柜")
    linked_before = client.get(API, {"district": district}).json()
    with django_capture_on_commit_callbacks(execute=True):
        project_actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
    with django_assert_num_queries(FIGURES - ROLLUPS + PROJECTS):
        linked = client.get(API, {"district": district}).json()
    # Demands answered by a project (the section's second last item): 0 → 1.
    assert (_projects(linked_before)["items"][-2]["value"], _projects(linked)["items"][-2]["value"]) == (0, 1)


def test_a_move_and_a_deletion_move_the_projects_figures(
    cast: factories.Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    demand = factories.make_demand(cast.tower_a, cast.category)
    with django_capture_on_commit_callbacks(execute=True):
        project = project_actions.project_create(actor=cast.captain_a, buildings=[cast.tower_a], title="外卖柜")
        project_actions.project_link_demand(project=project, demand=demand, actor=cast.captain_a)
    client = _token_client(cast.superuser)

    def answered(slug: str) -> object:
        # The section's items: the four statuses, demands answered, the median days (selectors.stats_section).
        return _projects(client.get(API, {"building": slug}).json())["items"][-2]["value"]

    assert (answered(cast.tower_a.slug), answered(cast.tower_b.slug)) == (1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        demand = actions.demand_edit(demand=demand, actor=cast.superuser, changes={"building": cast.tower_b})
    assert (answered(cast.tower_a.slug), answered(cast.tower_b.slug)) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.demand_delete(demand=demand, actor=cast.superuser)
    assert answered(cast.tower_b.slug) == 0


def _revoked(cast: factories.Cast, user: User, revoke: Callable[[], None], params: dict[str, str]) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    client = _token_client(user)
    first = client.get(API, params)
    assert first.status_code == 200 and first.json()["figures"]["received"] == 1
    assert client.get(API, params).content == first.content  # warm, from the cache
    revoke()
    for only in ({}, {"only": "figures"}):
        assert client.get(API, {**params, **only}).status_code in (401, 403)


def test_a_seat_whose_term_ended_reads_nothing_from_the_cache(cast: factories.Cast) -> None:
    def end_term() -> None:
        cast.member_a.term_end = timezone.localdate() - timedelta(days=1)
        cast.member_a.save()

    _revoked(cast, cast.captain_a, end_term, {"building": cast.tower_a.slug})


def test_a_deactivated_user_reads_nothing_from_the_cache(cast: factories.Cast) -> None:
    def deactivate() -> None:
        cast.district_staff.is_active = False
        cast.district_staff.save()

    _revoked(cast, cast.district_staff, deactivate, {"district": "pudong"})


def test_a_revoked_token_reads_nothing_from_the_cache(cast: factories.Cast) -> None:
    _revoked(cast, cast.district_staff, lambda: Token.objects.filter(user=cast.district_staff).delete(), {})


def test_a_superuser_no_longer_reads_from_the_cache(cast: factories.Cast) -> None:
    def demote() -> None:
        cast.superuser.is_superuser = False
        cast.superuser.save()

    _revoked(cast, cast.superuser, demote, {"building": cast.tower_a.slug})


def test_staff_removed_from_the_reverse_side_read_nothing_from_the_cache(cast: factories.Cast) -> None:
    pudong = District.objects.get(slug="pudong")
    _revoked(cast, cast.district_staff, lambda: pudong.staff.remove(cast.district_staff), {"district": "pudong"})


def test_a_building_moved_out_of_the_district_leaves_its_staffs_figures(cast: factories.Cast) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    factories.make_demand(cast.tower_b, cast.category)
    client = _token_client(cast.district_staff)
    assert client.get(API).json()["figures"]["received"] == 2
    assert client.get(API).json()["figures"]["received"] == 2  # warm
    elsewhere = Subdistrict.objects.create(
        slug="changzheng", name="长征镇", district=District.objects.create(slug="putuo", name="普陀区")
    )
    cast.tower_b.subdistrict = elsewhere
    cast.tower_b.save()
    assert client.get(API).json()["figures"]["received"] == 1


def test_the_reach_is_kept_per_day(cast: factories.Cast, django_assert_num_queries, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A seat's term ends with the calendar, not with a write: tomorrow the reach is read again."""
    cast.member_a.term_end = timezone.localdate()
    cast.member_a.save()
    factories.make_demand(cast.tower_a, cast.category)
    client = _token_client(cast.captain_a)
    assert client.get(API).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(API).status_code == 200
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert client.get(API).status_code == 403


def test_an_answer_kept_in_an_older_shape_is_computed_again(cast: factories.Cast) -> None:
    """An older release kept (generation, bytes): after a deploy, such an entry is no answer, not a 500."""
    from django.core.cache import cache

    from requests_tracker import access
    from requests_tracker.stats import cached, warm

    factories.make_demand(cast.tower_a, cast.category)
    token = Token.objects.create(user=cast.district_staff).key
    reach = access.stats_reach(token=token)
    assert reach is not None
    cache.set(cached.answer_key(reach, {name: "" for name in warm.FILTERS}, ""), (0, b'{"stale": true}'))
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
    assert client.get(API).json()["figures"]["received"] == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_dashboards_warm_answer_comes_before_the_session_and_says_the_same(
    cast: factories.Cast, language: str, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """An API token and no session cookie: the reader's kept answer from the early middleware
    (stats/early.py), with the body and the headers the whole stack gave it."""
    from requests_tracker.stats import views

    factories.make_demand(cast.tower_a, cast.category)
    client = _token_client(cast.district_staff)
    params = {"district": "pudong", "only": "figures"}
    full = client.get(API, params, HTTP_ACCEPT_LANGUAGE=language)

    def refuse(request):  # type: ignore[no-untyped-def]
        raise AssertionError("the view ran")

    monkeypatch.setattr(views, "_warm_answer", refuse)
    with django_assert_num_queries(0):
        early = client.get(API, params, HTTP_ACCEPT_LANGUAGE=language)
    assert early.content == full.content
    assert early.headers["Content-Language"] == language
    ignored = {"Content-Length", "Content-Security-Policy", "Content-Security-Policy-Report-Only"}
    assert {k: v for k, v in early.headers.items() if k not in ignored} == {
        k: v for k, v in full.headers.items() if k not in ignored
    }
    # With a session cookie DRF reads the session's user first: the stack answers.
    client.cookies["sessionid"] = "x"
    with pytest.raises(AssertionError, match="the view ran"):
        client.get(API, params, HTTP_ACCEPT_LANGUAGE=language)
