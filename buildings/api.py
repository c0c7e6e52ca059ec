from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from .models import Building
from .selectors import building_list


class BuildingSerializer(serializers.ModelSerializer):
    subdistrict: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    subdistrict_name = serializers.CharField(source="subdistrict.name", read_only=True)
    district: serializers.SlugRelatedField = serializers.SlugRelatedField(
        source="subdistrict.district", slug_field="slug", read_only=True
    )
    district_name = serializers.CharField(source="subdistrict.district.name", read_only=True)
    council_kind = serializers.CharField(source="council.kind", read_only=True, default=None)
    council_name = serializers.SerializerMethodField()

    class Meta:
        model = Building
        fields = [
            "slug",
            "name",
            "name_en",
            "address",
            "floors",
            "basement_floors",
            "is_key_building",
            "subdistrict",
            "subdistrict_name",
            "district",
            "district_name",
            "council_kind",
            "council_name",
        ]

    def get_council_name(self, obj: Building) -> str | None:
        council = getattr(obj, "council", None)
        return str(council) if council else None


class BuildingViewSet(viewsets.ReadOnlyModelViewSet):
    """The buildings that take demands, with their sub-district, district and council."""

    serializer_class = BuildingSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_fields = {"subdistrict__slug": ["exact"], "subdistrict__district__slug": ["exact"]}

    def get_queryset(self) -> QuerySet[Building]:
        return building_list()
