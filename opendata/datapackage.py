"""Frictionless Data Package (v1) of a dataset: every distribution a resource; CSVs carry their Table Schema."""

from __future__ import annotations

from typing import Any

from opendata import vocabularies as voc
from opendata.registry import Dataset


def datapackage(base: str, dataset: Dataset) -> dict[str, Any]:
    label, url = voc.LICENCES.get(dataset.licence, voc.LICENCES[voc.DEFAULT_LICENCE])
    resources = []
    for distribution in dataset.distributions:
        resource: dict[str, Any] = {
            "name": f"{dataset.name}-{distribution.key}".lower().replace("_", "-"),
            "title": distribution.title.en,
            "path": f"{base.rstrip('/')}{distribution.url}",
            "mediatype": distribution.media_type.split(";")[0],
            "format": distribution.file_type.lower().replace("rdf_turtle", "ttl"),
        }
        if distribution.byte_size is not None:
            resource["bytes"] = distribution.byte_size
        if distribution.table_schema is not None:
            resource.update({"profile": "tabular-data-resource", "encoding": "utf-8",
                             "schema": distribution.table_schema})
        resources.append(resource)
    package: dict[str, Any] = {
        "profile": "data-package",
        "name": dataset.name.replace("_", "-"),
        "id": f"{base.rstrip('/')}/dataset/{dataset.name}",
        "title": dataset.title.en,
        "description": dataset.description.en,
        "keywords": list(dataset.tags),
        "licenses": [{"name": dataset.licence.replace("_", "-"), "path": url, "title": label}],
        "homepage": f"{base.rstrip('/')}{dataset.landing_page}" if dataset.landing_page else None,
        "resources": resources,
    }
    if dataset.modified:
        package["created"] = dataset.modified.isoformat()
    return {key: value for key, value in package.items() if value is not None}
