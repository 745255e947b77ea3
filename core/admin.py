from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core import audit
from core.models import ApiToken, AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "target_label"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "action", "target_label", "target_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "owner", "scopes", "revoked_at", "prefix", "created_at", "last_used_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        with transaction.atomic():
            if not change:
                key = ApiToken.new_key()
                obj.prefix = key[3:11]
                obj.key_hash = ApiToken.hash_key(key)
                obj.save()
                audit.record(request.user, "core.apitoken.created", obj, {"scopes": obj.scopes})
                # Shown once: only the hash is kept.
                messages.warning(request, _("Copy this token now, it will not be shown again: %(key)s") % {"key": key})
            else:
                obj.save()
                audit.record(request.user, "core.apitoken.updated", obj,
                             {"scopes": obj.scopes, "revoked_at": obj.revoked_at})
