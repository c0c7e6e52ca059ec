"""What surveys add to the building board and the lobby screen (registered in apps.py via buildings.panels).

While a survey is open: its title and QR code. Once its results are published: the leading figures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings import qr

from . import access, selectors
from .models import Question, Survey

if TYPE_CHECKING:
    from django.http import HttpRequest

    from buildings.models import Building

#: Published results stay on the board and the screen this long after publication.
PUBLISHED_SHOWN_DAYS = 90


def answer_url(survey: Survey) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("survey-answer", args=[survey.key])


def _shown(surveys: list[Survey]) -> tuple[list[Survey], list[Survey]]:
    now = timezone.now()
    since = now - timedelta(days=PUBLISHED_SHOWN_DAYS)
    open_ = [s for s in surveys if access.accepting(s, now)]
    published = [s for s in surveys if s.status == Survey.Status.PUBLISHED and (s.published_at or now) >= since]
    return open_, published[:3]


def board_section(building: Building, request: HttpRequest) -> str | None:
    """The board's "surveys" section (1 query): open surveys with a QR code, recent published results."""
    open_, published = _shown(list(selectors.public_surveys(building_id=building.pk).order_by("-created_at")))
    if not open_ and not published:
        return None
    return render_to_string(
        "surveys/_board.html",
        {"open_surveys": [(s, qr.qr_svg(answer_url(s))) for s in open_], "published": published},
        request=request,
    )


def _leading_rows(survey: Survey) -> list[dict[str, Any]]:
    """The first choice or rating question's figures, as screen rows."""
    results = selectors.survey_results(survey, texts="none")
    for fig in results.questions:
        if fig.kind in Question.CHOICE_KINDS or fig.kind == Question.Kind.RANKING:
            rows = sorted(fig.options, key=lambda o: -(o.score if o.score is not None else o.count))[:4]
            return [{"label": o.text, "value": f"{o.percent:g}%", "progress": round(o.percent)} for o in rows] + [
                {"label": fig.question.localized("text"), "value": f"n={fig.n}", "progress": None}
            ]
        if fig.kind == Question.Kind.RATING and fig.mean is not None:
            return [{"label": fig.question.localized("text"), "value": f"{fig.mean} / 5 (n={fig.n})", "progress": None}]
    return []


def _panels(surveys: list[Survey]) -> list[dict[str, Any]]:
    open_, published = _shown(surveys)
    panels = []
    for s in open_:
        panels.append(
            {
                "kind": "survey",
                "key": f"survey-{s.key}",
                "title": s.localized("title"),
                "subtitle": _("Survey open: scan to answer"),
                "qr": reverse("survey-qr", args=[s.key]),
                "url": answer_url(s),
                "rows": [{"label": _("responses so far"), "value": str(s.response_count), "progress": None}],
            }
        )
    for s in published[:1]:
        panels.append(
            {
                "kind": "survey",
                "key": f"survey-results-{s.key}",
                "title": s.localized("title"),
                "subtitle": _("Survey results (%(n)s responses)") % {"n": s.response_count},
                "qr": "",
                "url": settings.SITE_URL.rstrip("/") + reverse("survey-results", args=[s.key]),
                "rows": _leading_rows(s),
            }
        )
    return panels


def screen_panels(building_id: int) -> list[dict[str, Any]]:
    return _panels(list(selectors.public_surveys(building_id=building_id).order_by("-created_at")))


def area_panels(kind: str, area_id: int) -> list[dict[str, Any]]:
    qs = selectors.public_surveys().filter(building__isnull=True)
    qs = qs.filter(subdistrict_id=area_id) if kind == "subdistrict" else qs.filter(district_id=area_id)
    return _panels(list(qs.order_by("-created_at")))
