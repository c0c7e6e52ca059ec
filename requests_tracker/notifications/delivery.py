"""Sending one outbox row: claim it, try once, record the attempt, then finish or schedule a retry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from buildings.text import one_line
from lousihui.celery import app

from ..models import Channel, DeliveryAttempt, Notification, WebhookEndpoint
from . import outbox

logger = logging.getLogger(__name__)
Status = Notification.Status


class DeliveryError(Exception):
    """The channel refused or failed; the message says why, for the attempt log and the admin."""


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): exponential, capped."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return float(min(base * 2 ** (attempt - 1), settings.NOTIFICATION_RETRY_CAP_SECONDS))


def claimable(now: datetime) -> Q:
    """Rows a worker may take now: pending and due, or claimed by a worker whose lease ran out."""
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_until__lt=now)


def deliver(notification_id: int, *, worker: str = "") -> str:
    """Sends the row at most once per claim; returns "sent", "retry", "failed" or "skipped".

    The claim is a conditional UPDATE that must change exactly one row: of two workers holding the
    same id (a sweep re-enqueued it, Redis redelivered it), one gets it and the other skips.
    """
    now = timezone.now()
    lease = now + timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS)
    claimed = Notification.objects.filter(claimable(now), pk=notification_id).update(
        status=Status.SENDING, lease_until=lease, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return "skipped"
    notification = Notification.objects.select_related("webhook").get(pk=notification_id)
    number = notification.attempts
    attempt = DeliveryAttempt.objects.create(notification=notification, number=number, started_at=now, worker=worker)
    # Finishing is conditional too: if this worker stalled past its lease and another took the row
    # over (attempts moved on), this late result must not overwrite the newer one.
    mine = Notification.objects.filter(pk=notification_id, status=Status.SENDING, attempts=number)
    try:
        send(notification)
    except Exception as exc:  # every failure is recorded; none may escape and leave the row claimed
        error = _describe(exc)
        finished = timezone.now()
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(finished_at=finished, ok=False, error=error)
        if number >= notification.max_attempts:
            mine.update(status=Status.FAILED, last_error=error, lease_until=None)
            logger.error("Notification %s failed for good after %s attempts: %s", notification_id, number, error)
            return "failed"
        # Counted within the current round, so a row an administrator retried starts again from the base.
        delay = backoff(number - (notification.max_attempts - settings.NOTIFICATION_MAX_ATTEMPTS))
        if mine.update(
            status=Status.PENDING,
            last_error=error,
            lease_until=None,
            next_attempt_at=finished + timedelta(seconds=delay),
        ):
            schedule_retry(notification_id, delay)
        return "retry"
    finished = timezone.now()
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(finished_at=finished, ok=True)
    mine.update(status=Status.SENT, sent_at=finished, lease_until=None, last_error="")
    return "sent"


def schedule_retry(notification_id: int, delay: float) -> None:
    if app.conf.task_always_eager:
        # In the embedded default there is no worker to wait in: an eager countdown would run at once and
        # turn the backoff into a burst. The row stays pending with its due time for the next sweep.
        return
    outbox.enqueue([notification_id], countdown=delay)


def _describe(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:2000]


# --- channels ---------------------------------------------------------------------------


def send(notification: Notification) -> None:
    if notification.channel == Channel.EMAIL:
        send_email(notification)
    elif notification.channel == Channel.WEBHOOK:
        if notification.webhook is None:
            raise DeliveryError("The group robot was deleted.")
        send_webhook(notification.webhook, notification)
    else:
        raise DeliveryError(f"Unknown channel {notification.channel!r}")


def send_email(notification: Notification) -> None:
    message = EmailMultiAlternatives(
        subject=one_line(notification.subject),  # a header: one line whatever was stored
        body=notification.body_text,
        to=[notification.address],
        headers={
            # Tells mail servers and autoresponders this is machine mail; the id traces it to its row.
            "Auto-Submitted": "auto-generated",
            "X-Lousihui-Notification": str(notification.pk),
        },
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    message.send(fail_silently=False)


def webhook_payload(endpoint: WebhookEndpoint, notification: Notification) -> dict[str, object]:
    """The group-robot JSON: WeCom's {"msgtype": "markdown", "markdown": {"content"}}, DingTalk's {title, text}."""
    if endpoint.kind == WebhookEndpoint.Kind.DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": one_line(notification.subject), "text": notification.body_text},
        }
    return {"msgtype": "markdown", "markdown": {"content": notification.body_text}}


def signed_url(endpoint: WebhookEndpoint, now_ms: int | None = None) -> str:
    """DingTalk's 加签: timestamp and HMAC-SHA256(secret, "timestamp\\nsecret"), base64, URL-encoded."""
    if endpoint.kind != WebhookEndpoint.Kind.DINGTALK or not endpoint.secret:
        return endpoint.url
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(endpoint.secret.encode(), f"{timestamp}\n{endpoint.secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in endpoint.url else "?"
    return f"{endpoint.url}{separator}timestamp={timestamp}&sign={sign}"


def send_webhook(endpoint: WebhookEndpoint, notification: Notification) -> None:
    body = json.dumps(webhook_payload(endpoint, notification), ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is an http(s) URLField set by an administrator
        signed_url(endpoint),
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": f"lousihui-{notification.pk}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFICATION_HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from the group robot") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"Could not reach the group robot: {getattr(exc, 'reason', exc)}") from exc
    # Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; a refusal is a non-zero errcode.
    try:
        reply = json.loads(raw or b"{}")
    except ValueError:
        return
    if isinstance(reply, dict) and reply.get("errcode", 0) != 0:
        raise DeliveryError(f"Group robot refused: errcode {reply.get('errcode')} {reply.get('errmsg', '')}".strip())


# --- the sweeper ---------------------------------------------------------------------------


def sweep(*, now: datetime | None = None, grace_seconds: float | None = None, limit: int = 1000) -> int:
    """Re-enqueues rows that should have been sent by now: never published, or claimed by a dead worker."""
    now = now or timezone.now()
    grace = settings.NOTIFICATION_SWEEP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    overdue = Q(status=Status.PENDING, next_attempt_at__lte=now - timedelta(seconds=grace)) | Q(
        status=Status.SENDING, lease_until__lt=now
    )
    ids = list(
        Notification.objects.filter(overdue).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )
    return outbox.enqueue(ids)


def retry_now(ids: list[int], *, now: datetime | None = None) -> int:
    """Puts failed (or stuck pending) rows back in line for an immediate try, keeping their history."""
    now = now or timezone.now()
    return Notification.objects.filter(pk__in=ids, status__in=[Status.FAILED, Status.PENDING]).update(
        status=Status.PENDING,
        next_attempt_at=now,
        lease_until=None,
        max_attempts=F("attempts") + settings.NOTIFICATION_MAX_ATTEMPTS,
    )
