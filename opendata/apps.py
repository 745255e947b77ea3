from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = _("Open data")
    nav_group = "data"
    nav_items = [(_("Open data"), "opendata:index")]

    def ready(self) -> None:
        from opendata import algorithms, neighbourhoods, strategy_datasets

        # core and the strategy sit below opendata (floors) and import no room: opendata publishes them itself.
        neighbourhoods.register_all()
        strategy_datasets.register_all()
        algorithms.register_all()  # the algorithm register (OASC MIM5)
        from opendata import harvest

        harvest.register_provider()  # datasets harvested from other CKAN portals (manage.py harvest_ckan)
