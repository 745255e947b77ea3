from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from accounts import own_data, staff_mfa  # noqa: F401  (staff_mfa connects its signal receiver)

        own_data.register_own()  # the account's own part of "my data" (accounts.personal_data)
