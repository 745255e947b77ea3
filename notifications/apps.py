from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The connective room that turns rooms' events into deliveries (docs/notifications.md)."""

    name = "notifications"
    verbose_name = _("Notifications")
    # Signed-in people manage what reaches them there: beside their other own pages in the header, not
    # shown to anonymous visitors (they subscribe by e-mail from a room's page instead).
    nav_group = "account"
    nav_items = [(_("My notifications"), "notifications:preferences")]

    def ready(self) -> None:
        from core import recurring
        from notifications.channels import register_builtin_channels

        register_builtin_channels()
        from notifications import personal_data

        personal_data.register()  # the room's part of a person's data: export and erasure (accounts.personal_data)
        # Retries, quiet-hours deferrals and rate-limited deliveries that became due.
        recurring.register("notifications.tasks.send_due_deliveries", minute="*")
        # Daily and weekly digests: one message per endpoint gathering the period's events.
        recurring.register("notifications.tasks.send_due_digests", minute="*/5")
