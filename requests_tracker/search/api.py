"""GET /api/v1/search/?q=…&category=&building=: one search over cases, answers and guide matters."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import cache as answers
from . import selectors

PAGE = 20


class SearchView(APIView):
    """Resolved public demands, answered questions and guide matters, best first (Chinese segmented)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, description=desc)
            for name, desc in (
                ("q", "what to look for (1–100 characters)"),
                ("category", "category code"),
                ("district", "district slug"),
                ("subdistrict", "sub-district slug"),
                ("building", "building slug"),
                ("outcome", "solved | proposal"),
                ("year", "year resolved, e.g. 2026"),
                ("kind", "demand | question | matter"),
            )
        ],
        responses=inline_serializer(
            "SearchResults",
            {
                "count": serializers.IntegerField(),
                "results": inline_serializer(
                    "SearchHit",
                    {
                        "kind": serializers.ChoiceField(choices=["demand", "question", "matter"]),
                        "id": serializers.IntegerField(),
                        "title": serializers.CharField(),
                        "snippet": serializers.CharField(),
                        "url": serializers.CharField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        params = selectors.parse(request.query_params)
        if params.errors:
            return Response({k: [v] for k, v in params.errors.items()}, status=400)
        count, hits = answers.search(params.q, params.filters, limit=PAGE)
        return Response(
            {
                "count": count,
                "results": [
                    {"kind": h.kind, "id": h.id, "title": h.title, "snippet": h.snippet, "url": h.url} for h in hits
                ],
            }
        )
