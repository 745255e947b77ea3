"""`manage.py harvest_ckan` against a remote CKAN portal played by a local HTTP server that serves the real
`package_search` answer of data.primariatm.ro (tests/data/opendata-primariatm)."""

from __future__ import annotations

import copy
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEntry
from opendata import registry
from opendata.models import ExternalDataset, HarvestSource

ANSWER = json.loads((Path(__file__).parent.parent / "data" / "opendata-primariatm"
                     / "ckan-mobilitate-package-search.json").read_text(encoding="utf-8"))
PACKAGES = ANSWER["result"]["results"]


class RemotePortal:
    """A CKAN portal on 127.0.0.1: answers package_search from `packages` (paged as CKAN pages), or
    misbehaves as `mode` says; records every request."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.fail_from_request = 0  # misbehave only from this request on (0: from the first)
        self.packages: list[dict[str, Any]] = copy.deepcopy(PACKAGES)
        self.requests: list[dict[str, list[str]]] = []
        self.release = threading.Event()
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = parse_qs(parts.query)
                portal.requests.append(params)
                mode = portal.mode if len(portal.requests) > portal.fail_from_request else "ok"
                if mode == "silent":
                    portal.release.wait(30)
                    return
                if mode == "garbage":
                    return self.answer(200, b"<html><body>Service Unavailable</body></html>", "text/html")
                if mode == "http500":
                    return self.answer(500, b"Internal Server Error", "text/plain")
                if mode == "error-envelope":
                    return self.json(409, {"help": "", "success": False, "error": {
                        "__type": "Validation Error", "rows": ["Invalid integer"]}})
                if mode == "not-ckan":
                    return self.json(200, {"datasets": []})
                if mode == "bad-package":
                    return self.json(200, {"help": "", "success": True, "result": {
                        "count": 1, "results": [{"id": "x", "name": "Not A Name!"}]}})
                if parts.path != "/api/3/action/package_search":
                    return self.json(400, "Bad request - Action name not known")
                start, rows = int(params.get("start", ["0"])[0]), int(params.get("rows", ["10"])[0])
                matching = sorted(portal.packages, key=lambda package: package["id"])
                return self.json(200, {"help": "", "success": True, "result": {
                    "count": len(matching), "sort": "id asc", "facets": {}, "search_facets": {},
                    "results": matching[start:start + rows]}})

            def json(self, status: int, body: Any) -> None:
                self.answer(status, json.dumps(body).encode(), "application/json;charset=utf-8")

            def answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def portal() -> Iterator[RemotePortal]:
    remote = RemotePortal()
    yield remote
    remote.close()


def harvest(portal: RemotePortal, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("harvest_ckan", portal.url, *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_harvest_imports_the_city_portal_page_by_page(db: Any, portal: RemotePortal) -> None:
    output = harvest(portal, "--organization", "primariatm", "--page-size", "4")

    assert "6 datasets fetched in 2 requests, 6 new" in output
    assert "[" in output and "6/6" in output  # the progress bar
    assert [(request["start"], request["rows"], request["sort"]) for request in portal.requests] == [
        (["0"], ["4"], ["id asc"]), (["4"], ["4"], ["id asc"])]
    assert portal.requests[0]["fq"] == ["organization:primariatm"]
    rows = {row.name: row for row in ExternalDataset.objects.all()}
    assert set(rows) == {package["name"] for package in PACKAGES}
    railway = rows["sistem-feroviar-transport-feroviar"]
    assert railway.organization == "primariatm" and railway.organization_title == "Primăria Timișoara"
    assert railway.tags == ["calatori", "transport", "trenuri"]
    assert railway.resources[0]["url"].startswith("https://data.primariatm.ro/dataset/")
    assert railway.resources[0]["size"] == 394 and railway.resources[0]["format"] == "CSV"
    assert railway.remote_url == f"{portal.url}/dataset/sistem-feroviar-transport-feroviar"
    assert AuditEntry.objects.filter(action="opendata.harvest").count() == 1


def test_personal_data_of_the_remote_is_not_copied(db: Any, portal: RemotePortal) -> None:
    harvest(portal)
    stored = json.dumps([list(row) for row in ExternalDataset.objects.values_list()], default=str)
    assert "@" not in stored  # costi@banatit.ro and every other address
    for package in PACKAGES:
        if package.get("maintainer"):
            assert package["maintainer"] not in stored


def test_harvested_datasets_join_the_registry_apart_from_ours(db: Any, portal: RemotePortal) -> None:
    harvest(portal)
    dataset = registry.get_dataset("transportul-public")
    assert dataset is not None
    assert dataset.room == "primariatm"
    assert dataset.extras["harvest_source"] == portal.url
    assert dataset.extras["harvest_url"] == f"{portal.url}/dataset/transportul-public"
    assert dataset.themes and "TRAN" in dataset.themes
    assert dataset.frequency == "ANNUAL"
    assert dataset.distributions[0].file_type == "CSV" and dataset.distributions[0].media_type == "text/csv"
    assert dataset.licence == "CC_BY_4_0"


def test_a_second_run_asks_only_for_what_changed_and_changes_nothing_twice(db: Any, portal: RemotePortal) -> None:
    harvest(portal)
    before = list(ExternalDataset.objects.order_by("name").values_list("name", "remote_id", "title"))
    newest = max(package["metadata_modified"] for package in PACKAGES)

    output = harvest(portal)

    assert portal.requests[-1]["fq"] == [f"metadata_modified:[{newest}Z TO *]"]
    assert "0 new" in output
    assert list(ExternalDataset.objects.order_by("name").values_list("name", "remote_id", "title")) == before
    assert HarvestSource.objects.count() == 1


def test_a_changed_remote_dataset_is_updated(db: Any, portal: RemotePortal) -> None:
    harvest(portal)
    portal.packages[0]["title"] = "Titlu schimbat"
    portal.packages[0]["metadata_modified"] = "2030-01-01T00:00:00.000001"
    harvest(portal)
    assert ExternalDataset.objects.get(remote_id=portal.packages[0]["id"]).title == "Titlu schimbat"
    assert HarvestSource.objects.get().last_modified_seen == "2030-01-01T00:00:00.000001"


def test_full_run_withdraws_what_the_remote_no_longer_lists(db: Any, portal: RemotePortal) -> None:
    harvest(portal)
    gone = portal.packages.pop()
    output = harvest(portal, "--full")
    assert "1 withdrawn" in output
    assert not ExternalDataset.objects.filter(remote_id=gone["id"]).exists()
    assert ExternalDataset.objects.count() == len(PACKAGES) - 1


@pytest.mark.parametrize(("mode", "message"), [
    ("garbage", "is not JSON"),
    ("http500", "HTTP 500"),
    ("error-envelope", "HTTP 409, Validation Error: rows: ['Invalid integer']"),
    ("not-ckan", "not a CKAN Action API answer"),
    ("bad-package", "dataset name 'Not A Name!' is not a CKAN name"),
])
def test_a_misbehaving_portal_is_reported_and_nothing_is_imported(
        db: Any, portal: RemotePortal, mode: str, message: str) -> None:
    portal.mode = mode
    with pytest.raises(CommandError) as raised:
        harvest(portal)
    assert portal.url in str(raised.value) and message in str(raised.value)
    assert "nothing was imported" in str(raised.value)
    assert not ExternalDataset.objects.exists() and not HarvestSource.objects.exists()


def test_a_portal_that_says_nothing_times_out(db: Any, portal: RemotePortal) -> None:
    portal.mode = "silent"
    with pytest.raises(CommandError, match=r"no answer within 0\.3 s"):
        harvest(portal, "--timeout", "0.3")
    assert not ExternalDataset.objects.exists()


def test_a_failure_on_a_later_page_leaves_nothing_half_imported(db: Any, portal: RemotePortal) -> None:
    harvest(portal)
    portal.packages[0]["title"] = "Nu trebuie să apară"
    portal.packages[0]["metadata_modified"] = "2030-01-01T00:00:00"
    portal.mode, portal.fail_from_request = "garbage", len(portal.requests) + 1  # the next run's second page
    with pytest.raises(CommandError):
        harvest(portal, "--full", "--page-size", "2")
    assert not ExternalDataset.objects.filter(title="Nu trebuie să apară").exists()
    assert ExternalDataset.objects.count() == len(PACKAGES)
    assert HarvestSource.objects.get().last_modified_seen == max(package["metadata_modified"] for package in PACKAGES)


@pytest.mark.parametrize("url", ["ftp://data.example/", "not a url", "http://"])
def test_a_url_that_is_not_http_is_refused(db: Any, url: str) -> None:
    with pytest.raises(CommandError, match="not an http"):
        call_command("harvest_ckan", url, stdout=io.StringIO(), stderr=io.StringIO())


def test_a_name_taken_by_another_portal_gets_the_organisation_prefix(db: Any, portal: RemotePortal) -> None:
    harvest(portal)
    other = RemotePortal()
    try:
        for package in other.packages:
            package["id"] = "other-" + package["id"]
        call_command("harvest_ckan", other.url, stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        other.close()
    assert ExternalDataset.objects.count() == 2 * len(PACKAGES)
    assert ExternalDataset.objects.filter(name="primariatm-transportul-public").exists()
    assert len(registry.all_datasets()) >= 2 * len(PACKAGES)


def test_harvested_datasets_are_republished_in_dcat_ap_without_violations(db: Any, portal: RemotePortal,
                                                                          client: Any) -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    from tests.opendata.test_dcat import violations

    harvest(portal)
    response = client.get("/dataset/transportul-public.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    downloads = {str(url) for url in graph.objects(None, DCAT.downloadURL)}
    assert any(url.startswith("https://data.primariatm.ro/") for url in downloads)
    assert URIRef(f"{portal.url}/dataset/transportul-public") in set(graph.objects(None, DCAT.landingPage))
    assert any("transportul" in str(title).lower() or "transport" in str(title).lower()
               for title in graph.objects(None, DCTERMS.title))
    assert violations(graph) == []
