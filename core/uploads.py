"""Every upload is checked here: photos through core.images (re-encoded, metadata stripped), documents
by their content, not by the name or type the browser claims. Errors name the field, translated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.images import MAX_PIXELS, MAX_UPLOAD_BYTES, PhotoError, clean_photo

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Detected type → MIME type we serve. Office formats are recognised inside the zip.
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
IMAGE_EXTENSIONS = {"png", "jpg"}
TEXT_EXTENSIONS = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown"}


def photo_error_message(error: PhotoError) -> str:
    """The translated reason a photo was refused (the same words in every room)."""
    messages = {
        "empty": _("The file is empty."),
        "too_large": _("The photo is too large (at most 8 MB)."),
        "not_image": _("This file is not a photo (JPEG, PNG, WebP or GIF), whatever its name says."),
        "unsupported": _("This photo format (HEIC) cannot be read; please send a JPEG or PNG."),
        "too_many_pixels": _("The image has too many pixels (at most 50 megapixels)."),
        "undecodable": _("The photo could not be read; it may be damaged."),
    }
    return str(messages.get(error.code, _("The photo could not be read.")))


def photo_too_large(uploaded: Any) -> str | None:
    """A form's early check, before reading the file: the message, or None when the size is fine."""
    if uploaded is not None and int(getattr(uploaded, "size", 0) or 0) > MAX_UPLOAD_BYTES:
        return _("The photo is too large (at most 8 MB).")
    return None


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    mime_type: str
    size: int
    # Images are re-encoded through core.images (metadata such as GPS removed): store these bytes.
    content: bytes | None = None


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
    if kind is not None and kind.extension in IMAGE_EXTENSIONS:
        uploaded.seek(0)
        data = uploaded.read()
        uploaded.seek(0)
        try:
            clean = clean_photo(data, max_bytes=MAX_DOCUMENT_BYTES, max_pixels=MAX_PIXELS, thumbnail_side=None)
        except PhotoError as error:
            raise ValidationError({field: photo_error_message(error)}) from None
        return CheckedFile("jpg", "image/jpeg", len(clean.content), clean.content)
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
