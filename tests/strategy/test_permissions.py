"""Permissions per role: who can edit the strategy in the back office, and that edits are audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.roles import Role
from core.models import AuditEntry
from strategy.models import Project, ProjectUpdate

pytestmark = pytest.mark.django_db

EDIT_URL = "/en/admin/strategy/project/{pk}/change/"


@pytest.mark.parametrize(("role", "can_edit"), [
    (Role.ADMINISTRATOR, True),
    (Role.STRATEGY_EDITOR, True),
    (Role.DEPARTMENT_STAFF, False),
    (Role.MODERATOR, False),
    (Role.STEERING_GROUP, False),
    (Role.CITIZEN, False),
    (Role.ORGANISATION_REP, False),
])
def test_project_edit_permission_per_role(client: Client, strategy_data: None, make_user: Any, role: Role,
                                          can_edit: bool) -> None:
    user = make_user(role)
    client.force_login(user)
    project = Project.objects.get(code="A1.O3.P1")
    response = client.get(EDIT_URL.format(pk=project.pk))
    if can_edit:
        assert response.status_code == 200
    else:
        assert response.status_code in {302, 403}
    assert user.has_perm("strategy.change_project") is can_edit


def test_anonymous_is_sent_to_login(client: Client, strategy_data: None) -> None:
    project = Project.objects.get(code="A1.O3.P1")
    response = client.get(EDIT_URL.format(pk=project.pk))
    assert response.status_code == 302 and "login" in response["Location"]


def test_steering_group_may_write_the_evaluation_cycle(make_user: Any) -> None:
    member = make_user(Role.STEERING_GROUP)
    assert member.has_perm("strategy.change_evaluationcycle")
    assert not member.has_perm("strategy.change_project")


def test_admin_status_change_goes_through_the_service(client: Client, strategy_data: None, editor: Any) -> None:
    client.force_login(editor)
    project = Project.objects.get(code="A1.O3.P1")
    page = client.get(EDIT_URL.format(pk=project.pk))
    form = page.context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data.update({"status": "in_progress", "progress": 30, "public_note": "Work started on the new version.",
                 "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
                 "kpis": [k.pk for k in project.kpis.all()]})
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    response = client.post(EDIT_URL.format(pk=project.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    project.refresh_from_db()
    assert project.status == "in_progress" and project.progress == 30
    update = ProjectUpdate.objects.get(project=project)
    assert update.kind == "status" and update.text_en == "Work started on the new version."
    entry = AuditEntry.objects.filter(action="strategy.project.updated").latest("id")
    assert entry.actor == editor
    assert entry.changes["status"] == ["", "in_progress"]
