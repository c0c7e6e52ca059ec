from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from buildings.models import Building

from .models import Category
from .validators import normalize_mainland_mobile


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.icon} {obj.localized_name}".strip()


class DemandSubmitForm(forms.Form):
    """The resident's form. Field names match the API's submission fields."""

    category = CategoryChoiceField(
        queryset=Category.objects.none(),
        to_field_name="code",
        widget=forms.RadioSelect,
        label=_("What is it about?"),
        empty_label=None,
        error_messages={"required": _("Choose what your demand is about.")},
    )
    title = forms.CharField(
        max_length=120,
        label=_("In one sentence"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Food deliveries cannot come upstairs")}),
        error_messages={"required": _("Please give the demand a short title.")},
    )
    description = forms.CharField(
        max_length=4000,
        required=False,
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("What happens, since when, what would help")}),
    )
    floor = forms.IntegerField(
        required=False, label=_("Floor"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    company_name = forms.CharField(
        max_length=200, required=False, label=_("Company"), widget=forms.TextInput(attrs={"list": "companies"})
    )
    contact_name = forms.CharField(max_length=100, required=False, label=_("Your name (optional, never shown)"))
    contact_phone = forms.CharField(
        max_length=20,
        required=False,
        label=_("Mobile (optional, never shown)"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        required=False,
        label=_("E-mail (optional, never shown)"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    is_public = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Show on the building's public board (your name and contact are never shown)"),
    )

    def __init__(self, *args: Any, building: Building, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.building = building
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        floor = self.fields["floor"]
        assert isinstance(floor, forms.IntegerField)
        low = -building.basement_floors if building.basement_floors else 1
        floor.widget.attrs.update(min=low, max=building.floors)
        floor.validators = [
            MinValueValidator(
                low,
                _("%(building)s has no floor below %(limit_value)s.") % {"building": building.name, "limit_value": low},
            ),
            MaxValueValidator(
                building.floors,
                _("%(building)s has %(limit_value)s floors.")
                % {"building": building.name, "limit_value": building.floors},
            ),
        ]
        floor.help_text = _("%(low)s to %(high)s") % {"low": low, "high": building.floors}

    def clean_contact_phone(self) -> str:
        return normalize_mainland_mobile(self.cleaned_data.get("contact_phone", ""))
