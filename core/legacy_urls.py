"""Old page addresses kept working. Rooms first served their pages at English paths in every language
(/ro/resources/...); their paths are now translated (/ro/resurse/...), and bookmarks, printed links and
feeds still point at the old ones. `english_paths_redirect("resources/")` answers such an address with a
permanent redirect (301) to the same page at its address in the request's language."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import ResolverMatch, URLPattern, re_path, translate_url
from django.utils import translation


def _target(prefix: str, rest: str) -> str | None:
    """The page's address in the active language, or None when no English page is at `prefix` + `rest`."""
    language = translation.get_language() or "ro"
    english = f"/en/{prefix}{rest}"
    # translate_url resolves the path in English and reverses it in the target language; it returns the
    # path unchanged when nothing matches (then there is nothing to redirect to).
    with translation.override("en"):
        target = translate_url(english, language)
    return None if target == english else target


def _redirect(request: HttpRequest, prefix: str, rest: str) -> HttpResponsePermanentRedirect:
    target = _target(prefix, rest)
    if target is None or target == request.path:
        raise Http404
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


class _OldEnglishPath(URLPattern):
    """Matches only an old address of a page that exists, in a language other than English. Otherwise
    LocaleMiddleware would take any such path as valid under a language prefix, and answer a language-free
    path that is not found (/reports/photos/9.jpg) with a redirect to /ro/reports/photos/9.jpg instead of
    its 404."""

    def resolve(self, path: str) -> ResolverMatch | None:
        if (translation.get_language() or "en") == "en":
            return None
        match = super().resolve(path)
        if match is None or _target(match.kwargs["prefix"], match.kwargs["rest"]) is None:
            return None
        return match


def english_paths_redirect(prefix: str) -> URLPattern:
    """A pattern to place after a room's translated ones: `prefix` is the room's old English path
    ("resources/"). In English the room's own patterns match first, so this one never answers there."""
    pattern = re_path(rf"^{prefix}(?P<rest>.*)$", _redirect, {"prefix": prefix})
    return _OldEnglishPath(pattern.pattern, pattern.callback, pattern.default_args)


def address_in_language(path: str, language: str) -> str:
    """A language-free page path (`/resurse/finantare/x/` or `/announcements/5/`, as rooms store them in
    notifications' events, taken from any language's address) → the page's address in `language`
    (`/en/resources/funding/x/`). A path no language resolves keeps the plain prefix."""
    from django.conf import settings
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    address, mark, query = path.partition("?")
    others = [code for code, _name in settings.LANGUAGES if code != language]
    for source in (language, *others):
        with translation.override(source):
            try:
                match = resolve(f"/{source}{address}")
            except Resolver404:
                continue
        if match.func is _redirect:  # an old English address: resolve it as a page in another language
            continue
        if source == language:
            return f"/{language}{path}"
        with translation.override(language):
            try:
                return reverse(match.view_name, args=match.args, kwargs=match.kwargs) + mark + query
            except NoReverseMatch:
                continue
    return f"/{language}{path}"
