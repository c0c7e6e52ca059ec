"""Invitation code batches: generated per company, downloaded once, revoked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings.models import Company

from .. import access, actions
from ..models import CodeBatch, Survey
from .base import _scope, _staff_reader


class CodesForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Company.objects.none(), label=_("company"))
    count = forms.IntegerField(
        label=_("how many codes"), min_value=1, max_value=actions.MAX_CODES_PER_BATCH, initial=50
    )
    format = forms.ChoiceField(
        label=_("as"),
        choices=[("sheet", _("printable A4 sheet of QR codes")), ("xlsx", "XLSX"), ("csv", "CSV")],
        initial="sheet",
    )

    def __init__(self, *args: Any, companies: QuerySet[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = companies


@admin.register(CodeBatch)
class CodeBatchAdmin(admin.ModelAdmin):
    """Batches of invitation codes: how many used, revoking the unused ones. The codes are never shown again."""

    list_display = ["survey", "company", "count", "used_count", "revoked_count", "created_at"]
    list_filter = [("survey", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["survey", "company"]
    actions = ["revoke_unused"]
    readonly_fields = ["survey", "company", "count", "created_at"]
    fields = ("survey", "company", "count", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CodeBatch]:
        readable = access.readable_filter(_scope(request))
        qs = (
            CodeBatch.objects.filter(survey__in=Survey.objects.filter(readable))
            if not _scope(request).is_superuser
            else CodeBatch.objects.all()
        )
        return qs.annotate(
            used=Count("codes", filter=Q(codes__used=True)), revoked=Count("codes", filter=Q(codes__revoked=True))
        )

    @admin.display(description=_("used"))
    def used_count(self, obj: Any) -> int:
        return int(obj.used)

    @admin.display(description=_("revoked"))
    def revoked_count(self, obj: Any) -> int:
        return int(obj.revoked)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff_reader(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff_reader(request) and (obj is None or access.can_read(_scope(request), obj.survey))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made from the survey's "invitation codes" page, where they are shown once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the unused codes of the selected batches"))
    def revoke_unused(self, request: HttpRequest, queryset: QuerySet[CodeBatch]) -> None:
        for batch in queryset.select_related("survey"):
            try:
                n = actions.codes_revoke(batch=batch, actor=request.user)  # type: ignore[arg-type]
            except actions.SurveyError as exc:
                self.message_user(request, f"{batch}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(batch)s: %(n)s codes revoked.") % {"batch": batch, "n": n})

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        scope = _scope(request)
        if not (scope.is_superuser or scope.triage_building_ids or scope.district_ids):
            found.pop("revoke_unused", None)
        return found
