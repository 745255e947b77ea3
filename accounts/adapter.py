"""allauth adapter: sign-in limits that a stranger cannot turn against other people.

- The client address is core.client_address (trusted proxies honoured, forged X-Forwarded-For
  entries ignored), so behind the reverse proxy each citizen is counted on their own address.
- Failed sign-ins are counted per (account, address) as well as per address: a stranger guessing
  someone's password is slowed down on their own address and never locks the owner out of the
  account from the owner's address (OWASP ASVS 2.2.1, lockout attacks).
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from core.client_address import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        per_account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{per_account}:{client_address(request)}"

    def confirm_email(self, request: HttpRequest, email_address: Any) -> Any:
        # The e-mail verification level, dated, on the "My verification" page (accounts/verification.py).
        from accounts.verification import record_email_confirmation

        result = super().confirm_email(request, email_address)
        record_email_confirmation(email_address.user, email_address.email)
        return result


def user_display(user: Any) -> str:
    """How allauth names the person to themselves ("Signed in as …"): their public name, else their own
    e-mail address (never the bare "user #26" of User.__str__, which hides the address on public pages)."""
    return str(getattr(user, "display_name", "") or getattr(user, "email", "") or user)
