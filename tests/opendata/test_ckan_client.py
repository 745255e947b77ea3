"""The real CKAN client, `ckanapi` (RemoteCKAN and its command line), and the request patterns of the CKAN
harvester and data.europa.eu's importer, against a live test server."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ckanapi
import pytest
from django.core.management import call_command

from tests.opendata.ckan_fixtures import synthetic_catalogue
from tests.opendata.test_harvest import RemotePortal

CKANAPI = str(Path(sys.executable).with_name("ckanapi"))
# `ckanapi dump` starts its workers as `ckanapi` found on PATH: the virtualenv's.
CKANAPI_ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.fixture
def site(live_server: Any, transactional_db: Any) -> Iterator[str]:
    with synthetic_catalogue(25):
        yield str(live_server.url)


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (the live test server)
        return json.loads(response.read())


def test_remote_ckan_lists_shows_and_searches(site: str) -> None:
    with ckanapi.RemoteCKAN(site, user_agent="ckanapi-tests") as ckan:
        names = ckan.action.package_list()
        assert len(names) == 25
        package = ckan.action.package_show(id=names[0])
        assert package["name"] == names[0] and package["resources"][0]["url"].startswith(site)
        found = ckan.action.package_search(q="despre reports", fq="res_format:CSV", rows=100,
                                           **{"facet.field": ["organization", "tags"]})
        assert found["count"] == 8 and {p["organization"]["name"] for p in found["results"]} == {"reports"}
        assert found["search_facets"]["organization"]["items"] == [
            {"name": "reports", "display_name": found["results"][0]["organization"]["title"], "count": 8}]
        assert ckan.action.organization_list() == ["budgeting", "environment", "reports"]
        assert ckan.action.group_show(id="envi")["package_count"] == 9
        assert "timișoara" in ckan.action.tag_list()
        assert ckan.action.status_show()["ckan_version"].startswith("2.10")
        resource = package["resources"][0]
        assert ckan.action.resource_show(id=resource["id"])["url"] == resource["url"]


def test_remote_ckan_raises_ckan_errors_as_ckan_would(site: str) -> None:
    with ckanapi.RemoteCKAN(site, user_agent="ckanapi-tests") as ckan:
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="no-such-dataset")
        with pytest.raises(ckanapi.ValidationError) as invalid:
            ckan.action.package_search(start=-1)
        assert invalid.value.error_dict["start"] == ["Must be a natural number"]
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.action.package_search(fq="organization:(reports OR")
        with pytest.raises(ckanapi.SearchError):
            ckan.action.package_search(sort="maintainer asc")
        with pytest.raises(ckanapi.CKANAPIError):
            ckan.call_action("package_create", {"name": "x"})
        everything = ckan.action.package_list()
    # GET with URL parameters, as read-only clients send it
    with ckanapi.RemoteCKAN(site, user_agent="ckanapi-tests", get_only=True) as ckan:
        assert ckan.action.package_list(limit=2, offset=1) == everything[1:3]
        assert ckan.action.package_search(fq="tags:tag1", rows=100)["count"] == 4
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_search(rows="many")


def test_ckanapi_dump_datasets_all(site: str, tmp_path: Path) -> None:
    output = tmp_path / "datasets.jsonl"
    completed = subprocess.run([CKANAPI, "dump", "datasets", "--all", "-r", site, "-O", str(output), "-q"],
                               capture_output=True, text=True, timeout=300, check=False, env=CKANAPI_ENV)
    assert completed.returncode == 0, completed.stderr
    dumped = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert sorted(package["name"] for package in dumped) == [f"set-{n:05d}" for n in range(25)]
    assert all(package["resources"] for package in dumped)


def test_ckanapi_search_datasets(site: str) -> None:
    completed = subprocess.run([CKANAPI, "search", "datasets", "q=despre", "fq=organization:environment",
                                "-r", site], capture_output=True, text=True, timeout=300, check=False, env=CKANAPI_ENV)
    assert completed.returncode == 0, completed.stderr
    found = [json.loads(line) for line in completed.stdout.splitlines()]
    assert sorted(package["name"] for package in found) == [f"set-{n:05d}" for n in range(0, 25, 3)]


def test_the_ckan_harvester_request_pattern(site: str) -> None:
    """ckanext-harvest's CKANHarvester: package_search sorted by id, paged until start ≥ count, then the
    next run with fq=metadata_modified:[<last run>Z TO *]."""
    seen: list[dict[str, Any]] = []
    start, rows = 0, 7
    while True:
        query = urllib.parse.urlencode({"rows": rows, "start": start, "sort": "id asc"})
        page = get(f"{site}/api/action/package_search?{query}")["result"]
        seen.extend(page["results"])
        start += rows
        if start >= page["count"]:
            break
    assert len(seen) == 25 and len({package["id"] for package in seen}) == 25
    assert [package["id"] for package in seen] == sorted(package["id"] for package in seen)

    since = "2026-01-01T20:00:00.000000Z"
    query = urllib.parse.urlencode({"fq": f"metadata_modified:[{since} TO *]", "rows": 1000, "start": 0,
                                    "sort": "id asc"})
    changed = get(f"{site}/api/3/action/package_search?{query}")["result"]
    assert sorted(package["name"] for package in changed["results"]) == [f"set-{n:05d}" for n in range(20, 25)]


def test_the_data_europa_eu_importer_pattern(site: str) -> None:
    """data.europa.eu's CKAN importer: package_search with rows=1000 and start, newest first, POSTed as JSON."""
    request = urllib.request.Request(f"{site}/api/3/action/package_search", method="POST",  # noqa: S310
                                     data=json.dumps({"rows": 1000, "start": 0, "sort": "metadata_modified desc",
                                                      "fq": "metadata_modified:[NOW-100YEARS TO *]"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the live test server)
        page = json.loads(response.read())["result"]
    assert page["count"] == 25
    modified = [package["metadata_modified"] for package in page["results"]]
    assert modified == sorted(modified, reverse=True)


def test_harvested_datasets_are_republished_through_the_api(site: str) -> None:
    portal = RemotePortal()
    try:
        call_command("harvest_ckan", portal.url, "--organization", "primariatm", stdout=io.StringIO(),
                     stderr=io.StringIO())
    finally:
        portal.close()
    with ckanapi.RemoteCKAN(site, user_agent="ckanapi-tests") as ckan:
        package = ckan.action.package_show(id="transportul-public")
        assert package["organization"]["name"] == "primariatm"
        assert package["organization"]["title"] == "Primăria Timișoara"
        extras = {item["key"]: item["value"] for item in package["extras"]}
        assert extras["harvest_source"] == portal.url
        assert package["license_id"] == "cc-by"
        assert package["resources"][0]["url"].startswith("https://data.primariatm.ro/")
        assert package["maintainer_email"] == ""
        assert ckan.action.package_search(fq="organization:primariatm")["count"] == 6
        assert "primariatm" in ckan.action.organization_list()


def test_our_harvester_harvests_our_own_api(site: str) -> None:
    """The two halves agree: harvest_ckan reads what /api/3/action serves (names taken get the organisation)."""
    out = io.StringIO()
    call_command("harvest_ckan", site, "--page-size", "10", "--no-progress", stdout=out, stderr=io.StringIO())
    assert "25 datasets fetched in 3 requests, 25 new" in out.getvalue()
    with ckanapi.RemoteCKAN(site, user_agent="ckanapi-tests") as ckan:
        copy = ckan.action.package_show(id="environment-set-00000")
        assert copy["organization"]["name"] == "environment"
        assert {item["key"]: item["value"] for item in copy["extras"]}["harvest_source"] == site
