"""Proposals, supports and the threshold that obliges an answer; threaded comments, flags and
moderation; follows; in-site and email notifications (immediate or daily digest)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from participation import notifications, services
from participation.models import Comment, Process, Proposal, Support
from tests.addresses import localized
from tests.participation.notices import notices, notified

pytestmark = pytest.mark.django_db


@pytest.fixture
def ambition(strategy_data: None) -> Any:
    from strategy.models import Ambition

    return Ambition.objects.get(number=1)


@pytest.fixture
def process(strategy_data: None) -> Process:
    return Process.objects.create(slug="decidem-2026", title_en="DECIDEM 2026", proposals_open=True,
                                  support_threshold=3)


@pytest.fixture
def proposal(verified: Any, ambition: Any, process: Process) -> Proposal:
    return services.create_proposal(verified, title="More benches in Parcul Rozelor",
                                    body="Older people need places to rest along the main alleys of the park.",
                                    ambition=ambition, process=process)


def test_verified_citizen_submits_a_proposal_through_the_page(client: Client, verified: Any, ambition: Any,
                                                              process: Process) -> None:
    client.force_login(verified)
    response = client.post(f"/en/participation/proposals/new/?process={process.slug}", {
        "title": "Open data on tram delays", "ambition": ambition.pk,
        "body": "Publish live delay data for every tram line so that apps can use it.", "process_slug": process.slug})
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="Open data on tram delays")
    assert proposal.process == process and proposal.author == verified
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Open data on tram delays" in page and verified.email not in page


def test_proposal_form_rejects_bad_input_field_by_field(client: Client, verified: Any, ambition: Any) -> None:
    client.force_login(verified)
    response = client.post("/en/participation/proposals/new/", {"title": "short", "body": "too short",
                                                                "ambition": "999"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ensure this value has at least 10 characters" in body
    assert "Ensure this value has at least 30 characters" in body
    assert "Select a valid choice" in body
    assert not Proposal.objects.exists()


def test_unverified_accounts_cannot_propose_or_support(client: Client, unverified: Any, proposal: Proposal,
                                                       ambition: Any) -> None:
    client.force_login(unverified)
    assert client.get("/en/participation/proposals/new/").status_code == 403
    assert client.post(f"/en/participation/proposals/{proposal.pk}/support/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.create_proposal(unverified, title="x" * 20, body="y" * 40, ambition=ambition)


def test_one_support_per_account_and_threshold_obliges_an_answer(proposal: Proposal, make_verified: Any,
                                                                 make_user: Any) -> None:
    official = make_user(Role.DEPARTMENT_STAFF)
    supporters = [make_verified() for _ in range(3)]
    services.support_proposal(supporters[0], proposal)
    with pytest.raises(ValidationError, match="already support"):
        services.support_proposal(supporters[0], proposal)
    assert Support.objects.filter(proposal=proposal).count() == 1
    services.support_proposal(supporters[1], proposal)
    proposal.refresh_from_db()
    assert proposal.threshold_reached_at is None
    services.support_proposal(supporters[2], proposal)
    proposal.refresh_from_db()
    assert proposal.support_count == 3 and proposal.threshold_reached_at is not None
    assert notified(official, "proposal.threshold")
    assert notified(proposal.author, "proposal.threshold")


def test_withdrawing_support_and_supports_close_after_a_final_answer(proposal: Proposal, make_verified: Any,
                                                                     staff: Any) -> None:
    supporter = make_verified()
    services.support_proposal(supporter, proposal)
    services.withdraw_support(supporter, proposal)
    assert proposal.support_count == 0
    services.answer_proposal(staff, proposal, "accepted", "The parks department will add 20 benches in 2026.")
    with pytest.raises(ValidationError, match="answered"):
        services.support_proposal(supporter, proposal)


def test_official_answer_by_staff_only_and_author_is_notified(client: Client, proposal: Proposal, citizen: Any,
                                                              staff: Any) -> None:
    url = f"/en/participation/proposals/{proposal.pk}/answer/"
    client.force_login(citizen)
    assert client.post(url, {"state": "accepted", "text": "Yes we will."}).status_code == 403
    client.force_login(staff)
    bad = client.post(url, {"state": "maybe", "text": "short"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert client.post(url, {"state": "evaluating", "text": "The parks department is costing it."}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.official_answer == "evaluating" and proposal.answered_at is not None
    [note] = notices(proposal.author, "proposal.answered")
    # Written in the recipient's language (the platform's default, Romanian, when none is chosen).
    assert "În evaluare" in note and proposal.title in note


def test_author_withdraws_only_without_supports(proposal: Proposal, make_verified: Any) -> None:
    other = make_verified()
    with pytest.raises(PermissionDenied):
        services.withdraw_proposal(other, proposal)
    services.support_proposal(other, proposal)
    with pytest.raises(ValidationError):
        services.withdraw_proposal(proposal.author, proposal)


def test_threaded_comments_notify_followers_and_parent_author(client: Client, proposal: Proposal,
                                                              make_verified: Any) -> None:
    alice, bob = make_verified(display_name="Alice"), make_verified()
    client.force_login(alice)
    url = f"/en/participation/comments/proposal/{proposal.pk}/"
    assert client.post(url, {"body": "Good idea, and shade too."}).status_code == 302
    first = Comment.objects.get()
    assert notified(proposal.author, "comment.created")
    client.force_login(bob)
    client.post(url, {"body": "Agreed.", "parent": first.pk})
    reply = Comment.objects.get(parent=first)
    assert reply.depth == 1
    assert notified(alice, "comment.created")
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert f'id="comment-{reply.pk}"' in page and "Alice" in page
    assert alice.email not in page and bob.email not in page
    # Empty or oversized comments are refused with the field named.
    client.post(url, {"body": ""})
    client.post(url, {"body": "x" * 3001})
    assert Comment.objects.count() == 2


def test_three_reports_hide_a_comment_until_a_moderator_decides(client: Client, proposal: Proposal,
                                                                make_verified: Any, moderator: Any) -> None:
    comment = services.add_comment(make_verified(), proposal, "Buy cheap watches at spam.example")
    reporters = [make_verified() for _ in range(3)]
    services.flag_comment(reporters[0], comment, "spam")
    with pytest.raises(ValidationError):
        services.flag_comment(reporters[0], comment, "spam")
    with pytest.raises(ValidationError):
        services.flag_comment(reporters[1], comment, "no-such-reason")
    services.flag_comment(reporters[1], comment, "spam")
    services.flag_comment(reporters[2], comment, "offensive")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING and comment.flag_count == 3
    assert notified(moderator, "comment.flagged")
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "spam.example" not in page and "hidden until a moderator reviews it" in page
    with pytest.raises(PermissionDenied):
        services.moderate_comment(reporters[0], comment, hide=False)
    client.force_login(moderator)
    assert client.post(f"/en/participation/comments/{comment.pk}/moderate/", {"action": "hide"}).status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


def test_flag_form_names_the_field(client: Client, proposal: Proposal, make_verified: Any) -> None:
    comment = services.add_comment(make_verified(), proposal, "Hello")
    client.force_login(make_verified())
    response = client.post(f"/en/participation/comments/{comment.pk}/flag/", {"reason": "boring"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_no_comments_on_hidden_proposals(proposal: Proposal, moderator: Any, verified: Any) -> None:
    services.moderate_proposal(moderator, proposal, hide=True)
    with pytest.raises(ValidationError):
        services.add_comment(verified, proposal, "Still here?")


def test_moderator_hides_a_proposal(client: Client, proposal: Proposal, moderator: Any, citizen: Any) -> None:
    client.force_login(citizen)
    assert client.post(f"/en/participation/proposals/{proposal.pk}/moderate/", {"action": "hide"}).status_code == 403
    services.moderate_proposal(moderator, proposal, hide=True, reason="insults")
    client.logout()
    assert client.get(proposal.get_absolute_url()).status_code == 410
    assert proposal.title not in client.get("/en/participation/proposals/").content.decode()


def test_immediate_emails_and_daily_digest(proposal: Proposal, make_verified: Any, staff: Any) -> None:
    """Through the notifications pipeline: each person's choice (at once, daily digest, never) holds for
    participation's notices; the notice is on the site for everyone."""
    immediate, digest, never = make_verified(), make_verified(), make_verified()
    services.set_email_mode(immediate, "immediate")
    services.set_email_mode(never, "never")
    services.set_email_mode(digest, "daily")
    assert proposal.author is not None
    services.set_email_mode(proposal.author, "daily")
    for user in (immediate, digest, never):
        services.set_following(user, proposal, follow=True)
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        services.set_email_mode(immediate, "hourly")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.answer_proposal(staff, proposal, "accepted", "Twenty benches are ordered for spring.")
    assert [m.to for m in mail.outbox] == [[immediate.email]]
    from django.contrib.sites.models import Site

    domain = Site.objects.get_current().domain  # SITE_DOMAIN, applied by migrate
    language = immediate.preferred_language or "ro"
    assert f"http://{domain}{localized(f'/{language}/participation/proposals/{proposal.pk}/')}" in mail.outbox[0].body
    from notifications import inbox, pipeline
    from notifications.models import Delivery

    for user in (immediate, digest, never, proposal.author):
        assert inbox.unread_count(user, room="participation") == 1  # on the site, whatever the e-mail choice
    mail.outbox.clear()
    Delivery.objects.filter(digest="daily").update(next_attempt_at=timezone.now())  # the digest hour comes
    sent = pipeline.send_digests()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([digest.email, proposal.author.email])
    assert sent == len(recipients)
    assert pipeline.send_digests() == 0  # nothing twice


def test_notification_page_and_settings(client: Client, verified: Any) -> None:
    from django.test import TestCase

    from participation.notifications import email_mode

    client.force_login(verified)
    response = client.post("/en/participation/notifications/", {"email_mode": "weekly"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert client.post("/en/participation/notifications/", {"email_mode": "immediate"}).status_code == 302
    assert email_mode(verified) == "immediate"
    assert client.post("/en/participation/notifications/", {"email_mode": "never"}).status_code == 302
    assert email_mode(verified) == "never"
    with TestCase.captureOnCommitCallbacks(execute=True):
        notifications.notify([verified], "test", lambda: "Hello there", "/en/participation/")
    page = client.get("/en/participation/notifications/").content.decode()
    assert "Hello there" in page and '/participation/"' in page
    client.post("/en/participation/notifications/", {"action": "read"})
    from notifications import inbox

    assert inbox.unread_count(verified) == 0


def test_proposal_list_filters_and_constant_queries(client: Client, proposal: Proposal, verified: Any,
                                                    ambition: Any, django_assert_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = client.get("/en/participation/proposals/?ambition=1&answer=none&sort=new").content.decode()
    assert proposal.title in body
    assert proposal.title not in client.get("/en/participation/proposals/?ambition=2").content.decode()
    assert client.get("/en/participation/proposals/?ambition=x&answer=<script>&sort=zzz").status_code == 200
    with CaptureQueriesContext(connection) as first:
        client.get("/en/participation/proposals/")
    for i in range(6):
        services.create_proposal(verified, title=f"Proposal number {i} for the city", body="b" * 40,
                                 ambition=ambition)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/en/participation/proposals/")


def test_proposal_page_constant_queries(client: Client, proposal: Proposal, make_verified: Any,
                                        django_assert_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = make_verified()
    client.force_login(viewer)
    client.get(proposal.get_absolute_url())
    with CaptureQueriesContext(connection) as first:
        client.get(proposal.get_absolute_url())
    for i in range(4):
        comment = services.add_comment(make_verified(), proposal, f"Comment {i}")
        services.add_comment(make_verified(), proposal, f"Reply {i}", parent=comment)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(proposal.get_absolute_url())


def test_deleting_an_account_keeps_its_support_and_answers_anonymous(proposal: Proposal, make_verified: Any,
                                                                      strategy_data: None) -> None:
    from participation.models import Response
    from tests.participation.conftest import build_consultation

    supporter = make_verified()
    services.support_proposal(supporter, proposal)
    consultation = build_consultation("gone")
    services.start_response(supporter, consultation)
    supporter.delete()
    proposal.refresh_from_db()
    assert proposal.support_count == 1 and Support.objects.filter(proposal=proposal, user__isnull=True).count() == 1
    assert Response.objects.filter(consultation=consultation, respondent__isnull=True).count() == 1


def test_unread_notifications_are_counted_in_the_room_menu(client: Client, verified: Any) -> None:
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        notifications.notify([verified], "test", lambda: "Hello", "/en/participation/")
    client.force_login(verified)
    assert "1 new" in client.get("/en/participation/").content.decode()


def test_who_never_chose_gets_participations_notices_in_the_daily_digest(proposal: Proposal, make_verified: Any,
                                                                         staff: Any) -> None:
    """participation's old default (a daily digest) holds for people without a preference; other rooms'
    events still reach them at once, and an explicit choice wins."""
    from django.test import TestCase

    from notifications.events import Event, publish
    from notifications.models import Delivery, Preferences
    from participation.notifications import email_mode

    follower, chose_at_once = make_verified(), make_verified()
    for user in (follower, chose_at_once):
        services.set_following(user, proposal, follow=True)
    services.set_email_mode(chose_at_once, "immediate")
    assert not Preferences.objects.filter(user=follower).exists() and email_mode(follower) == "daily"
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.answer_proposal(staff, proposal, "accepted", "Twenty benches are ordered for spring.")
    assert [m.to for m in mail.outbox] == [[chose_at_once.email]]
    assert Delivery.objects.get(user=follower, channel="email").digest == "daily"
    with TestCase.captureOnCommitCallbacks(execute=True):  # another room's event: at once
        publish(Event(kind="reports.status_changed", room="reports", subject="reports.report:1",
                      title={"ro": "Rezolvat", "en": "Fixed"}, body={}, url="/reports/1/",
                      recipient_user_ids=(follower.pk,)))
    assert Delivery.objects.get(user=follower, channel="email", event__room="reports").digest == "immediate"
