from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Participation")
    nav_items = [(_("Participation"), "participation:index")]

    def ready(self) -> None:
        from participation import strategy_links

        strategy_links.register_all()  # origins and a section of strategic projects (strategy.origins)
        from participation import home

        home.register()  # open consultations and upcoming events on the home page (core.home)
