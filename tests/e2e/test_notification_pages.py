"""What notifications look like: the submitter's opt-out page on a phone, the e-mails, the admin's outbox."""

from typing import Any

import pytest

from requests_tracker.models import Notification, SubmitterPreference
from tests import factories
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submitter_turns_off_emails_from_the_tracking_page_on_a_phone(live_server: Any, phone_page: Any) -> None:
    cast = factories.build_cast()
    demand = factories.make_demand(cast.tower_a, cast.category, contact_email="zhang.san@example.com")
    page = phone_page
    page.goto(f"{live_server.url}/t/{demand.token}/")
    page.get_by_role("link", name="邮件通知").click()
    page.wait_for_url(f"**/t/{demand.token}/notifications/")
    assert page.get_by_role("checkbox").is_checked()
    assert "z***@example.com" in page.content()
    screenshot(page, "notifications-submitter-phone")

    page.get_by_role("checkbox").uncheck()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**?saved=1")

    assert page.get_by_role("status").inner_text() == "已保存。"
    assert not page.get_by_role("checkbox").is_checked()
    assert SubmitterPreference.objects.get(demand=demand).email_opted_out
    screenshot(page, "notifications-submitter-saved-phone")


def test_the_emails_read_well_in_chinese_and_english(live_server: Any, browser: Any) -> None:
    cast = factories.build_cast()
    cast.dept_staff.language = "en"
    cast.dept_staff.save()
    from requests_tracker import actions

    demand = factories.make_demand(
        cast.tower_a, cast.category, title="外卖无法上楼，一楼大堂交接混乱", floor=52, contact_email="z@example.com"
    )
    actions.demand_transition(
        demand=demand, action="assign", actor=cast.captain_a, assignee=actions.Assignee(department=cast.fire)
    )
    context = browser.new_context(viewport={"width": 420, "height": 800}, device_scale_factor=2)
    page = context.new_page()
    for kind, name in (
        (Notification.Kind.NEW_DEMAND, "email-new-demand-zh"),
        (Notification.Kind.ASSIGNED, "email-assigned-en"),
    ):
        message = Notification.objects.get(demand=demand, kind=kind, channel="email")
        page.set_content(message.body_html)
        assert message.subject in page.locator("h1").inner_text()
        screenshot(page, name)
    context.close()


def test_admin_outbox_shows_a_failure_with_its_reason(live_server: Any, browser: Any) -> None:
    cast = factories.build_cast()
    demand = factories.make_demand(cast.tower_a, cast.category)
    Notification.objects.filter(demand=demand).update(
        status="failed", attempts=6, last_error="SMTPServerDisconnected: Connection unexpectedly closed"
    )
    factories.make_demand(cast.tower_a, cast.category, title="电梯不联动")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/requests_tracker/notification/")
    page.fill("input[name=username]", cast.superuser.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/requests_tracker/notification/")

    assert "SMTPServerDisconnected" in page.content()
    assert page.locator("select[name=action] option[value=retry]").count() == 1
    screenshot(page, "admin-outbox")
    context.close()
