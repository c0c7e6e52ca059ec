"""What each notification says, composed in the recipient's language and rendered per channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from buildings.text import long_text, one_line

from ..changes import FollowerNews
from ..models import Demand, DemandEvent


@dataclass
class Message:
    subject: str
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    link: str = ""
    link_label: str = ""
    #: A last line with a link, e.g. how to stop these e-mails.
    footer: str = ""
    footer_link: str = ""


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def staff_link(demand: Demand) -> str:
    return absolute(reverse("admin:requests_tracker_demand_change", args=[demand.pk]))


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _duration(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours >= 24:
        return _("%(days)s days") % {"days": hours // 24}
    return _("%(hours)s hours") % {"hours": max(hours, 1)}


def _demand_facts(demand: Demand) -> list[tuple[str, str]]:
    facts = [
        (_("Building"), demand.building.localized_name),
        (_("Category"), demand.category.localized_name),
        (_("Reference no."), str(demand.pk)),
        (_("Status"), capfirst(demand.get_status_display())),
    ]
    if demand.floor:
        facts.insert(1, (_("Floor"), str(demand.floor)))
    if demand.due_at and demand.is_open:
        facts.append((_("Due"), _when(demand.due_at)))
    return facts


def new_demand(demand: Demand) -> Message:
    return Message(
        subject=_("New demand in %(building)s: %(title)s")
        % {"building": demand.building.localized_name, "title": demand.title},
        paragraphs=[
            _("A resident raised a new demand. Please take it: assign it, or answer it yourself."),
            demand.description,
        ],
        facts=_demand_facts(demand),
        link=staff_link(demand),
        link_label=_("Open the demand"),
    )


def assigned(demand: Demand) -> Message:
    return Message(
        subject=_("Assigned to you: %(title)s") % {"title": demand.title},
        paragraphs=[
            _("This demand was routed to you. Please start work on it and keep the resident informed."),
            demand.description,
        ],
        facts=_demand_facts(demand),
        link=staff_link(demand),
        link_label=_("Open the demand"),
    )


def progress(demand: Demand, event: DemandEvent) -> Message:
    """For the submitter: work started, a public reply, or the answer."""
    if event.kind == DemandEvent.Kind.STARTED:
        subject = _("Work has started on your demand “%(title)s”")
        intro = _("The council has started working on your demand.")
    elif event.kind in (DemandEvent.Kind.RESOLVED, DemandEvent.Kind.MERGED):
        subject = _("Your demand “%(title)s” has been answered")
        intro = _("Your demand has been resolved: %(outcome)s.") % {"outcome": demand.get_outcome_display()}
    else:
        subject = _("A reply to your demand “%(title)s”")
        intro = _("The council replied to your demand.")
    track = reverse("track", args=[demand.token])
    return Message(
        subject=subject % {"title": demand.title},
        paragraphs=[intro, event.note],
        facts=[
            (_("Building"), demand.building.localized_name),
            (_("Reference no."), str(demand.pk)),
            (_("Status"), capfirst(demand.get_status_display())),
        ],
        link=absolute(track),
        link_label=_("Follow your demand"),
        footer=_("Do not want these e-mails? Turn them off here:"),
        footer_link=absolute(reverse("track-notifications", args=[demand.token])),
    )


def reopened(demand: Demand, event: DemandEvent) -> Message:
    """Reopened, reported not solved by the submitter, or handed back: the council must look again."""
    if event.kind == DemandEvent.Kind.NOT_SOLVED:
        subject = _("Not solved, says the submitter: %(title)s") % {"title": demand.title}
        intro = _("The submitter says the answer did not solve it. If you agree, reopen the demand.")
    elif event.kind == DemandEvent.Kind.HANDED_BACK:
        subject = _("Handed back: %(title)s") % {"title": demand.title}
        intro = _("The assignee handed this demand back to the council. Assign it again.")
    else:
        subject = _("Reopened: %(title)s") % {"title": demand.title}
        intro = _("This demand was reopened: the answer did not settle it.")
    return Message(
        subject=subject,
        paragraphs=[intro, event.note],
        facts=_demand_facts(demand),
        link=staff_link(demand),
        link_label=_("Open the demand"),
    )


def escalation(demand: Demand, *, level: str, now: datetime) -> Message:
    overdue_by = _duration(now - demand.due_at) if demand.due_at else "—"
    intro = {
        "captain": _("This demand is past its target date and still open."),
        "economic_captain": _("This demand is still open after the building captain was reminded."),
        "district": _("This demand is still open after the building's captains were reminded."),
    }[level]
    return Message(
        subject=_("Overdue by %(overdue)s: %(title)s") % {"overdue": overdue_by, "title": demand.title},
        paragraphs=[intro, _("Every question gets an answer: please see that it is handled today.")],
        facts=[
            *_demand_facts(demand),
            (_("Submitted"), _when(demand.submitted_at)),
            (_("Assigned to"), str(demand.assignee) if demand.assignee else _("nobody yet")),
        ],
        link=staff_link(demand),
        link_label=_("Open the demand"),
    )


def daily_digest(rows: list[dict[str, Any]], *, today: str) -> Message:
    facts: list[tuple[str, str]] = []
    for row in rows:
        facts.append(
            (
                row["building"].localized_name,
                _("%(new)s new · %(waiting)s waiting for you · %(overdue)s overdue")
                % {"new": row["new"], "waiting": row["waiting"], "overdue": row["overdue"]},
            )
        )
    return Message(
        subject=_("Lousihui daily digest, %(date)s") % {"date": today},
        paragraphs=[_("Your buildings' demands in the last 24 hours and what is waiting for you.")],
        facts=facts,
        link=absolute(reverse("admin:requests_tracker_demand_changelist") + "?status__exact=submitted"),
        link_label=_("See the demands waiting for you"),
    )


def weekly_figures(rows: list[dict[str, Any]], *, week: str) -> Message:
    facts: list[tuple[str, str]] = []
    for row in rows:
        facts.append(
            (
                row["district"].localized_name,
                _(
                    "%(new)s received this week, %(resolved_week)s resolved this week; "
                    "in all %(received)s received, %(resolved)s resolved, %(open)s open, %(overdue)s overdue"
                )
                % row["figures"],
            )
        )
    return Message(
        subject=_("Lousihui weekly figures, %(week)s") % {"week": week},
        paragraphs=[_("The demands of your district's buildings this week.")],
        facts=facts,
        link=absolute(reverse("admin:requests_tracker_demand_changelist") + "?overdue=yes"),
        link_label=_("See the overdue demands"),
    )


# --- rendering -------------------------------------------------------------


def _context(message: Message) -> dict[str, Any]:
    def line(label: str, value: str) -> str:
        # “楼宇：上海中心大厦” in Chinese (full-width colon), “Building: Shanghai Tower” in English.
        return _("%(label)s: %(value)s") % {"label": label, "value": value}

    return {
        "m": message,
        "paragraphs": [p for p in message.paragraphs if p],
        "fact_lines": [line(label, value) for label, value in message.facts],
        "link_line": line(message.link_label, message.link) if message.link else "",
    }


def render_email(message: Message) -> tuple[str, str, str]:
    """(subject, plain text, HTML) in the active language."""
    context = _context(message)
    text = render_to_string("notifications/email.txt", context)
    html = render_to_string("notifications/email.html", context)
    return one_line(message.subject), text, html  # a mail header is one line, whatever was stored


# Markdown's punctuation, swapped for the full-width forms Chinese text uses anyway: what a resident
# typed ("[点击此处](https://…)", "![](…)", "<font>", "**", "# ") shows as text, never as a link or markup.
_MARKDOWN = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "!": "！",
        "~": "～",
        "|": "｜",
        "\\": "＼",
    }
)


def escape_markdown(text: str) -> str:
    """Text that WeCom and DingTalk robots show as typed: no links, images, emphasis or headings."""
    return long_text(text).translate(_MARKDOWN)


def render_webhook_text(message: Message) -> str:
    """Markdown as both WeCom and DingTalk group robots display it; every text from people escaped."""
    context = _context(message)
    context["subject"] = escape_markdown(message.subject)
    context["paragraphs"] = [escape_markdown(p) for p in context["paragraphs"]]
    context["fact_lines"] = [escape_markdown(line) for line in context["fact_lines"]]
    return render_to_string("notifications/webhook.md", context).strip()


def follower_news(news: FollowerNews, *, track_token: str = "") -> Message:
    """For the submitters and supporters of demands a project answers: the project moved.

    A submitter's copy links to their demand's e-mail switch; a signed-in supporter's to their own.
    """
    footer_link = (
        absolute(reverse("track-notifications", args=[track_token]))
        if track_token
        else absolute(reverse("my-notifications"))
    )
    return Message(
        subject=str(news.subject),
        paragraphs=[
            _("You raised or supported a demand that this project answers."),
            *(str(p) for p in news.paragraphs),
        ],
        facts=[(str(label), str(value)) for label, value in news.facts],
        link=absolute(news.path) if news.path else "",
        link_label=str(news.link_label) or _("See the project"),
        footer=_("Do not want these e-mails? Turn them off here:"),
        footer_link=footer_link,
    )
