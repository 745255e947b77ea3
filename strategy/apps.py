from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = _("Strategy and monitoring")

    def ready(self) -> None:
        from strategy import kpi_providers  # noqa: F401  (registers the built-in providers)
