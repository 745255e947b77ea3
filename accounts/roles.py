"""The platform's roles. Each is a Django group of the same code; permissions per room are
declared in that room's rules.py with the predicates below (django-rules)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import rules
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    STRATEGY_EDITOR = "strategy_editor"
    DEPARTMENT_STAFF = "department_staff"
    MODERATOR = "moderator"
    STEERING_GROUP = "steering_group"
    CITIZEN = "citizen"
    ORGANISATION_REP = "organisation_rep"
    ANNOUNCEMENTS_EDITOR = "announcements_editor"


ROLE_LABELS = {
    Role.ADMINISTRATOR: _("Administrator"),
    Role.STRATEGY_EDITOR: _("Strategy editor"),
    Role.DEPARTMENT_STAFF: _("Department staff"),
    Role.MODERATOR: _("Moderator"),
    Role.STEERING_GROUP: _("Steering-group member"),
    Role.CITIZEN: _("Citizen"),
    Role.ORGANISATION_REP: _("Organisation representative"),
    Role.ANNOUNCEMENTS_EDITOR: _("Announcements editor"),
}

# Roles that work in the back office (Django admin) and so get is_staff. The steering group writes the
# yearly evaluation there (strategy.EvaluationCycle); the back office shows each role only what its
# permissions (rules.py of each room) allow. An announcements editor (a dispatcher, the press office, a
# utility's liaison) publishes the city's notices on the staff pages without being a department's staff;
# staff too, so that their account needs a second factor like every account that speaks for the city.
STAFF_ROLES = {Role.ADMINISTRATOR, Role.STRATEGY_EDITOR, Role.DEPARTMENT_STAFF, Role.MODERATOR, Role.STEERING_GROUP,
               Role.ANNOUNCEMENTS_EDITOR}


def role_codes(user: Any) -> frozenset[str]:
    """The user's role codes, read once per request (cached on the user object)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_codes", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_codes = cached
    return cached


def _has(role: Role) -> Any:
    @rules.predicate(name=f"has_role_{role.value}")
    def predicate(user: Any) -> bool:
        if getattr(user, "is_superuser", False):
            return True
        return role.value in role_codes(user)

    return predicate


is_administrator = _has(Role.ADMINISTRATOR)
is_strategy_editor = _has(Role.STRATEGY_EDITOR)
is_department_staff = _has(Role.DEPARTMENT_STAFF)
is_moderator = _has(Role.MODERATOR)
is_steering_group = _has(Role.STEERING_GROUP)
is_citizen = _has(Role.CITIZEN)
is_organisation_rep = _has(Role.ORGANISATION_REP)
is_announcements_editor = _has(Role.ANNOUNCEMENTS_EDITOR)
is_signed_in = rules.is_authenticated
