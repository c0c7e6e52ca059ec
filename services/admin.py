from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from buildings.admin import DistrictReadOnlyMixin

from .models import Department


@admin.register(Department)
class DepartmentAdmin(DistrictReadOnlyMixin, admin.ModelAdmin):
    district_lookup = "district_id"
    list_display = ["name", "name_en", "code", "district", "phone", "is_active"]
    list_filter = ["district", "is_active"]
    list_select_related = ["district"]
    search_fields = ["name", "name_en", "code", "description"]
    search_help_text = _("Name, code or what it handles.")
    # Autocomplete, not filter_horizontal: that one loads every user account, residents included, into the page.
    autocomplete_fields = ["district", "staff"]
