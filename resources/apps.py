from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("City resources")
    nav_items = [(_("Resources"), "resources:map")]

    def ready(self) -> None:
        from resources import personal_data

        personal_data.register()  # the room's part of a person's data: export and erasure (accounts.personal_data)
        from resources import opendata

        opendata.register_all()  # CSV and GeoJSON downloads in the open-data catalogue, when it exists
        from core import recurring

        # Daily, safe to repeat: each reminder is sent once.
        recurring.register("resources.tasks.send_funding_reminders", hour="8", minute="30")
