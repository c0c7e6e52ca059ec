from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Building, Company, Council, CouncilMember, District, Subdistrict, User


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
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    # Autocomplete, not filter_horizontal: that one loads every user account, residents included, into the page.
    autocomplete_fields = ["staff"]
    inlines = [SubdistrictInline]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "district", "slug"]
    list_filter = ["district", "kind"]
    list_select_related = ["district"]
    search_fields = ["name", "name_en", "slug"]
    autocomplete_fields = ["district"]


class CompanyInline(admin.TabularInline):
    model = Company
    extra = 0
    fields = ["name", "floors", "industry"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "subdistrict", "floors", "is_key_building", "population", "is_active"]
    list_filter = ["is_key_building", "is_active", "subdistrict__district", "subdistrict"]
    list_select_related = ["subdistrict"]
    search_fields = ["name", "name_en", "slug", "address"]
    autocomplete_fields = ["subdistrict"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [CompanyInline]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
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


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["__str__", "building", "kind", "established_on", "service_station"]
    list_filter = ["kind", "building__subdistrict__district"]
    list_select_related = ["building"]
    search_fields = ["name", "building__name", "building__name_en"]
    autocomplete_fields = ["building"]
    inlines = [CouncilMemberInline]


@admin.register(CouncilMember)
class CouncilMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "role", "council", "user", "term_start", "term_end", "can_triage", "is_public"]
    list_filter = ["role", "can_triage", "council__building__subdistrict__district"]
    list_select_related = ["council__building", "user"]
    search_fields = ["display_name", "council__building__name", "user__username"]
    autocomplete_fields = ["council", "user", "company"]
