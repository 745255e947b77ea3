"""Atom feeds of public reports: all, per area (neighbourhood) and per category.

Newest changes first (a status change moves a report up), 50 entries; no personal data.
"""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from core.models import Neighbourhood
from reports import selectors
from reports.models import Category, Report, Status

FEED_SIZE = 50


class AllReportsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return None

    def title(self, obj: Any) -> str:
        return _("Problem reports in Timișoara")

    def subtitle(self, obj: Any) -> str:
        return _("New reports and status changes, newest first.")

    def link(self, obj: Any) -> str:
        return reverse("reports:index")

    def filtered(self, obj: Any) -> Any:
        return selectors.public_reports()

    def items(self, obj: Any) -> list[Report]:
        return list(self.filtered(obj).select_related("category", "neighbourhood").only(
            "id", "title", "description", "status", "created_at", "updated_at", "category__name_ro",
            "category__name_en", "category__code", "neighbourhood__name", "address").order_by(
            "-updated_at", "-id")[:FEED_SIZE])

    def item_title(self, item: Report) -> str:
        return f"#{item.pk} {item.title} — {Status(item.status).label}"

    def item_description(self, item: Report) -> str:
        place = item.neighbourhood.name if item.neighbourhood else _("outside the mapped neighbourhoods")
        return f"{item.category.name} · {place}\n\n{item.description}"

    def item_link(self, item: Report) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Report) -> Any:
        return item.created_at

    def item_updateddate(self, item: Report) -> Any:
        return item.updated_at

    def item_categories(self, item: Report) -> list[str]:
        return [item.category.name]


class AreaFeed(AllReportsFeed):
    def get_object(self, request: HttpRequest, *args: Any, slug: str = "", **kwargs: Any) -> Any:
        if slug == selectors.OUTSIDE_AREA:
            return selectors.OUTSIDE_AREA
        area = Neighbourhood.objects.filter(slug=slug).only("id", "slug", "name").first()
        if area is None:
            raise Http404
        return area

    def title(self, obj: Any) -> str:
        name = _("outside the mapped neighbourhoods") if obj == selectors.OUTSIDE_AREA else obj.name
        return _("Problem reports: %(area)s") % {"area": name}

    def link(self, obj: Any) -> str:
        slug = obj if obj == selectors.OUTSIDE_AREA else obj.slug
        return reverse("reports:index") + f"?area={slug}"

    def filtered(self, obj: Any) -> Any:
        if obj == selectors.OUTSIDE_AREA:
            return selectors.public_reports().filter(neighbourhood__isnull=True)
        return selectors.public_reports().filter(neighbourhood=obj)


class CategoryFeed(AllReportsFeed):
    def get_object(self, request: HttpRequest, *args: Any, code: str = "", **kwargs: Any) -> Any:
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise Http404
        return category

    def title(self, obj: Any) -> str:
        return _("Problem reports: %(category)s") % {"category": obj.name}

    def link(self, obj: Any) -> str:
        return reverse("reports:index") + f"?category={obj.code}"

    def filtered(self, obj: Any) -> Any:
        return selectors.public_reports().filter(category=obj)
