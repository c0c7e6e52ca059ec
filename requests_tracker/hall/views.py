"""The service hall's pages: /hall/ (the services) and /hall/<code>/ (one service's form)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from buildings.selectors import building_list
from buildings.throttling import ScopedRateThrottle
from requests_tracker.models import Demand
from requests_tracker.validators import normalize_mainland_mobile
from services.guide import selectors as guide
from services.guide.definitions import validate_answers
from services.guide.models import HallService, ServiceField

from . import actions


def hall_index(request: HttpRequest) -> HttpResponse:
    return render(request, "hall/index.html", {"services": list(guide.hall_services())})


class _Scope:
    throttle_scope = "demand_submit"


def _allowed(request: HttpRequest) -> bool:
    return ScopedRateThrottle().allow_request(request, _Scope())  # type: ignore[arg-type]


def _raw_answers(request: HttpRequest, service: HallService) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for field in service.fields.all():
        name = f"a-{field.code}"
        if field.datatype == ServiceField.Datatype.MULTI:
            answers[field.code] = request.POST.getlist(name)
        else:
            answers[field.code] = request.POST.get(name, "")
    return answers


@require_http_methods(["GET", "POST"])
def hall_service(request: HttpRequest, code: str) -> HttpResponse:
    service = guide.hall_service(code)
    if service is None:
        raise Http404
    buildings = list(building_list())
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    status = 200
    key = uuid.uuid4().hex
    if request.method == "POST":
        values = {k: request.POST.getlist(k) if k.startswith("a-") else request.POST.get(k, "") for k in request.POST}
        key = request.POST.get("submission_key", "")
        key = key if re.fullmatch(r"[0-9a-f]{32}", key) else uuid.uuid4().hex
        earlier = Demand.objects.filter(submission_key=key).first()
        if earlier is not None:
            return redirect("track", token=earlier.token)
        building = next((b for b in buildings if b.slug == request.POST.get("building")), None)
        if building is None:
            errors["building"] = [_("Choose your building.")]
        contact_phone = request.POST.get("contact_phone", "")
        try:
            contact_phone = normalize_mainland_mobile(contact_phone)
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages
        answers = _raw_answers(request, service)
        if not _allowed(request):
            errors["__all__"] = [_("Too many requests from here in a short time. Please try again later.")]
            status = 429
        elif building is not None and not errors:
            try:
                demand = actions.hall_request_submit_once(
                    submission_key=key,
                    service=service,
                    building=building,
                    answers=answers,
                    contact_name=request.POST.get("contact_name", "")[:100],
                    contact_phone=contact_phone,
                    contact_email=request.POST.get("contact_email", "")[:254],
                    submitted_by=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    errors[name] = messages
            else:
                return redirect("track", token=demand.token)
        else:
            # Check the answers too, so every mistake is shown at once.
            try:
                validate_answers(service.fields.all(), answers)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if status == 200:
            status = 400
    # Answer errors come back keyed "answers" → {code: [...]}, flattened by message_dict as code keys.
    fields = [
        {
            "field": f,
            "name": f"a-{f.code}",
            "errors": errors.get(f.code, []),
            "value": (values.get(f"a-{f.code}") or [""])[0] if f.datatype != ServiceField.Datatype.MULTI else None,
            "selected": values.get(f"a-{f.code}") or [],
        }
        for f in service.fields.all()
    ]
    known = {f.code for f in service.fields.all()} | {"building", "contact_phone", "contact_email"}
    other_errors = [m for name, ms in errors.items() if name not in known for m in ms]
    return render(
        request,
        "hall/service.html",
        {
            "service": service,
            "buildings": buildings,
            "fields": fields,
            "errors": errors,
            "other_errors": other_errors,
            "values": values,
            "building_slug": request.POST.get("building") or request.GET.get("building", ""),
            "submission_key": key,
        },
        status=status,
    )
