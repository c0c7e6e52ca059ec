"""`/api/v1/resources/`: the public resource list (anyone), and adding a resource (captains, departments)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from buildings.access import actor_scope
from buildings.api_fields import StrictJSONTypes, invalid_choice
from buildings.models import Building, Subdistrict
from services.models import Department

from . import access, actions, selectors
from .models import Resource

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class _SlugField(serializers.SlugRelatedField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not _SLUG.fullmatch(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:50])
        return super().to_internal_value(data)


class ResourceSerializer(serializers.ModelSerializer):
    """Public fields only: the contact is never in the API."""

    # A resource belongs to a building or to a sub-district: the other one is null.
    building: serializers.SlugRelatedField[Building] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    subdistrict: serializers.SlugRelatedField[Subdistrict] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    provider_label = serializers.CharField(source="get_provider_kind_display", read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "title",
            "kind",
            "kind_label",
            "provider_kind",
            "provider_label",
            "provider_name",
            "building",
            "subdistrict",
            "floor",
            "availability",
            "capacity",
            "description",
            "status",
        ]


class ResourceCreateSerializer(StrictJSONTypes):
    title = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    provider_kind = serializers.ChoiceField(choices=Resource.Provider.choices)
    provider_name = serializers.CharField(max_length=200)
    building = _SlugField(slug_field="slug", queryset=Building.objects.filter(is_active=True), required=False)
    subdistrict = _SlugField(slug_field="slug", queryset=Subdistrict.objects.all(), required=False)
    department = _SlugField(slug_field="code", queryset=Department.objects.all(), required=False)
    floor = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    availability = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    capacity = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_public = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("building") and not attrs.get("subdistrict"):
            raise serializers.ValidationError(
                {"building": _("Say where the resource is: a building or a sub-district.")}
            )
        return attrs


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("building", OpenApiTypes.STR, description="building slug"),
            OpenApiParameter("subdistrict", OpenApiTypes.STR, description="sub-district slug"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Resource.Kind.values),
        ]
    )
)
class ResourceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The public resource lists; `building=` also lists what is offered to its whole sub-district."""

    serializer_class = ResourceSerializer

    def get_queryset(self) -> QuerySet[Resource]:
        resources = selectors.public_resources()
        if self.action == "retrieve":
            # Who keeps or oversees a resource reads it before it is public too: the one just created (#14).
            resources = resources | access.visible_resources(actor_scope(self.request.user))
        resources = resources.select_related("building", "subdistrict")
        params = self.request.query_params
        kind = params.get("kind", "")
        if kind and kind not in Resource.Kind.values and self.action == "list":
            # Outside the documented enum: refused with the reason, not an empty page (#14).
            raise ValidationError({"kind": [invalid_choice(kind)]})
        slug = params.get("building", "")
        if slug:
            building = Building.objects.filter(slug=slug, is_active=True).first() if _SLUG.fullmatch(slug) else None
            if building is None:
                return resources.none()
            resources = selectors.for_building(resources, building)
        sub = params.get("subdistrict", "")
        if sub:
            resources = resources.filter(subdistrict__slug=sub) if _SLUG.fullmatch(sub) else resources.none()
        if kind:
            resources = resources.filter(kind=kind) if kind in Resource.Kind.values else resources.none()
        return resources.filter(Q(building__isnull=True) | Q(building__is_active=True)).order_by("kind", "title", "id")

    @extend_schema(request=ResourceCreateSerializer, responses={201: ResourceSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = actor_scope(request.user)
        if not access.may_maintain_any(scope):
            raise NotAuthenticated() if not scope.is_authenticated else PermissionDenied()
        serializer = ResourceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resource = actions.resource_create(
            actor=request.user if request.user.is_authenticated else None, scope=scope, **serializer.validated_data
        )
        return Response(ResourceSerializer(resource).data, status=status.HTTP_201_CREATED)
