"""Pages of the reports room (language-prefixed: /ro/sesizari/..., /en/reports/...). The language-free paths
(Open311, the map's data, photos) are in public_urls.py and are the same in every language."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.legacy_urls import english_paths_redirect
from reports import dashboard, feeds, staff_views, views

app_name = "reports"

urlpatterns = [
    path(_("reports/"), views.index, name="index"),
    path(_("reports/new/"), views.new_report, name="new"),
    path(_("reports/new/questions/"), views.questions_fragment, name="questions"),
    path(_("reports/new/nearby/"), views.nearby_fragment, name="nearby"),
    path(_("reports/thanks/"), views.thanks, name="thanks"),
    path(_("reports/geocode/"), views.geocode, name="geocode"),
    path(_("reports/areas.geojson"), views.areas_geojson, name="areas"),
    path(_("reports/about/"), views.about, name="about"),
    path(_("reports/confirm/<str:token>/"), views.confirm, name="confirm"),
    path(_("reports/follow/<str:token>/"), views.confirm_follow, name="confirm_follow"),
    path(_("reports/unsubscribe/<str:token>/"), views.unsubscribe, name="unsubscribe"),
    path(_("reports/<int:pk>/"), views.detail, name="detail"),
    path(_("reports/<int:pk>/follow/"), views.follow, name="follow"),
    path(_("reports/<int:pk>/flag/"), views.flag, name="flag"),
    path(_("reports/<int:pk>/reopen/"), views.reopen, name="reopen"),
    path(_("reports/<int:pk>/reopen/<str:token>/"), views.reopen_link, name="reopen_link"),
    path(_("reports/feeds/all.atom"), feeds.AllReportsFeed(), name="feed_all"),
    path(_("reports/feeds/area/<slug:slug>.atom"), feeds.AreaFeed(), name="feed_area"),
    path(_("reports/feeds/category/<slug:code>.atom"), feeds.CategoryFeed(), name="feed_category"),
    path(_("reports/dashboard/"), dashboard.dashboard, name="dashboard"),
    path(_("reports/dashboard.csv"), dashboard.dashboard_csv, name="dashboard_csv"),
    path(_("reports/staff/"), staff_views.inbox, name="inbox"),
    path(_("reports/staff/bulk/"), staff_views.bulk, name="bulk"),
    path(_("reports/staff/moderation/"), staff_views.moderation, name="moderation"),
    path(_("reports/staff/export.csv"), staff_views.export_csv, name="export"),
    path(_("reports/staff/<int:pk>/"), staff_views.report, name="staff_report"),
    path(_("reports/staff/photos/<int:photo_id>/"), staff_views.moderate_photo, name="moderate_photo"),
    # The English addresses under /ro/ that served these pages before (bookmarks, printed links, feeds
    # readers, links in e-mails already sent, notification links stored as /reports/<id>/): 301 to the
    # translated ones, query kept.
    english_paths_redirect("reports/"),
]
