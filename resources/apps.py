from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("City resources")
    nav_items = [(_("Resources"), "resources:map")]

    def ready(self) -> None:
        from resources import opendata

        opendata.register_all()  # CSV and GeoJSON downloads in the open-data catalogue, when it exists
