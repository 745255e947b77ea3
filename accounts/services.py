"""State changes on accounts: one transaction each, audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import STAFF_ROLES, Role
from core import audit


@transaction.atomic
def assign_role(actor: Any, user: User, role: Role) -> None:
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_codes", None)
    audit.record(actor, "accounts.role_assigned", user, {"role": role.value})


@transaction.atomic
def remove_role(actor: Any, user: User, role: Role) -> None:
    user.groups.remove(*Group.objects.filter(name=role.value))
    remaining = set(user.groups.values_list("name", flat=True))
    if user.is_staff and not user.is_superuser and not remaining & {r.value for r in STAFF_ROLES}:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_role_codes", None)
    audit.record(actor, "accounts.role_removed", user, {"role": role.value})


@transaction.atomic
def delete_account(user: User) -> dict[str, dict[str, int]]:
    """GDPR article 17: every room erases the person's private data and keeps their public contributions
    without them (accounts.personal_data), then the account row goes. One transaction: all or nothing.
    The audit row says an account was deleted and how many records of each kind, never who."""
    from accounts import personal_data

    counts = personal_data.erase(user)
    audit.record("accounts.self_service", "accounts.account_deleted", None, {"erased": counts})
    return counts


@transaction.atomic
def set_consent(user: Any, text: Any, given: bool, context: str) -> None:
    from accounts import consents

    consents.record(user, text, given=given, context=context)
    audit.record(user, "accounts.consent_given" if given else "accounts.consent_withdrawn", None,
                 {"kind": text.kind, "version": text.version})
