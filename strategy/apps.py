from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = _("Strategy and monitoring")
    # Header links (core.context_processors): the strategy's pages come first.
    nav_group = "strategy"
    nav_items = [(_("Overview"), "strategy:overview"), (_("Projects"), "strategy:projects"),
                 (_("Indicators"), "strategy:kpis"), (_("Governance"), "strategy:governance")]

    def ready(self) -> None:
        from strategy import home, kpi_providers  # noqa: F401  (registers the built-in providers)

        home.register()
        from core import recurring

        recurring.register("strategy.tasks.refresh_kpi_providers", hour="6", minute="30")  # daily (core.recurring)
