"""Issue #14 item 5: /admin/login/ locks out by account and by client after a few failures, says so in
Chinese, and a superuser unlocks from the admin."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/?next=/admin/"


def _try(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password})


def test_an_account_is_locked_after_failures_even_with_the_right_password(cast: factories.Cast) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(guesser, "captain_a", "wrong")
    # From another client too: the account itself is locked.
    response = _try(Client(REMOTE_ADDR="198.51.100.9"), "captain_a", factories.PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录失败次数过多" in body and "分钟" in body
    assert "_auth_user_id" not in Client().session


def test_a_client_is_locked_after_failures_on_several_accounts(cast: factories.Cast) -> None:
    sprayer = Client(REMOTE_ADDR="203.0.113.8")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _try(sprayer, f"nobody{n}", "wrong")
    assert _try(sprayer, "district_staff", factories.PASSWORD).status_code == 429
    # Another client logs in to that account normally.
    assert _try(Client(REMOTE_ADDR="198.51.100.10"), "district_staff", factories.PASSWORD).status_code == 302


def test_a_superuser_unlocks_from_the_admin(cast: factories.Cast) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(guesser, "captain_a", "wrong")
    assert _try(guesser, "captain_a", factories.PASSWORD).status_code == 429
    admin = Client()
    admin.force_login(cast.superuser)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "captain_a" in listing.content.decode()
    for attempt in AccessAttempt.objects.all():
        page = f"/admin/axes/accessattempt/{attempt.pk}/delete/"
        assert admin.post(page, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _try(guesser, "captain_a", factories.PASSWORD).status_code == 302


def test_staff_who_are_not_superusers_cannot_reach_the_lockouts(cast: factories.Cast) -> None:
    for user in (cast.district_staff, cast.captain_a):
        client = Client()
        client.force_login(user)
        assert client.get("/admin/axes/accessattempt/").status_code == 403
