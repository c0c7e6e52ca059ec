"""POST /api/v1/services/<code>/requests/: a hall request, answered like a demand (201 with the token)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from buildings.api_fields import StrictJSONTypes
from buildings.models import Building
from buildings.throttling import ScopedRateThrottle
from requests_tracker.models import Demand
from requests_tracker.validators import normalize_mainland_mobile
from services.guide.definitions import AnswersError
from services.guide.selectors import hall_service

from . import actions

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


class HallRequestSerializer(StrictJSONTypes):
    building = serializers.CharField(max_length=50, label=_("building"))
    answers = serializers.DictField(label=_("answers"), help_text=_("Field code → value, as the service's fields say."))
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, label=_("name"))
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, label=_("mobile"))
    contact_email = serializers.EmailField(required=False, allow_blank=True, label=_("e-mail"))

    def validate_building(self, value: str) -> Building:
        building = Building.objects.filter(slug=value, is_active=True).first() if _SLUG.fullmatch(value) else None
        if building is None:
            raise serializers.ValidationError(_("No active building with this slug."))
        return building

    def validate_contact_phone(self, value: str) -> str:
        try:
            return normalize_mainland_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class HallRequestCreatedSerializer(serializers.ModelSerializer):
    tracking_url = serializers.SerializerMethodField()
    assignee_department: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Demand
        fields = ["id", "token", "tracking_url", "status", "assignee_department", "submitted_at"]

    def get_tracking_url(self, obj: Demand) -> str:
        request = self.context.get("request")
        path = reverse("track", kwargs={"token": obj.token})
        return request.build_absolute_uri(path) if request else path


class HallRequestCreateView(APIView):
    """Requests a hall service: answers checked against its form, the demand sent to its department."""

    permission_classes = [AllowAny]
    throttle_scope = "demand_submit"
    throttle_classes = [ScopedRateThrottle]

    @extend_schema(request=HallRequestSerializer, responses={201: HallRequestCreatedSerializer})
    def post(self, request: Request, code: str) -> Response:
        service = hall_service(code) if _SLUG.fullmatch(code) else None
        if service is None:
            raise Http404
        serializer = HallRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        try:
            demand = actions.hall_request_submit(
                service=service,
                building=data.pop("building"),
                answers=data.pop("answers"),
                submitted_by=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                **data,
            )
        except AnswersError as exc:
            # Named per field, like DRF's own nested errors: {"answers": {"slot": ["…"]}}.
            return Response({"answers": exc.message_dict}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            HallRequestCreatedSerializer(demand, context={"request": request}).data, status=status.HTTP_201_CREATED
        )
