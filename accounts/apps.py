from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from accounts import oidc, own_data, staff_mfa  # noqa: F401  (oidc and staff_mfa connect signal receivers)

        own_data.register_own()  # the account's own part of "my data" (accounts.personal_data)
