"""REST API for surveys (`/api/v1/surveys/...`). Writes go through `actions`, reads through `selectors`,
who-may through `access`; every refusal is a 4xx with a reason in the reader's language."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from buildings.access import actor_scope
from buildings.api_fields import StrictJSONTypes
from buildings.exports import csv_response, xlsx_response
from buildings.models import Building, Company, District, Subdistrict
from buildings.throttling import ScopedRateThrottle
from requests_tracker.models import Demand

from . import access, actions, selectors
from .answers import AnswerErrors, parse_api_answers
from .models import Question, Survey
from .views import BROWSER_COOKIE, browser_key, set_browser_cookie

_ERROR_STATUS = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "forbidden": status.HTTP_404_NOT_FOUND,  # another building's survey: as if it did not exist
    "unknown_code": status.HTTP_403_FORBIDDEN,
    "not_open": status.HTTP_409_CONFLICT,
    "closed": status.HTTP_409_CONFLICT,
    "used": status.HTTP_409_CONFLICT,
    "answered": status.HTTP_409_CONFLICT,
    "state": status.HTTP_409_CONFLICT,
}
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def error_response(exc: actions.SurveyError) -> Response:
    body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
    if exc.errors:
        body["errors"] = {str(k): v for k, v in exc.errors.items()}
        named = [k for k in exc.errors if k]
        if named:
            body["question"] = named[0]
    if exc.fields:
        body["fields"] = exc.fields
    return Response(body, status=_ERROR_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST))


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    text = serializers.SerializerMethodField()
    other = serializers.BooleanField(source="is_other")  # type: ignore[assignment]

    def get_text(self, obj: Any) -> str:
        return str(obj.localized("text"))


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    text = serializers.SerializerMethodField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    long = serializers.BooleanField(source="long_text")  # type: ignore[assignment]
    max_choices = serializers.IntegerField(allow_null=True)
    show_if = serializers.IntegerField(source="show_if_id", allow_null=True, help_text="option id")
    options = OptionSerializer(many=True, source="options.all")

    def get_text(self, obj: Any) -> str:
        return str(obj.localized("text"))


class SurveySerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.SerializerMethodField()
    intro = serializers.SerializerMethodField()
    building = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    audience = serializers.CharField()
    results = serializers.CharField(source="results_visibility")
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    responses = serializers.IntegerField(source="response_count")
    url = serializers.SerializerMethodField()

    def get_title(self, obj: Survey) -> str:
        return obj.localized("title")

    def get_intro(self, obj: Survey) -> str:
        return obj.localized("intro")

    def get_building(self, obj: Survey) -> str | None:
        return obj.building.slug if obj.building else None

    def get_status(self, obj: Survey) -> str:
        return access.effective_status(obj)

    def get_url(self, obj: Survey) -> str:
        from .boards import answer_url

        return answer_url(obj)


class SurveyDetailSerializer(SurveySerializer):
    questions = serializers.SerializerMethodField()

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, obj: Survey) -> list[dict[str, Any]]:
        return QuestionSerializer(self.context["questions"], many=True).data  # type: ignore[return-value]


class OptionInSerializer(StrictJSONTypes):
    text = serializers.CharField(max_length=200)
    text_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class QuestionInSerializer(StrictJSONTypes):
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    text = serializers.CharField(max_length=500)
    text_en = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]
    long = serializers.BooleanField(default=False)  # type: ignore[assignment]
    max_choices = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    other = serializers.BooleanField(default=False)  # type: ignore[assignment]
    options = OptionInSerializer(many=True, required=False, default=list)
    show_if = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        min_length=2,
        max_length=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="[index of an earlier question, index of its option]",
    )


class SurveyCreateSerializer(StrictJSONTypes):
    building = serializers.CharField(required=False, help_text="building slug")
    subdistrict = serializers.CharField(required=False, help_text="sub-district slug (district staff)")
    district = serializers.CharField(required=False, help_text="district slug (district staff)")
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    intro = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    intro_en = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    audience = serializers.ChoiceField(choices=Survey.Audience.choices, default=Survey.Audience.OPEN)
    results = serializers.ChoiceField(choices=Survey.Results.choices, default=Survey.Results.AFTER_CLOSE)
    opens_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    demands = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    questions = QuestionInSerializer(many=True)


class CodesInSerializer(StrictJSONTypes):
    company = serializers.IntegerField()
    count = serializers.IntegerField(min_value=1, max_value=actions.MAX_CODES_PER_BATCH)
    format = serializers.ChoiceField(choices=["json", "csv", "xlsx"], default="json")


def _slug(value: Any) -> str | None:
    return value if isinstance(value, str) and _SLUG.fullmatch(value) else None


class SurveyViewSet(viewsets.ViewSet):
    """Surveys: the public read and answer them; their council builds, opens, closes, publishes them."""

    lookup_field = "key"
    lookup_value_regex = r"[A-Za-z0-9_-]{8,24}"
    #: used only where ScopedRateThrottle is listed: the responses endpoint (the answer page shares it)
    throttle_scope = "survey_response"

    def _scope(self, request: Request) -> Any:
        return actor_scope(request.user)  # type: ignore[arg-type]

    def _get(self, request: Request, key: str, *, manage: bool = False) -> Survey:
        survey = selectors.survey_by_key(key)
        if survey is None:
            raise Http404
        scope = self._scope(request)
        if manage:
            if not request.user.is_authenticated:
                raise NotAuthenticated
            if not access.can_manage(scope, survey):
                raise Http404
        elif not access.is_public(survey) and not access.can_read(scope, survey):
            raise Http404
        return survey

    def get_queryset(self) -> QuerySet[Survey]:  # for the schema
        return Survey.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("building", str, description="building slug")],
        responses=SurveySerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """Open and published surveys (and, for the council, their drafts and closed ones)."""
        building_id = None
        slug = request.query_params.get("building")
        if slug is not None:
            building = Building.objects.filter(slug=_slug(slug) or "", is_active=True).only("pk").first()
            if building is None:
                return Response({"detail": _("No such building.")}, status=status.HTTP_404_NOT_FOUND)
            building_id = building.pk
        surveys = selectors.listed_surveys(self._scope(request), building_id=building_id)[:200]
        return Response(SurveySerializer(surveys, many=True).data)

    @extend_schema(responses=SurveyDetailSerializer)
    def retrieve(self, request: Request, key: str) -> Response:
        """The survey with its questions."""
        survey = self._get(request, key)
        questions = selectors.questions_of(survey)
        return Response(SurveyDetailSerializer(survey, context={"questions": questions}).data)

    @extend_schema(request=SurveyCreateSerializer, responses={201: SurveyDetailSerializer})
    def create(self, request: Request) -> Response:
        """A draft survey (council members of the building, district staff for an area)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated
        serializer = SurveyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        place: dict[str, Any] = {}
        for name, model in (("building", Building), ("subdistrict", Subdistrict), ("district", District)):
            if data.get(name):
                obj = model.objects.filter(slug=_slug(data[name]) or "").first()
                if obj is None:
                    return Response({"detail": _("No such %(what)s.") % {"what": name}, "field": name}, status=400)
                place[name] = obj
                break
        if not place:
            return Response({"detail": _("Say which building the survey is for."), "field": "building"}, status=400)
        demands = list(Demand.objects.filter(pk__in=data["demands"]))
        if len(demands) != len(set(data["demands"])):
            return Response({"detail": _("A linked demand does not exist."), "field": "demands"}, status=400)
        specs = [
            actions.QuestionSpec(
                kind=q["kind"],
                text=q["text"],
                text_en=q["text_en"],
                required=q["required"],
                long_text=q["long"],
                max_choices=q["max_choices"],
                other=q["other"],
                options=[actions.OptionSpec(text=o["text"], text_en=o["text_en"]) for o in q["options"]],
                show_if=tuple(q["show_if"]) if q["show_if"] else None,  # type: ignore[arg-type]
            )
            for q in data["questions"]
        ]
        try:
            survey = actions.survey_create(
                actor=request.user,  # type: ignore[arg-type]
                scope=self._scope(request),
                title=data["title"],
                title_en=data["title_en"],
                intro=data["intro"],
                intro_en=data["intro_en"],
                audience=data["audience"],
                results=data["results"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                questions=specs,
                demands=demands,
                **place,
            )
        except actions.SurveyError as exc:
            if exc.code == "forbidden":
                return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_403_FORBIDDEN)
            return error_response(exc)
        questions = selectors.questions_of(survey)
        return Response(
            SurveyDetailSerializer(survey, context={"questions": questions}).data, status=status.HTTP_201_CREATED
        )

    def _move(self, request: Request, key: str, move: str) -> Response:
        survey = self._get(request, key, manage=True)
        try:
            actions.survey_move(survey=survey, move=move, actor=request.user, scope=self._scope(request))  # type: ignore[arg-type]
        except actions.SurveyError as exc:
            return error_response(exc)
        return Response(SurveySerializer(survey).data)

    @extend_schema(request=None, responses={200: SurveySerializer, 409: OpenApiResponse(description="not a draft")})
    @drf_action(detail=True, methods=["post"])
    def open(self, request: Request, key: str) -> Response:
        """draft → open."""
        return self._move(request, key, "open")

    @extend_schema(request=None, responses={200: SurveySerializer, 409: OpenApiResponse(description="not open")})
    @drf_action(detail=True, methods=["post"])
    def close(self, request: Request, key: str) -> Response:
        """open → closed (early, or on time)."""
        return self._move(request, key, "close")

    @extend_schema(request=None, responses={200: SurveySerializer, 409: OpenApiResponse(description="not closed")})
    @drf_action(detail=True, methods=["post"])
    def publish(self, request: Request, key: str) -> Response:
        """closed → published: the results become public."""
        return self._move(request, key, "publish")

    @extend_schema(
        request=inline_serializer(
            "SurveyResponseIn",
            {
                "code": serializers.CharField(required=False),
                "answers": serializers.ListField(child=serializers.DictField()),
            },
        ),
        responses={
            201: inline_serializer("SurveyResponseOut", {"detail": serializers.CharField()}),
            400: OpenApiResponse(description="an answer is wrong; `question` names it"),
            403: OpenApiResponse(description="unknown invitation code"),
            409: OpenApiResponse(description="not open yet, closed, code used or revoked, already answered"),
        },
    )
    @drf_action(detail=True, methods=["post"], throttle_classes=[ScopedRateThrottle])
    def responses(self, request: Request, key: str) -> Response:
        """Answers the survey, anonymously; nothing is stored from a refused response."""
        survey = self._get(request, key)
        body = request.data if isinstance(request.data, dict) else {}
        browser, new_browser = browser_key(request)
        code = body.get("code", "")
        try:
            raw = parse_api_answers(body.get("answers"))
            actions.survey_respond(
                survey=survey,
                answers=raw,
                code=code[:40] if isinstance(code, str) else "",
                browser_key=browser,
            )
        except AnswerErrors as exc:
            result = error_response(actions.SurveyError(next(iter(exc.errors.values())), errors=exc.errors))
        except actions.SurveyError as exc:
            result = error_response(exc)
        else:
            result = Response({"detail": _("Thank you: your response has been recorded.")}, status=201)
        if new_browser:
            set_browser_cookie(result, browser)  # type: ignore[arg-type]
        return result

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "company",
                # What the view reads: up to 12 digits (an id), anything else is a 400.
                {"type": "integer", "minimum": 0, "maximum": 10**12 - 1},
                description="a company with at least 5 responses",
            )
        ],
        responses={200: OpenApiResponse(description="per question: question, n, options [{id, count}], mean?, texts?")},
    )
    @drf_action(detail=True, methods=["get"])
    def results(self, request: Request, key: str) -> Response:
        """Per question: n, counts per option (Borda score for rankings), mean for ratings, moderated texts."""
        survey = self._get(request, key)
        scope = self._scope(request)
        if not access.can_see_results(scope, survey):
            return Response({"detail": _("The results of this survey are not public.")}, status=403)
        company = request.query_params.get("company", "")
        if company and not re.fullmatch(r"[0-9]{1,12}", company):
            # The schema says integer: anything else is refused with the reason, not ignored (#14).
            raise ValidationError({"company": [str(serializers.IntegerField.default_error_messages["invalid"])]})
        company_id = int(company) if company else None
        council = access.can_read(scope, survey)
        results = selectors.survey_results(survey, company_id=company_id, texts="all" if council else "shown")
        questions = []
        for fig in results.questions:
            if fig.kind == Question.Kind.HEADING:
                continue
            item: dict[str, Any] = {
                "question": fig.question.pk,
                "kind": fig.kind,
                "text": fig.question.localized("text"),
                "n": fig.n,
                "options": [
                    {"id": o.id, "text": o.text, "count": o.count, "percent": o.percent}
                    | ({"score": o.score} if o.score is not None else {})
                    for o in fig.options
                ],
            }
            if fig.kind == Question.Kind.RATING:
                item["mean"] = fig.mean
                item["distribution"] = [{"value": v, "count": c} for v, c in fig.distribution]
            if fig.text_count or fig.kind == Question.Kind.TEXT:
                item["text_count"] = fig.text_count
                item["texts"] = [{"text": t.text, **({"status": t.status} if council else {})} for t in fig.texts]
            questions.append(item)
        return Response(
            {
                "survey": survey.key,
                "n": results.n,
                "company": results.company_id,
                "companies": results.companies,
                "questions": questions,
            }
        )

    @extend_schema(
        request=CodesInSerializer,
        responses={
            200: inline_serializer("SurveyCodesOut", {"codes": serializers.ListField(child=serializers.CharField())})
        },
    )
    @drf_action(detail=True, methods=["post"])
    def codes(self, request: Request, key: str) -> Response | HttpResponse:
        """A batch of invitation codes for a tenant company, shown once (as JSON, or `format` csv/xlsx)."""
        survey = self._get(request, key, manage=True)
        serializer = CodesInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        company = Company.objects.filter(pk=data["company"]).first()
        if company is None:
            return Response({"detail": _("No such company."), "field": "company"}, status=400)
        try:
            batch, codes = actions.codes_generate(
                survey=survey,
                company=company,
                count=data["count"],
                actor=request.user,  # type: ignore[arg-type]
                scope=self._scope(request),
            )
        except actions.SurveyError as exc:
            return error_response(exc)
        if data["format"] in ("csv", "xlsx"):
            return codes_file(survey, company, codes, data["format"])
        return Response({"batch": batch.pk, "company": company.pk, "codes": codes})


def codes_file(survey: Survey, company: Company, codes: list[str], fmt: str) -> HttpResponse:
    from .boards import answer_url

    url = answer_url(survey)
    headers = ["企业 company", "邀请码 code", "链接 link"]
    rows = [[company.name, c, f"{url}?code={c}"] for c in codes]
    filename = f"survey-{survey.key}-codes-{company.pk}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, headers, rows, sheet_title=company.name)
    return csv_response(filename, headers, rows)


__all__ = ["BROWSER_COOKIE", "SurveyViewSet"]
