"""The guide's admin: each department maintains its own matters and service forms; district staff read them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from buildings.access import actor_scope
from services.models import Department

from . import access, actions
from .models import MATTER_FIELDS, HallService, Matter, MatterRevision, ServiceField


def _scope(request: HttpRequest) -> Any:
    if not (request.user.is_active and request.user.is_staff):
        return actor_scope(None)
    return actor_scope(request.user)


class _DepartmentScopedAdmin(admin.ModelAdmin):
    """Permissions from the guide's access rules, not from Django's per-model permission table."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_use_guide_admin(_scope(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = _scope(request)
        if not access.may_use_guide_admin(scope):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        scope = _scope(request)
        return scope.is_superuser or bool(scope.department_ids)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = _scope(request)
        if obj is None:
            return scope.is_superuser or bool(scope.department_ids)
        return access.may_edit_department(scope, obj.department_id)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _scope(request).is_superuser

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # A department's staff file matters under their own departments only.
        scope = _scope(request)
        if db_field.name == "department" and not scope.is_superuser:
            kwargs["queryset"] = Department.objects.filter(pk__in=scope.department_ids)
        if db_field.name == "service" and not scope.is_superuser:
            kwargs["queryset"] = HallService.objects.filter(department_id__in=scope.department_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MatterForm(forms.ModelForm):
    # The version the editor loaded: saving is a compare-and-set on it (two editors, one wins).
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Matter
        fields = ["department", *(name.removesuffix("_id") for name in MATTER_FIELDS)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        expected = data.get("expected_version")
        if self.instance.pk and expected and expected != Matter.objects.get(pk=self.instance.pk).version:
            raise forms.ValidationError(
                _("This matter was changed by someone else since you opened it. Reload it and try again.")
            )
        return data


class MatterRevisionInline(admin.TabularInline):
    model = MatterRevision
    extra = 0
    can_delete = False
    fields = ["version", "created_at", "actor", "changed", "snapshot"]
    readonly_fields = ["version", "created_at", "actor", "changed", "snapshot"]
    verbose_name_plural = _("History (the matter before each edit)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Matter)
class MatterAdmin(_DepartmentScopedAdmin):
    list_display = ["title", "department", "service", "is_published", "reviewed_at", "reviewed_by"]
    list_filter = ["department", "is_published"]
    list_select_related = ["department", "service", "reviewed_by"]
    search_fields = ["title", "title_en", "steps", "audience"]
    readonly_fields = ["version", "reviewed_at", "reviewed_by", "updated_at"]
    inlines = [MatterRevisionInline]
    actions = ["mark_reviewed"]
    form = MatterForm
    fieldsets = (
        (None, {"fields": ["department", "title", "title_en", "audience", "is_published", "expected_version"]}),
        (_("How"), {"fields": ["steps", "documents", "time_limit", "fees", "service"]}),
        (_("Where and when"), {"fields": ["office", "phone", "hours"]}),
        (_("Review"), {"fields": ["version", "reviewed_at", "reviewed_by", "updated_at"]}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Matter]:
        return access.visible_matters(_scope(request)).select_related("department", "service", "reviewed_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A matter stays with its department: moving it would hand it to another department's staff.
        return [*self.readonly_fields, "department"] if obj is not None else list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Matter, form: ModelForm, change: bool) -> None:
        fields = {
            name: form.cleaned_data[name.removesuffix("_id")]
            for name in MATTER_FIELDS
            if name.removesuffix("_id") in form.cleaned_data
        }
        if "service_id" in fields:
            service = fields.pop("service_id")
            fields["service_id"] = service.pk if service is not None else None
        user = request.user if request.user.is_authenticated else None
        if change:
            try:
                saved = actions.matter_update(
                    matter=obj,
                    actor=user,  # type: ignore[arg-type]
                    expected_version=form.cleaned_data.get("expected_version") or obj.version,
                    **fields,
                )
            except actions.MatterError as exc:
                # Nothing was written; the editor reloads and sees the other edit.
                raise PermissionDenied(exc.message) from exc
        else:
            saved = actions.matter_create(department=obj.department, actor=user, **fields)  # type: ignore[arg-type]
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The history inline is read-only: nothing related to save.
        return None

    @admin.action(description=_("Mark as reviewed (still correct)"))
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Matter]) -> None:
        scope = _scope(request)
        mine = [m for m in queryset if access.may_edit_department(scope, m.department_id)]
        count = actions.matter_mark_reviewed(matters=mine, actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("%(count)s matters marked as reviewed.") % {"count": count}, messages.SUCCESS)
        if len(mine) < queryset.count():
            self.message_user(request, _("Matters of other departments were left as they were."), messages.WARNING)


class ServiceFieldInline(admin.TabularInline):
    model = ServiceField
    extra = 0
    fields = ["order", "code", "label", "label_en", "datatype", "required", "options", "description"]

    # The parent's department decides (Django's own permission table knows nothing of departments).
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.may_use_guide_admin(_scope(request))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = _scope(request)
        return scope.is_superuser if obj is None else access.may_edit_department(scope, obj.department_id)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(HallService)
class HallServiceAdmin(_DepartmentScopedAdmin):
    list_display = ["name", "code", "department", "is_active", "sort_order"]
    list_filter = ["department", "is_active"]
    list_select_related = ["department"]
    search_fields = ["name", "name_en", "code"]
    inlines = [ServiceFieldInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[HallService]:
        return access.visible_services(_scope(request)).select_related("department")
