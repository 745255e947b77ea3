"""Finding 1: every back-office page (changelist, add, change of every registered model) and every API
write, as every role and as anonymous, against the matrix of who may see what. Contact details of a
reporter appear on no back-office page; the department handling the report reads them on its inbox
page only; administrators read the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.roles import Role

ROLES = [role.value for role in Role]
SECRET_EMAIL = "reporter.private@example.org"
SECRET_PHONE = "+40 700 123 456"
SECRET_NAME = "Ioana Confidențială"

# Who may open the back-office pages of each model: (list and change pages, add page). Every role not
# listed, and anonymous visitors, are refused (403, or a redirect to the sign-in page).
STRATEGY = ({"administrator", "strategy_editor"}, {"administrator", "strategy_editor"})
PARTICIPATION = ({"administrator", "strategy_editor", "department_staff"},
                 {"administrator", "strategy_editor", "department_staff"})
ADMIN_ONLY = ({"administrator"}, {"administrator"})
NOBODY: tuple[set[str], set[str]] = (set(), set())
RESOURCES = ({"administrator", "department_staff", "strategy_editor"},
             {"administrator", "department_staff", "strategy_editor"})
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "auth.group": NOBODY, "sites.site": NOBODY, "account.emailaddress": NOBODY, "accounts.user": NOBODY,
    # allauth's OpenID Connect records (providers come from the environment; accounts/oidc_config.py): superusers.
    "socialaccount.socialapp": NOBODY, "socialaccount.socialaccount": NOBODY, "socialaccount.socialtoken": NOBODY,
    "core.auditentry": ({"administrator"}, set()),
    "core.apitoken": ADMIN_ONLY,
    "strategy.evaluationcycle": ({"administrator", "strategy_editor", "steering_group"},
                                 {"administrator", "strategy_editor", "steering_group"}),
    "participation.comment": ({"administrator", "strategy_editor", "department_staff", "moderator"}, set()),
    "participation.statement": ({"administrator", "strategy_editor", "department_staff", "moderator"},
                                {"administrator", "strategy_editor", "department_staff"}),
    "budgeting.edition": ADMIN_ONLY, "budgeting.category": ADMIN_ONLY,
    "budgeting.project": ({"administrator", "department_staff"}, set()),
    "budgeting.comment": ({"administrator", "moderator"}, set()),
    "budgeting.votingcode": ({"administrator"}, set()), "budgeting.poolresult": ({"administrator"}, set()),
    "reports.department": ADMIN_ONLY, "reports.category": ADMIN_ONLY, "reports.question": ADMIN_ONLY,
    "reports.open311key": ADMIN_ONLY,
    "reports.responsetemplate": ({"administrator", "department_staff", "moderator"},
                                 {"administrator", "department_staff"}),
    "reports.report": ({"administrator", "department_staff", "moderator"}, set()),
    "reports.flag": ({"administrator", "department_staff", "moderator"}, set()),
    "environment.station": ({"administrator", "department_staff"}, {"administrator", "department_staff"}),
    "environment.sensor": ({"administrator", "department_staff"}, {"administrator", "department_staff"}),
    "environment.quarantinedreading": ({"administrator", "department_staff"}, set()),
    "environment.alertevent": ({"administrator", "department_staff"}, set()),
    # Second factors (kind and dates only): superusers reset a colleague's; verifications: who verifies in person.
    "accounts.secondfactor": NOBODY,
    "accounts.verification": ({"administrator", "department_staff"}, set()),
    # Announcements are published from the staff pages; the back office only lists them (public content).
    "announcements.announcement": ({"administrator", "department_staff", "moderator", "steering_group",
                                    "strategy_editor", "announcements_editor"}, set()),
    # The delivery log and events for those who answer for the messages; people's endpoints: administrators.
    "notifications.delivery": ({"administrator", "moderator"}, set()),
    "notifications.eventrecord": ({"administrator", "moderator"}, set()),
    "notifications.endpoint": ({"administrator"}, set()), "notifications.preferences": ({"administrator"}, set()),
    "notifications.subscription": ({"administrator"}, set()),
    # Harvested datasets come only from `manage.py harvest_ckan`: superusers.
    "opendata.externaldataset": NOBODY, "opendata.harvestsource": NOBODY,
    "resources.fundingprogramme": RESOURCES, "resources.space": RESOURCES, "resources.spaceapplication": RESOURCES,
    "resources.initiative": ({"administrator", "department_staff", "moderator", "strategy_editor"},
                             {"administrator", "department_staff", "strategy_editor"}),
    "resources.organisation": ({"administrator", "department_staff", "moderator", "strategy_editor"},
                               {"administrator", "department_staff", "strategy_editor"}),
}


def _expected(label: str) -> tuple[set[str], set[str]]:
    if label in EXPECTED:
        return EXPECTED[label]
    app = label.split(".")[0]
    if app == "strategy":
        return STRATEGY
    if app == "participation":
        return PARTICIPATION
    raise AssertionError(f"{label}: a new back-office page; add it to EXPECTED")


@pytest.fixture
def people(make_user: Any, reference: dict[str, Any]) -> dict[str, Any]:
    from reports.models import Department

    users = {role: make_user(Role(role), email=f"{role}@example.org") for role in ROLES}
    Department.objects.get(slug="drumuri").members.add(users["department_staff"])
    return users


@pytest.fixture
def reports_of_two_departments(make_report: Any, people: dict[str, Any]) -> dict[str, Any]:
    from reports import services

    own = make_report("potholes", email=SECRET_EMAIL, name=SECRET_NAME, phone=SECRET_PHONE)
    other = make_report("street-lighting", email=SECRET_EMAIL, name=SECRET_NAME, phone=SECRET_PHONE)
    assert own.department.slug == "drumuri" and other.department.slug != "drumuri"
    services.flag_report("tests", own, "spam", "", "source-1")
    services.flag_report("tests", other, "spam", "", "source-2")
    return {"own": own, "other": other}


def _client(people: dict[str, Any], role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(people[role])
    return client


def _allowed(status: int) -> bool:
    assert status in (200, 302, 403), status  # never a 500, never a 404 page for a refusal
    return status == 200


@pytest.mark.django_db
def test_every_back_office_page_as_every_role(people: dict[str, Any], reports_of_two_departments: dict[str, Any],
                                              strategy_data: None) -> None:
    clients = {role: _client(people, role) for role in ["anonymous", *ROLES]}
    mismatches = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        viewers, adders = _expected(label)
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        if label == "reports.report":
            obj = reports_of_two_departments["own"]
        pages = {"list": reverse(f"{name}_changelist"), "add": reverse(f"{name}_add")}
        if obj is not None:
            pages["change"] = reverse(f"{name}_change", args=[obj.pk])
        for role, client in clients.items():
            for page, url in pages.items():
                expected = role in (adders if page == "add" else viewers)
                if page == "add" and not model_admin.has_add_permission(_request_as(people, "administrator")):
                    expected = False  # nobody adds these here (reports come through the inbox)
                if _allowed(client.get(url).status_code) != expected:
                    mismatches.append((label, page, role, expected))
    assert mismatches == []


def _request_as(people: dict[str, Any], role: str) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = people[role]
    return request


@pytest.mark.django_db
def test_department_staff_see_only_their_departments_reports_and_flags(
        people: dict[str, Any], reports_of_two_departments: dict[str, Any]) -> None:
    staff = _client(people, "department_staff")
    own, other = reports_of_two_departments["own"], reports_of_two_departments["other"]
    listing = staff.get(reverse("admin:reports_report_changelist")).content.decode()
    assert f"/report/{own.pk}/change/" in listing and f"/report/{other.pk}/change/" not in listing
    assert staff.get(reverse("admin:reports_report_change", args=[own.pk])).status_code == 200
    assert staff.get(reverse("admin:reports_report_change", args=[other.pk])).status_code in (302, 403)
    flags = staff.get(reverse("admin:reports_flag_changelist")).content.decode()
    assert flags.count("/flag/") == 1
    moderator = _client(people, "moderator").get(reverse("admin:reports_report_changelist")).content.decode()
    assert f"/report/{own.pk}/change/" in moderator and f"/report/{other.pk}/change/" in moderator


@pytest.mark.django_db
def test_no_back_office_page_shows_a_reporters_contact_details(
        people: dict[str, Any], reports_of_two_departments: dict[str, Any]) -> None:
    from reports.models import Flag

    own = reports_of_two_departments["own"]
    flag = Flag.objects.filter(report=own).first()
    assert flag is not None
    for role in ("administrator", "department_staff", "moderator"):
        client = _client(people, role)
        for url in (reverse("admin:reports_report_changelist"),
                    reverse("admin:reports_report_change", args=[own.pk]),
                    reverse("admin:reports_flag_changelist"),
                    reverse("admin:reports_flag_change", args=[flag.pk])):
            page = client.get(url).content.decode()
            for secret in (SECRET_EMAIL, SECRET_PHONE, SECRET_NAME):
                assert secret not in page, (role, url, secret)
        # Nor can a report be found by its reporter's e-mail address.
        found = client.get(reverse("admin:reports_report_changelist") + "?q=" + SECRET_EMAIL).content.decode()
        assert f"/report/{own.pk}/change/" not in found


@pytest.mark.django_db
def test_contact_details_only_on_the_handling_departments_inbox_page(
        people: dict[str, Any], reports_of_two_departments: dict[str, Any]) -> None:
    from core.models import AuditEntry

    own, other = reports_of_two_departments["own"], reports_of_two_departments["other"]
    staff = _client(people, "department_staff")
    page = staff.get(reverse("reports:staff_report", args=[own.pk]) + "?contact=1").content.decode()
    assert SECRET_EMAIL in page and SECRET_PHONE in page
    assert AuditEntry.objects.filter(action="reports.report.contact_viewed", target_id=str(own.pk)).count() == 1
    refused = staff.get(reverse("reports:staff_report", args=[other.pk]) + "?contact=1")
    assert refused.status_code == 403 and SECRET_EMAIL not in refused.content.decode()
    for role in ("strategy_editor", "steering_group", "citizen", "organisation_rep"):
        response = _client(people, role).get(reverse("reports:staff_report", args=[own.pk]) + "?contact=1")
        assert response.status_code in (302, 403) and SECRET_EMAIL not in response.content.decode()


@pytest.mark.django_db
def test_administrators_read_the_audit_trail_and_no_one_edits_it(people: dict[str, Any]) -> None:
    from core import audit
    from core.models import AuditEntry

    audit.record("tests", "tests.something_happened", people["citizen"], {"what": "a test"})
    entry = AuditEntry.objects.latest("pk")
    administrator = _client(people, "administrator")
    listing = administrator.get(reverse("admin:core_auditentry_changelist"))
    assert listing.status_code == 200 and "tests.something_happened" in listing.content.decode()
    assert administrator.get(reverse("admin:core_auditentry_change", args=[entry.pk])).status_code == 200
    assert administrator.post(reverse("admin:core_auditentry_delete", args=[entry.pk]),
                              {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def _write_operations() -> list[tuple[str, str, bool]]:
    """(method, path, needs authentication) of every API write, path parameters filled in."""
    import re

    from smartcity.api import api

    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method.lower() in ("post", "put", "patch", "delete"):
                concrete = re.sub(r"\{[^}]+\}", "1", path)
                operations.append((method.upper(), concrete, bool(operation.get("security"))))
    return operations


@pytest.mark.django_db
def test_every_api_write_as_every_role_and_anonymous(people: dict[str, Any]) -> None:
    operations = _write_operations()
    assert len(operations) >= 3
    for role in ["anonymous", *ROLES]:
        client = _client(people, role)
        for method, path, needs_auth in operations:
            response = client.generic(method, path, data="{}", content_type="application/json")
            assert response.status_code < 500, (role, method, path)
            assert not 200 <= response.status_code < 300, (role, method, path, response.status_code)
            if needs_auth and role == "anonymous":
                assert response.status_code in (401, 403), (method, path, response.status_code)
