"""Content the city writes in both languages (what citizens write stays as written)."""

from modeltranslation.translator import TranslationOptions, register

from participation import models


@register(models.Process)
class ProcessTR(TranslationOptions):
    fields = ("title", "summary", "description")


@register(models.Phase)
class TitleDescriptionTR(TranslationOptions):
    fields = ("title", "description")


@register(models.Consultation)
class ConsultationTR(TranslationOptions):
    fields = ("title", "description", "outcome")


@register(models.Question)
class QuestionTR(TranslationOptions):
    fields = ("text", "help_text", "scale_min_label", "scale_max_label")


@register(models.Option)
class OptionTR(TranslationOptions):
    fields = ("text",)


@register(models.WorkingGroup)
class WorkingGroupTR(TranslationOptions):
    fields = ("name", "description")


@register(models.Event)
class EventTR(TranslationOptions):
    fields = ("title", "description", "outcomes")


@register(models.Conversation)
class ConversationTR(TranslationOptions):
    fields = ("title", "description")
