"""Checking uploaded documents by their content, not by the name or type the browser claims."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Detected type → (extension we store, MIME type we serve). Office formats are checked inside the zip.
ALLOWED = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
}
TEXT_EXTENSIONS = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown"}


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    mime_type: str
    size: int


def check_document(uploaded: Any, *, field: str = "file") -> CheckedFile:
    """Raise ValidationError({field: ...}) unless the file is a PDF, office document, image or plain text."""
    if uploaded is None:
        raise ValidationError({field: _("Choose a file.")})
    size = int(getattr(uploaded, "size", 0) or 0)
    if size == 0:
        raise ValidationError({field: _("The file is empty.")})
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError({field: _("The file is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // 2**20}})
    uploaded.seek(0)
    head = uploaded.read(65536)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is not None and kind.extension in ALLOWED:
        return CheckedFile(kind.extension, ALLOWED[kind.extension], size)
    if kind is None:
        name = str(getattr(uploaded, "name", "")).lower()
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        if extension in TEXT_EXTENSIONS and _is_text(uploaded):
            return CheckedFile(extension, TEXT_EXTENSIONS[extension], size)
    raise ValidationError({field: _("Upload a PDF, an OpenDocument or Office document, a PNG or JPEG image, "
                                    "or plain text (TXT, CSV, MD).")})


def _is_text(uploaded: Any) -> bool:
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
