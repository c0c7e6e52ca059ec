"""Writes to the guide: matters keep their history and who reviewed them last."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from buildings.models import User
from services.models import Department

from . import changes
from .models import MATTER_FIELDS, Matter, MatterRevision


class MatterError(Exception):
    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _snapshot(matter: Matter) -> dict[str, Any]:
    return {name: getattr(matter, name) for name in MATTER_FIELDS}


@transaction.atomic
def matter_create(*, department: Department, actor: User | None, **fields: Any) -> Matter:
    """A new matter, reviewed now by its creator (the department's staff)."""
    unknown = set(fields) - set(MATTER_FIELDS) - {"service"}
    if unknown:
        raise TypeError(f"unknown matter fields: {sorted(unknown)}")
    now = timezone.now()
    matter = Matter(department=department, reviewed_at=now, reviewed_by=actor, updated_at=now, **fields)
    if not matter.title.strip():
        raise MatterError(_("A matter needs a title."))
    matter.full_clean()
    matter.save()
    changes.matter_changed(matter.pk)
    return matter


@transaction.atomic
def matter_update(*, matter: Matter, actor: User | None, expected_version: int, **fields: Any) -> Matter:
    """Edits a matter as a compare-and-set on its version; the old text goes to its history.

    Saving counts as a review: the department looked at the matter and stands by it now.
    """
    unknown = set(fields) - set(MATTER_FIELDS)
    if unknown:
        raise TypeError(f"unknown matter fields: {sorted(unknown)}")
    current = Matter.objects.select_for_update().get(pk=matter.pk)
    if current.version != expected_version:
        raise MatterError(
            _("This matter was changed by someone else since you opened it. Reload it and try again."), code="stale"
        )
    before = _snapshot(current)
    changed = [name for name, value in fields.items() if before[name] != value]
    now = timezone.now()
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    if changed:
        MatterRevision.objects.create(
            matter=current, version=current.version, snapshot=before, changed=changed, actor=actor, created_at=now
        )
    Matter.objects.filter(pk=current.pk).update(
        **{name: getattr(current, name) for name in fields},
        version=F("version") + (1 if changed else 0),
        reviewed_at=now,
        reviewed_by=actor,
        updated_at=now if changed else current.updated_at,
    )
    changes.matter_changed(current.pk)
    current.refresh_from_db()
    return current


@transaction.atomic
def matter_mark_reviewed(*, matters: list[Matter], actor: User | None) -> int:
    """The department checked these matters and they still hold: stamps the review, changes nothing else."""
    return Matter.objects.filter(pk__in=[m.pk for m in matters]).update(reviewed_at=timezone.now(), reviewed_by=actor)
