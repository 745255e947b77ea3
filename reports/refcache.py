"""Per-process copies of the small reference tables the hot read paths need (categories with
their departments, neighbourhood names), so Open311 and the map data answer with one query.

Correctness across processes: a version number in the shared cache (Redis in production) is bumped
whenever a category, department or neighbourhood is saved or deleted; each process compares it on
every use and rebuilds its copy when it changed (and after at most MAX_AGE seconds anyway).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import translation

VERSION_KEY = "reports:reference-version"
MAX_AGE = 60.0


@dataclass(frozen=True)
class CategoryInfo:
    pk: int
    code: str
    name: str
    department_id: int
    department_name: str
    target_days: int


@dataclass
class _Snapshot:
    version: Any
    built_at: float
    categories: dict[int, CategoryInfo]
    codes: dict[str, int]
    areas: dict[int, tuple[str, str]]
    area_slugs: dict[str, int]


_snapshots: dict[str, _Snapshot] = {}


def current_version() -> Any:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return version


def bump(**_kwargs: Any) -> None:
    cache.set(VERSION_KEY, time.time_ns(), None)
    _snapshots.clear()


def _build(version: Any) -> _Snapshot:
    from core.models import Neighbourhood
    from reports.models import Category

    categories = {c.pk: CategoryInfo(pk=c.pk, code=c.code, name=c.name, department_id=c.department_id,
                                     department_name=c.department.name, target_days=c.target_days)
                  for c in Category.objects.select_related("department")}
    areas = {pk: (slug, name) for pk, slug, name in Neighbourhood.objects.values_list("id", "slug", "name")}
    return _Snapshot(version=version, built_at=time.monotonic(), categories=categories,
                     codes={info.code: pk for pk, info in categories.items()}, areas=areas,
                     area_slugs={slug: pk for pk, (slug, _name) in areas.items()})


def snapshot() -> _Snapshot:
    """The reference data in the active language (names are translated)."""
    language = translation.get_language() or ""
    version = current_version()
    found = _snapshots.get(language)
    if found is None or found.version != version or time.monotonic() - found.built_at > MAX_AGE:
        found = _snapshots[language] = _build(version)
    return found


def connect_signals() -> None:
    from core.models import Neighbourhood
    from reports.models import Category, Choice, Department, Question

    for model in (Category, Department, Neighbourhood, Question, Choice):
        post_save.connect(bump, sender=model, dispatch_uid=f"reports-refcache-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"reports-refcache-delete-{model.__name__}")
