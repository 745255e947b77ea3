from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "budgeting"
    verbose_name = _("Participatory budgeting")
    nav_group = "participation"
    nav_items = [(_("Participatory budget"), "budgeting:index")]

    def ready(self) -> None:
        from budgeting import personal_data

        personal_data.register()  # the room's part of a person's data: export and erasure (accounts.personal_data)
        from budgeting import strategy_links

        strategy_links.register_all()  # origins of strategic projects (strategy.origins)
        from core import recurring

        recurring.register("budgeting.tasks.close_due_editions", minute="*/5")  # votes close on time (core.recurring)
        from budgeting import home, kpi_providers  # noqa: F401  (registers the room's KPI providers)

        home.register()  # the budgeting phase on the home page (core.home)
        from budgeting import opendata

        opendata.register_all()  # every finished edition in the open-data catalogue (opendata.registry)
