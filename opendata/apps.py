from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = _("Open data")
    nav_items = [(_("Open data"), "opendata:index")]

    def ready(self) -> None:
        from opendata import neighbourhoods

        neighbourhoods.register_all()  # core's neighbourhoods: core sits below opendata, so opendata publishes them
        from opendata import harvest

        harvest.register_provider()  # datasets harvested from other CKAN portals (manage.py harvest_ckan)
