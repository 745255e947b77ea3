"""An accepted proposal and a consultation's outcome link to the strategic project that carries them out,
and the project's page shows where it came from (strategy.origins, filled by participation)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.roles import Role
from core.models import AuditEntry
from participation import services
from participation.models import Consultation, Proposal
from strategy.models import Ambition, Project
from tests.participation.conftest import build_consultation

pytestmark = pytest.mark.django_db


def _proposal(author: Any, title: str) -> Proposal:
    return services.create_proposal(author, title=title, body="A body long enough to be a real proposal text.",
                                    ambition=Ambition.objects.get(number=1))


def test_an_accepted_proposal_links_both_ways(client: Client, strategy_data: None, verified: Any,
                                              staff: Any) -> None:
    project = Project.objects.get(code="A1.O1.P4")
    proposal = _proposal(verified, "Publish the bus timetables as open data")
    with pytest.raises(ValidationError) as refused:  # not accepted yet
        services.link_to_strategy_project(staff, proposal, project)
    assert "strategy_project" in refused.value.message_dict
    assert Proposal.objects.get(pk=proposal.pk).strategy_project_id is None  # nothing half-written
    with pytest.raises(PermissionDenied):
        services.link_to_strategy_project(verified, proposal, project)
    services.answer_proposal(staff, proposal, Proposal.OfficialAnswer.ACCEPTED, "Accepted: it joins the plan.")
    services.link_to_strategy_project(staff, proposal, project)
    assert AuditEntry.objects.filter(action="participation.proposal.linked_to_strategy",
                                     target_id=str(proposal.pk), actor=staff).exists()
    project_page = client.get(project.get_absolute_url()).content.decode()
    assert "Where this project comes from" in project_page
    assert "Accepted proposal" in project_page and proposal.get_absolute_url() in project_page
    proposal_page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Carried out by the strategic project" in proposal_page and project.get_absolute_url() in proposal_page
    api = client.get(f"/api/v1/projects/{project.code}").json()
    assert [o["url"] for o in api["origins"]] == [proposal.get_absolute_url()]


def test_a_consultation_outcome_links_both_ways(client: Client, strategy_data: None, staff: Any) -> None:
    consultation = build_consultation("mobility-outcome")
    project = Project.objects.get(code="A1.O1.P2")
    services.link_to_strategy_project(staff, consultation, project, outcome="Liniile de autobuz noi vin în 2027.",
                                      outcome_en="The new bus lines come in 2027.")
    consultation = Consultation.objects.get(pk=consultation.pk)
    assert consultation.strategy_project == project
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "The new bus lines come in 2027." in page and project.get_absolute_url() in page
    project_page = client.get(project.get_absolute_url()).content.decode()
    assert "Consultation outcome" in project_page and consultation.get_absolute_url() in project_page


def test_the_project_page_query_count_does_not_grow_with_its_origins(
        client: Client, strategy_data: None, make_verified: Any, staff: Any,
        django_assert_max_num_queries: Any) -> None:
    project = Project.objects.get(code="A1.O1.P4")
    url = project.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)

    for n in range(6):
        proposal = _proposal(make_verified(), f"Proposal number {n} for open data")
        services.answer_proposal(staff, proposal, Proposal.OfficialAnswer.ACCEPTED, "Accepted by the city.")
        services.link_to_strategy_project(staff, proposal, project)
    for n in range(3):
        services.link_to_strategy_project(staff, build_consultation(f"outcome-{n}"), project, outcome="Done.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Accepted proposal") == 6 and page.count("Consultation outcome") == 3


def test_staff_link_a_proposal_in_the_back_office_audited(client: Client, strategy_data: None, verified: Any,
                                                          make_user: Any) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    proposal = _proposal(verified, "Sensors on every school")
    project = Project.objects.get(code="A1.O1.P3")
    client.force_login(admin)
    url = f"/en/admin/participation/proposal/{proposal.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data["strategy_project"] = project.pk
    refused = client.post(url, data)
    assert refused.status_code == 200 and "strategy_project" in refused.context["adminform"].form.errors
    data["official_answer"] = "accepted"
    assert client.post(url, data).status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).strategy_project == project
    assert AuditEntry.objects.filter(action="participation.proposal.updated", target_id=str(proposal.pk)).exists()
