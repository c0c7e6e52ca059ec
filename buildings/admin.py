from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import panels
from .access import actor_scope
from .models import Building, Company, Council, CouncilEvent, CouncilMember, District, Subdistrict, User


class DistrictReadOnlyMixin:
    """District staff read (never change) what lies in their district; others keep Django's model permissions."""

    #: The lookup from this model to its district's id.
    district_lookup: str = ""

    def _district_ids(self, request: HttpRequest) -> frozenset[int]:
        if not (request.user.is_active and request.user.is_staff):
            return frozenset()
        return actor_scope(request.user).district_ids

    def _has_model_view(self, request: HttpRequest) -> bool:
        opts = self.opts  # type: ignore[attr-defined]
        user = request.user
        return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or bool(self._district_ids(request))  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if super().has_view_permission(request, obj):  # type: ignore[misc]
            return True
        ids = self._district_ids(request)
        if not ids:
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        # Refused as a whole to whoever may not read this model at all, like its other pages.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        if self._has_model_view(request):
            return qs
        return qs.filter(**{f"{self.district_lookup}__in": self._district_ids(request)})


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "email", "is_staff", "is_superuser", "language", "last_login"]
    search_fields = ["username", "display_name", "email", "first_name", "last_name"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Lousihui"), {"fields": ("display_name", "language")}),
    )


class SubdistrictInline(admin.TabularInline):
    model = Subdistrict
    extra = 0
    fields = ["slug", "name", "name_en", "kind"]
    show_change_link = True


@admin.register(District)
class DistrictAdmin(DistrictReadOnlyMixin, admin.ModelAdmin):
    district_lookup = "id"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    # Autocomplete, not filter_horizontal: that one loads every user account, residents included, into the page.
    autocomplete_fields = ["staff"]
    inlines = [SubdistrictInline]


@admin.register(Subdistrict)
class SubdistrictAdmin(DistrictReadOnlyMixin, admin.ModelAdmin):
    district_lookup = "district_id"
    list_display = ["name", "name_en", "kind", "district", "slug"]
    list_filter = ["district", "kind"]
    list_select_related = ["district"]
    search_fields = ["name", "name_en", "slug"]
    autocomplete_fields = ["district"]


class CompanyInline(admin.TabularInline):
    model = Company
    extra = 0
    fields = ["name", "floors", "industry"]


class TouchesBoardMixin:
    """What the building's public board and screens show (its name, council, roster) changed: after
    commit, `panels.touch` moves the building's stamp, so no cached board keeps the old roster."""

    def _building_id(self, obj: Any) -> int | None:
        raise NotImplementedError

    def _touch(self, obj: Any) -> None:
        building_id = self._building_id(obj)
        if building_id is not None:
            transaction.on_commit(lambda: panels.touch(building_id))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The admin saves the object on every submit of its form, its inlines (a council's members)
        # after it in the same transaction: one touch, run after commit, covers both.
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        self._touch(obj)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self._touch(obj)
        super().delete_model(request, obj)  # type: ignore[misc]


@admin.register(Building)
class BuildingAdmin(TouchesBoardMixin, DistrictReadOnlyMixin, admin.ModelAdmin):
    district_lookup = "subdistrict__district_id"
    list_display = ["name", "name_en", "subdistrict", "floors", "is_key_building", "population", "is_active"]
    list_filter = ["is_key_building", "is_active", "subdistrict__district", "subdistrict"]
    list_select_related = ["subdistrict"]
    search_fields = ["name", "name_en", "slug", "address"]
    autocomplete_fields = ["subdistrict"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [CompanyInline]

    def _building_id(self, obj: Any) -> int | None:
        return obj.pk


@admin.register(Company)
class CompanyAdmin(DistrictReadOnlyMixin, admin.ModelAdmin):
    district_lookup = "building__subdistrict__district_id"
    list_display = ["name", "building", "floors", "industry"]
    list_filter = ["building__subdistrict__district", "building"]
    list_select_related = ["building"]
    search_fields = ["name", "building__name"]
    autocomplete_fields = ["building"]


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 0
    fields = ["display_name", "role", "user", "company", "term_start", "term_end", "can_triage", "is_public"]
    autocomplete_fields = ["user", "company"]


class CouncilEventInline(admin.TabularInline):
    """The council's timeline (elections certified, members elected, terms ended): read-only."""

    model = CouncilEvent
    extra = 0
    fields = ("at", "kind", "note", "member", "actor")
    readonly_fields = fields
    can_delete = False
    ordering = ["-at", "-id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Council)
class CouncilAdmin(TouchesBoardMixin, DistrictReadOnlyMixin, admin.ModelAdmin):
    district_lookup = "building__subdistrict__district_id"
    list_display = ["__str__", "building", "kind", "established_on", "service_station"]
    list_filter = ["kind", "building__subdistrict__district"]
    list_select_related = ["building"]
    search_fields = ["name", "building__name", "building__name_en"]
    autocomplete_fields = ["building"]
    inlines = [CouncilMemberInline, CouncilEventInline]

    def _building_id(self, obj: Any) -> int | None:
        return obj.building_id


@admin.register(CouncilMember)
class CouncilMemberAdmin(TouchesBoardMixin, DistrictReadOnlyMixin, admin.ModelAdmin):
    district_lookup = "council__building__subdistrict__district_id"
    list_display = ["display_name", "role", "council", "user", "term_start", "term_end", "can_triage", "is_public"]
    list_filter = ["role", "can_triage", "council__building__subdistrict__district"]
    list_select_related = ["council__building", "user"]
    search_fields = ["display_name", "council__building__name", "user__username"]
    autocomplete_fields = ["council", "user", "company"]

    def _building_id(self, obj: Any) -> int | None:
        return Council.objects.filter(pk=obj.council_id).values_list("building_id", flat=True).first()


# --- Login lockouts (django-axes): see who is locked out, delete the row to unlock ---------------
from axes.models import AccessAttempt  # noqa: E402


@admin.register(AccessAttempt)
class LoginLockoutAdmin(admin.ModelAdmin):
    """Failed logins per account and client; deleting a row unlocks it (superusers only)."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    readonly_fields = [
        "username",
        "ip_address",
        "user_agent",
        "failures_since_start",
        "attempt_time",
        "get_data",
        "post_data",
    ]
    exclude = ["http_accept", "path_info"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
