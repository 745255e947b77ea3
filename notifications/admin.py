"""The delivery log and the room's rows in the back office (staff with the model's view permission)."""

from __future__ import annotations

from django.contrib import admin

from notifications.models import Delivery, Endpoint, EventRecord, Preferences, Subscription


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "channel", "endpoint", "status", "digest", "attempts",
                    "next_attempt_at", "sent_at", "last_error")
    list_filter = ("status", "channel", "digest")
    search_fields = ("event__kind", "event__subject", "last_error")
    list_select_related = ("event", "endpoint")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(EventRecord)
class EventRecordAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "subject", "severity", "fanned_out_at")
    list_filter = ("room", "severity")
    search_fields = ("kind", "subject")
    readonly_fields = [f.name for f in EventRecord._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "kind", "language", "verified_at", "disabled_at", "consecutive_failures")
    list_filter = ("kind",)
    # The address and secret are personal data: the list shows them masked; the secret is never shown.
    exclude = ("secret",)
    raw_id_fields = ("user",)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "endpoint", "topic", "neighbourhood", "radius_m", "digest", "confirmed_at")
    search_fields = ("topic", "label")
    raw_id_fields = ("user", "endpoint")


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "digest", "quiet_start", "quiet_end")
    raw_id_fields = ("user",)
