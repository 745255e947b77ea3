from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnvironmentConfig(AppConfig):
    name = "environment"
    verbose_name = _("Environment: air quality")
    nav_items = [(_("Air quality"), "environment:index")]

    def ready(self) -> None:
        # No personal data of its own: alert subscriptions are the notifications room's.
        from environment import home, kpis  # noqa: F401  (registers the strategy KPI providers)

        home.register()  # air quality now on the home page (core.home)
        from environment import opendata

        opendata.register_all()  # air quality in the open-data catalogue (opendata.registry)
        from django.apps import apps

        if apps.is_installed("announcements"):  # alerts as CAP 1.2 messages in /feeds/cap.atom
            from environment import cap_alerts

            cap_alerts.register()
        from core import recurring

        # The demo sensors keep reporting while the demo is installed (core.recurring; no-op otherwise).
        recurring.register("environment.tasks.replay_demo_readings", minute="*/5")
