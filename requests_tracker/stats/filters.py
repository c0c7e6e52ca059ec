"""The statistics' filters: which buildings a reader may choose, and the filter form every surface shares."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildings.models import Building, District, Subdistrict

from .. import access
from ..models import Category, Demand
from ..selectors import ActorScope


def _building_ids(**lookup: Any) -> set[int]:
    # A literal list of building ids, not a join (see access.stats_building_ids).
    return set(Building.objects.filter(**lookup).values_list("id", flat=True))


def buildings_for_stats(scope: ActorScope) -> QuerySet[Building]:
    qs = Building.objects.all()
    if scope.is_superuser:
        return qs
    return qs.filter(Q(subdistrict__district_id__in=scope.district_ids) | Q(id__in=scope.triage_building_ids))


# The calendar the statistics cover: a date outside it (9999-12-31 as "no end") is refused with a
# reason, never carried into date arithmetic that overflows.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def in_calendar(value: date | None) -> date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise forms.ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )
    return value


class StatsFilterForm(forms.Form):
    """The filters of the stats page and API; every value is validated before it reaches a query."""

    district = forms.SlugField(label=_("district"), required=False)
    subdistrict = forms.SlugField(label=_("sub-district"), required=False)
    building = forms.SlugField(label=_("building"), required=False)
    category = forms.SlugField(label=_("category"), required=False)
    since = forms.DateField(label=_("start date"), required=False)
    until = forms.DateField(label=_("end date"), required=False)

    def clean_since(self) -> date | None:
        return in_calendar(self.cleaned_data.get("since"))

    def clean_until(self) -> date | None:
        return in_calendar(self.cleaned_data.get("until"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        for name, model, field in (
            ("district", District, "slug"),
            ("subdistrict", Subdistrict, "slug"),
            ("building", Building, "slug"),
            ("category", Category, "code"),
        ):
            value = data.get(name)
            if value:
                found = model.objects.filter(**{field: value}).first()  # type: ignore[attr-defined]
                if found is None:
                    self.add_error(name, _("“%(value)s” does not exist.") % {"value": value})
                data[name + "_obj"] = found
        return data

    def demands(self, scope: ActorScope | None = None) -> QuerySet[Demand]:
        """The demands in the user's reach that match the filters.

        Buildings (from the scope, the district, the sub-district, the building) are narrowed to ONE
        literal list of ids, so PostgreSQL plans an index-only scan of demand_stats_cover; two lists
        or a join make it estimate badly and read the table.
        """
        data = self.cleaned_data
        ids = self.building_ids(scope)
        qs = Demand.objects.all() if ids is None else Demand.objects.filter(building_id__in=sorted(ids))
        if data.get("category_obj"):
            qs = qs.filter(category=data["category_obj"])
        tz = timezone.get_current_timezone()
        if data.get("since"):
            qs = qs.filter(submitted_at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data.get("until"):
            qs = qs.filter(submitted_at__lt=datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=tz))
        return qs

    @property
    def by_building_only(self) -> bool:
        """Whether the filters only choose buildings: then the maintained tallies answer the headline."""
        data = self.cleaned_data
        return not (data.get("category_obj") or data.get("since") or data.get("until"))

    def building_ids(self, scope: ActorScope | None = None) -> set[int] | None:
        """The buildings in reach that the filters choose (None: all); computed once per form."""
        cache_key = (scope.user_id if scope else None, scope.is_superuser if scope else True)
        cached = getattr(self, "_ids", None)
        if cached is not None and cached[0] == cache_key:
            return cached[1]
        data = self.cleaned_data
        ids = access.stats_building_ids(scope) if scope is not None else None

        def narrow(current: set[int] | None, more: set[int]) -> set[int]:
            return more if current is None else current & more

        if data.get("district_obj"):
            ids = narrow(ids, _building_ids(subdistrict__district=data["district_obj"]))
        if data.get("subdistrict_obj"):
            ids = narrow(ids, _building_ids(subdistrict=data["subdistrict_obj"]))
        if data.get("building_obj"):
            ids = narrow(ids, {data["building_obj"].pk})
        self._ids = (cache_key, ids)
        return ids
