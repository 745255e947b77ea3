from modeltranslation.translator import TranslationOptions, register

from budgeting import models


@register(models.Edition)
class EditionTR(TranslationOptions):
    fields = ("title", "description")


@register(models.Category)
@register(models.Pool)
class NameTR(TranslationOptions):
    fields = ("name",)
