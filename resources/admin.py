"""Back office of the resources room. Saves are audited (core.admin_audit.AuditedAdmin); verification,
moderation and the steps of space applications go through resources.services so they stay dated and audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from core.admin_audit import AuditedAdmin
from core.images import PhotoError, clean_photo
from core.uploads import photo_error_message
from resources import index, models, services


class AuditedTranslationAdmin(AuditedAdmin, TranslationAdmin):  # type: ignore[misc]
    pass


class ReindexOnSave:
    """Keep the map's public index in step with what staff edit here."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        index.refresh(obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        index.refresh(form.instance)


class RepresentativeInline(admin.TabularInline):
    model = models.Representative
    extra = 0
    raw_id_fields = ["user"]


class LocationInline(admin.StackedInline):
    model = models.Location
    extra = 0
    exclude = ["neighbourhood"]


class ServiceInline(admin.StackedInline):
    model = models.Service
    extra = 0
    filter_horizontal = ["locations"]


@admin.register(models.Organisation)
class OrganisationAdmin(ReindexOnSave, AuditedAdmin):
    list_display = ["name", "kind", "verified", "hidden", "source", "is_demo"]
    list_filter = ["kind", "verified", "hidden", "source", "is_demo"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["ambitions", "projects"]
    readonly_fields = ["verified", "verified_at", "hidden"]
    inlines = [LocationInline, ServiceInline, RepresentativeInline]
    actions = ["verify", "hide", "show"]

    @admin.action(description=_("Mark as verified by the city"))
    def verify(self, request: HttpRequest, queryset: QuerySet[models.Organisation]) -> None:
        for organisation in queryset:
            services.verify_organisation(request.user, organisation, verified=True)

    @admin.action(description=_("Hide (moderation)"))
    def hide(self, request: HttpRequest, queryset: QuerySet[models.Organisation]) -> None:
        for organisation in queryset:
            services.moderate_organisation(request.user, organisation, hidden=True)

    @admin.action(description=_("Show again"))
    def show(self, request: HttpRequest, queryset: QuerySet[models.Organisation]) -> None:
        for organisation in queryset:
            services.moderate_organisation(request.user, organisation, hidden=False)


class SpacePhotoInline(admin.TabularInline):
    """Photos are added through the space's form below (checked and stripped by core.images), never raw."""

    model = models.SpacePhoto
    extra = 0
    fields = ["image", "alt_text"]
    readonly_fields = ["image"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SpaceAdminForm(forms.ModelForm):
    new_photo = forms.FileField(label=_("Add a photo"), required=False)
    new_photo_alt = forms.CharField(label=_("Description of the new photo"), required=False, max_length=200)

    class Meta:
        model = models.Space
        fields = ["slug", "title", "description", "kind", "owner", "address", "latitude", "longitude",
                  "neighbourhood", "area_m2", "condition", "step_free", "accessibility", "available_from",
                  "available_until", "allowed_uses", "published", "is_demo"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("new_photo")
        if upload and not (data.get("new_photo_alt") or "").strip():
            self.add_error("new_photo_alt", _("Describe the photo for people who cannot see it."))
        if upload:
            try:  # the same check the service makes, so a bad file is a form error, not a failed save
                clean_photo(upload.read())
            except PhotoError as error:
                self.add_error("new_photo", photo_error_message(error))
            upload.seek(0)
        return data


@admin.register(models.Space)
class SpaceAdmin(ReindexOnSave, AuditedTranslationAdmin):
    form = SpaceAdminForm
    list_display = ["title", "kind", "owner", "condition", "available_from", "available_until", "published"]
    list_filter = ["kind", "owner", "condition", "published", "is_demo"]
    search_fields = ["title", "address"]
    inlines = [SpacePhotoInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("new_photo")
        if upload:
            services.add_space_photo(request.user, obj, upload.read(), alt_text=form.cleaned_data["new_photo_alt"])


class ApplicationStepInline(admin.TabularInline):
    model = models.ApplicationStep
    extra = 0
    readonly_fields = ["status", "public_note", "at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _step_action(status: str, label: Any) -> Any:
    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[models.SpaceApplication]) -> None:
        for application in queryset:
            try:
                services.advance_application(request.user, application, status)
            except ValidationError as error:
                modeladmin.message_user(request, f"{application}: {error.messages[0]}", level=messages.ERROR)
    action.__name__ = f"move_to_{status}"
    return admin.action(description=label)(action)


@admin.register(models.SpaceApplication)
class SpaceApplicationAdmin(AuditedAdmin):
    """Staff move applications on with the actions (each step dated, public, audited); the applicant's
    message stays here."""

    list_display = ["space", "organisation", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["space", "organisation", "applicant", "intended_use", "message", "status", "created_at"]
    inlines = [ApplicationStepInline]
    actions = [_step_action(status, label) for status, label in models.SpaceApplication.Status.choices
               if status != models.SpaceApplication.Status.RECEIVED]


@admin.register(models.FundingProgramme)
class FundingProgrammeAdmin(ReindexOnSave, AuditedTranslationAdmin):
    list_display = ["title", "level", "funder", "deadline", "published", "is_demo"]
    list_filter = ["level", "published", "is_demo"]
    search_fields = ["title", "funder"]


@admin.register(models.Initiative)
class InitiativeAdmin(ReindexOnSave, AuditedAdmin):
    list_display = ["title", "kind", "status", "created_at", "is_demo"]
    list_filter = ["kind", "status", "is_demo"]
    search_fields = ["title"]
    filter_horizontal = ["organisations", "projects"]
    readonly_fields = ["proposed_by"]
