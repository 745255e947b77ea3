"""Admin base classes that route every back-office edit through an audited service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from core import audit


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletions write an audit row in the same transaction (who, what, when, diff)."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        with transaction.atomic():
            label = obj._meta.label_lower
            if change and obj.pk:
                previous = type(obj)._default_manager.get(pk=obj.pk)
                fields = list(form.changed_data) if form is not None else []
                concrete = {f.name: f.attname for f in obj._meta.concrete_fields}
                attnames = [concrete[f] for f in fields if f in concrete]
                changes = audit.diff(previous, attnames, {f: getattr(obj, f) for f in attnames})
                obj.save()
                audit.record(request.user, f"{label}.updated", obj, changes or {"fields": fields})
            else:
                obj.save()
                audit.record(request.user, f"{label}.created", obj)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            audit.record(request.user, f"{obj._meta.label_lower}.deleted", obj, {"deleted": str(obj)})
            obj.delete()

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit.record(request.user, f"{obj._meta.label_lower}.deleted", obj, {"deleted": str(obj)})
            queryset.delete()
