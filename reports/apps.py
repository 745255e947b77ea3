from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Problem reports")
    nav_items = [(_("Report a problem"), "reports:index")]

    def ready(self) -> None:
        from reports import personal_data

        personal_data.register()  # the room's part of a person's data: export and erasure (accounts.personal_data)
        from reports import (
            kpi_providers,  # noqa: F401  (registers the strategy's indicators)
            refcache,
            respcache,
        )

        refcache.connect_signals()
        from reports import home

        home.register()  # recently fixed problems on the home page (core.home)
        from reports import opendata

        opendata.register_all()  # the public reports in the open-data catalogue (opendata.registry)
        respcache.connect_signals()
