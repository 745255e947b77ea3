"""Every dataset's datapackage.json, with its CSVs, passes the Frictionless reference validator; every CSV
resource carries the Table Schema its file follows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from frictionless import Package, validate

from opendata import registry

pytestmark = pytest.mark.django_db


def test_every_data_package_validates_with_frictionless(demo_everywhere: None, tmp_path: Path) -> None:
    client = Client()
    validated = 0
    for dataset in registry.all_datasets():
        response = client.get(f"/dataset/{dataset.name}/datapackage.json")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
        package = response.json()
        assert len(package["resources"]) == len(dataset.distributions)
        # Frictionless reads the files locally (the tests reach no network): each tabular resource's body is
        # fetched through Django and the package points at the copy; the descriptor is otherwise unchanged.
        folder = tmp_path / dataset.name
        folder.mkdir()
        tabular = []
        for resource in package["resources"]:
            if resource.get("profile") != "tabular-data-resource":
                continue
            path = resource["path"].removeprefix("http://testserver")
            body = client.get(path)
            assert body.status_code == 200, path
            filename = f"{resource['name']}.csv"
            (folder / filename).write_bytes(body.content)
            tabular.append({**resource, "path": filename})
        if not tabular:
            continue
        (folder / "datapackage.json").write_text(json.dumps({**package, "resources": tabular}), encoding="utf-8")
        report = validate(str(folder / "datapackage.json"))
        assert report.valid, (dataset.name, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5])
        validated += 1
    assert validated >= 8


def test_the_descriptor_itself_is_a_valid_data_package(demo_everywhere: None) -> None:
    descriptor = Client().get("/dataset/strategy-kpis/datapackage.json").json()
    package = Package(descriptor)
    assert package.name == "strategy-kpis"
    assert package.licenses[0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    kpis = next(r for r in descriptor["resources"] if r["path"].endswith("/data/strategy/kpis.csv"))
    assert kpis["schema"]["primaryKey"] == ["code"]
    report = Package.validate_descriptor(descriptor)  # the descriptor alone: names, profiles, schemas
    assert report.valid, report.flatten(["type", "note"])[:5]
