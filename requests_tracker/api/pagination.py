"""The demand list's pages: numbered with a count, or keyset (`?cursor=`) without one."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response


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


class _KnownCountPaginator(Paginator):
    """Django's paginator with the count given, not asked of the queryset (`DemandPagination.known_count`)."""

    def __init__(self, *args: Any, known_count: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = known_count

    @cached_property
    def count(self) -> int:
        return self._known_count if self._known_count is not None else super().count


class DemandPagination(PageNumberPagination):
    """Page numbers with a count (`?page=`), or, with `?cursor=` (empty for the first page), keyset pages
    that follow `next` without counting: what a client walking the whole list should use (#15)."""

    page_size_query_param = "page_size"
    max_page_size = 100
    #: Set by the view when it knows how many rows the filtered queryset has without counting them.
    known_count: int | None = None

    def django_paginator_class(self, *args: Any, **kwargs: Any) -> Paginator:  # type: ignore[override]
        return _KnownCountPaginator(*args, known_count=self.known_count, **kwargs)

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
