"""The room's downloads, registered with the open-data catalogue when that room is installed."""

from __future__ import annotations


def register_all() -> None:
    try:
        from opendata import registry  # noqa: F401
    except ImportError:  # the catalogue is an optional room; the downloads work without it
        return
