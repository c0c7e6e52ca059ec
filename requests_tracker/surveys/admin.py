"""Admin for surveys: build (questions editable only in draft), open / close / publish, invitation codes
(shown once: as a file or a printable A4 sheet of QR codes), moderation of free text, "make it a demand".

Every page asks `access`; state changes, codes, moderation and demands go through `actions`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buildings import qr
from buildings.access import ActorScope, actor_scope
from buildings.models import Building, Company
from requests_tracker.models import Category

from . import access, actions
from .api import codes_file
from .boards import answer_url
from .models import CodeBatch, Option, Question, Survey, TextAnswer


def _scope(request: HttpRequest) -> ActorScope:
    return actor_scope(request.user)  # type: ignore[arg-type]


def _staff_reader(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_staff and access.is_staff_reader(_scope(request)))


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
