"""The API's serializers: categories and demands (read, list rows from plain values, submit, transitions, tracking)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from buildings.api_fields import SLUG_PATTERN, SlugLookupField, StrictJSONTypes
from buildings.models import Building, CouncilMember
from buildings.text import keeping_nul, long_text, one_line
from services.models import Department

from .. import access, selectors, workflow
from ..models import Category, Demand, DemandEvent
from ..privacy import mask_personal
from ..validators import normalize_mainland_mobile

# --- Categories ------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    # A category without a default department leaves routing to the council: null.
    default_department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "icon", "description", "default_department", "target_days"]


# --- Demands ---------------------------------------------------------------------------------

PRIVATE_FIELDS = ("contact_name", "contact_phone", "contact_email", "channel")
#: Text residents and councils type that the public reads: masked with privacy.mask_personal for them.
PUBLIC_TEXT_FIELDS = ("title", "description", "company_name", "resolution_note")


class DemandEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DemandEvent
        fields = ["kind", "from_status", "to_status", "actor_label", "note", "is_public", "data", "created_at"]


class DemandSerializer(serializers.ModelSerializer):
    """Read side. Private fields are dropped unless the reader handles this demand."""

    #: Not in `required` in the schema (lousihui/schema.py): only readers who handle the demand get them.
    schema_optional_fields = PRIVATE_FIELDS

    building: serializers.SlugRelatedField[Building] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True)
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.localized_name", read_only=True)
    # Method fields, not source="get_status_display": DRF inspects a callable source's signature on
    # every row, which was the largest cost of a list page (measured with `make bench`).
    status_label = serializers.SerializerMethodField()
    # "" until the demand is resolved (the model's blank choice): declared, as read-only fields lose allow_blank.
    outcome = serializers.ChoiceField(choices=workflow.Outcome.choices, read_only=True, allow_blank=True)
    outcome_label = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "id",
            "building",
            "building_name",
            "category",
            "category_name",
            "title",
            "description",
            "floor",
            "company_name",
            "show_company",
            "is_public",
            "support_count",
            "status",
            "status_label",
            "version",
            "assignee",
            "outcome",
            "outcome_label",
            "resolution_note",
            "submitted_at",
            "due_at",
            "assigned_at",
            "started_at",
            "resolved_at",
            "updated_at",
            "allowed_actions",
            *PRIVATE_FIELDS,
        ]
        read_only_fields = fields

    def _scope(self) -> selectors.ActorScope:
        return self.context.get("scope", selectors.ANONYMOUS_SCOPE)

    def get_assignee(self, obj: Demand) -> dict[str, Any] | None:
        private = bool(obj.assignee_member_id) and access.can_see_private(self._scope(), obj)
        return _assignee(obj.assignee_member, obj.assignee_department, private)

    def get_status_label(self, obj: Demand) -> str:
        return str(workflow.Status(obj.status).label)

    def get_outcome_label(self, obj: Demand) -> str:
        return str(workflow.Outcome(obj.outcome).label) if obj.outcome else ""

    def get_allowed_actions(self, obj: Demand) -> list[str]:
        return [str(t.action) for t in access.allowed_actions(self._scope(), obj)]

    def to_representation(self, instance: Demand) -> dict[str, Any]:
        private = access.can_see_private(self._scope(), instance)
        data = _plain_row(
            {name: getattr(instance, name) for name in selectors.LIST_VALUES},
            building=instance.building,
            category=instance.category,
            assignee=_assignee(instance.assignee_member, instance.assignee_department, private),
            actions=self.get_allowed_actions(instance),
        )
        for field in self._extra_fields():  # what a subclass declares beyond the list's fields
            attribute = field.get_attribute(instance)
            data[str(field.field_name)] = None if attribute is None else field.to_representation(attribute)
        return _for_reader(data, private=private, show_company=instance.show_company)

    def list_row(self, row: dict[str, Any], related: selectors.ListRelated, labels: RowLabels) -> dict[str, Any]:
        """One row of a list page (`selectors.demand_list_values`) with the page's related rows: the same
        answer as `to_representation` of the instance, from plain values."""
        scope = self._scope()
        building = related.buildings[row["building_id"]]
        member_id, department_id = row["assignee_member_id"], row["assignee_department_id"]
        private = access.may_see_private(
            scope,
            building_id=row["building_id"],
            district_id=building["district_id"],
            department_id=department_id,
            member_id=member_id,
        )
        roles = access.roles_on(scope, building_id=row["building_id"], department_id=department_id, member_id=member_id)
        data = _plain_row(
            row,
            building=_BuildingRow(building["slug"], building["name"]),
            category=related.categories[row["category_id"]],
            assignee=_assignee(related.members.get(member_id), related.departments.get(department_id), private),
            actions=[str(t.action) for t in access.actions_for(row["status"], roles)],
            labels=labels,
        )
        return _for_reader(data, private=private, show_company=row["show_company"])

    # --- plain-value serialisation ---------------------------------------------------------------
    # DRF's per-field machinery (get_attribute through dotted sources, SkipField, a to_representation
    # call per field) was half of a 50-row list page (#15). The fields above still define the schema;
    # `_plain_row` builds the same values directly. tests/requests_tracker/test_api_list_speed.py checks
    # that both give the same answer, row for row.

    def _extra_fields(self) -> list[serializers.Field]:
        extra = getattr(self, "_extra_cache", None)
        if extra is None:
            # Only a subclass that declares more fields builds DRF's fields (costly: model introspection).
            declared = type(self).Meta.fields
            wanted = [name for name in declared if name not in _BASE_FIELDS]
            extra = [f for f in self._readable_fields if f.field_name in wanted] if wanted else []
            self._extra_cache = extra
        return extra

    def drf_representation(self, instance: Demand) -> dict[str, Any]:
        """The same row through DRF's generic path (what `_plain_row` must equal; used by the tests)."""
        data = dict(serializers.ModelSerializer.to_representation(self, instance))
        private = access.can_see_private(self._scope(), instance)
        return _for_reader(data, private=private, show_company=instance.show_company)


class _BuildingRow(NamedTuple):
    slug: str
    name: str


def _assignee(member: CouncilMember | None, department: Department | None, private: bool) -> dict[str, Any] | None:
    if member is not None:
        role = member.get_role_display()
        # A member who is not on the public roster is named only to those handling the demand.
        if not member.is_public and not private:
            return {"kind": "member", "id": member.pk, "name": role, "role": role}
        return {"kind": "member", "id": member.pk, "name": member.display_name, "role": role}
    if department is not None:
        return {"kind": "department", "code": department.code, "name": department.localized_name}
    return None


class _Iso:
    """What serializers.DateTimeField gives (ISO 8601 in the current time zone, "Z" for UTC), without its
    per-call settings look-ups: five timestamps a row, the time zone read once a page."""

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()

    def __call__(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(self.tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


class RowLabels:
    """The status and outcome labels in the current language, translated once a page."""

    def __init__(self) -> None:
        self.status = {value: str(label) for value, label in workflow.Status.choices}
        self.outcome = {value: str(label) for value, label in workflow.Outcome.choices}
        self.outcome[""] = ""
        self.iso = _Iso()


def _plain_row(
    v: dict[str, Any],
    *,
    building: Building | _BuildingRow,
    category: Category,
    assignee: dict[str, Any] | None,
    actions: list[str],
    labels: RowLabels | None = None,
) -> dict[str, Any]:
    """DemandSerializer's fields from a demand's plain values (`selectors.LIST_VALUES`)."""
    labels = labels or RowLabels()
    iso = labels.iso
    status, outcome = v["status"], v["outcome"]
    return {
        "id": v["id"],
        "building": building.slug,
        "building_name": building.name,
        "category": category.code,
        "category_name": category.localized_name,
        "title": v["title"],
        "description": v["description"],
        "floor": v["floor"],
        "company_name": v["company_name"],
        "show_company": v["show_company"],
        "is_public": v["is_public"],
        "support_count": v["support_count"],
        "status": status,
        "status_label": labels.status[status],
        "version": v["version"],
        "assignee": assignee,
        "outcome": outcome,
        "outcome_label": labels.outcome[outcome],
        "resolution_note": v["resolution_note"],
        "submitted_at": iso(v["submitted_at"]),
        "due_at": iso(v["due_at"]),
        "assigned_at": iso(v["assigned_at"]),
        "started_at": iso(v["started_at"]),
        "resolved_at": iso(v["resolved_at"]),
        "updated_at": iso(v["updated_at"]),
        "allowed_actions": actions,
        "contact_name": v["contact_name"],
        "contact_phone": v["contact_phone"],
        "contact_email": v["contact_email"],
        "channel": v["channel"],
    }


def _for_reader(data: dict[str, Any], *, private: bool, show_company: bool) -> dict[str, Any]:
    """What a reader who does not handle the demand may not see: contact details out, personal data masked."""
    if not private:
        for name in PRIVATE_FIELDS:
            data.pop(name, None)
        if not show_company:
            data["company_name"] = ""
        # Public text: phone numbers and e-mail addresses typed into it are masked (PIPL).
        for name in PUBLIC_TEXT_FIELDS:
            if data.get(name):
                data[name] = mask_personal(data[name])
    return data


_BASE_FIELDS = frozenset(DemandSerializer.Meta.fields)


class DemandDetailSerializer(DemandSerializer):
    events = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "events"]
        read_only_fields = fields

    @extend_schema_field(DemandEventSerializer(many=True))
    def get_events(self, obj: Demand) -> Any:  # a ReturnList; the stubs type `.data` as a dict
        events = DemandEventSerializer(selectors.timeline_for(self._scope(), obj), many=True).data
        if not access.can_see_private(self._scope(), obj):
            for event in events:
                event["note"] = mask_personal(event["note"])
        return events


class OneLineCharField(serializers.CharField):
    """A title or a name: normalised (buildings.text) before the length and blank checks."""

    def run_validation(self, data: Any = empty) -> Any:
        return super().run_validation(keeping_nul(one_line, data) if isinstance(data, str) else data)


class LongCharField(serializers.CharField):
    """A description or a note: lines and tabs kept, control and direction-changing characters removed."""

    def run_validation(self, data: Any = empty) -> Any:
        return super().run_validation(keeping_nul(long_text, data) if isinstance(data, str) else data)


SLUG_RE = re.compile(SLUG_PATTERN)


class _SubmitTarget(SlugLookupField):
    """The building or the category of a submission: read with the other in one query when both exist
    (`DemandSubmitSerializer.to_internal_value`); otherwise looked up on its own, for DRF's own message."""

    def to_internal_value(self, data: Any) -> Any:
        found = getattr(self.parent, "_targets", None)
        if found is not None:
            return found[self.field_name]
        return super().to_internal_value(data)


# The querysets are class attributes, not arguments: DRF deep-copies a field's arguments for every
# serializer it builds, and copying a queryset is most of what building this serializer cost (#15).
class _SubmitBuilding(_SubmitTarget):
    queryset = Building.objects.filter(is_active=True)


class _SubmitCategory(_SubmitTarget):
    queryset = Category.objects.filter(is_active=True)


class DemandSubmitSerializer(StrictJSONTypes):
    """What a resident sends. Validation messages come back in the request's language."""

    building = _SubmitBuilding(slug_field="slug", label=_("building"))
    category = _SubmitCategory(slug_field="code", label=_("category"))
    title = OneLineCharField(max_length=120, label=_("title"))
    description = LongCharField(max_length=4000, required=False, allow_blank=True, label=_("description"))
    floor = serializers.IntegerField(required=False, allow_null=True, min_value=-10, max_value=200, label=_("floor"))
    company_name = OneLineCharField(max_length=200, required=False, allow_blank=True, label=_("company"))
    contact_name = OneLineCharField(max_length=100, required=False, allow_blank=True, label=_("name"))
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, label=_("mobile"))
    contact_email = serializers.EmailField(required=False, allow_blank=True, label=_("e-mail"))
    is_public = serializers.BooleanField(required=False, default=True, label=_("show on the public board"))
    show_company = serializers.BooleanField(required=False, default=False, label=_("show my company's name publicly"))

    def validate_contact_phone(self, value: str) -> str:
        try:
            return normalize_mainland_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_internal_value(self, data: Any) -> Any:
        self._targets: dict[str, Any] | None = None
        building, category = (data.get("building"), data.get("category")) if hasattr(data, "get") else (None, None)
        if (
            isinstance(building, str)
            and isinstance(category, str)
            and SLUG_RE.fullmatch(building)
            and SLUG_RE.fullmatch(category)
        ):
            targets = selectors.submission_targets(building, category)
            if targets is not None:
                self._targets = {"building": targets[0], "category": targets[1]}
        return super().to_internal_value(data)


class DemandSubmittedSerializer(DemandSerializer):
    """The answer to a submission: the only time the tracking token is handed out."""

    token = serializers.CharField(read_only=True)
    tracking_url = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "token", "tracking_url"]
        read_only_fields = fields

    def get_tracking_url(self, obj: Demand) -> str:
        request = self.context.get("request")
        path = reverse("track", kwargs={"token": obj.token})
        return request.build_absolute_uri(path) if request else path

    # The two fields above are written by hand after the list's plain values: asking DRF for them
    # (`_extra_fields`) builds all ~30 of the model serializer's fields for one answer, a fifth of a
    # submission's time (#15). Neither is private nor public text, so the privacy pass does not touch them.
    def _extra_fields(self) -> list[serializers.Field]:
        return []

    def to_representation(self, instance: Demand) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["token"] = instance.token
        data["tracking_url"] = self.get_tracking_url(instance)
        return data


class TransitionSerializer(StrictJSONTypes):
    action = serializers.ChoiceField(choices=workflow.plain_action_choices(), label=_("action"))
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        label=_("version"),
        help_text=_("The version you saw; the transition fails with 409 if the demand changed since."),
    )
    assignee_member = serializers.PrimaryKeyRelatedField(
        queryset=CouncilMember.objects.select_related("council"), required=False, allow_null=True
    )
    assignee_department = SlugLookupField(
        slug_field="code", queryset=Department.objects.all(), required=False, allow_null=True
    )
    outcome = serializers.ChoiceField(choices=workflow.Outcome.choices, required=False, allow_blank=True)
    note = LongCharField(max_length=4000, required=False, allow_blank=True)


class TrackSerializer(DemandSerializer):
    events = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [f for f in DemandSerializer.Meta.fields if f not in (*PRIVATE_FIELDS, "allowed_actions")]
        fields += ["events", "steps"]
        read_only_fields = fields

    @extend_schema_field(DemandEventSerializer(many=True))
    def get_events(self, obj: Demand) -> Any:  # a ReturnList; the stubs type `.data` as a dict
        return DemandEventSerializer(selectors.public_timeline(obj), many=True).data

    def get_steps(self, obj: Demand) -> list[dict[str, Any]]:
        return selectors.progress_steps(obj)

    def to_representation(self, instance: Demand) -> dict[str, Any]:
        return serializers.ModelSerializer.to_representation(self, instance)
