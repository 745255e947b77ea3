"""Who may do what in the participation room (django-rules; autodiscovered).

"Verified" means an account whose email address was confirmed (allauth), or that the city gave a
role (citizen, organisation representative, staff): one person, one response, one support.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.roles import (
    is_administrator,
    is_department_staff,
    is_moderator,
    is_organisation_rep,
    is_strategy_editor,
    role_codes,
)


@rules.predicate
def is_verified(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_participation_verified", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        cached = bool(user.is_superuser or role_codes(user)) or EmailAddress.objects.filter(
            user=user, verified=True).exists()
        user._participation_verified = cached
    return bool(cached)


@rules.predicate
def is_group_coordinator(user: Any, group: Any) -> bool:
    if group is None or not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(group, "_coordinator_ids", None)
    if cached is None:
        cached = frozenset(group.coordinators.values_list("id", flat=True))
        group._coordinator_ids = cached
    return user.pk in cached


@rules.predicate
def is_accepted_member(user: Any, group: Any) -> bool:
    if group is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(group.memberships.filter(user=user, status="accepted").exists())


@rules.predicate
def results_are_public(user: Any, consultation: Any) -> bool:
    return consultation is not None and consultation.results_public()


can_manage = is_administrator | is_strategy_editor | is_department_staff
can_moderate = is_administrator | is_moderator
can_answer_proposals = can_manage

rules.add_perm("participation.manage", can_manage)
rules.add_perm("participation.moderate", can_moderate)
rules.add_perm("participation.answer_proposal", can_answer_proposals)
rules.add_perm("participation.take_part", is_verified)
rules.add_perm("participation.represent_organisation", is_verified & (is_organisation_rep | can_manage))
rules.add_perm("participation.view_results", can_manage | results_are_public)
rules.add_perm("participation.coordinate_group", can_manage | is_group_coordinator)
rules.add_perm("participation.view_group_internal", can_manage | is_group_coordinator | is_accepted_member)
rules.add_perm("participation.upload_group_document", can_manage | is_group_coordinator)

# Back office (Django admin): the participation team manages everything; moderators see comments.
for model in ("process", "phase", "consultation", "question", "option", "response", "answer", "theme",
              "themeassignment", "themerun", "organisation", "representative", "workinggroup", "membership",
              "groupdocument", "proposal", "support", "comment", "flag", "follow", "notificationsettings",
              "notification", "event", "registration", "eventattachment", "conversation", "statement",
              "statementvote"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"participation.{action}_{model}", can_manage)
rules.add_perm("participation", can_manage | can_moderate)
rules.set_perm("participation.view_comment", can_manage | can_moderate)
rules.set_perm("participation.change_comment", can_manage | can_moderate)
rules.set_perm("participation.view_flag", can_manage | can_moderate)
rules.set_perm("participation.view_statement", can_manage | can_moderate)
rules.set_perm("participation.change_statement", can_manage | can_moderate)
