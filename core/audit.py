"""Writing the audit trail. Call record() inside the service's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from core.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    email = getattr(actor, "email", "") or ""
    return f"user:{actor.pk} {email}".strip()


def record(actor: Any, action: str, target: models.Model | None = None,
           changes: dict[str, Any] | None = None) -> AuditEntry:
    """Write one audit row. `actor` is a user, a label such as "loader:strategy.yaml", or None."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("core.audit.record must be called inside the service's transaction")
    user: Any = actor if isinstance(actor, models.Model) else None
    entry = AuditEntry(
        actor=user,
        actor_label=actor_label(actor)[:200],
        action=action,
        changes=_jsonable(changes or {}),
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(type(target))
        entry.target_id = str(target.pk)
        entry.target_label = str(target)[:300]
    entry.save()
    return entry


def diff(instance: models.Model, fields: Iterable[str], new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changes."""
    changes: dict[str, list[Any]] = {}
    for name in fields:
        if name not in new_values:
            continue
        old = getattr(instance, name)
        new = new_values[name]
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def history_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(type(obj)), target_id=str(obj.pk)
    ).select_related("actor")
