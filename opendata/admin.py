"""Back office for the open-data room: what was harvested from other CKAN portals, read-only (the only way
to change it is `manage.py harvest_ckan`, which audits each run)."""

from __future__ import annotations

from django.contrib import admin

from core.admin_readonly import ReadOnlyAdmin
from opendata.models import ExternalDataset, HarvestSource


@admin.register(HarvestSource)
class HarvestSourceAdmin(ReadOnlyAdmin):
    list_display = ["url", "organization", "last_harvested_at", "last_modified_seen"]


@admin.register(ExternalDataset)
class ExternalDatasetAdmin(ReadOnlyAdmin):
    list_display = ["name", "title", "organization", "source", "metadata_modified", "harvested_at"]
    list_filter = ["source", "organization"]
    search_fields = ["name", "title", "remote_id"]
