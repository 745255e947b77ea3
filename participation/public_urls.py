"""Language-free paths: the calendar feed that calendar apps subscribe to."""

from django.urls import path

from participation.views import events

urlpatterns = [
    path("participation/events.ics", events.events_feed, name="participation_events_feed"),
]
