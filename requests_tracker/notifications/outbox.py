"""Writing the outbox: who hears what, one row per recipient and channel, in the caller's transaction."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import get_language, override

from buildings.models import CouncilMember, User
from buildings.text import one_line
from lousihui.celery import app

from ..changes import FollowerNews
from ..models import Channel, ChannelOptOut, Demand, DemandEvent, Notification, SubmitterPreference, WebhookEndpoint
from ..workflow import Status
from . import messages, recipients

DELIVER_TASK = "requests_tracker.tasks.deliver_notification"
ENQUEUE_TASK = "requests_tracker.tasks.enqueue_notifications"

logger = logging.getLogger(__name__)

Compose = Callable[[], messages.Message]


def captains(demand: Demand, roles: Iterable[str] = (CouncilMember.Role.CAPTAIN,)) -> list[User]:
    """The serving holders of `roles` on the demand's building council who have an active account,
    each with `email_opted_out` read with them (`recipients.council_audience`)."""
    return recipients.council_audience(demand.building_id, roles, timezone.localdate())[0]


def captains_and_webhooks(
    demand: Demand, roles: Iterable[str] = (CouncilMember.Role.CAPTAIN,)
) -> tuple[list[User], list[WebhookEndpoint]]:
    """`captains()` and `council_webhooks()` in the same query; the webhooks themselves are read only
    when the council has any, which most councils do not (#15)."""
    users, has_webhooks = recipients.council_audience(demand.building_id, roles, timezone.localdate())
    return users, council_webhooks(demand) if has_webhooks else []


def assignee_users(demand: Demand) -> list[User]:
    """The assigned member's account, or the assigned department's staff."""
    if demand.assignee_member_id is not None:
        member = demand.assignee_member
        return [member.user] if member and member.user and member.user.is_active else []
    if demand.assignee_department_id is not None:
        return list(demand.assignee_department.staff.filter(is_active=True).order_by("id"))  # type: ignore[union-attr]
    return []


def district_staff(demand: Demand) -> list[User]:
    return list(
        User.objects.filter(districts__subdistricts__buildings=demand.building_id, is_active=True).order_by("id")
    )


def council_webhooks(demand: Demand) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(council__building_id=demand.building_id, is_active=True))


def department_webhooks(demand: Demand) -> list[WebhookEndpoint]:
    if demand.assignee_department_id is None:
        return []
    return list(WebhookEndpoint.objects.filter(department_id=demand.assignee_department_id, is_active=True))


def _unique(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _email_rows(
    users: list[User],
    compose: Compose,
    *,
    kind: str,
    now: datetime,
    dedupe: str | None = None,
    demand: Demand | None = None,
    event: DemandEvent | None = None,
) -> list[Notification]:
    """One e-mail row per user with an address who has not opted out, in that user's language."""
    users = [u for u in _unique(users) if u.email]
    if not users:
        return []
    if all(hasattr(u, "email_opted_out") for u in users):  # read with the users (captains())
        opted_out = {u.pk for u in users if u.email_opted_out}  # type: ignore[attr-defined]
    else:
        opted_out = set(
            ChannelOptOut.objects.filter(user__in=users, channel=Channel.EMAIL).values_list("user_id", flat=True)
        )
    rows = []
    for user in users:
        if user.pk in opted_out:
            continue
        rows.append(
            _row(
                compose,
                kind=kind,
                channel=Channel.EMAIL,
                language=user.language or settings.LANGUAGE_CODE,
                now=now,
                recipient=user,
                address=user.email,
                dedupe_key=f"{dedupe}:email:{user.pk}" if dedupe else None,
                demand=demand,
                event=event,
            )
        )
    return rows


def _webhook_rows(
    endpoints: list[WebhookEndpoint],
    compose: Compose,
    *,
    kind: str,
    now: datetime,
    dedupe: str | None = None,
    demand: Demand | None = None,
    event: DemandEvent | None = None,
) -> list[Notification]:
    return [
        _row(
            compose,
            kind=kind,
            channel=Channel.WEBHOOK,
            language=endpoint.language,
            now=now,
            webhook=endpoint,
            dedupe_key=f"{dedupe}:webhook:{endpoint.pk}" if dedupe else None,
            demand=demand,
            event=event,
        )
        for endpoint in endpoints
    ]


def _row(compose: Compose, *, kind: str, channel: str, language: str, now: datetime, **fields: object) -> Notification:
    # Composed now, in the recipient's language, so the row is the whole message: what is sent later is
    # exactly what the event said, even if the demand moves on before the worker gets to it.
    with override(language):
        message = compose()
        if channel == Channel.EMAIL:
            subject, text, html = messages.render_email(message)
        else:
            subject, text, html = message.subject, messages.render_webhook_text(message), ""
    return Notification(
        kind=kind,
        channel=channel,
        language=language,
        subject=one_line(subject)[:300],
        body_text=text,
        body_html=html,
        next_attempt_at=now,
        created_at=now,
        max_attempts=settings.NOTIFICATION_MAX_ATTEMPTS,
        **fields,
    )


def write(rows: list[Notification]) -> list[Notification]:
    """Saves the rows in the current transaction; their delivery is enqueued once it commits."""
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]
    transaction.on_commit(lambda: enqueue(ids))
    return created


def enqueue(ids: Iterable[int], *, countdown: float | None = None) -> int:
    """Hands rows to Celery. A broker that is down is logged, not raised: the sweeper re-sends later."""
    # By name, not by import: the tasks module imports the delivery code, which enqueues through here.
    deliver_notification = app.tasks[DELIVER_TASK]
    sent = 0
    for pk in ids:
        try:
            deliver_notification.apply_async((pk,), countdown=countdown)
        except Exception:
            # With the broker down every publish would fail the same way (and fast: see
            # CELERY_BROKER_CONNECTION_TIMEOUT); the rows stay pending for the sweeper.
            logger.warning("Could not enqueue notification %s; the sweeper will retry", pk, exc_info=True)
            break
        sent += 1
    return sent


# --- who hears what ----------------------------------------------------------


def _submitter_rows(demand: Demand, event: DemandEvent, now: datetime) -> list[Notification]:
    if not demand.contact_email:
        return []
    preference = SubmitterPreference.objects.filter(demand=demand).first()
    if preference is not None and preference.email_opted_out:
        return []
    language = preference.language if preference else settings.LANGUAGE_CODE
    return [
        _row(
            lambda: messages.progress(demand, event),
            kind=Notification.Kind.PROGRESS,
            channel=Channel.EMAIL,
            language=language,
            now=now,
            address=demand.contact_email,
            demand=demand,
            event=event,
        )
    ]


def on_event(event: DemandEvent) -> list[Notification]:
    """Writes the notifications `event` causes, in the caller's transaction (see the package docstring)."""
    if event.created_at and timezone.now() - event.created_at > timedelta(
        seconds=settings.NOTIFICATION_BACKDATED_AFTER_SECONDS
    ):
        # A backdated event (the demo seed, an import of last year's demands) is old news: telling
        # people now that something happened months ago would only teach them to ignore us.
        return []
    if event.kind == DemandEvent.Kind.SUBMITTED:
        demand = event.demand  # just created, with its building and category: nothing to reload
    else:
        # The caller's instance predates the compare-and-set UPDATE: read what the event produced.
        demand = (
            Demand.objects.select_related("building", "category", "assignee_member__user", "assignee_department")
            .filter(pk=event.demand_id)
            .get()
        )
    now = event.created_at or timezone.now()
    Kind = DemandEvent.Kind
    rows: list[Notification] = []
    if event.kind == Kind.SUBMITTED:
        if demand.contact_email:
            # The submitter's language is the one they wrote in; later mails are sent in it.
            # One INSERT (no read, no savepoint): the demand was created in this very transaction.
            SubmitterPreference.objects.bulk_create(
                [SubmitterPreference(demand=demand, language=_supported(get_language()))], ignore_conflicts=True
            )
        roles = [CouncilMember.Role.CAPTAIN]
        if demand.category.is_company_affair:
            roles.append(CouncilMember.Role.ECONOMIC_CAPTAIN)
        compose = lambda: messages.new_demand(demand)  # noqa: E731
        users, webhooks = captains_and_webhooks(demand, roles)
        rows += _email_rows(users, compose, kind=Notification.Kind.NEW_DEMAND, now=now, demand=demand, event=event)
        rows += _webhook_rows(webhooks, compose, kind=Notification.Kind.NEW_DEMAND, now=now, demand=demand, event=event)
    elif event.kind == Kind.ASSIGNED:
        compose = lambda: messages.assigned(demand)  # noqa: E731
        rows += _email_rows(
            assignee_users(demand), compose, kind=Notification.Kind.ASSIGNED, now=now, demand=demand, event=event
        )
        rows += _webhook_rows(
            department_webhooks(demand), compose, kind=Notification.Kind.ASSIGNED, now=now, demand=demand, event=event
        )
    elif (
        event.kind in (Kind.STARTED, Kind.RESOLVED)
        or (event.kind == Kind.NOTE and event.is_public)
        or (event.kind == Kind.MERGED and event.to_status == Status.RESOLVED)
    ):
        rows += _submitter_rows(demand, event, now)
    if event.kind in (Kind.REOPENED, Kind.NOT_SOLVED, Kind.HANDED_BACK):
        # Reopened by the council, reported not solved by the submitter, or handed back by the
        # assignee: the captains must look again (and the assignee, where there still is one).
        kind = {
            Kind.REOPENED: Notification.Kind.REOPENED,
            Kind.NOT_SOLVED: Notification.Kind.NOT_SOLVED,
            Kind.HANDED_BACK: Notification.Kind.HANDED_BACK,
        }[DemandEvent.Kind(event.kind)]
        compose = lambda: messages.reopened(demand, event)  # noqa: E731
        users = list(dict.fromkeys(assignee_users(demand) + captains(demand)))
        rows += _email_rows(users, compose, kind=kind, now=now, demand=demand, event=event)
    return write(rows)


def _supported(language: str | None) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = (language or "").lower()
    for code in codes:
        if language == code or language.startswith(code.split("-")[0] + "-") or language == code.split("-")[0]:
            return code
    return settings.LANGUAGE_CODE


# --- news for the people behind demands (changes.tell_followers) ----------------------------


#: Stands in for a submitter's tracking token while their copy is rendered (tokens are URL-safe base64).
_TOKEN = "TRACKINGTOKENSTANDIN"  # noqa: S105 (not a secret: replaced by each demand's token)


def on_news(news: FollowerNews) -> int:
    """One e-mail per person behind `news.demand_ids`, in a fixed number of queries however many there are.

    People: each signed-in supporter with an address who did not opt out of e-mail (once per
    account, in their language), and each demand's submitter who left an e-mail and did not turn it
    off (unless a supporter already has that address). The dedupe keys make "once per news" a database
    guarantee. Supporters' rows are written by the database itself (INSERT … SELECT, one statement per
    language with the message passed once), so 2,000 supporters cost what 20 do.
    Queries: one insert per language, the submitters (1), their insert (1).
    """
    now = timezone.now()
    written = _insert_supporters(news, now)
    seen = {address.strip().lower() for _pk, address in written}
    ids = [pk for pk, _address in written]
    rows: list[Notification] = []
    submitters = (
        Demand.objects.filter(pk__in=news.demand_ids)
        .exclude(contact_email="")
        .exclude(submitter_preference__email_opted_out=True)
        .values_list("pk", "token", "contact_email", "submitter_preference__language")
        .order_by("pk")
    )
    # Rendered once per language, with a stand-in for the tracking token each copy's footer links to.
    rendered: dict[str, tuple[str, str, str]] = {}
    for demand_id, token, address, language in submitters:
        normalized = address.strip().lower()
        if normalized in seen:
            continue
        seen.add(normalized)
        language = language or settings.LANGUAGE_CODE
        if language not in rendered:
            with override(language):
                rendered[language] = messages.render_email(messages.follower_news(news, track_token=_TOKEN))
        subject, text, html = (part.replace(_TOKEN, token) for part in rendered[language])
        digest = hashlib.sha256(normalized.encode()).hexdigest()[:24]
        rows.append(
            Notification(
                kind=news.kind,
                channel=Channel.EMAIL,
                language=language,
                subject=subject[:300],
                body_text=text,
                body_html=html,
                next_attempt_at=now,
                created_at=now,
                max_attempts=settings.NOTIFICATION_MAX_ATTEMPTS,
                address=address.strip(),
                demand_id=demand_id,
                dedupe_key=f"{news.key}:email:{digest}"[:200],
            )
        )
    if rows:
        ids += [n.pk for n in Notification.objects.bulk_create(rows)]
    if ids:
        transaction.on_commit(lambda: _publish_burst(ids))
    return len(ids)


def _insert_supporters(news: FollowerNews, now: datetime) -> list[tuple[int, str]]:
    """INSERT … SELECT of one row per signed-in supporter, per language; returns (id, address) of each."""
    meta = Notification._meta
    opted_out = ChannelOptOut.objects.filter(user=OuterRef("pk"), channel=Channel.EMAIL)
    codes = [code for code, _name in settings.LANGUAGES]
    written: list[tuple[int, str]] = []
    for code in codes:
        speaks = Q(language=code)
        if code == settings.LANGUAGE_CODE:
            speaks |= ~Q(language__in=codes)  # no language, or one we do not write in: the site's
        supporters = (
            User.objects.filter(speaks, supports__demand_id__in=news.demand_ids, is_active=True)
            .exclude(email="")
            .exclude(Exists(opted_out))
            .values("pk")
            .annotate(first_demand=Min("supports__demand_id"))
            .values_list("pk", "email", "first_demand")
            .order_by()
        )
        select, select_params = supporters.query.sql_with_params()
        with override(code):
            subject, text, html = messages.render_email(messages.follower_news(news))
        columns = [
            "kind", "channel", "status", "demand_id", "recipient_id", "address", "language", "subject",
            "body_text", "body_html", "dedupe_key", "attempts", "max_attempts", "next_attempt_at",
            "last_error", "created_at",
        ]  # fmt: skip
        quote = connection.ops.quote_name
        # Identifiers come from the model and the ORM's own SQL; every value is a parameter.
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
            f"SELECT %s, %s, %s, s.first_demand, s.pk, s.email, %s, %s, %s, %s, %s || CAST(s.pk AS VARCHAR(20)), "
            f"0, %s, %s, '', %s FROM ({select}) AS s "
            f"RETURNING {quote('id')}, {quote('address')}"
        )
        params = [
            news.kind,
            Channel.EMAIL,
            Notification.Status.PENDING,
            code,
            subject[:300],
            text,
            html,
            f"{news.key}:user:",
            settings.NOTIFICATION_MAX_ATTEMPTS,
            now,
            now,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *select_params])  # the outer placeholders all precede the inner query
            written += [(pk, address) for pk, address in cursor.fetchall()]
    return written


def _publish_burst(ids: list[int]) -> None:
    """One task hands a burst (a project's 2,000 followers) to the workers: the request publishes once."""
    try:
        app.tasks[ENQUEUE_TASK].apply_async((ids,))
    except Exception:
        logger.warning("Could not enqueue %s notifications; the sweeper will retry", len(ids), exc_info=True)
