"""The survey admin: drafting questions, opening, closing, publishing, and the codes view."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings import qr
from buildings.models import Building, Company

from .. import access, actions
from ..api import codes_file
from ..boards import answer_url
from ..models import CodeBatch, Option, Question, Survey
from .base import _scope, _staff_reader
from .codes import CodesForm


class QuestionForm(forms.ModelForm):
    options_text = forms.CharField(
        label=_("options (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        help_text=_("For single, multiple choice and ranking."),
    )
    other = forms.BooleanField(label=_("“other, please say”"), required=False)

    class Meta:
        model = Question
        fields = ["position", "kind", "text", "text_en", "required", "long_text", "max_choices", "show_if"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_if = self.fields["show_if"]
        assert isinstance(show_if, forms.ModelChoiceField)
        show_if.queryset = Option.objects.none()  # a new question: only the survey's own options, once saved
        if self.instance.pk:
            options = list(self.instance.options.all())
            self.fields["options_text"].initial = "\n".join(o.text for o in options if not o.is_other)
            self.fields["other"].initial = any(o.is_other for o in options)
            show_if.queryset = Option.objects.filter(
                question__survey_id=self.instance.survey_id, question__position__lt=self.instance.position
            ).select_related("question")


class QuestionInline(admin.StackedInline):
    model = Question
    form = QuestionForm
    extra = 1
    fk_name = "survey"

    def _draft(self, obj: Survey | None) -> bool:
        return obj is None or obj.status == Survey.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and (obj is None or access.can_manage(_scope(request), obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and (obj is None or access.can_manage(_scope(request), obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff_reader(request)


class SurveyForm(forms.ModelForm):
    """The district follows from the building or sub-district; only an area survey names it directly."""

    class Meta:
        model = Survey
        fields = [
            "building",
            "subdistrict",
            "district",
            "title",
            "title_en",
            "intro",
            "intro_en",
            "audience",
            "results_visibility",
            "opens_at",
            "closes_at",
            "demands",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "district" in self.fields:
            self.fields["district"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        building, subdistrict = data.get("building"), data.get("subdistrict")
        if building is not None:
            data["subdistrict"] = building.subdistrict
            data["district"] = building.subdistrict.district
        elif subdistrict is not None:
            data["district"] = subdistrict.district
        elif "district" in self.fields and data.get("district") is None:
            self.add_error("building", gettext("Say which building, sub-district or district the survey is for."))
        return data


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    form = SurveyForm
    list_display = ["title", "where_display", "status", "audience", "response_count", "opens_at", "closes_at", "links"]
    list_filter = ["status", "audience"]
    search_fields = ["title", "title_en"]
    list_select_related = ["building", "subdistrict", "district"]
    inlines = [QuestionInline]
    actions = ["open_surveys", "close_surveys", "publish_surveys"]
    raw_id_fields = ["demands"]
    readonly_fields = ["key", "status", "response_count", "closed_at", "published_at", "links"]
    fieldsets = [
        (None, {"fields": ["key", "status", "links", "building", "subdistrict", "district"]}),
        (_("Text"), {"fields": ["title", "title_en", "intro", "intro_en"]}),
        (_("Settings"), {"fields": ["audience", "results_visibility", "opens_at", "closes_at", "demands"]}),
        (_("Figures"), {"fields": ["response_count", "closed_at", "published_at"]}),
    ]

    @admin.display(description=_("where"))
    def where_display(self, obj: Survey) -> str:
        return obj.where

    @admin.display(description=_("links"))
    def links(self, obj: Survey) -> str:
        if obj.pk is None:
            return "–"
        parts = [
            format_html('<a href="{}">{}</a>', reverse("survey-answer", args=[obj.key]), gettext("answer page")),
            format_html('<a href="{}">{}</a>', reverse("survey-results", args=[obj.key]), gettext("results")),
            format_html('<a href="{}">{}</a>', reverse("survey-poster", args=[obj.key]), gettext("QR poster")),
        ]
        if obj.audience == Survey.Audience.CODE:
            url = reverse("admin:surveys_survey_codes", args=[obj.pk])
            parts.append(format_html('<a href="{}">{}</a>', url, gettext("invitation codes")))
        return format_html(" · ".join(["{}"] * len(parts)), *parts)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Survey]:
        return access.readable_surveys(_scope(request)).select_related("building", "subdistrict", "district")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff_reader(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff_reader(request) and (obj is None or access.can_read(_scope(request), obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _staff_reader(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not _staff_reader(request):
            return False
        return obj is None or access.can_manage(_scope(request), obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["building", "subdistrict", "district"]
            if obj.status != Survey.Status.DRAFT:
                fields += ["audience", "title", "title_en"]
        return fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scope = _scope(request)
        if db_field.name == "building" and not scope.is_superuser:
            kwargs["queryset"] = Building.objects.filter(pk__in=scope.triage_building_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Survey, form: Any, change: bool) -> None:
        if not access.can_create(_scope(request), building_id=obj.building_id, district_id=obj.district_id):
            raise PermissionDenied
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for question_form in formset.forms:
            question = question_form.instance
            if question.pk is None or not question_form.has_changed() or question_form in formset.deleted_forms:
                continue
            texts = [line.strip() for line in question_form.cleaned_data.get("options_text", "").splitlines()]
            actions.question_set_options(
                question=question,
                texts=[t for t in texts if t],
                other=question_form.cleaned_data.get("other", False),
                actor=request.user,  # type: ignore[arg-type]
            )

    def _move(self, request: HttpRequest, queryset: QuerySet[Survey], move: str) -> None:
        for survey in queryset:
            try:
                actions.survey_move(survey=survey, move=move, actor=request.user)  # type: ignore[arg-type]
            except actions.SurveyError as exc:
                self.message_user(request, f"{survey}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{survey}: {survey.get_status_display()}", messages.SUCCESS)

    @admin.action(description=_("Open the selected surveys"))
    def open_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        self._move(request, queryset, "open")

    @admin.action(description=_("Close the selected surveys"))
    def close_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        self._move(request, queryset, "close")

    @admin.action(description=_("Publish the results of the selected surveys"))
    def publish_surveys(self, request: HttpRequest, queryset: QuerySet[Survey]) -> None:
        self._move(request, queryset, "publish")

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:survey_id>/codes/",
                self.admin_site.admin_view(self.codes_view),
                name="surveys_survey_codes",
            ),
            *super().get_urls(),
        ]

    def codes_view(self, request: HttpRequest, survey_id: int) -> HttpResponse:
        """Make a batch of invitation codes for a company; the answer is the codes, once: a file or an A4 sheet."""
        survey = get_object_or_404(Survey.objects.select_related("building"), pk=survey_id)
        scope = _scope(request)
        if not access.can_manage(scope, survey):
            raise Http404
        companies = (
            Company.objects.filter(building_id=survey.building_id)
            if survey.building_id
            else Company.objects.filter(building__subdistrict__district_id=survey.district_id)
        )
        form = CodesForm(request.POST or None, companies=companies)
        if request.method == "POST" and form.is_valid():
            company = form.cleaned_data["company"]
            try:
                _batch, codes = actions.codes_generate(
                    survey=survey,
                    company=company,
                    count=form.cleaned_data["count"],
                    actor=request.user,  # type: ignore[arg-type]
                    scope=scope,
                )
            except actions.SurveyError as exc:
                form.add_error(None, exc.message)
            else:
                fmt = form.cleaned_data["format"]
                if fmt in ("csv", "xlsx"):
                    return codes_file(survey, company, codes, fmt)
                url = answer_url(survey)
                sheet = [(c, qr.qr_svg(f"{url}?code={c}")) for c in codes]
                return render(
                    request,
                    "surveys/codes_sheet.html",
                    {"survey": survey, "company": company, "codes": sheet, "url": url},
                )
        batches = (
            CodeBatch.objects.filter(survey=survey)
            .select_related("company")
            .annotate(
                used=Count("codes", filter=Q(codes__used=True)), revoked=Count("codes", filter=Q(codes__revoked=True))
            )
        )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Invitation codes"),
            "survey": survey,
            "form": form,
            "batches": batches,
            "opts": self.model._meta,
        }
        return render(request, "surveys/admin_codes.html", context)
