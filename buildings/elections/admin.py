"""The council's admin for elections: set up a draft, the roll and its codes, open, close, certify.

Every write goes through `actions`; what a user reaches is decided by `access`. No count appears here
before voting has closed — not for a superuser either.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildings.access import actor_scope
from buildings.models import Building, Company, User

from . import access, actions, roll_files, selectors
from .models import Candidate, Election


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _manages_any(request: HttpRequest) -> bool:
    scope = actor_scope(request.user)
    return bool(
        request.user.is_active
        and request.user.is_staff
        and (scope.is_superuser or scope.triage_building_ids or scope.district_ids)
    )


class CandidateInline(admin.TabularInline):
    model = Candidate
    fields = ("name", "company", "statement", "photo")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_any(request)


class ElectionAddForm(forms.ModelForm):
    class Meta:
        model = Election
        fields = ["building", "title", "seats", "role", "term_years", "opens_at", "closes_at", "min_turnout_percent"]


class RollForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Roll file (CSV or XLSX: name, company, ref)"), required=False)
    company = forms.ModelChoiceField(
        queryset=Company.objects.none(), label=gettext_lazy("or a company's headcount"), required=False
    )
    count = forms.IntegerField(
        label=gettext_lazy("number of anonymous codes"), min_value=1, max_value=5000, required=False
    )


class CandidateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    company = forms.CharField(label=gettext_lazy("company"), max_length=200, required=False)
    statement = forms.CharField(label=gettext_lazy("statement"), widget=forms.Textarea, max_length=1000, required=False)
    photo = forms.FileField(label=gettext_lazy("photo"), required=False)


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["title", "building", "status", "opens_at", "closes_at", "turnout_display"]
    list_filter = ["status"]
    search_fields = ["title", "building__name"]
    inlines = [CandidateInline]
    actions = ["open_voting", "close_voting", "certify"]
    readonly_fields = (
        "key_link",
        "building",
        "title",
        "status",
        "seats",
        "role",
        "term_years",
        "opens_at",
        "closes_at",
        "min_turnout_percent",
        "turnout_display",
        "results_display",
        "void_reason",
        "lot_note",
        "paper_entered_by",
        "paper_confirmed_by",
        "certified_at",
        "certified_by",
        "tools",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Election]:
        return access.manageable_elections(actor_scope(request.user), selectors.election_queryset())

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _manages_any(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None:
            return _manages_any(request) and access.can_manage(actor_scope(request.user), obj)
        return _manages_any(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _manages_any(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing is edited in place: every change is an action

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an election is a public record; a draft is cancelled, not deleted

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ElectionAddForm
            kwargs["fields"] = ElectionAddForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ElectionAddForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [] if obj is None else self.inlines

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "building":
            scope = actor_scope(request.user)
            buildings = Building.objects.filter(is_active=True).select_related("subdistrict")
            if not scope.is_superuser:
                from django.db.models import Q

                buildings = buildings.filter(
                    Q(pk__in=scope.triage_building_ids) | Q(subdistrict__district_id__in=scope.district_ids)
                )
            kwargs["queryset"] = buildings
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Election, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            created = actions.election_create(scope=actor_scope(request.user), actor=_actor(request), **data)
        except actions.ElectionError as exc:
            raise Http404(exc.message) from exc
        obj.pk = created.pk
        obj.key = created.key

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass

    # --- read-only displays -------------------------------------------------------------------

    @admin.display(description=gettext_lazy("page"))
    def key_link(self, obj: Election) -> str:
        url = reverse("election", args=[obj.key])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=gettext_lazy("turnout"))
    def turnout_display(self, obj: Election) -> str:
        t = selectors.turnout(obj)
        return f"{t.voted} / {t.electors}"

    @admin.display(description=gettext_lazy("results"))
    def results_display(self, obj: Election) -> str:
        try:
            result = selectors.results(obj)
        except selectors.Embargoed:
            return _("No count before voting closes.")
        return format_html_join(
            "",
            "<div>{} — {}{}</div>",
            ((r.candidate.name, r.votes, " ✔" if r.elected else "") for r in result.candidates),
        )

    @admin.display(description=gettext_lazy("tools"))
    def tools(self, obj: Election) -> str:
        links = []
        if obj.status == Election.Status.DRAFT:
            links.append((reverse("admin:elections_election_roll", args=[obj.pk]), _("Roll and voting codes")))
            links.append((reverse("admin:elections_election_candidate", args=[obj.pk]), _("Add a candidate")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    # --- the roll and candidates ------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        return [
            path("<int:pk>/roll/", self.admin_site.admin_view(self.roll_view), name="elections_election_roll"),
            path(
                "<int:pk>/candidate/",
                self.admin_site.admin_view(self.candidate_view),
                name="elections_election_candidate",
            ),
            *super().get_urls(),
        ]

    def _managed(self, request: HttpRequest, pk: int) -> Election:
        election = selectors.election_queryset().filter(pk=pk).first()
        if election is None or not self.has_view_permission(request, election):
            raise Http404
        return election

    def roll_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        election = self._managed(request, pk)
        form = RollForm(request.POST or None, request.FILES or None)
        form.fields["company"].queryset = Company.objects.filter(building=election.building)  # type: ignore[attr-defined]
        if request.method == "POST" and form.is_valid():
            scope = actor_scope(request.user)
            try:
                upload = form.cleaned_data["file"]
                if upload:
                    rows = roll_files.read_roll(upload.name or "", io.BytesIO(upload.read()))
                    issued = actions.electors_import(
                        scope=scope, actor=_actor(request), election=election, rows=rows, keep_for_download=True
                    )
                elif form.cleaned_data["company"] and form.cleaned_data["count"]:
                    issued = actions.electors_issue_anonymous(
                        scope=scope,
                        actor=_actor(request),
                        election=election,
                        company=form.cleaned_data["company"],
                        count=form.cleaned_data["count"],
                    )
                else:
                    raise actions.ElectionError(
                        "invalid", _("Upload a file, or choose a company and a number of codes.")
                    )
            except roll_files.RollFileError as exc:
                form.add_error("file", str(exc))
            except actions.ElectionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("%(n)s codes issued: download them once from the election page.") % {"n": len(issued)}
                )
                return HttpResponseRedirect(reverse("election", args=[election.key]))
        context = {
            **self.admin_site.each_context(request),
            "election": election,
            "form": form,
            "title": _("Roll and voting codes"),
            "opts": self.model._meta,
        }
        return render(request, "elections/admin_form.html", context, status=400 if form.errors else 200)

    def candidate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        election = self._managed(request, pk)
        form = CandidateForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                actions.candidate_add(scope=actor_scope(request.user), election=election, **form.cleaned_data)
            except actions.ElectionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Candidate added."))
                return HttpResponseRedirect(reverse("admin:elections_election_change", args=[election.pk]))
        context = {
            **self.admin_site.each_context(request),
            "election": election,
            "form": form,
            "title": _("Add a candidate"),
            "opts": self.model._meta,
        }
        return render(request, "elections/admin_form.html", context, status=400 if form.errors else 200)

    # --- bulk actions -----------------------------------------------------------------------

    def _run(self, request: HttpRequest, queryset: QuerySet[Election], name: str) -> None:
        scope = actor_scope(request.user)
        for election in queryset:
            try:
                if name == "open":
                    actions.election_open(scope=scope, election=election)
                elif name == "close":
                    actions.election_close(scope=scope, election=election)
                else:
                    actions.election_certify(scope=scope, actor=_actor(request), election=election)
            except actions.ElectionError as exc:
                self.message_user(request, f"{election}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{election}: {_('done')}", messages.SUCCESS)

    @admin.action(description=gettext_lazy("Open voting"))
    def open_voting(self, request: HttpRequest, queryset: QuerySet[Election]) -> None:
        self._run(request, queryset, "open")

    @admin.action(description=gettext_lazy("Close voting"))
    def close_voting(self, request: HttpRequest, queryset: QuerySet[Election]) -> None:
        self._run(request, queryset, "close")

    @admin.action(description=gettext_lazy("Certify the result"))
    def certify(self, request: HttpRequest, queryset: QuerySet[Election]) -> None:
        self._run(request, queryset, "certify")
