"""Participatory budgeting's part of a person's data (accounts.personal_data; docs/identity.md).

Ballots are secret: a Ballot row has no link to its voter, only the record that the account voted in an
edition (VoteRecord) does, so a ballot cannot be exported per person. After the close it cannot be erased
either and stays in the count when the account is deleted (taking it out would change a published result,
and nobody can tell which one it is); while the vote is still open, deleting the account withdraws it. The
vote record and supports are the person's and are erased; the projects and
comments they wrote stay, public and without their author.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts import personal_data
from accounts.personal_data import Section, section
from budgeting.models import Ballot, Comment, Project, Support, VoteRecord, token_digest

BALLOT_NOTE = _("Your ballots are secret: they are stored without any link to your account, so they cannot be "
                "shown here. This list only says in which editions you voted. If you delete your account while "
                "a vote is open, your ballot in it is withdrawn; after the close it stays counted.")


def export(user: Any) -> list[Section]:
    return [
        section("projects", _("Projects you proposed"), Project.objects.filter(author=user).order_by("created_at"),
                {"id": _("number"), "edition__title": _("edition"), "title": _("title"),
                 "description": _("description"), "cost_estimate": _("estimated cost"),
                 "signed": _("your public name shown"), "status": _("status"), "created_at": _("proposed")}),
        section("comments", _("Comments on projects"), Comment.objects.filter(author=user).order_by("created_at"),
                {"project_id": _("project"), "text": _("comment"), "signed": _("your public name shown"),
                 "created_at": _("written")}),
        section("supports", _("Projects you supported"), Support.objects.filter(user=user).order_by("created_at"),
                {"project_id": _("project"), "project__title": _("title"), "created_at": _("when")}),
        section("votes", _("Editions you voted in"), VoteRecord.objects.filter(user=user).order_by("created_at"),
                {"edition__title": _("edition"), "created_at": _("date")}, note=BALLOT_NOTE),
    ]


def erase(user: Any) -> Mapping[str, int]:
    # While a vote is open the record still holds the token that finds the person's ballot (and the person
    # key that stops a second account of theirs from voting). Deleting the account then withdraws that
    # ballot, so the person keeps one voice: a new account may vote again. After the close the token is
    # blank and the ballot, no longer linkable to anyone, stays counted.
    open_tokens = [token_digest(token) for token in VoteRecord.objects.filter(user=user).exclude(token="")
                   .values_list("token", flat=True)]
    withdrawn = Ballot.objects.filter(replacement_digest__in=open_tokens).delete()[1].get("budgeting.Ballot", 0)
    return {
        "open_ballots_withdrawn": withdrawn,
        "projects_anonymised": Project.objects.filter(author=user).update(author=None, signed=False),
        "comments_anonymised": Comment.objects.filter(author=user).update(author=None, signed=False),
        "supports_erased": Support.objects.filter(user=user).delete()[0],
        "vote_records_erased": VoteRecord.objects.filter(user=user).delete()[0],
    }


def register() -> None:
    personal_data.register("budgeting", _("Participatory budgeting"), export, erase, order=40)
