"""Old page addresses kept working. Rooms first served their pages at English paths in every language
(/ro/resources/...); their paths are now translated (/ro/resurse/...), and bookmarks, printed links and
feeds still point at the old ones. `english_paths_redirect("resources/")` answers such an address with a
permanent redirect (301) to the same page at its address in the request's language."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import URLPattern, re_path, translate_url
from django.utils import translation


def _redirect(request: HttpRequest, prefix: str, rest: str) -> HttpResponsePermanentRedirect:
    language = translation.get_language() or "ro"
    english = f"/en/{prefix}{rest}"
    # translate_url resolves the path in the active language and reverses it in the target one; it returns
    # the path unchanged when nothing matches (then there is nothing to redirect to).
    with translation.override("en"):
        target = translate_url(english, language)
    if target == english or target == request.path:
        raise Http404
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


def english_paths_redirect(prefix: str) -> URLPattern:
    """A pattern to place after a room's translated ones: `prefix` is the room's old English path
    ("resources/"). In English the room's own patterns match first, so this one never answers there."""
    return re_path(rf"^{prefix}(?P<rest>.*)$", _redirect, {"prefix": prefix})
