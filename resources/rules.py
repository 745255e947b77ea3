"""Who may do what in the resources room (django-rules; autodiscovered).

Representatives manage their own organisation's entry; staff verify, moderate and handle applications
for spaces; anyone with a confirmed address may register an organisation or propose an initiative.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.roles import is_administrator, is_department_staff, is_moderator, is_strategy_editor, role_codes


@rules.predicate
def is_verified(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_resources_verified", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        cached = bool(user.is_superuser or role_codes(user)) or EmailAddress.objects.filter(
            user=user, verified=True).exists()
        user._resources_verified = cached
    return bool(cached)


@rules.predicate
def represents(user: Any, organisation: Any) -> bool:
    if organisation is None or not getattr(user, "is_authenticated", False):
        return False
    from resources.models import Representative

    return Representative.objects.filter(organisation=organisation, user=user).exists()


can_manage = is_administrator | is_strategy_editor | is_department_staff
can_moderate = is_administrator | is_moderator | is_department_staff

rules.add_perm("resources.register_organisation", is_verified)
rules.add_perm("resources.change_organisation_entry", can_manage | (is_verified & represents))
rules.add_perm("resources.verify_organisation", can_manage)
rules.add_perm("resources.moderate", can_moderate)
rules.add_perm("resources.apply_for_space", is_verified & represents)
rules.add_perm("resources.handle_applications", can_manage)
rules.add_perm("resources.propose_initiative", is_verified)

# Back office (Django admin): city staff manage everything; moderators see organisations and initiatives.
for model in ("organisation", "representative", "invitation", "location", "service", "space", "spacephoto",
              "spaceapplication", "applicationstep", "fundingprogramme", "fundingreminder", "initiative",
              "mapitem"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"resources.{action}_{model}", can_manage)
rules.add_perm("resources", can_manage | can_moderate)
for model in ("organisation", "initiative"):
    rules.set_perm(f"resources.view_{model}", can_manage | can_moderate)
