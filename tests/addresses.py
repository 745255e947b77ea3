"""Page lists in tests are written once with English paths ("/{lang}/air/city/"); a room whose paths are
translated serves the Romanian page elsewhere (/ro/aer/oras/). `localized` gives the page's own address in
the language of its prefix (what reverse() gives in that language), so one list serves both languages."""

from __future__ import annotations

from django.test import Client
from django.urls import translate_url
from django.utils import translation


def localized(path: str) -> str:
    language = path.split("/")[1]
    address, _, query = path.partition("?")
    english = f"/en/{address.split('/', 2)[2]}"
    with translation.override("en"):
        translated = translate_url(english, language)
    if translated == english:  # no page there: leave the path as written (the test expects a 404)
        return path
    return translated + (f"?{query}" if query else "")


# --- A room's translated addresses: the checks every room with Romanian paths runs on its page list ----------
# Each room's tests keep a list of (url name, arguments, English path, Romanian path) — the paths after the
# language prefix — and pass it here with the room's namespace and urlpatterns.

Page = tuple[str, list[object], str, str]


def assert_every_page_is_listed(pages: list[Page], urlpatterns: list[object]) -> None:
    assert {name for name, *_rest in pages} == {getattr(p, "name", None) for p in urlpatterns
                                                if getattr(p, "name", None)}


def assert_both_addresses(namespace: str, name: str, args: list[object], english: str, romanian: str) -> None:
    """reverse() gives the Romanian path under /ro/ and the English one under /en/; the Romanian path is
    plain ASCII (no diacritics in addresses people type)."""
    import re

    from django.urls import reverse

    with translation.override("ro"):
        assert reverse(f"{namespace}:{name}", args=args) == f"/ro/{romanian}"
    with translation.override("en"):
        assert reverse(f"{namespace}:{name}", args=args) == f"/en/{english}"
    assert re.fullmatch(r"[a-z0-9/<>:._-]+", romanian)


def assert_old_address_redirects(client: Client, english: str, romanian: str) -> None:
    """The old English address under /ro/ answers a permanent redirect to the Romanian one, query kept."""
    response = client.get(f"/ro/{english}?a=1&b=%C8%99")
    assert response.status_code == 301, english
    assert response["Location"] == f"/ro/{romanian}?a=1&b=%C8%99"
    bare = client.get(f"/ro/{english}")
    assert bare.status_code == 301 and bare["Location"] == f"/ro/{romanian}"
