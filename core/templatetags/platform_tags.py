"""Template helpers shared by the rooms."""

from __future__ import annotations

import html
import re
from typing import Any

from django import template
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()


@register.simple_tag
def lang_of(instance: Any, field: str) -> SafeString | str:
    """` lang="en"` when a translated field shows its fallback (WCAG 3.1.2, language of parts).

    Content not yet translated into the page's language falls back to another language; screen
    readers must be told so they pronounce it correctly.
    """
    current = (get_language() or "ro").split("-")[0]
    if getattr(instance, f"{field}_{current}", None):
        return ""
    for language in ("en", "ro"):
        if language != current and getattr(instance, f"{field}_{language}", None):
            return format_html(' lang="{}"', language)
    return ""


@register.simple_tag(takes_context=True)
def home_panel(context: Any, panel: Any) -> SafeString:
    """Render a home panel (core.home.ActivePanel) with the page's context plus its own values,
    as {% include %} does, so context processors run once for the whole page."""
    template = context.template.engine.get_template(panel.template)
    with context.push(panel_key=panel.key, **panel.context):
        return template.render(context)  # type: ignore[no-any-return]


_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S | re.I)


class ScrollTableNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Any) -> SafeString:
        inner = self.nodelist.render(context)
        caption = _CAPTION.search(inner)
        label = " ".join(html.unescape(strip_tags(caption.group(1))).split()) if caption else ""
        return format_html('<div class="table-scroll" role="region" tabindex="0" aria-label="{}">{}</div>',
                           label or gettext("Table"), mark_safe(inner))  # inner: our own rendered template


@register.tag("scroll_table")
def scroll_table(parser: Any, token: Any) -> ScrollTableNode:
    """{% scroll_table %}<table>…</table>{% endscroll_table %}: a table that scrolls sideways inside its
    own box on a narrow screen instead of the whole page. The box is a keyboard-focusable region named
    after the table's caption (axe: scrollable-region-focusable)."""
    nodelist = parser.parse(("endscroll_table",))
    parser.delete_first_token()
    return ScrollTableNode(nodelist)
