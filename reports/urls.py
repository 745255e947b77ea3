from django.urls import path

from reports import dashboard, feeds, staff_views, views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/new/", views.new_report, name="new"),
    path("reports/new/questions/", views.questions_fragment, name="questions"),
    path("reports/new/nearby/", views.nearby_fragment, name="nearby"),
    path("reports/thanks/", views.thanks, name="thanks"),
    path("reports/geocode/", views.geocode, name="geocode"),
    path("reports/areas.geojson", views.areas_geojson, name="areas"),
    path("reports/about/", views.about, name="about"),
    path("reports/confirm/<str:token>/", views.confirm, name="confirm"),
    path("reports/follow/<str:token>/", views.confirm_follow, name="confirm_follow"),
    path("reports/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("reports/<int:pk>/", views.detail, name="detail"),
    path("reports/<int:pk>/follow/", views.follow, name="follow"),
    path("reports/<int:pk>/flag/", views.flag, name="flag"),
    path("reports/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("reports/<int:pk>/reopen/<str:token>/", views.reopen_link, name="reopen_link"),
    path("reports/feeds/all.atom", feeds.AllReportsFeed(), name="feed_all"),
    path("reports/feeds/area/<slug:slug>.atom", feeds.AreaFeed(), name="feed_area"),
    path("reports/feeds/category/<slug:code>.atom", feeds.CategoryFeed(), name="feed_category"),
    path("reports/dashboard/", dashboard.dashboard, name="dashboard"),
    path("reports/dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("reports/staff/", staff_views.inbox, name="inbox"),
    path("reports/staff/bulk/", staff_views.bulk, name="bulk"),
    path("reports/staff/moderation/", staff_views.moderation, name="moderation"),
    path("reports/staff/export.csv", staff_views.export_csv, name="export"),
    path("reports/staff/<int:pk>/", staff_views.report, name="staff_report"),
    path("reports/staff/photos/<int:photo_id>/", staff_views.moderate_photo, name="moderate_photo"),
]
