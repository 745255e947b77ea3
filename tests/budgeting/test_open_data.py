"""Pabulib interoperability: importing real files (command, upload), exporting finished editions as
open data, round trips, and malformed files refused with nothing written."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from budgeting import services
from budgeting.models import Ballot, BallotChoice, Edition, Pool, PoolResult, Project, Rule, SplitBy
from budgeting.pb.pabulib import parse_pabulib, parse_pabulib_text
from budgeting.pb.rules import compute_outcome
from tests.budgeting.conftest import finish, make_edition, pabulib_file

pytestmark = pytest.mark.django_db

MALFORMED = [
    ("empty", ""),
    ("no sections", "just some text\n"),
    ("no budget", "META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\nVOTES\nvoter_id;vote\n1;1\n"),
    ("bad cost", "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;abc\n"
                 "VOTES\nvoter_id;vote\n1;1\n"),
    ("unknown project", "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n"
                        "VOTES\nvoter_id;vote\n1;7\n"),
    ("scoring", "META\nkey;value\nbudget;100\nvote_type;scoring\nPROJECTS\nproject_id;cost\n1;10\n"
                "VOTES\nvoter_id;vote;points\n1;1;-2\n"),
]


def ballots_multiset(text: str) -> Counter[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every ballot as (project ids, points), ignoring voter ids and order of voters."""
    instance = parse_pabulib_text(text)
    ids = [p.id for p in instance.projects]
    result: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = Counter()
    for voter in range(instance.num_voters):
        chosen = tuple(ids[int(p)] for p in instance.ballots.ballot(voter))
        points = tuple(str(p) for p in instance.ballots.points_of(voter))
        if instance.vote_type.value != "ordinal":
            order = sorted(range(len(chosen)), key=lambda i: chosen[i])
            chosen = tuple(chosen[i] for i in order)
            points = tuple(points[i] for i in order) if points else ()
        result[(chosen, points)] += 1
    return result


@pytest.mark.parametrize("name", [
    "Netherlands_Assen_2024.pb", "Poland_Czestochowa_2020_Grabowka.pb", "Switzerland_Zurich_S5R.pb",
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb"])
def test_import_command_then_open_data_export_keeps_every_ballot(name: str) -> None:
    path = pabulib_file(name)
    out = io.StringIO()
    call_command("import_pabulib", str(path), "--slug", "imported", "--compare", "greedy", stdout=out)
    assert "Imported" in out.getvalue()
    edition = Edition.objects.get(slug="imported")
    original = path.read_text(encoding="utf-8-sig")
    instance = parse_pabulib_text(original)
    assert edition.is_finished and edition.ballots.count() == instance.num_voters
    assert edition.projects.count() == len(instance.projects)
    response = Client().get(f"/api/v1/budgeting/editions/{edition.slug}/pabulib.pb")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="imported.pb"'
    exported = response.content.decode()
    assert ballots_multiset(exported) == ballots_multiset(original)
    again = parse_pabulib_text(exported)
    assert [p.id for p in again.projects] == [p.id for p in instance.projects]
    assert [p.cost for p in again.projects] == [p.cost for p in instance.projects]
    assert again.budget == instance.budget and dict(again.meta)["vote_type"] == instance.meta["vote_type"]
    # Voter details of the file (age, sex...) are not republished; ids are 1..n.
    assert again.ballots.voter_columns == ()
    assert set(again.ballots.voter_ids) == {str(n) for n in range(1, instance.num_voters + 1)}


def test_imported_result_equals_budgeting_pb_on_the_file_itself() -> None:
    path = pabulib_file("Netherlands_Assen_2024.pb")
    edition = services.import_pabulib("tests", path.read_text(encoding="utf-8"), slug="assen")
    assert edition.rule == Rule.MES_ADD1  # META rule equalshares/add1
    direct = compute_outcome(parse_pabulib(path), "mes-add1")
    result = PoolResult.objects.get(pool__edition=edition, is_official=True)
    by_number = dict(Project.objects.filter(edition=edition).values_list("number", "pabulib_id"))
    assert [by_number[n] for n in result.selected] == list(direct.selected)
    assert result.voters == 84
    official = set(Project.objects.filter(edition=edition, official_selected=1).values_list("pabulib_id", flat=True))
    assert official  # the city's own decision is kept for comparison
    page = Client().get(f"/en/budgeting/{edition.slug}/results/").content.decode()
    assert "City's decision" in page and "PopUp Podium" in page


@pytest.mark.parametrize(("label", "text"), MALFORMED)
def test_malformed_files_are_refused_and_nothing_is_written(label: str, text: str) -> None:
    with pytest.raises(Exception) as error:
        services.import_pabulib("tests", text, slug="bad")
    assert "file" in error.value.message_dict  # type: ignore[attr-defined]
    assert not Edition.objects.exists() and not Ballot.objects.exists()


def test_malformed_upload_is_a_400_naming_the_file_field(admin_user: Any, citizen: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    for content in (b"META\nkey;value\nbudget;1\n", b"\xff\xfe\x00binary", b""):
        upload = SimpleUploadedFile("bad.pb", content, content_type="text/plain")
        response = client.post("/en/budgeting/import/", {"file": upload, "slug": "bad"})
        assert response.status_code == 400
        assert "file" in response.context["form"].errors
    assert not Edition.objects.exists()
    other = Client()
    other.force_login(citizen)
    assert other.get("/en/budgeting/import/").status_code == 403


def test_upload_of_a_real_file_by_an_administrator(admin_user: Any) -> None:
    path = pabulib_file("Poland_Czestochowa_2020_Grabowka.pb")
    client = Client()
    client.force_login(admin_user)
    response = client.post("/en/budgeting/import/", {
        "file": SimpleUploadedFile(path.name, path.read_bytes()), "slug": "czestochowa", "compare": ["mes"]})
    assert response.status_code == 302
    assert PoolResult.objects.filter(pool__edition__slug="czestochowa").count() == 2


def test_import_refuses_a_duplicate_slug_and_unknown_rule() -> None:
    path = pabulib_file("Netherlands_Assen_2024.pb")
    text = path.read_text(encoding="utf-8")
    services.import_pabulib("tests", text, slug="assen")
    for kwargs, field in (({"slug": "assen"}, "slug"), ({"slug": "x", "rule": "dictator"}, "rule"),
                          ({"slug": "!!!"}, "slug")):
        with pytest.raises(Exception) as error:
            services.import_pabulib("tests", text, **kwargs)
        assert field in error.value.message_dict  # type: ignore[attr-defined]
    with pytest.raises(CommandError):
        call_command("import_pabulib", "/nonexistent.pb")
    with pytest.raises(CommandError):
        call_command("import_pabulib", str(path), "--slug", "assen")


def test_native_edition_export_is_anonymous_and_complete(strategy_data: Any, resident: Any,
                                                         admin_user: Any) -> None:
    edition = make_edition(costs=(400, 300, 300, 500))
    services.cast_account_ballot(resident, edition, {1: 1, 2: 1})
    for code, choices in zip(services.generate_codes("tests", edition, 2), ({1: 1}, {4: 1}), strict=True):
        services.cast_code_ballot(edition, code, choices)
    finish(edition, admin_user)
    text = Client().get(f"/api/v1/budgeting/editions/{edition.slug}/pabulib.pb").content.decode()
    assert resident.email not in text
    instance = parse_pabulib_text(text)
    assert instance.num_voters == 3 and instance.budget == 1000
    assert dict(instance.meta)["country"] == "Romania" and dict(instance.meta)["rule"] == "greedy"
    votes = {p.id: p.fields["votes"] for p in instance.projects}
    assert votes == {"1": "2", "2": "1", "3": "0", "4": "1"}
    selected = {p.id for p in instance.projects if p.fields["selected"] == "1"}
    assert selected == set(map(str, PoolResult.objects.get(pool__edition=edition).selected))
    # The open-data file gives the same outcome as the platform.
    assert set(compute_outcome(instance, "greedy").selected) == selected


def test_edition_with_several_budgets_exports_one_file_per_budget(strategy_data: Any) -> None:
    edition = make_edition(phase="draft", split_by=SplitBy.CATEGORY)
    from budgeting.models import Category, Phase

    green, _ = Category.objects.get_or_create(slug="green", defaults={"name": "Green"})
    services.add_pool("tests", edition, slug="green", name="Green", budget=Decimal(500), kind=Pool.Kind.CATEGORY,
                      category=green)
    services.set_phase("tests", edition, Phase.SUBMISSION)
    for title, category in (("Trees", green), ("Bus shelter", None)):
        services.submit_project("tests", edition, services.ProjectInput(
            title=title, description="Long enough description.", cost_estimate=Decimal(100), category=category))
    services.set_phase("tests", edition, Phase.REVIEW)
    for project in edition.projects.all():
        services.review_project("tests", project, feasible=True)
    services.set_phase("tests", edition, Phase.VOTING)
    [code] = services.generate_codes("tests", edition, 1)
    services.cast_code_ballot(edition, code, {1: 1, 2: 1})
    finish(edition)
    base = f"/api/v1/budgeting/editions/{edition.slug}"
    assert Client().get(f"{base}/pabulib.pb").status_code == 409
    for pool, project in (("green", "Trees"), ("city", "Bus shelter")):
        instance = parse_pabulib_text(Client().get(f"{base}/pools/{pool}/pabulib.pb").content.decode())
        assert [p.fields["name"] for p in instance.projects] == [project]
        assert instance.num_voters == 1
    assert BallotChoice.objects.count() == 2
