from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = _("City announcements")
    default_auto_field = "django.db.models.BigAutoField"
    nav_items = [(_("Announcements"), "announcements:index")]

    def ready(self) -> None:
        from announcements import personal_data

        personal_data.register()  # the room's part of a person's data: export and erasure (accounts.personal_data)
        from announcements import home

        home.register()  # current disruptions on the home page (core.home)
        from django.apps import apps

        if apps.is_installed("opendata"):  # the open-data catalogue lists the feeds
            from announcements import opendata

            opendata.register_all()
