"""Participation's part of a person's data (accounts.personal_data; docs/identity.md).

Public contributions (proposals, comments, statements, supports, consultation responses) are kept when the
account is deleted, with the author removed: they are part of public debates others answered, and the
rooms show an authorless contribution as written by "a participant". What only concerned the person
(memberships, event registrations, flags, conversation votes) is erased. What a person follows, their
notices and their e-mail choice are the notifications room's (notifications/personal_data.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts import personal_data
from accounts.personal_data import Section, section
from participation import models as m


def export(user: Any) -> list[Section]:
    return [
        section("responses", _("Consultation responses"),
                m.Response.objects.filter(respondent=user).order_by("created_at"),
                {"id": _("number"), "consultation__title": _("consultation"), "status": _("status"),
                 "age_group": _("age group"), "actor_type": _("you answered as"),
                 "neighbourhood__name": _("neighbourhood"), "created_at": _("started"),
                 "submitted_at": _("submitted")}),
        section("answers", _("Answers in your responses"),
                m.Answer.objects.filter(response__respondent=user).order_by("response_id", "pk"),
                {"response_id": _("response"), "question__text": _("question"), "option__text": _("option"),
                 "row__text": _("row"), "rank": _("rank"), "number": _("number given"), "text": _("text")}),
        section("proposals", _("Proposals"), m.Proposal.objects.filter(author=user).order_by("created_at"),
                {"id": _("number"), "title": _("title"), "body": _("proposal"), "status": _("status"),
                 "support_count": _("supports"), "created_at": _("written")}),
        section("comments", _("Comments"), m.Comment.objects.filter(author=user).order_by("created_at"),
                {"id": _("number"), "body": _("comment"), "status": _("status"), "created_at": _("written")}),
        section("statements", _("Conversation statements"),
                m.Statement.objects.filter(author=user).order_by("created_at"),
                {"id": _("number"), "conversation__title": _("conversation"), "text": _("statement"),
                 "status": _("status"), "created_at": _("written")}),
        section("statement_votes", _("Votes on conversation statements"),
                m.StatementVote.objects.filter(user=user).order_by("updated_at"),
                {"statement_id": _("statement"), "value": _("vote (1 agree, -1 disagree, 0 pass)"),
                 "updated_at": _("when")}),
        section("supports", _("Supports for proposals"), m.Support.objects.filter(user=user).order_by("created_at"),
                {"proposal_id": _("proposal"), "proposal__title": _("title"), "created_at": _("when")}),
        section("memberships", _("Working-group memberships"),
                m.Membership.objects.filter(user=user).order_by("created_at"),
                {"group__name": _("group"), "role": _("role"), "status": _("status"),
                 "expertise": _("expertise"), "availability": _("availability"),
                 "listed_publicly": _("name listed publicly"), "created_at": _("applied"),
                 "decided_at": _("decided")}),
        section("registrations", _("Event registrations"),
                m.Registration.objects.filter(user=user).order_by("created_at"),
                {"event__title": _("event"), "status": _("status"), "created_at": _("registered")}),
        section("flags", _("Comments you flagged"), m.Flag.objects.filter(user=user).order_by("created_at"),
                {"comment_id": _("comment"), "reason": _("reason"), "created_at": _("when")}),
    ]


def erase(user: Any) -> Mapping[str, int]:
    counts = {
        "responses_anonymised": m.Response.objects.filter(respondent=user).update(respondent=None),
        "proposals_anonymised": m.Proposal.objects.filter(author=user).update(author=None),
        "comments_anonymised": m.Comment.objects.filter(author=user).update(author=None),
        "statements_anonymised": m.Statement.objects.filter(author=user).update(author=None),
        "supports_anonymised": m.Support.objects.filter(user=user).update(user=None),
        "documents_anonymised": m.GroupDocument.objects.filter(uploaded_by=user).update(uploaded_by=None),
    }
    for key, queryset in (("memberships", m.Membership.objects.filter(user=user)),
                          ("registrations", m.Registration.objects.filter(user=user)),
                          ("flags", m.Flag.objects.filter(user=user)),
                          ("statement_votes", m.StatementVote.objects.filter(user=user))):
        counts[f"{key}_erased"] = queryset.delete()[0]
    m.WorkingGroup.coordinators.through.objects.filter(user=user).delete()
    return counts


def register() -> None:
    personal_data.register("participation", _("Participation"), export, erase, order=20)
