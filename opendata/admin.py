"""Back office for the open-data room: what was harvested from other CKAN portals, read-only (the only way
to change it is `manage.py harvest_ckan`, which audits each run)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from opendata.models import ExternalDataset, HarvestSource


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HarvestSource)
class HarvestSourceAdmin(ReadOnlyAdmin):
    list_display = ["url", "organization", "last_harvested_at", "last_modified_seen"]


@admin.register(ExternalDataset)
class ExternalDatasetAdmin(ReadOnlyAdmin):
    list_display = ["name", "title", "organization", "source", "metadata_modified", "harvested_at"]
    list_filter = ["source", "organization"]
    search_fields = ["name", "title", "remote_id"]
