"""The residents' form for raising a demand."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buildings.models import Building
from buildings.photos import MAX_PHOTOS, CleanPhoto, clean_photos
from buildings.text import LongTextField, OneLineField

from ..models import Category
from ..validators import check_floor, floor_limits, normalize_mainland_mobile


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.icon} {obj.localized_name}".strip()


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to MAX_PHOTOS images; each is checked and re-encoded (buildings.photos)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanPhoto]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        return clean_photos(uploads)


class _BoundField(forms.BoundField):
    @property
    def aria_describedby(self) -> str | None:
        # The page shows a field's errors in #error-<name> (pages and browser tests rely on the id),
        # so the input must point there, not at Django's default id.
        if self.field.widget.attrs.get("aria-describedby") or self.is_hidden:
            return None
        ids = [f"{self.auto_id}_helptext"] if self.help_text else []
        if self.errors:
            ids.append(f"error-{self.name}")
        return " ".join(ids)


class DemandSubmitForm(forms.Form):
    """The resident's form. Field names match the API's submission fields."""

    bound_field_class = _BoundField

    category = CategoryChoiceField(
        queryset=Category.objects.none(),
        to_field_name="code",
        widget=forms.RadioSelect,
        label=_("What is it about?"),
        empty_label=None,
        error_messages={"required": _("Choose what your demand is about.")},
    )
    title = OneLineField(
        max_length=120,
        label=_("In one sentence"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Food deliveries cannot come upstairs")}),
        error_messages={"required": _("Please give the demand a short title.")},
    )
    description = LongTextField(
        max_length=4000,
        required=False,
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("What happens, since when, what would help")}),
    )
    # No inputmode="numeric": phones' digit pads have no minus sign, and basements are negative.
    floor = forms.IntegerField(required=False, label=_("Floor"))
    company_name = OneLineField(
        max_length=200,
        required=False,
        label=_("Company"),
        widget=forms.TextInput(attrs={"list": "companies", "autocomplete": "organization"}),
    )
    contact_name = OneLineField(
        max_length=100,
        required=False,
        label=_("Your name"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        max_length=20,
        required=False,
        label=_("Mobile number"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        required=False,
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    photos = MultiplePhotoField(
        required=False,
        label=_("Photos"),
    )
    is_public = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Show on the building's public board (your name and contact are never shown)"),
    )
    show_company = forms.BooleanField(
        required=False,
        initial=False,
        label=_("Show my company's name publicly (otherwise “an employee of a company”)"),
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling robots.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    # A fresh key per form shown: a double tap submits it twice, and finds the first demand.
    submission_key = forms.Field(required=False, widget=forms.HiddenInput)  # checked in clean_submission_key

    # Public or not is decided with the demand itself, before the (private) contact details.
    field_order = [
        "category",
        "title",
        "description",
        "floor",
        "company_name",
        "photos",
        "is_public",
        "show_company",
    ]

    def __init__(self, *args: Any, building: Building, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.building = building
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = Category.objects.filter(is_active=True)
        self.lowest_floor, self.highest_floor = floor_limits(building)
        floor = self.fields["floor"]
        floor.widget.attrs.update(min=self.lowest_floor, max=self.highest_floor)
        floor.help_text = _("%(low)s to %(high)s") % {"low": self.lowest_floor, "high": self.highest_floor}
        # Formatted here, per request: at import time it would be frozen in the default language.
        self.fields["photos"].help_text = _("Up to %(count)s photos. Location and camera details are removed.") % {
            "count": MAX_PHOTOS
        }

    def clean_floor(self) -> int | None:
        floor: int | None = self.cleaned_data.get("floor")
        check_floor(self.building, floor)
        return floor

    def clean_contact_phone(self) -> str:
        return normalize_mainland_mobile(self.cleaned_data.get("contact_phone", ""))

    def clean_submission_key(self) -> str:
        # Not the resident's to fix: a malformed key only loses the double-tap guard.
        key = self.cleaned_data.get("submission_key") or ""
        return key if isinstance(key, str) and re.fullmatch(r"[0-9a-f]{32}", key) else ""

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def demand_fields(self) -> dict[str, Any]:
        """The cleaned data as `actions.demand_submit` takes it."""
        data = dict(self.cleaned_data)
        data.pop("website", None)
        data.pop("submission_key", None)
        return data


class NotSolvedForm(forms.Form):
    reason = LongTextField(
        max_length=1000,
        label=_("What is still not solved?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what is still not solved.")},
    )


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter a valid e-mail address.")},
    )
