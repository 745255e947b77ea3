"""The visual identity from settings: colour arithmetic (pure), the generated /brand.css, the system
check that refuses unreadable colours, and the header built from it (logo, name, menu, navigation)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.branding import WHITE, contrast_ratio, identity_problems, mix, palette, parse_hex


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio(parse_hex("#000"), WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast_ratio(parse_hex("#767676"), WHITE) == pytest.approx(4.54, abs=0.01)  # the AA grey


def test_parse_hex_accepts_short_and_long_forms_only() -> None:
    assert parse_hex("#fff") == WHITE
    assert parse_hex("#0B4F8A").hex() == "#0b4f8a"
    for bad in ("0b4f8a", "#0b4f8", "blue", "#0b4f8a; background: url(x)", ""):
        with pytest.raises(ValueError):
            parse_hex(bad)


def test_palette_derives_darker_and_lighter_shades() -> None:
    colours = palette("#0b4f8a", "#b35900")
    assert colours.primary == "#0b4f8a" and colours.accent == "#b35900"
    assert contrast_ratio(parse_hex(colours.primary_dark), WHITE) > contrast_ratio(parse_hex("#0b4f8a"), WHITE)
    # The tint is a panel background: dark text on it keeps AA contrast.
    assert contrast_ratio(parse_hex(colours.primary_tint), parse_hex("#1b1b1f")) > 12
    assert mix(parse_hex("#000000"), WHITE, 0.5).hex() == "#808080"


def test_identity_problems_name_the_setting() -> None:
    assert identity_problems("#0b4f8a", "#b35900") == []
    assert "BRAND_PRIMARY_COLOR" in identity_problems("navy", "#b35900")[0]
    problems = identity_problems("#ffcc00", "#fff5cc")  # yellow: white text on it is unreadable
    assert any("BRAND_PRIMARY_COLOR=#ffcc00" in p and "4.5:1" in p for p in problems)
    assert any("BRAND_ACCENT_COLOR" in p for p in problems)


def test_system_check_errors_on_malformed_and_warns_on_low_contrast(settings: Any) -> None:
    from core.checks import visual_identity

    assert visual_identity() == []
    settings.BRAND_PRIMARY_COLOR = "blue"
    assert [m.id for m in visual_identity()] == ["core.E001"]
    settings.BRAND_PRIMARY_COLOR = "#87ceeb"
    assert [m.id for m in visual_identity()] == ["core.W001"]


@pytest.mark.django_db
def test_brand_css_carries_the_configured_identity(client: Client, settings: Any) -> None:
    settings.BRAND_PRIMARY_COLOR = "#5a2d82"
    settings.BRAND_ACCENT_COLOR = "#a4161a"
    settings.BRAND_FONT_FAMILY = 'Georgia, serif; } body { display: none'
    page = client.get("/en/participation/").content.decode()
    start = page.index('href="/brand.css?v=') + len('href="')
    url = page[start:page.index('"', start)].replace("&amp;", "&")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "--brand-primary: #5a2d82;" in css and "--brand-accent: #a4161a;" in css
    assert "--brand-font: Georgia, serif  body  display: none;" in css  # cannot leave its declaration
    assert "immutable" in response["Cache-Control"]
    assert "immutable" not in client.get("/brand.css?v=old")["Cache-Control"]


@pytest.mark.django_db
def test_site_name_and_logo_come_from_settings(client: Client, settings: Any) -> None:
    settings.SITE_NAME = "Cluj Smart City"
    settings.BRAND_LOGO = "https://example.org/cluj.svg"
    body = client.get("/en/participation/").content.decode()
    assert "Cluj Smart City" in body and 'src="https://example.org/cluj.svg"' in body
    assert "<title>Participation · Cluj Smart City</title>" in body
    settings.BRAND_LOGO = ""
    assert 'class="brand-logo"' not in client.get("/en/participation/").content.decode()
    settings.BRAND_LOGO = "img/logo-timisoara.svg"
    assert 'src="/static/img/logo-timisoara.svg"' in client.get("/en/participation/").content.decode()


@pytest.mark.django_db
def test_header_has_a_menu_button_and_marks_the_current_section(client: Client, strategy_data: None) -> None:
    body = client.get("/ro/proiecte/A1.O1.P1/").content.decode()
    assert '<details class="site-menu">' in body and '<summary class="menu-button">' in body
    assert "Meniu" in body
    assert '<a href="/ro/proiecte/" aria-current="true">' in body  # inside the projects section
    body = client.get("/ro/strategie/").content.decode()
    assert '<a href="/ro/strategie/" aria-current="page">' in body
    assert 'aria-current' not in client.get("/ro/").content.decode().split("</header>")[0].split("<nav")[1]


def test_default_logo_is_a_small_svg_in_the_repository() -> None:
    from django.conf import settings

    logo = settings.BASE_DIR / "static" / "img" / "logo-timisoara.svg"
    text = logo.read_text()
    assert text.startswith("<svg") and 'viewBox="0 0 64 64"' in text and len(text) < 3000
