from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from core.sites import apply_configured_domain

        post_migrate.connect(apply_configured_domain, sender=self, dispatch_uid="core.apply_site_domain")
        from core import checks, page_cache  # noqa: F401  (importing checks registers the visual-identity check)

        page_cache.connect()  # every committed write invalidates the anonymous page cache
