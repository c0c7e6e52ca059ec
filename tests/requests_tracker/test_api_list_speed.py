"""The demand list API (#15): narrow rows and plain-value serialisation give exactly DRF's answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from requests_tracker import selectors
from requests_tracker.api import DemandSerializer
from tests import factories
from tests.requests_tracker.test_api import CONTACT, DEMANDS, _populate, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["anonymous", "captain_a", "dept_staff", "district_staff", "superuser"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_plain_rows_equal_drf_rows(who: str, language: str, cast: factories.Cast) -> None:
    _populate(cast, 9)
    factories.make_demand(cast.tower_a, cast.category, company_name="联系 13812345678", show_company=True, **CONTACT)
    user = None if who == "anonymous" else getattr(cast, who)
    scope = selectors.actor_scope(user) if user else selectors.ANONYMOUS_SCOPE
    serializer = DemandSerializer(context={"scope": scope})
    with translation.override(language):
        rows = list(selectors.demand_list_page(scope))
        assert rows
        for demand in rows:
            assert serializer.to_representation(demand) == serializer.drf_representation(demand)


def test_list_loads_only_the_columns_it_shows(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    _populate(cast, 6)
    with django_assert_num_queries(2):  # count + page: nothing deferred is read back row by row
        response = client_for(None).get(DEMANDS, {"building": cast.tower_a.slug, "page_size": 50})
    assert response.status_code == 200 and response.json()["count"] > 0
    sql = str(selectors.demand_list_page(selectors.ANONYMOUS_SCOPE).query)
    for column in (
        '"token"',
        '"submission_key"',
        '"buildings_building"."address"',
        '"requests_tracker_category"."description"',
    ):
        assert column not in sql
