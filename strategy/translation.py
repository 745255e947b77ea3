from modeltranslation.translator import TranslationOptions, register

from strategy import models


@register(models.Strategy)
class StrategyTR(TranslationOptions):
    fields = ("title", "motto", "motto_text", "vision", "vision_text", "mission", "mission_text", "summary")


@register(models.SmartCityDimension)
@register(models.OpenActionCategory)
@register(models.LocalActorType)
@register(models.FundingProgramme)
class NameTR(TranslationOptions):
    fields = ("name",)


@register(models.DysfunctionCluster)
@register(models.NeedsCluster)
@register(models.ValueProposition)
@register(models.Objective)
@register(models.OpenAction)
@register(models.DigitalEnabler)
@register(models.Milestone)
@register(models.CoDesignActivity)
class TitleTR(TranslationOptions):
    fields = ("title",)


@register(models.Ambition)
class AmbitionTR(TranslationOptions):
    fields = ("title", "situation")


@register(models.Project)
class ProjectTR(TranslationOptions):
    fields = ("title", "description", "notes")


@register(models.ProjectUpdate)
class ProjectUpdateTR(TranslationOptions):
    fields = ("text",)


@register(models.GovernanceBody)
class GovernanceTR(TranslationOptions):
    fields = ("name", "role")


@register(models.KPI)
class KpiTR(TranslationOptions):
    fields = ("name", "notes")


@register(models.Figure)
class FigureTR(TranslationOptions):
    fields = ("name",)


@register(models.EvaluationCycle)
class EvaluationTR(TranslationOptions):
    fields = ("summary", "recommendations")
