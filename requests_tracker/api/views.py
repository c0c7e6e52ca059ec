"""The API's views for categories and demands. Writes go through `actions`, reads through `selectors`."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import django_filters
from django.db import IntegrityError
from django.db.models import QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.request import Request
from rest_framework.response import Response

from buildings.api_fields import SLUG_PATTERN
from buildings.models import Building
from buildings.throttling import ScopedRateThrottle

from .. import actions, screen, selectors, workflow
from ..models import Category, Demand
from .pagination import DemandPagination
from .serializers import (
    SLUG_RE,
    CategorySerializer,
    DemandDetailSerializer,
    DemandSerializer,
    DemandSubmitSerializer,
    DemandSubmittedSerializer,
    RowLabels,
    TrackSerializer,
    TransitionSerializer,
)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """What a demand can be about."""

    serializer_class = CategorySerializer
    lookup_field = "code"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = None

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.active_categories()


class DemandFilter(django_filters.FilterSet):
    building = django_filters.CharFilter(method="filter_building", label=_("building (slug)"))
    category = django_filters.CharFilter(method="filter_category", label=_("category (code)"))
    status = django_filters.MultipleChoiceFilter(choices=workflow.Status.choices, label=_("status"))
    since = django_filters.DateFilter(method="filter_since", label=_("submitted on or after (date)"))
    until = django_filters.DateFilter(method="filter_until", label=_("submitted on or before (date)"))

    class Meta:
        model = Demand
        fields = ["building", "category", "status", "since", "until"]

    # The slug and the code are matched in a sub-select on their own table, not through a join: the
    # demand list then reads the demand table alone, which PostgreSQL plans in a tenth of the time.
    def filter_building(self, queryset: QuerySet[Demand], name: str, value: str) -> QuerySet[Demand]:
        return queryset.filter(building_id=Subquery(Building.objects.filter(slug=value).order_by().values("id")[:1]))

    def filter_category(self, queryset: QuerySet[Demand], name: str, value: str) -> QuerySet[Demand]:
        return queryset.filter(category_id=Subquery(Category.objects.filter(code=value).order_by().values("id")[:1]))

    # Dates are Shanghai calendar days; compare against aware datetimes so the index is used.
    # `value: date`: drf-spectacular reads the type of a method filter from this hint (format: date).
    def filter_since(self, queryset: QuerySet[Demand], name: str, value: date) -> QuerySet[Demand]:
        return queryset.filter(submitted_at__gte=timezone.make_aware(datetime.combine(value, time.min)))

    def filter_until(self, queryset: QuerySet[Demand], name: str, value: date) -> QuerySet[Demand]:
        return queryset.filter(submitted_at__lte=timezone.make_aware(datetime.combine(value, time.max)))


#: The list's own query parameters: with any other, an anonymous reading is not cached (no cache flooding).
LIST_PARAMS = frozenset({"building", "category", "status", "since", "until", "page", "page_size", "cursor", "format"})


#: Parameters that leave the public list's count to `selectors.public_count` (the filter has run first,
#: so a status there is a valid one).
_COUNTED_PARAMS = frozenset({"status", "page", "page_size", "format"})


class DemandViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Demands: anyone may submit (throttled); everyone reads the public ones, staff their scope too.

    An id outside what the reader may see is a 404, never a 403 that would confirm it exists.
    """

    filterset_class = DemandFilter
    pagination_class = DemandPagination
    throttle_scope = "demand_submit"

    def get_throttles(self) -> list[Any]:
        return [ScopedRateThrottle()] if self.action == "create" else []

    def scope(self) -> selectors.ActorScope:
        return selectors.actor_scope(self.request.user)

    def get_queryset(self) -> QuerySet[Demand]:
        if self.action == "list":
            return selectors.demand_list_values(self.scope()).order_by("-submitted_at", "-id")  # type: ignore[return-value]
        return selectors.demand_list(self.scope()).order_by("-submitted_at", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        """A page of plain rows (`selectors.demand_list_values`) and, by primary key, the rows they refer
        to. One building's list read anonymously is the same for every reader (the public demands): it is
        answered from the cache while the building's stamp holds, as its board is (`screen.board`)."""
        key = self._anonymous_key(request)
        entry = screen.board.get_body(key)
        if entry is not None:
            return HttpResponse(entry[1], content_type=entry[0])
        queryset = self.filter_queryset(self.get_queryset())
        self.paginator.known_count = self._public_count(request)  # type: ignore[union-attr]
        page = self.paginate_queryset(queryset)
        assert page is not None  # the API always paginates (settings.REST_FRAMEWORK)
        rows: list[dict[str, Any]] = list(page)  # type: ignore[arg-type]
        related = selectors.list_related(rows)
        serializer = DemandSerializer(context=self.get_serializer_context())
        labels = RowLabels()
        response = self.get_paginated_response([serializer.list_row(row, related, labels) for row in rows])
        if key is not None:
            renderer = request.accepted_renderer
            body = renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            body = body.encode() if isinstance(body, str) else body
            media = request.accepted_media_type  # as DRF's Response names it (JSON has no charset parameter)
            content_type = f"{media}; charset={renderer.charset}" if renderer.charset else media
            screen.board.set_body(key, content_type, body)
            return HttpResponse(body, content_type=content_type)
        return response

    def _public_count(self, request: Request) -> int | None:
        """The count of a list of every public demand (filtered by status at most), from the maintained
        tallies (`selectors.public_count`); None where the queryset must be counted."""
        scope = self.scope()
        if scope.is_superuser or scope.handles_demands or not set(request.query_params) <= _COUNTED_PARAMS:
            return None
        return selectors.public_count(request.query_params.getlist("status"))

    def _anonymous_key(self, request: Request) -> str | None:
        if request.user.is_authenticated or getattr(request.accepted_renderer, "format", "") != "json":
            return None
        slug = request.query_params.get("building", "")
        building_id = screen.feed.building_id_for_slug(slug) if SLUG_RE.fullmatch(slug) else None
        if building_id is None:
            return None
        return screen.board.key_for(request._request, building_id, kind="api-list", params=LIST_PARAMS)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return DemandSubmitSerializer
        if self.action == "retrieve":
            return DemandDetailSerializer
        if self.action == "transitions":
            return TransitionSerializer
        return DemandSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "scope": self.scope()}

    @extend_schema(request=DemandSubmitSerializer, responses={201: DemandSubmittedSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = DemandSubmitSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            demand = actions.demand_submit(
                **data,
                channel=Demand.Channel.API,
                submitted_by=request.user if request.user.is_authenticated else None,
            )
        except IntegrityError:
            # The foreign keys are not asked again before the insert (#15): the database refuses a building
            # or category removed since it was read, at commit. Nothing was written; say which, never a 500.
            errors: dict[str, list[str]] = {}
            if not Building.objects.filter(pk=data["building"].pk, is_active=True).exists():
                errors["building"] = [str(_("This building no longer takes demands."))]
            if not Category.objects.filter(pk=data["category"].pk, is_active=True).exists():
                errors["category"] = [str(_("This category is no longer in use."))]
            raise serializers.ValidationError(
                errors or {"non_field_errors": [str(_("This form could not be sent. Please try again."))]}
            ) from None
        out = DemandSubmittedSerializer(demand, context=self.get_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: DemandDetailSerializer,
            400: OpenApiResponse(description=_("A parameter is missing or wrong.")),
            403: OpenApiResponse(description=_("You may not take this action on this demand.")),
            409: OpenApiResponse(description=_("Not allowed from the current status, or the demand changed since.")),
        },
    )
    @drf_action(detail=True, methods=["post"])
    def transitions(self, request: Request, pk: str | None = None) -> Response:
        """Moves the demand through the workflow: `assign`, `start`, `resolve` or `reopen`."""
        demand = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assignee = None
        if data.get("assignee_member") or data.get("assignee_department"):
            assignee = actions.Assignee(member=data.get("assignee_member"), department=data.get("assignee_department"))
        demand = actions.demand_transition(
            demand=demand,
            action=data["action"],
            actor=request.user if request.user.is_authenticated else None,
            expected_version=data.get("version"),
            assignee=assignee,
            outcome=data.get("outcome", ""),
            note=data.get("note", ""),
            scope=self.scope(),
        )
        return Response(DemandDetailSerializer(demand, context=self.get_serializer_context()).data)


class TrackView(generics.RetrieveAPIView):
    """The submitter's view of one demand, by its unguessable token. Never shows contact details."""

    serializer_class = TrackSerializer
    authentication_classes: list[Any] = []

    def get_object(self) -> Demand:
        return get_object_or_404(
            Demand.objects.select_related("building", "category", "assignee_member", "assignee_department"),
            token=self.kwargs["token"],
        )
