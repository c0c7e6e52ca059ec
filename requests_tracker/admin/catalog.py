"""The catalogs councils keep: demand categories and response templates."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Category, ResponseTemplate


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "icon",
        "name",
        "name_en",
        "default_department",
        "target_days",
        "is_company_affair",
        "is_active",
    ]
    list_editable = ["target_days", "is_active"]
    list_filter = ["is_active", "is_company_affair", "default_department"]
    list_select_related = ["default_department"]
    search_fields = ["code", "name", "name_en"]
    search_help_text = _("Code, Chinese or English name.")
    autocomplete_fields = ["default_department"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "is_active"]
    list_filter = ["is_active", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "body"]
    autocomplete_fields = ["category"]
