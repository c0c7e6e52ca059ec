"""Who hears what, in which language, through which channel; the outbox's claim, retry and failure rules.

These run in-process (the delivery function is called directly, e-mail goes to Django's locmem
outbox); test_notifications_worker.py runs the same code in a real Celery worker.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from buildings.models import CouncilMember
from requests_tracker import actions
from requests_tracker.models import ChannelOptOut, DeliveryAttempt, Notification, SubmitterPreference, WebhookEndpoint
from requests_tracker.notifications import delivery, digests, escalation, outbox
from requests_tracker.workflow import Action, Outcome
from tests import factories
from tests.requests_tracker.demand_helpers import demand_at
from tests.requests_tracker.notification_helpers import Receiver, broker_at

Kind = Notification.Kind


@pytest.fixture(autouse=True)
def _locmem_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://lousihui.example.cn"


@pytest.fixture
def robot(cast: factories.Cast) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="楼事会工作群", url="http://127.0.0.1:9/robot", council=cast.tower_a.council
    )


def rows(**filters: Any) -> list[tuple[str, str, str]]:
    return sorted(
        Notification.objects.filter(**filters).values_list("kind", "channel", "address").order_by("kind", "address")
    )


def economic_captain(cast: factories.Cast) -> Any:
    user = factories.UserFactory(username="econ_a", is_staff=True)
    factories.CouncilMemberFactory(
        council=cast.tower_a.council, user=user, display_name="赵专员", role=CouncilMember.Role.ECONOMIC_CAPTAIN
    )
    return user


# --- who hears what -------------------------------------------------------------------------


def test_new_demand_tells_its_buildings_captain_and_council_robot_only(
    cast: factories.Cast, robot: WebhookEndpoint
) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)

    assert rows(demand=demand) == [
        (Kind.NEW_DEMAND, "email", "captain_a@example.com"),
        (Kind.NEW_DEMAND, "webhook", ""),
    ]
    email = Notification.objects.get(demand=demand, channel="email")
    assert email.recipient == cast.captain_a and email.status == "pending"
    assert email.subject == "上海中心大厦有新诉求：外卖无法上楼"
    assert f"https://lousihui.example.cn/admin/requests_tracker/demand/{demand.pk}/change/" in email.body_text


def test_company_development_demand_also_tells_the_economic_captain(cast: factories.Cast) -> None:
    econ = economic_captain(cast)
    category = factories.CategoryFactory(code="expansion", is_company_affair=True)

    demand = factories.make_demand(cast.tower_a, category)

    assert {n.recipient for n in Notification.objects.filter(demand=demand)} == {cast.captain_a, econ}
    assert not Notification.objects.filter(demand=factories.make_demand(cast.tower_a, cast.category), recipient=econ)


def test_backdated_events_from_seeds_and_imports_notify_nobody(cast: factories.Cast) -> None:
    old = factories.make_demand(cast.tower_a, cast.category, at=timezone.now() - timedelta(days=1))
    fresh = factories.make_demand(cast.tower_a, cast.category)

    assert rows(demand=old) == []
    assert rows(demand=fresh) == [(Kind.NEW_DEMAND, "email", "captain_a@example.com")]


def test_refused_submission_leaves_no_notification(cast: factories.Cast) -> None:
    with pytest.raises(ValidationError):
        factories.make_demand(cast.tower_a, cast.category, floor=0)

    assert Notification.objects.count() == 0


def test_notifications_roll_back_with_their_event_and_are_enqueued_only_on_commit(
    cast: factories.Cast, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[list[int]] = []
    monkeypatch.setattr(outbox, "enqueue", lambda ids, **kw: published.append(list(ids)) or len(ids))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        factories.make_demand(cast.tower_a, cast.category)
        raise RuntimeError("the request failed after the demand was written")
    assert Notification.objects.count() == 0 and published == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        demand = factories.make_demand(cast.tower_a, cast.category)
        assert published == []  # nothing leaves the process inside the transaction
    for callback in callbacks:
        callback()
    assert published == [[Notification.objects.get(demand=demand).pk]]


def test_assignment_tells_the_departments_staff_in_their_own_language(cast: factories.Cast) -> None:
    cast.dept_staff.language = "en"
    cast.dept_staff.save()
    demand = demand_at(cast, "assigned", assignee=actions.Assignee(department=cast.fire))

    message = Notification.objects.get(demand=demand, kind=Kind.ASSIGNED)
    assert (message.address, message.language) == ("dept_staff@example.com", "en")
    assert message.subject == "Assigned to you: 外卖无法上楼"
    assert "Building: Shanghai Tower" in message.body_text and "Deliveries" in message.body_text
    assert '<html lang="en">' in message.body_html


def test_assignment_to_a_member_tells_that_member(cast: factories.Cast) -> None:
    demand = demand_at(cast, "assigned", assignee=actions.Assignee(member=cast.plain_member_a))

    assert rows(demand=demand, kind=Kind.ASSIGNED) == [(Kind.ASSIGNED, "email", "member_a@example.com")]


def test_submitter_hears_start_public_reply_and_answer_in_the_language_they_wrote_in(cast: factories.Cast) -> None:
    with override("en"):
        demand = factories.make_demand(cast.tower_a, cast.category, contact_email="zhang.san@example.com")
    demand = actions.demand_transition(
        demand=demand, action=Action.ASSIGN, actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )
    demand = actions.demand_transition(demand=demand, action=Action.START, actor=cast.dept_staff)
    actions.demand_add_note(demand=demand, actor=cast.dept_staff, note="内部：联系物业", is_public=False)
    actions.demand_add_note(demand=demand, actor=cast.dept_staff, note="已联系物业，下周安装。", is_public=True)
    demand = actions.demand_transition(
        demand=demand, action=Action.RESOLVE, actor=cast.dept_staff, outcome=Outcome.SOLVED, note="取餐柜已安装。"
    )

    to_submitter = Notification.objects.filter(address="zhang.san@example.com").order_by("id")
    assert [n.subject for n in to_submitter] == [
        "Work has started on your demand “外卖无法上楼”",
        "A reply to your demand “外卖无法上楼”",
        "Your demand “外卖无法上楼” has been answered",
    ]
    assert all(n.language == "en" for n in to_submitter)
    assert "内部" not in "".join(n.body_text for n in to_submitter)  # internal notes stay internal
    assert f"https://lousihui.example.cn/t/{demand.token}/notifications/" in to_submitter[2].body_text


def test_reopening_tells_the_assignee_and_the_captain(cast: factories.Cast) -> None:
    demand = demand_at(cast, "resolved")
    actions.demand_transition(demand=demand, action=Action.REOPEN, actor=cast.captain_a, note="居民反馈问题仍在")

    assert rows(demand=demand, kind=Kind.REOPENED) == [
        (Kind.REOPENED, "email", "captain_a@example.com"),
        (Kind.REOPENED, "email", "dept_staff@example.com"),
    ]


def test_submitter_saying_not_solved_tells_the_captain_and_the_assignee(cast: factories.Cast) -> None:
    demand = demand_at(cast, "resolved")
    actions.demand_report_not_solved(demand=demand, reason="取餐柜还是经常满")

    assert rows(demand=demand, kind=Kind.NOT_SOLVED) == [
        (Kind.NOT_SOLVED, "email", "captain_a@example.com"),
        (Kind.NOT_SOLVED, "email", "dept_staff@example.com"),
    ]
    with override("zh-hans"):
        assert (
            "诉求人反馈未解决"
            in Notification.objects.get(address="captain_a@example.com", kind=Kind.NOT_SOLVED).subject
        )


def test_a_demand_handed_back_tells_the_captain(cast: factories.Cast) -> None:
    demand = demand_at(cast, "assigned")
    actions.demand_transition(demand=demand, action="hand_back", actor=cast.dept_staff, note="不属于消防职责")

    assert rows(demand=demand, kind=Kind.HANDED_BACK) == [(Kind.HANDED_BACK, "email", "captain_a@example.com")]


def test_the_submitter_of_a_merged_duplicate_hears_it_was_answered(cast: factories.Cast) -> None:
    target = factories.make_demand(cast.tower_a, cast.category, title="外卖无法上楼")
    duplicate = factories.make_demand(
        cast.tower_a, cast.category, title="外卖送不上楼", contact_email="resident@example.com"
    )
    actions.demand_merge(demand=duplicate, into=target, actor=cast.captain_a)

    assert rows(demand=duplicate, kind=Kind.PROGRESS) == [(Kind.PROGRESS, "email", "resident@example.com")]


def test_a_user_who_opted_out_of_email_gets_none(cast: factories.Cast) -> None:
    client = Client()
    client.force_login(cast.captain_a)
    assert "checked" in client.get("/notifications/").content.decode()
    assert client.post("/notifications/", {}).status_code == 302  # the box unticked

    demand = factories.make_demand(cast.tower_a, cast.category)

    assert ChannelOptOut.objects.filter(user=cast.captain_a, channel="email").exists()
    assert rows(demand=demand) == []
    client.post("/notifications/", {"email": "on"})
    assert rows(demand=factories.make_demand(cast.tower_a, cast.category)) != []


def test_submitter_turns_emails_off_from_the_tracking_page(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, contact_email="zhang.san@example.com")
    client = Client()
    url = f"/t/{demand.token}/notifications/"

    page = client.get(url).content.decode()
    assert "z***@example.com" in page and "zhang.san" not in page
    response = client.post(url, {})

    assert response.status_code == 302 and SubmitterPreference.objects.get(demand=demand).email_opted_out
    assert "已保存" in client.get(response["Location"]).content.decode()
    actions.demand_transition(
        demand=demand, action=Action.ASSIGN, actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )
    demand.refresh_from_db()
    actions.demand_transition(demand=demand, action=Action.START, actor=cast.dept_staff)
    assert not Notification.objects.filter(address="zhang.san@example.com").exists()


@pytest.mark.parametrize("token", ["nope", "%00", "a" * 40])
def test_preferences_page_of_an_unknown_token_is_a_404(db: None, token: str) -> None:
    assert Client().get(f"/t/{token}/notifications/").status_code == 404


# --- delivery: claim, retry, failure -----------------------------------------------------


def test_delivery_sends_once_however_often_the_task_runs(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    message = Notification.objects.get(demand=demand)

    results = [delivery.deliver(message.pk) for _ in range(3)]

    assert results == ["sent", "skipped", "skipped"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["captain_a@example.com"]
    assert mail.outbox[0].extra_headers["X-Lousihui-Notification"] == str(message.pk)
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at is not None) == ("sent", 1, True)


def test_failures_back_off_exponentially_then_fail_with_their_reason_and_the_admin_retries(
    cast: factories.Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    monkeypatch.setattr(delivery, "schedule_retry", lambda pk, delay: None)
    demand = factories.make_demand(cast.tower_a, cast.category)
    message = Notification.objects.get(demand=demand)

    def refuse(self: Any, messages: Any) -> int:
        raise ConnectionRefusedError("smtp.example.com refused the connection")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    delays = []
    for _ in range(3):
        Notification.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        result = delivery.deliver(message.pk)
        message.refresh_from_db()
        delays.append(round((message.next_attempt_at - before).total_seconds()))

    assert result == "failed" and message.status == "failed"
    assert delays[:2] == [30, 60]
    assert message.last_error == "ConnectionRefusedError: smtp.example.com refused the connection"
    assert list(DeliveryAttempt.objects.filter(notification=message).values_list("number", "ok")) == [
        (1, False),
        (2, False),
        (3, False),
    ]

    monkeypatch.undo()
    client = Client(headers={"accept-language": "en"})
    client.force_login(cast.superuser)
    response = client.post(
        "/admin/requests_tracker/notification/",
        {"action": "retry", "_selected_action": [message.pk]},
        follow=True,
    )
    assert "1 notification put back in line." in response.content.decode()
    assert delivery.deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.max_attempts) == ("sent", 4, 6)
    assert len(mail.outbox) == 1


def test_a_dead_workers_claim_expires_and_a_live_claim_is_respected(cast: factories.Cast, settings: Any) -> None:
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 120
    demand = factories.make_demand(cast.tower_a, cast.category)
    message = Notification.objects.get(demand=demand)
    Notification.objects.filter(pk=message.pk).update(
        status="sending", lease_until=timezone.now() + timedelta(seconds=60)
    )

    assert delivery.deliver(message.pk) == "skipped"  # another worker is on it
    Notification.objects.filter(pk=message.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert delivery.deliver(message.pk) == "sent"  # that worker died: its claim ran out
    assert len(mail.outbox) == 1


def test_sweeper_re_enqueues_only_what_should_have_gone_by_now(
    cast: factories.Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 30
    swept: list[int] = []
    monkeypatch.setattr(outbox, "enqueue", lambda ids, **kw: swept.extend(ids) or len(ids))
    now = timezone.now()
    _fresh, stale, stuck, retry_later, done = (
        Notification.objects.get(demand=factories.make_demand(cast.tower_a, cast.category)) for _ in range(5)
    )
    Notification.objects.filter(pk=stale.pk).update(next_attempt_at=now - timedelta(minutes=5))
    Notification.objects.filter(pk=stuck.pk).update(status="sending", lease_until=now - timedelta(seconds=1))
    Notification.objects.filter(pk=retry_later.pk).update(next_attempt_at=now + timedelta(minutes=5))
    Notification.objects.filter(pk=done.pk).update(status="sent", next_attempt_at=now - timedelta(minutes=5))

    with django_assert_queries(1):
        count = delivery.sweep(now=now)

    assert count == 2 and sorted(swept) == sorted([stale.pk, stuck.pk])


def django_assert_queries(n: int) -> Any:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    class _Pin(CaptureQueriesContext):
        def __exit__(self, *exc: Any) -> None:
            super().__exit__(*exc)
            assert len(self.captured_queries) == n, self.captured_queries

    return _Pin(connection)


@pytest.mark.redis  # without REDIS_URL Celery runs eagerly and nothing is published at all
def test_publishing_with_the_broker_down_fails_fast_and_keeps_the_row(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category)
    message = Notification.objects.get(demand=demand)
    import time

    with broker_at("redis://127.0.0.1:1/5"):
        started = time.monotonic()
        sent = outbox.enqueue([message.pk, message.pk])
        elapsed = time.monotonic() - started

    assert sent == 0 and elapsed < 2.5
    message.refresh_from_db()
    assert message.status == "pending"


# --- the group robots ---------------------------------------------------------------------


def test_wecom_and_dingtalk_robots_get_their_own_json_and_a_refusal_is_a_failure(
    cast: factories.Cast, settings: Any
) -> None:
    receiver = Receiver()
    try:
        wecom = WebhookEndpoint.objects.create(name="企业微信群", url=receiver.url, council=cast.tower_a.council)
        dingtalk = WebhookEndpoint.objects.create(
            name="钉钉群", kind="dingtalk", url=receiver.url, secret="SECtest", council=cast.tower_a.council
        )
        demand = factories.make_demand(cast.tower_a, cast.category)
        by_robot = {n.webhook_id: n for n in Notification.objects.filter(demand=demand, channel="webhook")}

        assert delivery.deliver(by_robot[wecom.pk].pk) == "sent"
        assert delivery.deliver(by_robot[dingtalk.pk].pk) == "sent"
    finally:
        receiver.close()

    wecom_body, dingtalk_body = receiver.hits[0].body, receiver.hits[1].body
    assert wecom_body["msgtype"] == "markdown" and set(wecom_body["markdown"]) == {"content"}
    assert wecom_body["markdown"]["content"].startswith("**上海中心大厦有新诉求：外卖无法上楼**")
    assert dingtalk_body["markdown"]["title"] == "上海中心大厦有新诉求：外卖无法上楼"
    assert "> 楼宇：上海中心大厦" in dingtalk_body["markdown"]["text"]
    url = delivery.signed_url(dingtalk, now_ms=1700000000000)
    assert url.endswith("&timestamp=1700000000000&sign=" + _dingtalk_sign("SECtest", "1700000000000"))


def _dingtalk_sign(secret: str, timestamp: str) -> str:
    import base64
    import hashlib
    import hmac
    import urllib.parse

    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def test_a_robot_answering_200_with_an_error_code_is_a_failed_attempt(cast: factories.Cast, monkeypatch: Any) -> None:
    import urllib.request

    class Reply:
        def __enter__(self) -> Reply:
            return self

        def __exit__(self, *exc: Any) -> None:
            pass

        def read(self, n: int) -> bytes:
            return json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}).encode()

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **kw: Reply())
    monkeypatch.setattr(delivery, "schedule_retry", lambda pk, delay: None)
    WebhookEndpoint.objects.create(name="群", url="http://127.0.0.1:9/x", council=cast.tower_a.council)
    message = Notification.objects.get(demand=factories.make_demand(cast.tower_a, cast.category), channel="webhook")

    assert delivery.deliver(message.pk) == "retry"
    assert DeliveryAttempt.objects.get(notification=message).error == (
        "DeliveryError: Group robot refused: errcode 93000 invalid webhook url"
    )


# --- the overdue ladder (scenario 5: a frozen clock, passed as `now`) ------------------------


def test_overdue_ladder_fires_each_step_once_in_order(cast: factories.Cast, settings: Any) -> None:
    settings.ESCALATION_DELAYS_HOURS = [0, 24, 48]
    econ = economic_captain(cast)
    submitted = timezone.now() - timedelta(days=30)
    demand = factories.make_demand(cast.tower_a, cast.category, at=submitted)  # due 7 days later
    on_time = factories.make_demand(cast.tower_a, factories.CategoryFactory(code="slow", target_days=60), at=submitted)
    resolved = demand_at(cast, "resolved", at=submitted)
    due = demand.due_at
    Notification.objects.all().delete()
    clock = [
        due - timedelta(minutes=1),
        due + timedelta(minutes=1),
        due + timedelta(hours=2),
        due + timedelta(hours=24, minutes=1),
        due + timedelta(hours=30),
        due + timedelta(hours=72, minutes=1),
        due + timedelta(days=10),
    ]
    fired = [[(e.demand_id, e.step, e.level) for e in escalation.escalate_overdue(now=now)] for now in clock]

    assert fired == [
        [],
        [(demand.pk, 0, "captain")],
        [],
        [(demand.pk, 1, "economic_captain")],
        [],
        [(demand.pk, 2, "district")],
        [],
    ]
    sent = Notification.objects.filter(kind=Kind.ESCALATION).order_by("id")
    assert [(n.recipient, n.channel) for n in sent] == [
        (cast.captain_a, "email"),
        (econ, "email"),
        (cast.district_staff, "email"),
    ]
    assert [n.subject for n in sent] == ["逾期1小时：外卖无法上楼", "逾期1天：外卖无法上楼", "逾期3天：外卖无法上楼"]
    assert not Notification.objects.filter(demand__in=[on_time, resolved]).exists()


def test_a_ladder_checker_down_for_days_fires_the_missed_steps_once_in_order(
    cast: factories.Cast, settings: Any
) -> None:
    settings.ESCALATION_DELAYS_HOURS = [0, 24, 48]
    demand = factories.make_demand(cast.tower_a, cast.category, at=timezone.now() - timedelta(days=30))
    now = demand.due_at + timedelta(days=5)

    first = escalation.escalate_overdue(now=now)
    again = escalation.escalate_overdue(now=now)

    assert [(e.step, e.level) for e in first] == [(0, "captain"), (1, "economic_captain"), (2, "district")]
    assert again == []


# --- digests ------------------------------------------------------------------------------


def test_daily_digest_tells_each_captain_what_is_new_waiting_and_overdue_once_a_day(cast: factories.Cast) -> None:
    # Yesterday at 08:30 Shanghai time, when beat sends it: an hour later is still the same day, whatever
    # the hour the suite runs at (at 23:30 "an hour later" would be tomorrow's digest).
    now = timezone.localtime().replace(hour=8, minute=30, second=0, microsecond=0) - timedelta(days=1)
    factories.make_demand(cast.tower_a, cast.category, at=now - timedelta(hours=3))
    factories.make_demand(cast.tower_a, cast.category, at=now - timedelta(days=20))  # overdue, waiting
    Notification.objects.all().delete()

    first = digests.send_daily_digests(now=now)
    again = digests.send_daily_digests(now=now + timedelta(hours=1))

    assert [(n.recipient, n.kind) for n in first] == [(cast.captain_a, Kind.DAILY_DIGEST)]  # captain_b: nothing
    assert again == []
    assert "上海中心大厦：新增 1 条 · 待您处理 2 条 · 逾期 1 条" in first[0].body_text


def test_weekly_figures_go_to_district_staff(cast: factories.Cast) -> None:
    demand_at(cast, "resolved", at=timezone.now() - timedelta(days=2))
    factories.make_demand(cast.tower_b, cast.category, at=timezone.now() - timedelta(days=20))
    Notification.objects.all().delete()
    now = timezone.now()

    sent = digests.send_weekly_figures(now=now)

    assert [n.recipient for n in sent] == [cast.district_staff]
    assert "浦东新区：本周收到 1 条、办结 1 条；累计收到 2 条、办结 1 条、办理中 1 条、逾期 1 条" in sent[0].body_text
    assert digests.send_weekly_figures(now=now) == []


def test_digest_selectors_cost_a_fixed_number_of_queries(cast: factories.Cast, django_assert_num_queries: Any) -> None:
    now = timezone.now()
    for building in (cast.tower_a, cast.tower_b):
        for _ in range(3):
            factories.make_demand(building, cast.category)
    more = factories.BuildingFactory(subdistrict=cast.tower_a.subdistrict)
    council = factories.CouncilFactory(building=more)
    factories.CouncilMemberFactory(council=council, user=factories.UserFactory(), role=CouncilMember.Role.CAPTAIN)

    with django_assert_num_queries(2):
        captains = digests.captain_digest_rows(now)
    with django_assert_num_queries(3):
        staff = digests.district_weekly_rows(now)

    assert len(captains) == 3 and len(staff) == 1


def test_outbox_admin_list_costs_a_fixed_number_of_queries(
    cast: factories.Cast, robot: WebhookEndpoint, django_assert_num_queries: Any, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(cast.superuser)
    factories.make_demand(cast.tower_a, cast.category)
    client.get("/admin/requests_tracker/notification/")  # warm the session and the user
    with django_assert_max_num_queries(12) as few:
        client.get("/admin/requests_tracker/notification/?status__exact=pending")
    for _ in range(5):
        factories.make_demand(cast.tower_a, cast.category)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/admin/requests_tracker/notification/?status__exact=pending")
    assert response.status_code == 200 and "楼事会工作群" in response.content.decode()


def test_only_those_who_may_change_notifications_can_retry_them(cast: factories.Cast) -> None:
    from django.contrib.auth.models import Permission

    factories.make_demand(cast.tower_a, cast.category)
    viewer = factories.UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client = Client()
    client.force_login(viewer)

    page = client.get("/admin/requests_tracker/notification/")

    assert page.status_code == 200 and 'value="retry"' not in page.content.decode()
    client.force_login(cast.superuser)
    assert 'value="retry"' in client.get("/admin/requests_tracker/notification/").content.decode()
