"""Contact details in the admin: masked (139****5678) until "show" is pressed; each show is logged
(`actions.contact_reveal`) and lasts CONTACT_REVEAL_MINUTES for that demand in that session. The log
itself is read-only, for district staff (their district) and superusers."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import access, actions, selectors
from ..models import ContactReveal, Demand
from ..privacy import CONTACT_FIELDS, contact_label, masked_contacts

_SESSION_KEY = "contact_reveals"
#: The readonly field shown instead of the contact fields while they are masked.
MASKED_FIELD = "masked_contact"


def is_revealed(request: HttpRequest, demand: Demand) -> bool:
    """Whether this session had this demand's contact details shown (and logged) in the last minutes."""
    shown = request.session.get(_SESSION_KEY, {}).get(str(demand.pk))
    return shown is not None and time.time() - float(shown) < settings.CONTACT_REVEAL_MINUTES * 60


def masked_contact_html(demand: Demand) -> str:
    """The masked details and the "show" button (it submits the change form to the reveal address, which
    ignores the form: no nested form, no script)."""
    rows = masked_contacts(demand)
    if not rows:
        return gettext("None left.")
    return format_html(
        '<ul class="masked-contact" style="margin:0;padding:0;list-style:none">{}</ul>'
        '<button type="submit" class="button" name="_reveal_contact" formnovalidate formaction="{}">{}</button>'
        '<p class="help">{}</p>',
        format_html_join("", "<li>{}: {}</li>", ((label.capitalize(), value) for label, value in rows)),
        reverse("admin:requests_tracker_demand_contact", args=[demand.pk]),
        gettext("Show"),
        gettext("Each time contact details are shown, who, whose and when is logged for the district."),
    )


def reveal_view(model_admin: Any, request: HttpRequest, object_id: int) -> HttpResponse:
    """POST: logs the reveal, then shows the change page with the details for a few minutes."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    demand = model_admin._scoped_demand(request, object_id)
    try:
        actions.contact_reveal(demand=demand, actor=request.user)  # type: ignore[arg-type]
    except actions.TransitionError as exc:
        raise PermissionDenied(exc.message) from None
    reveals = dict(request.session.get(_SESSION_KEY, {}))
    reveals[str(demand.pk)] = time.time()
    request.session[_SESSION_KEY] = reveals
    messages.info(
        request,
        gettext("Contact details shown for %(minutes)s minutes; this has been logged.")
        % {"minutes": settings.CONTACT_REVEAL_MINUTES},
    )
    return HttpResponseRedirect(reverse("admin:requests_tracker_demand_change", args=[demand.pk]))


@admin.register(ContactReveal)
class ContactRevealAdmin(admin.ModelAdmin):
    """The access log: read by district staff (their district) and superusers; nobody edits or deletes it."""

    list_display = ["revealed_at", "username", "demand_link", "building", "fields_shown"]
    list_select_related = ["building", "demand"]
    list_filter = ["revealed_at"]
    search_fields = ["username", "=demand_number"]
    search_help_text = _("Account, or the demand's number.")
    fields = ["revealed_at", "username", "user", "demand_link", "building", "fields_shown"]
    readonly_fields = fields  # type: ignore[assignment]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContactReveal]:
        return access.contact_log_in_scope(selectors.actor_scope(request.user)).select_related("building", "demand")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff) and access.may_read_contact_log(
            selectors.actor_scope(request.user)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # Refused before the lookup, like the timeline's: a 403 for some ids and "gone" for others would tell.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    @admin.display(description=_("demand"), ordering="demand_number")
    def demand_link(self, obj: ContactReveal) -> str:
        return f"#{obj.demand_number}"

    @admin.display(description=_("fields shown"))
    def fields_shown(self, obj: ContactReveal) -> str:
        return "、".join(contact_label(name) if name in CONTACT_FIELDS else name for name in obj.fields) or "—"
