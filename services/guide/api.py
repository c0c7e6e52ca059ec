"""Read API for the guide and the hall's service definitions (Open311 GeoReport v2 datatypes)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny

from services.models import Department

from . import selectors
from .models import HallService, Matter, ServiceField


class MatterSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    hall_service: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="service", slug_field="code", read_only=True, allow_null=True
    )
    reviewed_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Matter
        fields = [
            "id",
            "title",
            "title_en",
            "audience",
            "steps",
            "documents",
            "time_limit",
            "fees",
            "office",
            "phone",
            "hours",
            "hall_service",
            "reviewed_at",
            "url",
        ]

    def get_url(self, obj: Matter) -> str:
        return matter_url(obj.department.code, obj.pk)


def matter_url(department_code: str, matter_id: int) -> str:
    return reverse("guide-department", args=[department_code]) + f"#matter-{matter_id}"


class GuideDepartmentSerializer(serializers.ModelSerializer):
    matters = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = ["code", "name", "name_en", "description", "phone", "url", "matters"]

    def get_url(self, obj: Department) -> str:
        return reverse("guide-department", args=[obj.code])

    @extend_schema_field(MatterSerializer(many=True))
    def get_matters(self, obj: Department) -> list[dict[str, Any]]:
        return MatterSerializer(obj.matters.all(), many=True).data  # type: ignore[return-value]


class GuideView(ListAPIView):
    """楼事服务指南: the departments with their published matters."""

    serializer_class = GuideDepartmentSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no database needed
            return Department.objects.none()
        return [d for d in selectors.guide_departments() if getattr(d, "matter_count", 0)]


class ServiceFieldSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="localized_label")  # type: ignore[assignment]
    options = serializers.SerializerMethodField()

    class Meta:
        model = ServiceField
        fields = ["code", "label", "datatype", "required", "order", "description", "options"]

    def get_options(self, obj: ServiceField) -> list[dict[str, str]]:
        return [{"key": key, "name": name} for key, name in obj.localized_options()]


class HallServiceSerializer(serializers.ModelSerializer):
    department: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(source="localized_name")
    description = serializers.CharField(source="localized_description")
    url = serializers.SerializerMethodField()

    class Meta:
        model = HallService
        fields = ["code", "name", "description", "department", "url"]

    def get_url(self, obj: HallService) -> str:
        return reverse("hall-service", args=[obj.code])


class HallServiceDetailSerializer(HallServiceSerializer):
    # Named `form` here because `fields` is the serializer's own attribute; served as "fields".
    form = ServiceFieldSerializer(source="fields", many=True, read_only=True)

    class Meta(HallServiceSerializer.Meta):
        fields = [*HallServiceSerializer.Meta.fields, "form"]

    def to_representation(self, instance: HallService) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        data["fields"] = data.pop("form")
        return data


class ServiceListView(ListAPIView):
    """办事大厅: the services that can be requested online."""

    serializer_class = HallServiceSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self) -> Any:
        return selectors.hall_services()


class ServiceDetailView(RetrieveAPIView):
    """One service with its form definition (`fields`, in order, with their Open311 datatypes)."""

    serializer_class = HallServiceDetailSerializer
    permission_classes = [AllowAny]

    def get_object(self) -> HallService:
        return get_object_or_404(selectors.hall_services(), code=self.kwargs["code"])
