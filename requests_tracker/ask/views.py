"""/ask/: ask a question, read the answered ones, say whether an answer helped (once per browser).

"Once per browser" is the browser key of the +1s (`intake.browser_keys`): signed by this server when
the page is viewed, its issuing throttled per client address. A vote with no key, or a made-up one,
counts nothing — a script that throws its cookie away gets a new key only a few times an hour (it used
to get a fresh unsigned cookie with every vote, and so could vote without end).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from buildings.throttling import ScopedRateThrottle
from services.guide.selectors import matters_by_ids

from ..intake import browser_keys
from . import actions, selectors
from .forms import QuestionForm

PAGE_SIZE = 10


def _client_key(raw: str) -> str:
    # A keyed hash of the browser key: the votes table cannot be used to recognise a browser.
    return hmac.new(settings.SECRET_KEY.encode(), f"ask-vote:{raw}".encode(), hashlib.sha256).hexdigest()


class _Scope:
    throttle_scope = "demand_submit"


@require_http_methods(["GET", "POST"])
@browser_keys.issues_key
def ask(request: HttpRequest) -> HttpResponse:
    matter_id = request.POST.get("matter") or request.GET.get("matter", "")
    matter = matters_by_ids([int(matter_id)]).get(int(matter_id)) if re.fullmatch(r"[0-9]{1,12}", matter_id) else None
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST, request.FILES)
        if not ScopedRateThrottle().allow_request(request, _Scope()):  # type: ignore[arg-type]
            form.is_valid()
            form.add_error(None, _("Too many questions from here in a short time. Please try again later."))
            status = 429
        elif form.is_valid():
            data: dict[str, Any] = dict(form.cleaned_data)
            data.pop("matter", None)
            key = data.pop("submission_key", "") or uuid.uuid4().hex
            try:
                demand = actions.question_ask_once(
                    submission_key=key,
                    matter=matter,
                    submitted_by=request.user if request.user.is_authenticated else None,
                    **data,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect("track", token=demand.token)
        if status == 200:
            status = 400
    else:
        initial: dict[str, Any] = {"is_public": True, "submission_key": uuid.uuid4().hex}
        if matter is not None:
            initial["matter"] = matter.pk
        slug = request.GET.get("building", "")
        if re.fullmatch(r"[-a-z0-9_]{1,50}", slug):
            initial["building"] = slug
        form = QuestionForm(initial=initial)
    page = Paginator(selectors.answered_questions(), PAGE_SIZE).get_page(request.GET.get("page"))
    questions = list(page.object_list)
    votes = selectors.votes_of(
        _client_key(r) if (r := browser_keys.issued_key(request)) else "", [q.pk for q in questions]
    )
    for question in questions:
        question.my_vote = votes.get(question.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "ask/ask.html",
        {"form": form, "matter": matter, "page": page, "questions": questions},
        status=status,
    )


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(selectors.answered_questions(), pk=pk)
    choice = request.POST.get("helpful", "")
    if choice not in ("yes", "no"):
        raise Http404
    raw = browser_keys.issued_key(request)
    if not raw:
        # No key this server signed (cookies off, a made-up one, or one thrown away): nothing is counted.
        added, status = False, 403
        message = _("Your vote could not be counted. Please reload the page and try again.")
    else:
        added = actions.question_vote(demand=demand, client_key=_client_key(raw), helpful=choice == "yes")
        status = 200
        message = _("Thank you for telling us.") if added else _("You have already rated this answer.")
    if "application/json" in request.headers.get("Accept", ""):
        counts = selectors.answered_questions().filter(pk=pk).values("helpful_count", "unhelpful_count").first()  # type: ignore[misc]
        return JsonResponse({"added": added, "detail": message, **(counts or {})}, status=status)
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect(reverse("ask") + f"#q-{pk}")
