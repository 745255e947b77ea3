"""Every state change of the strategy room: one function, one transaction, one audit row.

The back office (admin.py), the API (api.py) and the jobs (tasks.py) call these; nothing
else writes strategy data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from strategy import kpi_providers
from strategy.models import KPI, Measurement, Milestone, Project, ProjectStatus, ProjectUpdate


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if user is not None and not isinstance(user, str) and not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


@transaction.atomic
def save_object(actor: Any, instance: models.Model, changed_fields: list[str] | None = None,
                *, is_new: bool = False) -> models.Model:
    """Generic audited save for back-office edits of reference data."""
    label = instance._meta.label_lower
    if is_new:
        instance.save()
        audit.record(actor, f"{label}.created", instance)
        return instance
    previous = type(instance)._default_manager.get(pk=instance.pk)
    fields = changed_fields or [f.attname for f in instance._meta.concrete_fields]
    changes = audit.diff(previous, fields, {name: getattr(instance, name) for name in fields})
    instance.save()
    if changes:
        audit.record(actor, f"{label}.updated", instance, changes)
    return instance


@transaction.atomic
def delete_object(actor: Any, instance: models.Model) -> None:
    label = instance._meta.label_lower
    audit.record(actor, f"{label}.deleted", instance, {"deleted": str(instance)})
    instance.delete()


@transaction.atomic
def update_project(actor: Any, project: Project, values: dict[str, Any], *, public_note: str = "") -> Project:
    """Edit a project. A status or progress change also publishes a dated public update."""
    _require(actor, "strategy.change_project", project)
    locked = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    old_status, old_progress = locked.status, locked.progress
    changes = audit.diff(locked, values.keys(), values)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    if changes:
        audit.record(actor, "strategy.project.updated", locked, changes)
    user = actor if hasattr(actor, "pk") else None
    if locked.status != old_status:
        ProjectUpdate.objects.create(
            project=locked, kind=ProjectUpdate.Kind.STATUS, author=user, old_status=old_status,
            new_status=locked.status, old_progress=old_progress, new_progress=locked.progress,
            text_en=public_note, text_ro=public_note,
        )
    elif locked.progress != old_progress:
        ProjectUpdate.objects.create(
            project=locked, kind=ProjectUpdate.Kind.PROGRESS, author=user, old_progress=old_progress,
            new_progress=locked.progress, text_en=public_note, text_ro=public_note,
        )
    elif public_note:
        ProjectUpdate.objects.create(project=locked, kind=ProjectUpdate.Kind.NOTE, author=user,
                                     text_en=public_note, text_ro=public_note)
    project.refresh_from_db()
    return locked


def change_project_status(actor: Any, project: Project, status: str, *, note: str = "") -> Project:
    if status not in ProjectStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)s.") % {"status": status}})
    return update_project(actor, project, {"status": status}, public_note=note)


def set_project_progress(actor: Any, project: Project, progress: int, *, note: str = "") -> Project:
    return update_project(actor, project, {"progress": progress}, public_note=note)


@transaction.atomic
def save_milestone(actor: Any, milestone: Milestone) -> Milestone:
    _require(actor, "strategy.change_project", milestone.project)
    is_new = milestone.pk is None
    previous = None if is_new else Milestone.objects.get(pk=milestone.pk)
    milestone.full_clean()
    milestone.save()
    if is_new:
        audit.record(actor, "strategy.milestone.created", milestone, {"project": milestone.project.code})
    else:
        fields = ["title_en", "title_ro", "due_date", "completed_on", "order", "description"]
        changes = audit.diff(previous, fields, {f: getattr(milestone, f) for f in fields})  # type: ignore[arg-type]
        if changes:
            audit.record(actor, "strategy.milestone.updated", milestone, changes)
    if previous is not None and previous.completed_on is None and milestone.completed_on is not None:
        text = _("Milestone reached: %(title)s") % {"title": milestone.title}
        ProjectUpdate.objects.create(project=milestone.project, kind=ProjectUpdate.Kind.NOTE,
                                     author=actor if hasattr(actor, "pk") else None, text_en=text, text_ro=text)
    return milestone


@transaction.atomic
def record_measurement(actor: Any, kpi: KPI, date: dt.date, value: Decimal, *, source: str = "",
                       note: str = "") -> tuple[Measurement, bool]:
    """Add or correct the KPI's value at a date (one value per KPI and date). Returns (row, created)."""
    _require(actor, "strategy.add_measurement", kpi)
    if date > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"date": _("A measurement cannot be in the future.")})
    existing = Measurement.objects.select_for_update(of=("self",)).filter(kpi=kpi, date=date).order_by().first()
    user = actor if hasattr(actor, "pk") else None
    if existing is None:
        measurement = Measurement(kpi=kpi, date=date, value=value, source=source, note=note, created_by=user)
        measurement.full_clean()
        measurement.save()
        audit.record(actor, "strategy.measurement.created", measurement,
                     {"kpi": kpi.code, "date": date, "value": value})
        return measurement, True
    changes = audit.diff(existing, ["value", "source", "note"], {"value": value, "source": source, "note": note})
    if changes:
        existing.value, existing.source, existing.note = value, source, note
        existing.full_clean()
        existing.save()
        audit.record(actor, "strategy.measurement.updated", existing, changes)
    return existing, False


def refresh_from_provider(kpi: KPI, *, today: dt.date | None = None) -> Measurement | None:
    """Record today's value of a KPI from its registered provider (if it gives one)."""
    provider = kpi_providers.get(kpi.provider)
    value = provider.compute()
    if value is None:
        return None
    measurement, _created = record_measurement(f"provider:{provider.key}", kpi, today or timezone.localdate(),
                                               value, source=str(provider.label))
    return measurement
