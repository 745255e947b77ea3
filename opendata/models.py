"""Datasets harvested from other CKAN portals (`manage.py harvest_ckan`), kept apart from ours.

Our own datasets are not stored: rooms build them from live data (opendata/registry.py). What another
portal publishes is copied here, field by field as its CKAN API gave it (less personal data: no author,
maintainer or e-mail is kept), and re-published through the registry under the remote organisation,
marked as harvested with the address of the original.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HarvestSource(models.Model):
    """A remote CKAN portal (optionally one organisation of it) harvested by `manage.py harvest_ckan`."""

    url = models.URLField(_("portal address"), max_length=500)
    organization = models.CharField(_("organisation filter"), max_length=100, blank=True,
                                    help_text=_("Only this organisation of the remote portal; empty: all."))
    # The newest metadata_modified seen (the remote's own clock, as it wrote it): the next run asks only for
    # what changed since, as the CKAN harvester does.
    last_modified_seen = models.CharField(_("newest modification seen"), max_length=40, blank=True)
    last_harvested_at = models.DateTimeField(_("last harvested"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        constraints = [models.UniqueConstraint(fields=["url", "organization"], name="opendata_harvest_source_unique")]

    def __str__(self) -> str:
        return f"{self.url} ({self.organization})" if self.organization else self.url


class ExternalDataset(models.Model):
    """One dataset of a remote CKAN portal, as its package_show gave it (public fields only)."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="datasets",
                               verbose_name=_("harvest source"))
    remote_id = models.CharField(_("remote id"), max_length=100)
    name = models.SlugField(_("name"), max_length=100, unique=True)  # site-wide, beside our own datasets
    title = models.CharField(_("title"), max_length=500)
    notes = models.TextField(_("description"), blank=True)
    organization = models.SlugField(_("organisation"), max_length=100)
    organization_title = models.CharField(_("organisation title"), max_length=300, blank=True)
    license_id = models.CharField(_("licence id"), max_length=100, blank=True)
    license_title = models.CharField(_("licence title"), max_length=300, blank=True)
    license_url = models.URLField(_("licence address"), max_length=500, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)  # ["transport", ...]
    groups = models.JSONField(_("groups"), default=list, blank=True)  # [{"name", "title"}, ...] as remote
    resources = models.JSONField(_("resources"), default=list, blank=True)  # sanitised resource dicts
    extras = models.JSONField(_("extras"), default=dict, blank=True)  # remote extras, key → value
    remote_url = models.URLField(_("original address"), max_length=800)
    metadata_created = models.DateTimeField(_("created at the source"), null=True, blank=True)
    metadata_modified = models.DateTimeField(_("modified at the source"), null=True, blank=True)
    harvested_at = models.DateTimeField(_("harvested"), auto_now=True)

    class Meta:
        verbose_name = _("external dataset")
        verbose_name_plural = _("external datasets")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["source", "remote_id"], name="opendata_external_remote_unique")]

    def __str__(self) -> str:
        return self.name
