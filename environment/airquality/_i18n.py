"""Marks user-visible strings for translation without importing Django.

This package must stay importable without Django, yet its labels and messages
reach people in Romanian and English. `gettext_noop` is one of the keywords
Django's ``makemessages`` passes to xgettext, so strings wrapped here land in
the .po catalogue; the Django layer translates them at display time with
``gettext(label)`` (or ``gettext(template) % params`` for messages).
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Return ``message`` unchanged; exists so xgettext extracts the string."""
    return message
