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
from .engine import MAX_CANDIDATES, MAX_QUERY
from .indexing import SEARCHABLE_OUTCOMES
from .models import SearchDocument

PAGE = 20


class SearchView(APIView):
    """Resolved public demands, answered questions and guide matters, best first (Chinese segmented)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                # At least one character that is not white space to Python's str.strip (\s, \x1c-\x1f, \x85).
                {"type": "string", "maxLength": MAX_QUERY, "pattern": r"[^\s\u001c-\u001f\u0085]"},
                required=True,
                description="what to look for (1–100 characters)",
            ),
            *(
                OpenApiParameter(name, OpenApiTypes.STR, description=desc, pattern=r"^[-a-zA-Z0-9_]{1,50}$")
                for name, desc in (
                    ("category", "category code"),
                    ("district", "district slug"),
                    ("subdistrict", "sub-district slug"),
                    ("building", "building slug"),
                )
            ),
            OpenApiParameter("outcome", OpenApiTypes.STR, enum=sorted(SEARCHABLE_OUTCOMES)),
            OpenApiParameter(
                "year", OpenApiTypes.STR, description="year resolved, e.g. 2026", pattern=r"^(19|20)[0-9]{2}$"
            ),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=SearchDocument.Kind.values),
        ],
        responses=inline_serializer(
            "SearchResults",
            {
                "count": serializers.IntegerField(
                    help_text=f"how many documents match, counted up to {MAX_CANDIDATES}: a count of "
                    f"{MAX_CANDIDATES} means that many or more (a broad query; add a word or a filter)"
                ),
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
