"""Announcements are written by the city in Romanian and English (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from announcements import models


@register(models.Announcement)
class AnnouncementTR(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("ro", "en")
