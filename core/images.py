"""The one pipeline for every uploaded image (reports, budgeting projects, group documents), no Django
import: one set of limits, with a parameter where a room needs a variation.

Nothing about an upload is trusted: not its name, not its declared content type. The bytes are
sniffed, verified by Pillow (`verify()` catches truncated and forged files), bounded in pixels
before decoding (decompression bombs), reopened and fully decoded, turned upright from the EXIF
orientation, shrunk and re-encoded as a new JPEG. The new file is written without any metadata,
so EXIF (GPS position, camera serial number, time) never reaches storage, let alone the public.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50 MP phone photo; larger images are refused before decoding
MAX_SIDE = 1600
THUMBNAIL_SIDE = 400
ACCEPTED_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/gif"}
# HEIC needs a plugin Pillow does not ship; it is sniffed here to give a precise message.
DECODABLE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


class PhotoError(ValueError):
    """The upload is not an acceptable photo.

    `code` is one of: empty, too_large, not_image, unsupported, too_many_pixels, undecodable;
    callers translate it. The message carries the technical detail (for logs).
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int
    thumbnail: bytes


def _encode(image: Image.Image, side: int, quality: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    # A fresh JPEG: Pillow writes EXIF/XMP/ICC only when asked to, and we never ask.
    copy.save(output, format="JPEG", quality=quality, optimize=True, progressive=True)
    return output.getvalue(), copy.width, copy.height


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparency and palettes do not survive JPEG otherwise."""
    if image.mode in ("RGB", "L"):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.split()[-1])
    return background


def clean_photo(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_side: int = MAX_SIDE,
                max_pixels: int = MAX_PIXELS, thumbnail_side: int | None = THUMBNAIL_SIDE) -> CleanPhoto:
    """Return a re-encoded, metadata-free JPEG (and a thumbnail unless thumbnail_side is None) or raise
    PhotoError."""
    if not data:
        raise PhotoError("empty", "empty file")
    if len(data) > max_bytes:
        raise PhotoError("too_large", f"{len(data)} bytes, at most {max_bytes}")
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        raise PhotoError("not_image", f"content sniffed as {kind.mime if kind else 'unknown'}")
    if kind.mime not in DECODABLE_TYPES:
        raise PhotoError("unsupported", f"{kind.mime} is not decodable here")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in {"JPEG", "PNG", "WEBP", "GIF", "MPO"}:
                    raise PhotoError("not_image", f"decoded as {probe.format}")
                if probe.width * probe.height > max_pixels:
                    raise PhotoError("too_many_pixels", f"{probe.width}x{probe.height} pixels")
                probe.verify()
            # verify() leaves the image unusable: reopen and decode every pixel.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = _flatten(ImageOps.exif_transpose(image) or image)
        content, width, height = _encode(upright, max_side, 85)
        thumbnail = _encode(upright, thumbnail_side, 80)[0] if thumbnail_side else b""
        return CleanPhoto(content=content, width=width, height=height, thumbnail=thumbnail)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as error:
        raise PhotoError("undecodable", f"{type(error).__name__}: {error}") from error
