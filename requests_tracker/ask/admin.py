"""Questions in the admin for those answering them, with "promote the answer to the guide"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from buildings.access import actor_scope

from . import access, actions
from .models import Question


def _scope(request: HttpRequest) -> Any:
    return actor_scope(request.user if request.user.is_active and request.user.is_staff else None)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Read-only: a question is answered through the demand's own workflow (resolve = answer)."""

    list_display = ["title", "building", "status", "assignee_department", "assignee_member", "is_public", "resolved_at"]
    list_filter = ["status", "is_public"]
    list_select_related = ["building", "assignee_department", "assignee_member"]
    search_fields = ["title"]
    fields = ["demand_link", "title", "description", "building", "category", "status", "resolution_note", "is_public"]
    readonly_fields = fields  # type: ignore[assignment]
    actions = ["promote"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return access.admin_questions(_scope(request)).select_related(
            "building", "category", "assignee_department", "assignee_member"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_use_question_admin(_scope(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not access.may_use_question_admin(_scope(request)):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_promote_permission(self, request: HttpRequest) -> bool:
        scope = _scope(request)
        return scope.is_superuser or bool(scope.department_ids)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    @admin.display(description=_("demand"))
    def demand_link(self, obj: Question) -> str:
        url = reverse("admin:requests_tracker_demand_change", args=[obj.pk])
        return format_html('<a href="{}">#{}</a>', url, obj.pk)

    @admin.action(description=_("Promote the answer to a guide matter"), permissions=["promote"])
    def promote(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        scope = _scope(request)
        for question in queryset.select_related("assignee_department"):
            if not access.may_promote(scope, question):
                self.message_user(
                    request, _("%(q)s: only the answering department may promote it.") % {"q": question}, messages.ERROR
                )
                continue
            try:
                matter = actions.answer_promote(demand=question, actor=request.user)  # type: ignore[arg-type]
            except ValidationError as exc:
                self.message_user(request, f"{question}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                url = reverse("admin:guide_matter_change", args=[matter.pk])
                self.message_user(
                    request,
                    format_html(str(_('{} is now a guide matter: <a href="{}">edit it</a>.')), question.title, url),
                    messages.SUCCESS,
                )
