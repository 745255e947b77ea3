"""Language-free paths: the open feeds of announcements (announcements/feeds.py)."""

from django.urls import path, re_path

from announcements import feeds

urlpatterns = [
    path("feeds/cifs.json", feeds.cifs_feed, name="announcements_cifs"),
    path("feeds/cap.atom", feeds.cap_index, name="announcements_cap_index"),
    path("feeds/cap/<int:pk>.xml", feeds.cap_message, name="announcements_cap"),
    re_path(r"^feeds/cap/(?P<prefix>[a-z]{1,20})-(?P<key>[A-Za-z0-9_]{1,40})\.xml$", feeds.cap_source_message,
            name="announcements_cap_source"),
    path("feeds/planned.atom", feeds.planned_atom, name="announcements_planned_atom"),
    path("feeds/planned.ics", feeds.planned_ics, name="announcements_planned_ics"),
    path("feeds/announcements.geojson", feeds.geojson, name="announcements_geojson"),
]
