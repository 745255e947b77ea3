"""Back-office permissions for core's own models (django-rules; autodiscovered).

The audit trail is read by administrators (it records who did what, so it is never edited or
deleted from the back office: core/admin.py); API tokens are issued and revoked by administrators.
"""

from __future__ import annotations

import rules

from accounts.roles import is_administrator

rules.add_perm("core.view_auditentry", is_administrator)
for action in ("view", "add", "change"):
    rules.add_perm(f"core.{action}_apitoken", is_administrator)
