from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")
    nav_group = "participation"
    nav_items = [(_("Overview"), "participation:index"), (_("Consultations"), "participation:consultations"),
                 (_("Proposals"), "participation:proposals"), (_("Working groups"), "participation:groups"),
                 (_("Events"), "participation:events")]

    def ready(self) -> None:
        from participation import personal_data

        personal_data.register()  # the room's part of a person's data: export and erasure (accounts.personal_data)
        from participation import strategy_links

        strategy_links.register_all()  # origins and a section of strategic projects (strategy.origins)
        from core import recurring

        # Run by the worker (core.recurring): safe to repeat, nothing is sent twice.
        recurring.register("participation.tasks.send_event_reminders", minute="0")  # hourly
        recurring.register("participation.tasks.send_daily_digests", hour="7", minute="0")  # the city's time
        from participation import home

        home.register()  # open consultations and upcoming events on the home page (core.home)
        from participation import opendata

        opendata.register_all()  # the room's datasets in the open-data catalogue (opendata.registry)
