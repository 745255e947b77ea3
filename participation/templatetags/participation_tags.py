"""Template helpers of the participation room."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] (also tries the key as a string), or None."""
    if not hasattr(mapping, "get"):
        return None
    found = mapping.get(key)
    if found is None:
        found = mapping.get(str(key))
    return found


@register.filter
def contains(collection: Any, item: Any) -> bool:
    if collection is None:
        return False
    if isinstance(collection, (list, tuple, set, frozenset)):
        return item in collection or str(item) in {str(c) for c in collection}
    return str(collection) == str(item)


@register.filter
def join_ids(options: Any) -> str:
    return ",".join(str(o) for o in options)


@register.simple_tag
def rank_range(count: int) -> range:
    return range(1, int(count) + 1)


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """How many of the room's notices on the site the signed-in user has not read (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    from notifications import inbox

    return inbox.unread_count(user, room="participation")
