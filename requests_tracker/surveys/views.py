"""Pages: answer a survey on a phone (`/s/<key>/`), its results (`/s/<key>/results/`), QR code and poster.

There is deliberately no `/s/<key>/codes/`: invitation codes are shown once, from the admin or the API.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from buildings import qr
from buildings.access import actor_scope
from buildings.exports import csv_response, xlsx_response
from buildings.throttling import ScopedRateThrottle

from . import access, actions, selectors
from .answers import RawAnswer
from .boards import answer_url
from .models import Question, Receipt, Survey

BROWSER_COOKIE = "lh_survey_browser"
_BROWSER_RE = re.compile(r"[0-9a-f]{32}")
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{8,24}")


def _survey(key: str) -> Survey:
    if not _KEY_RE.fullmatch(key):
        raise Http404
    survey = selectors.survey_by_key(key)
    if survey is None:
        raise Http404
    return survey


def _visible_survey(request: HttpRequest, key: str) -> Survey:
    """A public survey, or a draft for those who may read it (a preview); anything else is a 404."""
    survey = _survey(key)
    if not access.is_public(survey) and not access.can_read(actor_scope(request.user), survey):  # type: ignore[arg-type]
        raise Http404
    return survey


def browser_key(request: HttpRequest) -> tuple[str, bool]:
    """The browser's random key (made now if it has none) and whether it is new."""
    key = request.COOKIES.get(BROWSER_COOKIE, "")
    if _BROWSER_RE.fullmatch(key):
        return key, False
    return secrets.token_hex(16), True


def set_browser_cookie(response: HttpResponse, key: str) -> None:
    response.set_cookie(BROWSER_COOKIE, key, max_age=400 * 86400, httponly=True, samesite="Lax")


class _ThrottleScope:
    throttle_scope = "survey_response"


def allowed(request: HttpRequest) -> bool:
    # DRF's scoped throttle: the same counters and client identity as the API's responses endpoint.
    return ScopedRateThrottle().allow_request(request, _ThrottleScope())  # type: ignore[arg-type]


def _int(value: Any) -> Any:
    """A form value as an int where it is one; otherwise as it came (the check names the question)."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value.strip()):
        return int(value)
    return value


def answers_from_form(questions: list[Question], data: Any) -> list[RawAnswer]:
    raw = []
    for q in questions:
        name = f"q{q.pk}"
        if q.kind in Question.CHOICE_KINDS:
            picked = [_int(v) for v in data.getlist(name)]
            other = data.get(f"{name}_other", "")
            if picked:
                raw.append(RawAnswer(question=q.pk, options=picked, text=other))
        elif q.kind == Question.Kind.RATING:
            value = data.get(name, "")
            if value:
                raw.append(RawAnswer(question=q.pk, value=_int(value)))
        elif q.kind == Question.Kind.RANKING:
            ranks = {o.pk: data.get(f"{name}_{o.pk}", "") for o in q.options.all()}
            if any(ranks.values()):
                # A place left empty or given twice is not a permutation: the check names the question.
                ranking: list[Any] = [None]
                if all(re.fullmatch(r"[0-9]{1,2}", r) for r in ranks.values()):
                    places = {int(r) for r in ranks.values()}
                    if len(places) == len(ranks):
                        ranking = [o for o, _r in sorted(ranks.items(), key=lambda item: int(item[1]))]
                raw.append(RawAnswer(question=q.pk, ranking=ranking))
        elif q.kind == Question.Kind.TEXT:
            text = data.get(name, "")
            if text.strip():
                raw.append(RawAnswer(question=q.pk, text=text))
    return raw


def _form_rows(questions: list[Question], data: Any, errors: dict[int, str]) -> list[dict[str, Any]]:
    """What the template needs per question, with what the person typed kept."""
    rows = []
    number = 0
    for q in questions:
        name = f"q{q.pk}"
        row: dict[str, Any] = {"q": q, "name": name, "error": errors.get(q.pk, "")}
        if q.kind != Question.Kind.HEADING:
            number += 1
            row["number"] = number
        options = list(q.options.all())
        row["options"] = options
        if data is not None:
            row["picked"] = {str(v) for v in data.getlist(name)}
            row["value"] = data.get(name, "")
            row["other"] = data.get(f"{name}_other", "")
            row["ranks"] = {o.pk: data.get(f"{name}_{o.pk}", "") for o in options}
        else:
            row.update(picked=set(), value="", other="", ranks={o.pk: "" for o in options})
        row["rank_choices"] = [str(i) for i in range(1, len(options) + 1)]
        row["ranked"] = [(o, row["ranks"].get(o.pk, "")) for o in options]
        rows.append(row)
    return rows


def _already_answered(survey: Survey, key: str) -> bool:
    return Receipt.objects.filter(pk=actions.browser_digest(survey, key)).exists()


@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, key: str) -> HttpResponse:
    survey = _visible_survey(request, key)
    browser, new_browser = browser_key(request)
    questions = selectors.questions_of(survey)
    now = timezone.now()
    refusal = actions.accepting_error(survey, now)
    errors: dict[int, str] = {}
    form_error = ""
    status = 200
    data = None
    done = request.GET.get("thanks") == "1" or (
        request.method == "GET"
        and not new_browser
        and survey.audience == Survey.Audience.OPEN
        and _already_answered(survey, browser)
    )
    if request.method == "POST" and refusal is None:
        data = request.POST
        if not allowed(request):
            form_error = _("Too many responses from here in a short time. Please try again later.")
            status = 429
        else:
            try:
                actions.survey_respond(
                    survey=survey,
                    answers=answers_from_form(questions, request.POST),
                    questions=questions,
                    code=request.POST.get("code", "")[:40],
                    browser_key=browser,
                    at=now,
                )
            except actions.SurveyError as exc:
                if exc.code == "answered":
                    done = True
                else:
                    errors = exc.errors
                    form_error = exc.message
                    status = {"invalid": 400, "unknown_code": 403}.get(exc.code, 409)
            else:
                done_page = redirect(f"{request.path}?thanks=1")
                set_browser_cookie(done_page, browser)
                return done_page
    elif request.method == "POST":
        status = 409
    scope = actor_scope(request.user)  # type: ignore[arg-type]
    response = render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "rows": _form_rows(questions, data, errors),
            "errors": errors,
            "form_error": form_error,
            "refusal": refusal,
            "done": done,
            "code": (data.get("code", "") if data is not None else request.GET.get("code", ""))[:40],
            "results_visible": access.can_see_results(scope, survey, now),
            "preview": not access.is_public(survey),
        },
        status=status,
    )
    if new_browser:
        set_browser_cookie(response, browser)
    return response


def _company_param(request: HttpRequest) -> int | None:
    value = request.GET.get("company", "")
    return int(value) if re.fullmatch(r"[0-9]{1,12}", value) else None


def _bars(fig: Any) -> list[dict[str, str]]:
    """A question's bars, drawn by the page itself (HTML and CSS, no chart library): the label, the
    figure shown, and the bar's length relative to the longest. The table beside them holds the
    figures for screen readers; the bars are only their picture."""
    if not fig.n:
        return []
    pairs = (
        [(o.text, o.score if o.score is not None else o.count) for o in fig.options]
        if fig.options
        else [(str(v), c) for v, c in fig.distribution]
    )
    top = max((value for _label, value in pairs), default=0) or 1
    return [{"label": label, "value": str(value), "width": f"{100 * value / top:.1f}"} for label, value in pairs]


@require_GET
def survey_results(request: HttpRequest, key: str) -> HttpResponse:
    survey = _visible_survey(request, key)
    scope = actor_scope(request.user)  # type: ignore[arg-type]
    council = access.can_read(scope, survey)
    if not access.can_see_results(scope, survey):
        return render(request, "surveys/results_hidden.html", {"survey": survey}, status=403)
    results = selectors.survey_results(survey, company_id=_company_param(request), texts="all" if council else "shown")
    figures = [(fig, _bars(fig)) for fig in results.questions]
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "results": results,
            "figures": figures,
            "council": council,
            "min_group": selectors.MIN_GROUP,
        },
    )


@require_GET
def survey_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """One row per response (CSV with BOM or XLSX, formula-safe); for those who may read the survey."""
    survey = _survey(key)
    if not access.can_read(actor_scope(request.user), survey):  # type: ignore[arg-type]
        raise Http404
    headers, rows = selectors.response_rows(survey, selectors.questions_of(survey))
    filename = f"survey-{survey.key}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, headers, rows, sheet_title=survey.title)
    return csv_response(filename, headers, rows)


@require_GET
def survey_qr(request: HttpRequest, key: str) -> HttpResponse:
    survey = _visible_survey(request, key)
    response = HttpResponse(qr.qr_png(answer_url(survey)), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def survey_poster(request: HttpRequest, key: str) -> HttpResponse:
    """An A4 poster for the lobby: title, introduction and the QR code."""
    survey = _visible_survey(request, key)
    url = answer_url(survey)
    return render(request, "surveys/poster.html", {"survey": survey, "url": url, "qr": qr.qr_svg(url)})
