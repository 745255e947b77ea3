"""The rooms' demo modules (`<room>/demo.py`), found once for `load_demo_data` and `remove_demo_data`."""

from __future__ import annotations

import importlib
from types import ModuleType

from django.conf import settings


def demo_modules() -> list[ModuleType]:
    """Each installed room's `demo` module, in loading order (settings.OPTIONAL_ROOMS)."""
    modules = []
    for room in settings.OPTIONAL_ROOMS:
        if room not in settings.INSTALLED_APPS:
            continue
        try:
            modules.append(importlib.import_module(f"{room}.demo"))
        except ModuleNotFoundError as error:
            if error.name != f"{room}.demo":
                raise
    return modules
