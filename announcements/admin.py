"""Back office: announcements listed and searched. Messages are published, updated and cancelled on
the staff pages (/ro/announcements/new/, and each announcement's "Publish an update" / "Cancel"),
which go through announcements.services (audit, notifications); here every field is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from announcements.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "category", "severity", "message_type", "starts_at", "ends_at", "is_latest",
                    "is_demo", "page")
    list_filter = ("category", "severity", "message_type", "is_latest", "is_demo")
    search_fields = ("title_ro", "title_en", "body_ro", "body_en")
    date_hierarchy = "starts_at"
    filter_horizontal = ("neighbourhoods",)

    @admin.display(description=_("public page"))
    def page(self, obj: Announcement) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("open"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Announcement._meta.fields] + ["neighbourhoods"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra_context = {**(extra_context or {}), "title": _("Announcements (publish on the staff page: %(url)s)") % {
            "url": reverse("announcements:create")}}
        return super().changelist_view(request, extra_context)
