from django.contrib import admin

from .models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "district", "phone", "is_active"]
    list_filter = ["district", "is_active"]
    list_select_related = ["district"]
    search_fields = ["name", "name_en", "code", "description"]
    filter_horizontal = ["staff"]
    autocomplete_fields = ["district"]
