"""Consent texts and their versions, and the record of each consent (GDPR article 7(1): the platform must be
able to show what a person agreed to, and when).

A text's wording is changed only together with its version: the record keeps the text exactly as it was
shown, in the language it was shown in, so an old consent stays readable after the wording moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent


@dataclass(frozen=True)
class ConsentText:
    kind: str
    version: str
    text: Any  # a lazy translation (gettext_lazy)

    def shown(self) -> str:
        """The text as the person sees it now, in the active language."""
        return str(self.text)


TERMS = ConsentText(
    Consent.Kind.TERMS, "2026-12-06",
    _("I accept the terms of use and the privacy notice: the city keeps my e-mail address and what I write "
      "here to run the platform; my public contributions are shown without my e-mail address; I can download "
      "or delete my data at any time from “My data”."))
NOTIFICATIONS = ConsentText(
    Consent.Kind.NOTIFICATIONS, "2026-12-06",
    _("Send me e-mails about what I follow (replies, changes of status, alerts I set). I can stop them at any "
      "time."))

TEXTS = {text.kind: text for text in (TERMS, NOTIFICATIONS)}


def record(user: Any, text: ConsentText, *, given: bool = True, context: str = "") -> Consent:
    """Records the consent as shown in the active language (call inside the state change's transaction)."""
    return Consent.objects.create(user=user, kind=text.kind, version=text.version, text=text.shown(),
                                  language=translation.get_language() or "ro", given=given, context=context)


def current(user: Any) -> dict[str, Consent]:
    """The latest record per kind (given or withdrawn)."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(user=user).order_by("recorded_at", "pk"):
        latest[consent.kind] = consent
    return latest
