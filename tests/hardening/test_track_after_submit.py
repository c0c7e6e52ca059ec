"""Issue #14 item 15: after submitting, the tracking page says so, offers its link to copy or save
(without JavaScript too), and shows the floor that was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from requests_tracker.models import Demand
from tests import factories

pytestmark = pytest.mark.django_db


def _submit(client: Client) -> tuple[Demand, str]:
    response = client.post(
        "/b/shanghai-tower/submit/",
        {"category": "delivery", "title": "外卖无法上楼", "floor": "52", "is_public": "on"},
        follow=True,
    )
    assert response.status_code == 200
    return Demand.objects.get(), response.content.decode()


def test_the_tracking_page_says_submitted_and_shows_the_floor(cast: factories.Cast) -> None:
    demand, html = _submit(Client())
    assert "诉求已提交" in html
    assert "52 楼" in html
    link = f"http://testserver/t/{demand.token}/"
    # The link is in a read-only text box (select and copy works without JavaScript) ...
    assert f'value="{link}"' in html and "readonly" in html
    # ... and can be saved as a file with a plain link.
    assert f'href="/t/{demand.token}/link.txt"' in html


def test_the_message_is_only_shown_right_after_submitting(cast: factories.Cast) -> None:
    demand, _ = _submit(Client())
    html = Client().get(f"/t/{demand.token}/").content.decode()
    assert "诉求已提交" not in html
    assert f"/t/{demand.token}/" in html  # the link to keep is always there


def test_the_link_file_holds_the_tracking_link(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, category=cast.category)
    response = Client().get(f"/t/{demand.token}/link.txt")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert f"http://testserver/t/{demand.token}/" in response.content.decode("utf-8-sig")
    assert Client().get("/t/not-a-token/link.txt").status_code == 404
