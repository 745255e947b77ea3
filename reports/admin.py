"""Back office for the reports room. Reference data (departments, categories, questions,
templates, Open311 keys) is edited here with an audit row per save; reports themselves are
handled in the staff inbox (/ro/sesizari/birou/, /en/reports/staff/), which goes through reports.services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from core.admin_audit import AuditedAdmin
from reports import models, services


class AuditedTranslationAdmin(AuditedAdmin, TranslationAdmin):  # type: ignore[misc]
    pass


@admin.register(models.Department)
class DepartmentAdmin(AuditedTranslationAdmin):
    list_display = ["name", "slug", "email"]
    search_fields = ["name_ro", "name_en", "slug"]
    filter_horizontal = ["members"]
    prepopulated_fields = {"slug": ["name_ro"]}


class QuestionInline(TranslationTabularInline):
    model = models.Question
    extra = 0
    fields = ["order", "code", "datatype", "required", "public", "text", "help_text"]
    show_change_link = True


@admin.register(models.Category)
class CategoryAdmin(AuditedTranslationAdmin):
    list_display = ["code", "name", "group", "department", "target_days", "target_acknowledge_hours",
                    "photo_required", "premoderation", "active"]
    list_filter = ["department", "active", "premoderation", "photo_required"]
    search_fields = ["code", "name_ro", "name_en", "keywords"]
    inlines = [QuestionInline]


class ChoiceInline(TranslationTabularInline):
    model = models.Choice
    extra = 0
    fields = ["order", "key", "name"]


@admin.register(models.Question)
class QuestionAdmin(AuditedTranslationAdmin):
    list_display = ["__str__", "text", "datatype", "required", "public"]
    list_filter = ["category", "datatype"]
    inlines = [ChoiceInline]


@admin.register(models.ResponseTemplate)
class ResponseTemplateAdmin(AuditedTranslationAdmin):
    list_display = ["title", "status", "department"]
    list_filter = ["status", "department"]


@admin.register(models.Open311Key)
class Open311KeyAdmin(AuditedAdmin):
    """Keys are generated here; the clear key is shown once, after saving, and never stored."""

    list_display = ["name", "prefix", "requests_per_hour", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "contact", "requests_per_hour", "revoked_at", "prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created, key = services.create_open311_key(request.user, obj.name, contact=obj.contact,
                                                   requests_per_hour=obj.requests_per_hour)
        obj.pk = created.pk
        obj.prefix, obj.key_hash, obj.created_at = created.prefix, created.key_hash, created.created_at
        messages.warning(request, _("The new key, shown only this once: %(key)s") % {"key": key})

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for key in queryset.filter(revoked_at__isnull=True):
            services.revoke_open311_key(request.user, key)


class UpdateInline(admin.TabularInline):
    model = models.Update
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "old_status", "new_status", "text", "department")
    readonly_fields = ("created_at", "kind", "old_status", "new_status", "text", "department")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Who reported: shown to no one in the back office. The department handling a report reads the contact
# details on its inbox page (/ro/sesizari/birou/<id>/?contact=1), where each reading is audited.
REPORTER_FIELDS = ("reporter", "reporter_name", "reporter_email", "reporter_phone")


def _own_rows(request: HttpRequest, queryset: QuerySet[Any], department_path: str) -> QuerySet[Any]:
    """Department staff see the rows of their own departments; moderators and administrators all."""
    from accounts.roles import is_administrator, is_moderator

    user = request.user
    if is_administrator(user) or is_moderator(user):
        return queryset
    return queryset.filter(**{f"{department_path}__members": user}).distinct()


@admin.register(models.Report)
class ReportAdmin(AuditedAdmin):
    """Read-mostly: status, moderation and assignment changes are made in the staff inbox so that
    followers are told and the timeline stays complete."""

    list_display = ["id", "title", "category", "status", "moderation", "is_public", "neighbourhood", "created_at"]
    list_filter = ["status", "moderation", "is_public", "category", "department", "channel", "is_demo"]
    search_fields = ["id", "title", "address", "nearest_address"]
    date_hierarchy = "created_at"
    exclude = REPORTER_FIELDS
    readonly_fields = tuple(f.name for f in models.Report._meta.fields
                            if f.name not in ("priority", *REPORTER_FIELDS))
    inlines = [UpdateInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return _own_rows(request, super().get_queryset(request), "department")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(models.Flag)
class FlagAdmin(AuditedAdmin):
    list_display = ["report", "reason", "created_at", "resolved_at"]
    list_filter = ["reason", "resolved_at"]
    readonly_fields = ["report", "reason", "text", "created_at"]
    exclude = ["source_hash", "user"]  # who flagged is not needed to judge the flag

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return _own_rows(request, super().get_queryset(request), "report__department")
