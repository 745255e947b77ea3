"""Checking and cleaning uploaded photos (no Django import).

An upload is trusted for nothing: its name and declared type are ignored, the bytes are sniffed
(`filetype`), fully decoded by Pillow (a truncated or forged file fails here), bounded in pixels
(decompression bombs), turned upright from the EXIF orientation, shrunk, and re-encoded as a fresh
JPEG. Re-encoding writes no metadata, so EXIF (GPS position, camera serial...) never leaves the
server.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40 MP phone photo; more is refused before decoding
MAX_SIDE = 1600
ACCEPTED_TYPES = {"image/jpeg", "image/png", "image/webp"}


class PhotoError(ValueError):
    """The upload is not an acceptable photo. `code` is one of: too_large, empty, not_image,
    too_many_pixels, undecodable (callers translate it); the message has the details."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int


def clean_photo(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_side: int = MAX_SIDE) -> CleanPhoto:
    if len(data) > max_bytes:
        raise PhotoError("too_large", f"{len(data) // 1024} KiB, at most {max_bytes // 1024} KiB")
    if not data:
        raise PhotoError("empty", "empty file")
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ACCEPTED_TYPES:
        raise PhotoError("not_image", "not a JPEG, PNG or WebP image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoError("too_many_pixels", f"{probe.width}×{probe.height} pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                if upright.mode not in ("RGB", "L"):
                    background = Image.new("RGB", upright.size, "white")
                    rgba = upright.convert("RGBA")
                    background.paste(rgba, mask=rgba.split()[-1])
                    upright = background
                upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                output = io.BytesIO()
                upright.convert("RGB").save(output, format="JPEG", quality=85, optimize=True)
                return CleanPhoto(output.getvalue(), upright.width, upright.height)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as error:
        raise PhotoError("undecodable", "the image could not be decoded") from error
