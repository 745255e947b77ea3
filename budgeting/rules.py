"""Who may do what in the budgeting room (django-rules; autodiscovered).

Permissions here are about *who*; whether the edition's phase allows the action (submission open,
voting not closed...) is checked by budgeting.services, which names the reason.

* anyone: read editions that are not in preparation, projects, results, Pabulib files;
* a verified account (confirmed email, or a role given by the city): propose, support, comment;
* a verified resident (accounts.verification): vote (budgeting.services.account_may_vote);
* department staff and administrators: technical review, enter paper ballots;
* administrators: editions, phases, counting, voting codes, imports;
* moderators: hide projects and comments.
"""

from __future__ import annotations

from typing import Any

import rules

from accounts.roles import is_administrator, is_department_staff, is_moderator, role_codes


@rules.predicate
def is_verified(user: Any) -> bool:
    """A confirmed email address (allauth) or any role given by the city."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_budgeting_verified", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        cached = bool(user.is_superuser or role_codes(user)) or EmailAddress.objects.filter(
            user=user, verified=True).exists()
        user._budgeting_verified = cached
    return bool(cached)


@rules.predicate
def is_author(user: Any, project: Any) -> bool:
    return project is not None and getattr(user, "is_authenticated", False) and project.author_id == user.pk


is_reviewer = is_administrator | is_department_staff
is_manager = is_administrator

rules.add_perm("budgeting.manage_edition", is_manager)
rules.add_perm("budgeting.preview_edition", is_manager | is_reviewer)
rules.add_perm("budgeting.submit_project", is_verified)
rules.add_perm("budgeting.edit_project", is_author | is_reviewer)
rules.add_perm("budgeting.support_project", is_verified)
rules.add_perm("budgeting.comment_project", is_verified)
rules.add_perm("budgeting.review_project", is_reviewer)
rules.add_perm("budgeting.enter_paper_ballot", is_reviewer)
rules.add_perm("budgeting.generate_codes", is_manager)
rules.add_perm("budgeting.count_votes", is_manager)
rules.add_perm("budgeting.moderate", is_moderator | is_administrator)
rules.add_perm("budgeting.view_staff_pages", is_reviewer | is_moderator)

# The back office (Django admin) model permissions.
for model in ("edition", "pool", "category", "votingcode", "poolresult"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"budgeting.{action}_{model}", is_manager)
for model in ("project", "photo"):
    rules.add_perm(f"budgeting.view_{model}", is_manager | is_reviewer)
    rules.add_perm(f"budgeting.change_{model}", is_manager | is_reviewer)
    rules.add_perm(f"budgeting.add_{model}", is_manager)
    rules.add_perm(f"budgeting.delete_{model}", is_manager)
rules.add_perm("budgeting.view_comment", is_manager | is_moderator)
rules.add_perm("budgeting.change_comment", is_manager | is_moderator)
rules.add_perm("budgeting.delete_comment", is_manager)
# Ballots and vote records are never edited by hand, not even by administrators.
for model in ("ballot", "ballotchoice", "voterecord", "support"):
    for action in ("add", "change", "delete"):
        rules.add_perm(f"budgeting.{action}_{model}", rules.always_deny)
rules.add_perm("budgeting.view_ballot", is_manager)
# The app's section of the back office.
rules.add_perm("budgeting", is_manager | is_reviewer | is_moderator)
