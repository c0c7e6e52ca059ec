"""The question form: the demand form's intake (no account, contact optional, photos), asked as a question."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from buildings.models import Building
from buildings.photos import MAX_PHOTOS
from requests_tracker.intake.forms import CategoryChoiceField, MultiplePhotoField
from requests_tracker.models import Category
from requests_tracker.validators import normalize_mainland_mobile


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Building) -> str:
        return obj.localized_name


class QuestionForm(forms.Form):
    building = BuildingChoiceField(
        queryset=Building.objects.none(),
        to_field_name="slug",
        label=_("Your building"),
        empty_label=_("Choose…"),
        error_messages={"required": _("Choose your building.")},
    )
    category = CategoryChoiceField(
        queryset=Category.objects.none(),
        to_field_name="code",
        label=_("What is it about?"),
        empty_label=_("Choose…"),
        error_messages={"required": _("Choose what your question is about.")},
    )
    title = forms.CharField(
        max_length=120,
        label=_("Your question"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Which funding programme fits my company?")}),
        error_messages={"required": _("Please write your question.")},
    )
    description = forms.CharField(
        max_length=4000, required=False, label=_("Details"), widget=forms.Textarea(attrs={"rows": 4})
    )
    contact_name = forms.CharField(max_length=100, required=False, label=_("Your name"))
    contact_phone = forms.CharField(
        max_length=20,
        required=False,
        label=_("Mobile number"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(required=False, label=_("E-mail"))
    photos = MultiplePhotoField(required=False, label=_("Photos"))
    is_public = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Publish the answer so others with the same question find it (your name and contact never are)"),
    )
    matter = forms.IntegerField(required=False, widget=forms.HiddenInput)
    submission_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        building = self.fields["building"]
        assert isinstance(building, forms.ModelChoiceField)
        building.queryset = Building.objects.filter(is_active=True).order_by("-is_key_building", "slug")
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        # Company questions first: most questions are the economic captain's.
        category.queryset = Category.objects.filter(is_active=True).order_by("-is_company_affair", "sort_order")
        self.fields["photos"].help_text = _("Up to %(count)s photos. Location and camera details are removed.") % {
            "count": MAX_PHOTOS
        }

    def clean_contact_phone(self) -> str:
        return normalize_mainland_mobile(self.cleaned_data.get("contact_phone", ""))
