"""The forms of the demand admin: the change form, the transition, note and merge forms, list edits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import CouncilMember
from buildings.text import LongTextField
from services.models import Department

from .. import actions, workflow
from ..models import Demand
from ..validators import check_floor, normalize_mainland_mobile


class TransitionForm(forms.Form):
    """One form for every action; the action itself says which fields it needs."""

    action = forms.ChoiceField(choices=workflow.plain_action_choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee_member = forms.ModelChoiceField(
        queryset=CouncilMember.objects.none(), required=False, label=_("council member")
    )
    assignee_department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True), required=False, label=_("department")
    )
    outcome = forms.ChoiceField(
        choices=[("", "---------"), *workflow.Outcome.choices], required=False, label=_("outcome")
    )
    # Transition events are on the public timeline, so the note is said to be public where it is typed.
    note = LongTextField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("public note"),
        help_text=_("Shown to the resident on the tracking page."),
    )

    def __init__(self, *args: Any, demand: Demand, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["assignee_member"]
        assert isinstance(member, forms.ModelChoiceField)
        member.queryset = CouncilMember.objects.filter(council__building_id=demand.building_id).order_by(
            "role", "display_name"
        )

    def error_message(self) -> str:
        """The errors in one line for the messages framework, fields named by their labels."""
        if "action" in self.errors or "version" in self.errors:
            return str(_("This form is out of date. Reload the page and try again."))
        return " ".join(
            f"{self.fields[name].label}: {' '.join(map(str, errors))}"
            if name in self.fields
            else " ".join(map(str, errors))
            for name, errors in self.errors.items()
        )


class DemandAdminForm(forms.ModelForm):
    """Checks on the form what `actions.demand_submit` would refuse, so the admin shows it on the field."""

    class Meta:
        model = Demand
        fields = [
            "building",
            "category",
            "title",
            "description",
            "floor",
            "company_name",
            "show_company",
            "is_public",
            "contact_name",
            "contact_phone",
            "contact_email",
            "is_hidden",
        ]

    #: The version the editor saw: an edit on top of someone else's change is refused, never merged silently.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    moderation_reason = LongTextField(
        label=_("reason for the edit"),
        max_length=300,
        required=False,
        help_text=_("Needed when you change the public title or description or hide the demand; the original is kept."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean_contact_phone(self) -> str:
        return normalize_mainland_mobile(self.cleaned_data.get("contact_phone", ""))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        building = cleaned.get("building") or (self.instance.building if self.instance.building_id else None)
        if building is not None and cleaned.get("floor") is not None:
            try:
                check_floor(building, cleaned["floor"])
            except ValidationError as exc:
                self.add_error("floor", exc)
        for name in ("building", "category"):
            value = cleaned.get(name)
            if name in self.changed_data and value is not None and not value.is_active:
                self.add_error(name, _("This one is no longer in use."))
        if self.instance.pk:
            seen = cleaned.get("seen_version")
            if seen is not None and seen != self.instance.version:
                raise ValidationError(actions.stale_message(self.instance))
            if set(MODERATED_FIELDS) & set(self.changed_data) and not cleaned.get("moderation_reason", "").strip():
                self.add_error("moderation_reason", _("Say why the public text or visibility is changed."))
        return cleaned


#: Edits to these are moderation: they go through `actions.demand_moderate`, which keeps the original.


MODERATED_FIELDS = ("title", "description", "is_hidden")


class DemandActionForm(ActionForm):
    """The list's action bar: what the bulk actions need besides the rows."""

    assignee_department = forms.ModelChoiceField(
        queryset=Department.objects.filter(is_active=True), required=False, label=_("department")
    )
    outcome = forms.ChoiceField(
        choices=[("", _("outcome")), *workflow.Outcome.choices], required=False, label=_("outcome")
    )
    note = LongTextField(required=False, label=_("note"), max_length=4000)


class NoteForm(forms.Form):
    note = LongTextField(widget=forms.Textarea(attrs={"rows": 3}), label=_("text"), max_length=4000)
    is_public = forms.TypedChoiceField(
        choices=[("1", _("Public reply (shown to the resident)")), ("0", _("Internal note (council and handlers)"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
        label=_("who sees it"),
    )


class MergeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    into = forms.ModelChoiceField(queryset=Demand.objects.none(), label=_("the demand it duplicates"))
    note = LongTextField(
        required=False,
        label=_("public note"),
        max_length=4000,
        help_text=_("Optional; by default: “Merged into demand #N, which asks the same.”"),
    )

    def __init__(self, *args: Any, demand: Demand, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        into = self.fields["into"]
        assert isinstance(into, forms.ModelChoiceField)
        # Open demands and those resolved in the last 90 days: a select, not the building's whole history.
        recent = timezone.now() - timedelta(days=90)
        into.queryset = (
            Demand.objects.filter(building_id=demand.building_id, duplicate_of__isnull=True)
            .filter(Q(status__in=workflow.OPEN_STATUSES) | Q(resolved_at__gte=recent))
            .exclude(pk=demand.pk)
            .order_by("-submitted_at")
        )


#: Status colours in the changelist (the site's palette).


class DemandListEditForm(forms.ModelForm):
    """A row edited in the list: refused if the row changed since the list was shown."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            raw = self.data.get(f"_version_{self.instance.pk}", "")
            if not raw.isdigit() or int(raw) != self.instance.version:
                raise ValidationError(actions.stale_message(self.instance))
        return cleaned or {}


def _seen_version(request: HttpRequest, demand: Demand) -> int | None:
    """The version the user saw in the list (a hidden input per row), or None if the row was not shown."""
    raw = request.POST.get(f"_version_{demand.pk}", "")
    return int(raw) if raw.isdigit() else None
