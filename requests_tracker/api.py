"""REST API for categories and demands. Writes go through `actions`, reads through `selectors`."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime, time
from typing import Any, NamedTuple

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import QuerySet, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.fields import empty
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from buildings.api_fields import SLUG_PATTERN, SlugLookupField, StrictJSONTypes
from buildings.models import Building, CouncilMember
from buildings.text import keeping_nul, long_text, one_line
from services.models import Department

from . import access, actions, screen, selectors, workflow
from .models import Category, Demand, DemandEvent
from .privacy import mask_personal
from .validators import normalize_mainland_mobile

# --- Categories ------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    # A category without a default department leaves routing to the council: null.
    default_department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "icon", "description", "default_department", "target_days"]


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """What a demand can be about."""

    serializer_class = CategorySerializer
    lookup_field = "code"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = None

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.active_categories()


# --- Demands ---------------------------------------------------------------------------------

PRIVATE_FIELDS = ("contact_name", "contact_phone", "contact_email", "channel")
#: Text residents and councils type that the public reads: masked with privacy.mask_personal for them.
PUBLIC_TEXT_FIELDS = ("title", "description", "company_name", "resolution_note")


class DemandEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DemandEvent
        fields = ["kind", "from_status", "to_status", "actor_label", "note", "is_public", "data", "created_at"]


class DemandSerializer(serializers.ModelSerializer):
    """Read side. Private fields are dropped unless the reader handles this demand."""

    #: Not in `required` in the schema (lousihui/schema.py): only readers who handle the demand get them.
    schema_optional_fields = PRIVATE_FIELDS

    building: serializers.SlugRelatedField[Building] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True)
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.localized_name", read_only=True)
    # Method fields, not source="get_status_display": DRF inspects a callable source's signature on
    # every row, which was the largest cost of a list page (measured with `make bench`).
    status_label = serializers.SerializerMethodField()
    # "" until the demand is resolved (the model's blank choice): declared, as read-only fields lose allow_blank.
    outcome = serializers.ChoiceField(choices=workflow.Outcome.choices, read_only=True, allow_blank=True)
    outcome_label = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "id",
            "building",
            "building_name",
            "category",
            "category_name",
            "title",
            "description",
            "floor",
            "company_name",
            "show_company",
            "is_public",
            "support_count",
            "status",
            "status_label",
            "version",
            "assignee",
            "outcome",
            "outcome_label",
            "resolution_note",
            "submitted_at",
            "due_at",
            "assigned_at",
            "started_at",
            "resolved_at",
            "updated_at",
            "allowed_actions",
            *PRIVATE_FIELDS,
        ]
        read_only_fields = fields

    def _scope(self) -> selectors.ActorScope:
        return self.context.get("scope", selectors.ANONYMOUS_SCOPE)

    def get_assignee(self, obj: Demand) -> dict[str, Any] | None:
        private = bool(obj.assignee_member_id) and access.can_see_private(self._scope(), obj)
        return _assignee(obj.assignee_member, obj.assignee_department, private)

    def get_status_label(self, obj: Demand) -> str:
        return str(workflow.Status(obj.status).label)

    def get_outcome_label(self, obj: Demand) -> str:
        return str(workflow.Outcome(obj.outcome).label) if obj.outcome else ""

    def get_allowed_actions(self, obj: Demand) -> list[str]:
        return [str(t.action) for t in access.allowed_actions(self._scope(), obj)]

    def to_representation(self, instance: Demand) -> dict[str, Any]:
        private = access.can_see_private(self._scope(), instance)
        data = _plain_row(
            {name: getattr(instance, name) for name in selectors.LIST_VALUES},
            building=instance.building,
            category=instance.category,
            assignee=_assignee(instance.assignee_member, instance.assignee_department, private),
            actions=self.get_allowed_actions(instance),
        )
        for field in self._extra_fields():  # what a subclass declares beyond the list's fields
            attribute = field.get_attribute(instance)
            data[str(field.field_name)] = None if attribute is None else field.to_representation(attribute)
        return _for_reader(data, private=private, show_company=instance.show_company)

    def list_row(self, row: dict[str, Any], related: selectors.ListRelated, labels: _Labels) -> dict[str, Any]:
        """One row of a list page (`selectors.demand_list_values`) with the page's related rows: the same
        answer as `to_representation` of the instance, from plain values."""
        scope = self._scope()
        building = related.buildings[row["building_id"]]
        member_id, department_id = row["assignee_member_id"], row["assignee_department_id"]
        private = access.may_see_private(
            scope,
            building_id=row["building_id"],
            district_id=building["district_id"],
            department_id=department_id,
            member_id=member_id,
        )
        roles = access.roles_on(scope, building_id=row["building_id"], department_id=department_id, member_id=member_id)
        data = _plain_row(
            row,
            building=_BuildingRow(building["slug"], building["name"]),
            category=related.categories[row["category_id"]],
            assignee=_assignee(related.members.get(member_id), related.departments.get(department_id), private),
            actions=[str(t.action) for t in access.actions_for(row["status"], roles)],
            labels=labels,
        )
        return _for_reader(data, private=private, show_company=row["show_company"])

    # --- plain-value serialisation ---------------------------------------------------------------
    # DRF's per-field machinery (get_attribute through dotted sources, SkipField, a to_representation
    # call per field) was half of a 50-row list page (#15). The fields above still define the schema;
    # `_plain_row` builds the same values directly. tests/requests_tracker/test_api_list_speed.py checks
    # that both give the same answer, row for row.

    def _extra_fields(self) -> list[serializers.Field]:
        extra = getattr(self, "_extra_cache", None)
        if extra is None:
            # Only a subclass that declares more fields builds DRF's fields (costly: model introspection).
            declared = type(self).Meta.fields
            wanted = [name for name in declared if name not in _BASE_FIELDS]
            extra = [f for f in self._readable_fields if f.field_name in wanted] if wanted else []
            self._extra_cache = extra
        return extra

    def drf_representation(self, instance: Demand) -> dict[str, Any]:
        """The same row through DRF's generic path (what `_plain_row` must equal; used by the tests)."""
        data = dict(serializers.ModelSerializer.to_representation(self, instance))
        private = access.can_see_private(self._scope(), instance)
        return _for_reader(data, private=private, show_company=instance.show_company)


class _BuildingRow(NamedTuple):
    slug: str
    name: str


def _assignee(member: CouncilMember | None, department: Department | None, private: bool) -> dict[str, Any] | None:
    if member is not None:
        role = member.get_role_display()
        # A member who is not on the public roster is named only to those handling the demand.
        if not member.is_public and not private:
            return {"kind": "member", "id": member.pk, "name": role, "role": role}
        return {"kind": "member", "id": member.pk, "name": member.display_name, "role": role}
    if department is not None:
        return {"kind": "department", "code": department.code, "name": department.localized_name}
    return None


class _Iso:
    """What serializers.DateTimeField gives (ISO 8601 in the current time zone, "Z" for UTC), without its
    per-call settings look-ups: five timestamps a row, the time zone read once a page."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()

    def __call__(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(self.tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


class _Labels:
    """The status and outcome labels in the current language, translated once a page."""

    def __init__(self) -> None:
        self.status = {value: str(label) for value, label in workflow.Status.choices}
        self.outcome = {value: str(label) for value, label in workflow.Outcome.choices}
        self.outcome[""] = ""
        self.iso = _Iso()


def _plain_row(
    v: dict[str, Any],
    *,
    building: Building | _BuildingRow,
    category: Category,
    assignee: dict[str, Any] | None,
    actions: list[str],
    labels: _Labels | None = None,
) -> dict[str, Any]:
    """DemandSerializer's fields from a demand's plain values (`selectors.LIST_VALUES`)."""
    labels = labels or _Labels()
    iso = labels.iso
    status, outcome = v["status"], v["outcome"]
    return {
        "id": v["id"],
        "building": building.slug,
        "building_name": building.name,
        "category": category.code,
        "category_name": category.localized_name,
        "title": v["title"],
        "description": v["description"],
        "floor": v["floor"],
        "company_name": v["company_name"],
        "show_company": v["show_company"],
        "is_public": v["is_public"],
        "support_count": v["support_count"],
        "status": status,
        "status_label": labels.status[status],
        "version": v["version"],
        "assignee": assignee,
        "outcome": outcome,
        "outcome_label": labels.outcome[outcome],
        "resolution_note": v["resolution_note"],
        "submitted_at": iso(v["submitted_at"]),
        "due_at": iso(v["due_at"]),
        "assigned_at": iso(v["assigned_at"]),
        "started_at": iso(v["started_at"]),
        "resolved_at": iso(v["resolved_at"]),
        "updated_at": iso(v["updated_at"]),
        "allowed_actions": actions,
        "contact_name": v["contact_name"],
        "contact_phone": v["contact_phone"],
        "contact_email": v["contact_email"],
        "channel": v["channel"],
    }


def _for_reader(data: dict[str, Any], *, private: bool, show_company: bool) -> dict[str, Any]:
    """What a reader who does not handle the demand may not see: contact details out, personal data masked."""
    if not private:
        for name in PRIVATE_FIELDS:
            data.pop(name, None)
        if not show_company:
            data["company_name"] = ""
        # Public text: phone numbers and e-mail addresses typed into it are masked (PIPL).
        for name in PUBLIC_TEXT_FIELDS:
            if data.get(name):
                data[name] = mask_personal(data[name])
    return data


_BASE_FIELDS = frozenset(DemandSerializer.Meta.fields)


class DemandDetailSerializer(DemandSerializer):
    events = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "events"]
        read_only_fields = fields

    @extend_schema_field(DemandEventSerializer(many=True))
    def get_events(self, obj: Demand) -> Any:  # a ReturnList; the stubs type `.data` as a dict
        events = DemandEventSerializer(selectors.timeline_for(self._scope(), obj), many=True).data
        if not access.can_see_private(self._scope(), obj):
            for event in events:
                event["note"] = mask_personal(event["note"])
        return events


class OneLineCharField(serializers.CharField):
    """A title or a name: normalised (buildings.text) before the length and blank checks."""

    def run_validation(self, data: Any = empty) -> Any:
        return super().run_validation(keeping_nul(one_line, data) if isinstance(data, str) else data)


class LongCharField(serializers.CharField):
    """A description or a note: lines and tabs kept, control and direction-changing characters removed."""

    def run_validation(self, data: Any = empty) -> Any:
        return super().run_validation(keeping_nul(long_text, data) if isinstance(data, str) else data)


_SLUG = re.compile(SLUG_PATTERN)


class _SubmitTarget(SlugLookupField):
    """The building or the category of a submission: read with the other in one query when both exist
    (`DemandSubmitSerializer.to_internal_value`); otherwise looked up on its own, for DRF's own message."""

    def to_internal_value(self, data: Any) -> Any:
        found = getattr(self.parent, "_targets", None)
        if found is not None:
            return found[self.field_name]
        return super().to_internal_value(data)


class DemandSubmitSerializer(StrictJSONTypes):
    """What a resident sends. Validation messages come back in the request's language."""

    building = _SubmitTarget(slug_field="slug", queryset=Building.objects.filter(is_active=True), label=_("building"))
    category = _SubmitTarget(slug_field="code", queryset=Category.objects.filter(is_active=True), label=_("category"))
    title = OneLineCharField(max_length=120, label=_("title"))
    description = LongCharField(max_length=4000, required=False, allow_blank=True, label=_("description"))
    floor = serializers.IntegerField(required=False, allow_null=True, min_value=-10, max_value=200, label=_("floor"))
    company_name = OneLineCharField(max_length=200, required=False, allow_blank=True, label=_("company"))
    contact_name = OneLineCharField(max_length=100, required=False, allow_blank=True, label=_("name"))
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, label=_("mobile"))
    contact_email = serializers.EmailField(required=False, allow_blank=True, label=_("e-mail"))
    is_public = serializers.BooleanField(required=False, default=True, label=_("show on the public board"))
    show_company = serializers.BooleanField(required=False, default=False, label=_("show my company's name publicly"))

    def validate_contact_phone(self, value: str) -> str:
        try:
            return normalize_mainland_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_internal_value(self, data: Any) -> Any:
        self._targets: dict[str, Any] | None = None
        building, category = (data.get("building"), data.get("category")) if hasattr(data, "get") else (None, None)
        if (
            isinstance(building, str)
            and isinstance(category, str)
            and _SLUG.fullmatch(building)
            and _SLUG.fullmatch(category)
        ):
            targets = selectors.submission_targets(building, category)
            if targets is not None:
                self._targets = {"building": targets[0], "category": targets[1]}
        return super().to_internal_value(data)


class DemandSubmittedSerializer(DemandSerializer):
    """The answer to a submission: the only time the tracking token is handed out."""

    token = serializers.CharField(read_only=True)
    tracking_url = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "token", "tracking_url"]
        read_only_fields = fields

    def get_tracking_url(self, obj: Demand) -> str:
        request = self.context.get("request")
        path = reverse("track", kwargs={"token": obj.token})
        return request.build_absolute_uri(path) if request else path

    # The two fields above are written by hand after the list's plain values: asking DRF for them
    # (`_extra_fields`) builds all ~30 of the model serializer's fields for one answer, a fifth of a
    # submission's time (#15). Neither is private nor public text, so the privacy pass does not touch them.
    def _extra_fields(self) -> list[serializers.Field]:
        return []

    def to_representation(self, instance: Demand) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["token"] = instance.token
        data["tracking_url"] = self.get_tracking_url(instance)
        return data


class TransitionSerializer(StrictJSONTypes):
    action = serializers.ChoiceField(choices=workflow.plain_action_choices(), label=_("action"))
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        label=_("version"),
        help_text=_("The version you saw; the transition fails with 409 if the demand changed since."),
    )
    assignee_member = serializers.PrimaryKeyRelatedField(
        queryset=CouncilMember.objects.select_related("council"), required=False, allow_null=True
    )
    assignee_department = SlugLookupField(
        slug_field="code", queryset=Department.objects.all(), required=False, allow_null=True
    )
    outcome = serializers.ChoiceField(choices=workflow.Outcome.choices, required=False, allow_blank=True)
    note = LongCharField(max_length=4000, required=False, allow_blank=True)


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


def _page_size(request: Request, default: int, most: int) -> int:
    """`?page_size=`: a whole number from 1, capped at `most`; anything else is a 400, not the default."""
    raw = request.query_params.get("page_size", "")
    if raw == "":
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1 or not raw.isascii():
        raise ApiValidationError({"page_size": [_("Give a whole number from 1 to %(most)s.") % {"most": most}]})
    return min(size, most)


class _DemandCursor(CursorPagination):
    """Keyset pages over (submitted_at, id), newest first: each page is an index range scan however deep
    the reader goes, where page 20,000 of page numbers reads and skips a million rows."""

    ordering = ("-submitted_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        return _page_size(request, self.page_size, self.max_page_size)

    def decode_cursor(self, request: Request) -> Cursor | None:
        refused = ApiValidationError({"cursor": [_("This cursor is not one the API handed out.")]})
        try:
            # DRF decodes leniently (characters outside base64 are dropped): "%%%" would be the first page.
            base64.b64decode(request.query_params.get(self.cursor_query_param, "").encode(), validate=True)
            cursor = super().decode_cursor(request)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise refused from exc
        except NotFound as exc:  # DRF answers a damaged cursor 404; it is a wrong parameter
            raise refused from exc
        if cursor is not None and cursor.position is not None:
            # The position is compared with submitted_at: anything but the aware time it was is refused
            # here, before the database is asked (a malformed one would be a 500 there).
            try:
                at = parse_datetime(str(cursor.position))
            except ValueError:
                at = None
            if at is None or timezone.is_naive(at):
                raise refused
        return cursor


class DemandPagination(PageNumberPagination):
    """Page numbers with a count (`?page=`), or, with `?cursor=` (empty for the first page), keyset pages
    that follow `next` without counting: what a client walking the whole list should use (#15)."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        return _page_size(request, self.page_size or 50, self.max_page_size)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self.cursor = _DemandCursor() if "cursor" in request.query_params else None
        if self.cursor is not None:
            return self.cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self.cursor is not None:
            return Response(
                {
                    "count": None,
                    "next": self.cursor.get_next_link(),
                    "previous": self.cursor.get_previous_link(),
                    "results": data,
                }
            )
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"].update(
            nullable=True, description="How many in all; null when paging by `cursor` (nothing is counted)."
        )
        return answer

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Keyset paging: empty for the first page, then follow `next` (no `count`).",
                "schema": {"type": "string"},
            },
        ]


#: The list's own query parameters: with any other, an anonymous reading is not cached (no cache flooding).
LIST_PARAMS = frozenset({"building", "category", "status", "since", "until", "page", "page_size", "cursor", "format"})


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
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # the API always paginates (settings.REST_FRAMEWORK)
        rows: list[dict[str, Any]] = list(page)  # type: ignore[arg-type]
        related = selectors.list_related(rows)
        serializer = DemandSerializer(context=self.get_serializer_context())
        labels = _Labels()
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

    def _anonymous_key(self, request: Request) -> str | None:
        if request.user.is_authenticated or getattr(request.accepted_renderer, "format", "") != "json":
            return None
        slug = request.query_params.get("building", "")
        building_id = screen.feed.building_id_for_slug(slug) if _SLUG.fullmatch(slug) else None
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


class TrackSerializer(DemandSerializer):
    events = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [f for f in DemandSerializer.Meta.fields if f not in (*PRIVATE_FIELDS, "allowed_actions")]
        fields += ["events", "steps"]
        read_only_fields = fields

    @extend_schema_field(DemandEventSerializer(many=True))
    def get_events(self, obj: Demand) -> Any:  # a ReturnList; the stubs type `.data` as a dict
        return DemandEventSerializer(selectors.public_timeline(obj), many=True).data

    def get_steps(self, obj: Demand) -> list[dict[str, Any]]:
        return selectors.progress_steps(obj)

    def to_representation(self, instance: Demand) -> dict[str, Any]:
        return serializers.ModelSerializer.to_representation(self, instance)


class TrackView(generics.RetrieveAPIView):
    """The submitter's view of one demand, by its unguessable token. Never shows contact details."""

    serializer_class = TrackSerializer
    authentication_classes: list[Any] = []

    def get_object(self) -> Demand:
        return get_object_or_404(
            Demand.objects.select_related("building", "category", "assignee_member", "assignee_department"),
            token=self.kwargs["token"],
        )
