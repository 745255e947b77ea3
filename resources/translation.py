"""Content the city writes in both languages (what organisations and citizens write stays as written)."""

from modeltranslation.translator import TranslationOptions, register

from resources import models


@register(models.Space)
class SpaceTR(TranslationOptions):
    fields = ("title", "description")


@register(models.FundingProgramme)
class FundingProgrammeTR(TranslationOptions):
    fields = ("title", "summary", "eligibility")
