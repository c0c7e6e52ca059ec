"""Issue #14 item 12 (retention and deletion): a submitter's contact details are erased a configurable
time after resolution (CONTACT_RETENTION_DAYS, default 180) by a beat task, or at once by the submitter
from the tracking page; both leave a timeline note without the data, and take along what was kept
because of them (the submitter's e-mails in the outbox, a hall request's free-text answers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lousihui.celery import app
from requests_tracker import actions
from requests_tracker.hall.actions import hall_request_submit
from requests_tracker.models import Demand, DemandEvent, Notification, SubmitterPreference
from requests_tracker.tasks import erase_expired_contacts
from requests_tracker.workflow import Status
from tests import factories
from tests.requests_tracker.demand_helpers import demand_at
from tests.services.guide.conftest import VALID, build_world

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "张三", "13912345678", "zhang.san@example.com"
CONTACT = {"contact_name": NAME, "contact_phone": PHONE, "contact_email": EMAIL}


def _resolved(cast: factories.Cast, days_ago: float, **kwargs: Any) -> Demand:
    demand = demand_at(cast, Status.RESOLVED, **{**CONTACT, **kwargs})
    Demand.objects.filter(pk=demand.pk).update(resolved_at=timezone.now() - timedelta(days=days_ago))
    demand.refresh_from_db()
    return demand


def _contact(demand: Demand) -> tuple[str, str, str]:
    demand.refresh_from_db()
    return (demand.contact_name, demand.contact_phone, demand.contact_email)


def _erasure_notes(demand: Demand) -> list[DemandEvent]:
    return list(demand.events.filter(kind=DemandEvent.Kind.CONTACT_ERASED))


def _holds_no_data(event: DemandEvent) -> bool:
    text = f"{event.note} {event.data} {event.actor_label}"
    return not any(value in text for value in (NAME, PHONE, EMAIL, "1391234"))


def test_the_beat_runs_the_retention_task_daily() -> None:
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("erase_expired_contacts")]
    assert len(entries) == 1
    assert entries[0]["task"] in app.tasks  # the name the beat sends is a registered task
    assert settings.CONTACT_RETENTION_DAYS == 180


def test_contact_details_are_erased_180_days_after_resolution(cast: factories.Cast) -> None:
    old = _resolved(cast, 181, title="半年前解决的")
    recent = _resolved(cast, 179, title="刚解决不久的")
    still_open = factories.make_demand(cast.tower_a, cast.category, title="还在办理的", **CONTACT)
    Demand.objects.filter(pk=still_open.pk).update(submitted_at=timezone.now() - timedelta(days=400))
    # The submitter heard of the resolution by e-mail: that row holds their address.
    assert Notification.objects.filter(demand=old, address=EMAIL).exists()
    version = old.version

    assert erase_expired_contacts() == 1

    assert _contact(old) == ("", "", "")
    assert old.version == version + 1  # a form opened before cannot write the details back
    assert not Notification.objects.filter(demand=old, recipient__isnull=True).exists()
    assert not SubmitterPreference.objects.filter(demand=old).exists()
    [note] = _erasure_notes(old)
    assert not note.is_public and note.data == {"by": "retention", "fields": list(CONTACT)}
    assert "180" in note.note and _holds_no_data(note)
    assert _contact(recent) == (NAME, PHONE, EMAIL)
    assert _contact(still_open) == (NAME, PHONE, EMAIL)
    # Idempotent: the next day's run finds nothing more, and writes no second note.
    assert erase_expired_contacts() == 0
    assert len(_erasure_notes(old)) == 1


def test_the_retention_period_is_a_setting(cast: factories.Cast, settings: Any) -> None:
    settings.CONTACT_RETENTION_DAYS = 30
    month = _resolved(cast, 31)
    assert erase_expired_contacts() == 1
    assert _contact(month) == ("", "", "")


def test_a_reopened_demand_keeps_its_contact_details(cast: factories.Cast) -> None:
    demand = _resolved(cast, 200)
    actions.demand_transition(demand=demand, action="reopen", actor=cast.superuser, note="还没好")
    Demand.objects.filter(pk=demand.pk).update(resolved_at=timezone.now() - timedelta(days=200))
    assert erase_expired_contacts() == 0
    assert _contact(demand) == (NAME, PHONE, EMAIL)


def test_the_submitter_erases_contact_details_at_once_from_the_tracking_page(cast: factories.Cast) -> None:
    demand = factories.make_demand(cast.tower_a, cast.category, **CONTACT)
    client = Client()
    page = client.get(reverse("track", args=[demand.token])).content.decode()
    assert "139****5678" in page and PHONE not in page  # masked even to the submitter
    erase_url = reverse("track-erase-contact", args=[demand.token])
    assert erase_url in page

    response = client.post(erase_url, follow=True)

    assert response.status_code == 200
    assert "您的联系方式已删除" in response.content.decode()
    assert erase_url not in response.content.decode()
    assert _contact(demand) == ("", "", "")
    [note] = _erasure_notes(demand)
    assert note.data["by"] == "submitter" and _holds_no_data(note)
    # Only the submitter holds the token: without it, nobody can erase (or reach) the page.
    assert Client().post(reverse("track-erase-contact", args=["not-a-token"])).status_code == 404
    assert client.get(erase_url).status_code == 405


def test_a_hall_requests_free_text_answers_go_with_the_contact_details(cast: factories.Cast) -> None:
    world = build_world(cast)
    demand = hall_request_submit(
        service=world.service, building=cast.tower_a, answers={**VALID, "note": "孩子对花生过敏，张小明"}, **CONTACT
    )
    actions.demand_erase_contact(demand=demand, by=actions.ERASED_BY_SUBMITTER)
    answers = Demand.objects.get(pk=demand.pk).hall_request.answers
    assert "note" not in answers  # free text, may name or describe a person
    assert answers["doctor"] == "gp" and answers["people"] == 2  # the booking itself stays
    assert _contact(demand) == ("", "", "")


def test_a_hall_request_without_contact_details_still_has_its_answers_erased_on_time(cast: factories.Cast) -> None:
    world = build_world(cast)
    demand = hall_request_submit(service=world.service, building=cast.tower_a, answers={**VALID, "note": "头痛三天"})
    actions.demand_transition(
        demand=Demand.objects.get(pk=demand.pk), action="resolve", actor=cast.superuser, outcome="solved", note="已预约"
    )
    Demand.objects.filter(pk=demand.pk).update(resolved_at=timezone.now() - timedelta(days=181))
    assert erase_expired_contacts() == 1
    assert "note" not in Demand.objects.get(pk=demand.pk).hall_request.answers
    assert erase_expired_contacts() == 0


@pytest.mark.celery
@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_runs_the_task_the_beat_sends_with_the_period_from_the_environment(
    transactional_db: None, tmp_path: Any
) -> None:
    from tests.requests_tracker.notification_helpers import celery_worker, wait_until, worker_env

    app.control.purge()
    cast = factories.build_cast()
    month_old = _resolved(cast, 31)
    week_old = _resolved(cast, 7)
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("erase_expired_contacts")]
    try:
        with celery_worker(worker_env(tmp_path, CONTACT_RETENTION_DAYS="30"), "retention"):
            app.send_task(entry["task"])
            wait_until(lambda: _contact(month_old) == ("", "", ""), timeout=60)
    finally:
        app.control.purge()
    assert _contact(week_old) == (NAME, PHONE, EMAIL)
    assert len(_erasure_notes(month_old)) == 1


_contact_text = st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=0, max_size=12)


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=_contact_text,
    phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True) | st.just(""),
    email=st.emails(domains=st.just("example.com")) | st.just(""),
    by=st.sampled_from([actions.ERASED_BY_RETENTION, actions.ERASED_BY_SUBMITTER]),
)
def test_erasure_leaves_nothing_and_its_note_never_depends_on_the_data(
    cast: factories.Cast, name: str, phone: str, email: str, by: str
) -> None:
    demand = factories.make_demand(
        cast.tower_a, cast.category, contact_name=name, contact_phone=phone, contact_email=email[:254]
    )
    held = [field for field, value in zip(CONTACT, (name.strip(), phone, email), strict=True) if value]
    event = actions.demand_erase_contact(demand=demand, by=by)
    assert _contact(demand) == ("", "", "")
    if not held:
        assert event is None  # nothing held, nothing written
        return
    assert event is not None and event.data == {"by": by, "fields": held}
    # The note is one fixed sentence per eraser: it cannot carry any of the values.
    other = factories.make_demand(cast.tower_a, cast.category, contact_phone="13800000000")
    twin = actions.demand_erase_contact(demand=other, by=by)
    assert twin is not None and event.note == twin.note and event.actor_label == twin.actor_label
    # A second erasure finds nothing.
    assert actions.demand_erase_contact(demand=demand, by=by) is None
