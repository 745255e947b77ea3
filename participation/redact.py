"""Removing contact details from free text before it is shown or exported. Pure: no Django."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Romanian and international phone numbers: 07xx xxx xxx, +40 7xx..., 0256 xxx xxx, with spaces, dots or dashes.
PHONE = re.compile(r"(?<!\d)(\+?\d[\d .\-/]{7,}\d)(?!\d)")
CNP = re.compile(r"(?<!\d)[1-8]\d{12}(?!\d)")  # Romanian personal numeric code
URL_WITH_QUERY = re.compile(r"https?://\S+\?\S+")


def redact(text: str) -> str:
    """Replace e-mail addresses, phone numbers, personal numeric codes and tracking URLs with a marker."""
    text = EMAIL.sub("[email]", text)
    text = CNP.sub("[CNP]", text)
    text = PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group(1)) >= 9 else m.group(1), text)
    return URL_WITH_QUERY.sub("[link]", text)
