"""Content the city writes in both languages (what citizens write stays as written)."""

from modeltranslation.translator import TranslationOptions, register

from reports import models


@register(models.Department)
@register(models.Choice)
class NameTR(TranslationOptions):
    fields = ("name",)


@register(models.Category)
class CategoryTR(TranslationOptions):
    fields = ("name", "description", "group")


@register(models.Question)
class QuestionTR(TranslationOptions):
    fields = ("text", "help_text")


@register(models.ResponseTemplate)
class ResponseTemplateTR(TranslationOptions):
    fields = ("title", "text")
