"""Free-text answers: moderation and "make it a demand"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings.models import Building
from requests_tracker.models import Category

from .. import access, actions
from ..models import Survey, TextAnswer
from .base import _scope, _staff_reader


class TextModerationForm(forms.ModelForm):
    class Meta:
        model = TextAnswer
        fields = ["status", "hidden_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == TextAnswer.Status.HIDDEN and not (data.get("hidden_reason") or "").strip():
            self.add_error("hidden_reason", gettext("Say why the answer is hidden."))
        return data


@admin.register(TextAnswer)
class TextAnswerAdmin(admin.ModelAdmin):
    """Free-text answers: read, search, show or hide (with a reason; the words are kept), make a demand."""

    form = TextModerationForm
    list_display = ["text", "question", "survey", "status", "demand_link"]
    # Only the surveys the user may read appear in the filter (a plain filter would list every title).
    list_filter = ["status", ("survey", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text"]
    list_select_related = ["question", "survey", "demand"]
    readonly_fields = ["survey", "question", "text", "demand_link"]
    fields = ["survey", "question", "text", "status", "hidden_reason", "demand_link"]
    actions = ["show_texts"]

    @admin.display(description=_("demand"))
    def demand_link(self, obj: TextAnswer) -> str:
        if obj.demand_id is not None:
            return format_html(
                '<a href="{}">#{}</a>',
                reverse("admin:requests_tracker_demand_change", args=[obj.demand_id]),
                obj.demand_id,
            )
        if obj.pk and obj.status != TextAnswer.Status.HIDDEN:
            url = reverse("admin:surveys_textanswer_demand", args=[obj.pk])
            return format_html('<a class="button" href="{}">{}</a>', url, gettext("Make it a demand"))
        return "–"

    def get_queryset(self, request: HttpRequest) -> QuerySet[TextAnswer]:
        scope = _scope(request)
        qs = TextAnswer.objects.all()
        if not scope.is_superuser:
            qs = qs.filter(survey__in=Survey.objects.filter(access.readable_filter(scope)))
        return qs

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff_reader(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff_reader(request) and (obj is None or access.can_read(_scope(request), obj.survey))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not _staff_reader(request):
            return False
        return obj is None or access.can_manage(_scope(request), obj.survey)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the words as written are kept; hiding is the moderator's tool

    def save_model(self, request: HttpRequest, obj: TextAnswer, form: Any, change: bool) -> None:
        try:
            actions.text_moderate(
                text=obj,
                show=obj.status != TextAnswer.Status.HIDDEN,
                reason=obj.hidden_reason,
                actor=request.user,  # type: ignore[arg-type]
            )
        except actions.SurveyError as exc:
            raise PermissionDenied(exc.message) from exc

    @admin.action(description=_("Show the selected answers"))
    def show_texts(self, request: HttpRequest, queryset: QuerySet[TextAnswer]) -> None:
        try:
            shown = actions.texts_show(texts=list(queryset.select_related("survey")), actor=request.user)  # type: ignore[arg-type]
        except actions.SurveyError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, gettext("%(n)s answers shown.") % {"n": shown})

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:text_id>/demand/", self.admin_site.admin_view(self.demand_view), name="surveys_textanswer_demand"
            ),
            *super().get_urls(),
        ]

    def demand_view(self, request: HttpRequest, text_id: int) -> HttpResponse:
        """Make a suggestion a demand: pick a category (and building, for an area survey); linked both ways."""
        text = get_object_or_404(TextAnswer.objects.select_related("survey__building"), pk=text_id)
        scope = _scope(request)
        if not access.can_manage(scope, text.survey):
            raise Http404
        form = DemandFromTextForm(request.POST or None, text=text)
        if request.method == "POST" and form.is_valid():
            try:
                demand = actions.text_to_demand(
                    text=text,
                    category=form.cleaned_data["category"],
                    title=form.cleaned_data["title"],
                    building=form.cleaned_data.get("building"),
                    is_public=form.cleaned_data["is_public"],
                    actor=request.user,  # type: ignore[arg-type]
                    scope=scope,
                )
            except actions.SurveyError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, gettext("Demand #%(id)s made from the answer.") % {"id": demand.pk})
                return HttpResponseRedirect(reverse("admin:requests_tracker_demand_change", args=[demand.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Make it a demand"),
            "text": text,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "surveys/admin_demand.html", context)


class DemandFromTextForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    category = forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True), label=_("category"))
    building = forms.ModelChoiceField(queryset=Building.objects.none(), label=_("building"), required=False)
    is_public = forms.BooleanField(label=_("shown publicly"), required=False, initial=True)

    def __init__(self, *args: Any, text: TextAnswer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].initial = text.text.strip().splitlines()[0][:120] if text.text.strip() else ""
        building = self.fields["building"]
        assert isinstance(building, forms.ModelChoiceField)
        if text.survey.building_id is None:
            building.queryset = Building.objects.filter(
                subdistrict__district_id=text.survey.district_id, is_active=True
            )
            building.required = True
        else:
            del self.fields["building"]
