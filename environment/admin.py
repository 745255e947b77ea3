"""Back office: the sensor registry, quarantined readings to review, alert subscriptions.

Edits are audited (core.admin_audit.AuditedAdmin); credentials, activation and reviews go
through environment.services. Readings and aggregates are data, not edited here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_audit import AuditedAdmin
from environment import models, services


@admin.register(models.Station)
class StationAdmin(AuditedAdmin):
    list_display = ["name", "slug", "network", "operator", "neighbourhood", "is_demo"]
    list_filter = ["network", "is_demo"]
    search_fields = ["name", "slug", "operator"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Sensor)
class SensorAdmin(AuditedAdmin):
    list_display = ["sensor_id", "kind", "station", "active", "status_label", "last_reading_at", "key_prefix"]
    list_filter = ["active", "kind", "station__network", "station__is_demo"]
    search_fields = ["sensor_id", "device_id", "station__name"]
    readonly_fields = ["key_prefix", "last_reading_at", "created_at"]
    list_select_related = ["station"]
    actions = ["issue_credential", "deactivate", "activate"]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # see has_delete_permission
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A sensor with readings is kept (its data is open data; deactivate it instead). Listing
        millions of protected readings on a confirmation page is not an option either."""
        if obj is None or not super().has_delete_permission(request, obj):
            return False
        return not models.Reading.objects.filter(sensor=obj).exists()

    @admin.display(description=_("status"))
    def status_label(self, sensor: models.Sensor) -> str:
        return str(models.SensorStatus(sensor.status_at(timezone.now())).label)

    @admin.action(description=_("Issue a new push credential (the old one stops working)"))
    def issue_credential(self, request: HttpRequest, queryset: QuerySet[models.Sensor]) -> None:
        boards_done: set[str] = set()
        for sensor in queryset:
            if sensor.device_id in boards_done:
                continue  # a board's sensors share one credential: it was just issued for all of them
            key = services.issue_sensor_key(request.user, sensor)
            if sensor.device_id:
                boards_done.add(sensor.device_id)
                messages.warning(request, _("Credential for board %(id)s, all its sensors (shown once): %(key)s")
                                 % {"id": sensor.device_id, "key": key})
            else:
                messages.warning(request, _("Credential for %(id)s (shown once): %(key)s") % {
                    "id": sensor.sensor_id, "key": key})

    @admin.action(description=_("Stop accepting data"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[models.Sensor]) -> None:
        for sensor in queryset:
            services.set_sensor_active(request.user, sensor, False)

    @admin.action(description=_("Accept data again"))
    def activate(self, request: HttpRequest, queryset: QuerySet[models.Sensor]) -> None:
        for sensor in queryset:
            services.set_sensor_active(request.user, sensor, True)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.QuarantinedReading)
class QuarantinedReadingAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "channel", "sensor", "claimed_sensor", "field", "reason_code", "reason",
                    "reviewed"]
    list_filter = ["reviewed", "channel", "reason_code"]
    search_fields = ["claimed_sensor", "sensor__sensor_id", "field", "detail"]
    list_select_related = ["sensor"]
    date_hierarchy = "received_at"
    actions = ["mark_reviewed"]

    @admin.display(description=_("why"))
    def reason(self, record: models.QuarantinedReading) -> str:
        return record.message

    @admin.action(description=_("Mark as reviewed"), permissions=["view"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[models.QuarantinedReading]) -> None:
        count = services.mark_quarantine_reviewed(request.user, queryset.values_list("pk", flat=True))
        messages.success(request, _("%(n)s marked as reviewed.") % {"n": count})


@admin.register(models.AlertEvent)
class AlertEventAdmin(ReadOnlyAdmin):
    list_display = ["time", "sensor", "kind", "key", "direction", "from_level", "to_level", "value"]
    list_filter = ["kind", "direction"]
    list_select_related = ["sensor"]
