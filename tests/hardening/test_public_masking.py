"""Issue #14 item 10: phone numbers and e-mail addresses typed into public text are masked on every
public surface (board, public demand page, /similar/, the public API), by one function."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from requests_tracker import actions
from requests_tracker.privacy import MASK_EMAIL, MASK_MOBILE, mask_personal
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
EMAIL = "zhang.san@example.com"
TITLE = f"外卖无法上楼 请联系{PHONE}"
DESCRIPTION = f"午餐时间一楼大堂很乱，邮件 {EMAIL} 或 138-1234-5678"


def _leaks(text: str) -> bool:
    return PHONE in text or EMAIL in text or "138-1234-5678" in text


@pytest.fixture
def typed_demand(cast: factories.Cast):  # type: ignore[no-untyped-def]
    d = factories.make_demand(
        cast.tower_a,
        category=cast.category,
        title=TITLE,
        description=DESCRIPTION,
        company_name=f"某公司 {PHONE}",
        show_company=True,
        contact_phone=PHONE,
    )
    actions.demand_add_note(demand=d, actor=cast.captain_a, note=f"已联系 {EMAIL}", is_public=True)
    d.refresh_from_db()
    return d


def test_the_one_function_masks_both() -> None:
    masked = mask_personal(DESCRIPTION)
    assert MASK_EMAIL in masked and MASK_MOBILE in masked and not _leaks(masked)


def test_board_masks(typed_demand, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    body = Client().get("/b/shanghai-tower/").content.decode()
    assert "外卖无法上楼" in body and not _leaks(body)


def test_public_demand_page_masks(typed_demand, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    body = Client().get(f"/b/shanghai-tower/d/{typed_demand.pk}/").content.decode()
    assert "外卖无法上楼" in body and "已联系" in body and not _leaks(body)


def test_similar_masks(typed_demand, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    body = Client().get("/b/shanghai-tower/similar/", {"title": "外卖无法上楼"}).content.decode()
    assert "外卖无法上楼" in body and not _leaks(body)


def test_public_api_list_and_detail_mask(typed_demand, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    api = APIClient()
    listing = api.get("/api/v1/demands/").content.decode()
    detail = api.get(f"/api/v1/demands/{typed_demand.pk}/").content.decode()
    assert "外卖无法上楼" in detail and "已联系" in detail
    assert not _leaks(listing) and not _leaks(detail)


def test_resident_signed_in_sees_masked_too(typed_demand, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_login(cast.resident)
    assert not _leaks(api.get(f"/api/v1/demands/{typed_demand.pk}/").content.decode())


def test_handlers_still_see_the_text_as_typed(typed_demand, cast: factories.Cast) -> None:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_login(cast.captain_a)
    body = api.get(f"/api/v1/demands/{typed_demand.pk}/").json()
    assert body["title"] == TITLE and body["description"] == DESCRIPTION


def test_the_submitter_tracking_page_shows_their_own_text(typed_demand) -> None:  # type: ignore[no-untyped-def]
    body = Client().get(f"/t/{typed_demand.token}/").content.decode()
    assert PHONE in body
