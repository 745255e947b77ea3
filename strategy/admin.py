"""Back office for the strategy team. Every save is audited; project status and progress
changes go through strategy.services.update_project, which also publishes a public update."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from core.admin_audit import AuditedAdmin
from strategy import kpi_providers, models, services


class AuditedTranslationAdmin(AuditedAdmin, TranslationAdmin):  # type: ignore[misc]
    pass


class MilestoneInline(TranslationTabularInline):
    model = models.Milestone
    extra = 0
    fields = ["order", "title", "due_date", "completed_on"]


class ProjectAdminForm(forms.ModelForm):
    public_note = forms.CharField(label=_("Public note for this change"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}), help_text=_("Published with a status or progress change on the project page."))

    class Meta:
        model = models.Project
        exclude: list[str] = []  # every field; the admin's fieldsets decide what is shown


@admin.register(models.Project)
class ProjectAdmin(AuditedTranslationAdmin):
    form = ProjectAdminForm
    list_display = ["code", "title", "status", "progress", "flagship", "objective"]
    list_filter = ["status", "flagship", "objective__ambition", "funding_programme"]
    search_fields = ["code", "title_en", "title_ro"]
    autocomplete_fields = ["parent", "objective"]
    filter_horizontal = ["kpis"]
    inlines = [MilestoneInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        values = {form.instance._meta.get_field(name).attname: getattr(obj, form.instance._meta.get_field(name).attname)
                  for name in form.changed_data
                  if name != "public_note" and not form.instance._meta.get_field(name).many_to_many}
        # Re-read the stored row so the service computes the diff and public update itself.
        stored = models.Project.objects.get(pk=obj.pk)
        services.update_project(request.user, stored, values, public_note=form.cleaned_data.get("public_note", ""))
        obj.refresh_from_db()


@admin.register(models.KPI)
class KpiAdmin(AuditedTranslationAdmin):
    list_display = ["code", "name", "kind", "unit", "baseline_value", "target_value", "provider"]
    list_filter = ["kind", "ambition"]
    search_fields = ["code", "name_en", "name_ro"]

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "provider":
            return forms.ChoiceField(label=_("live provider"), required=False,
                                     choices=[("", "—"), *kpi_providers.choices()])
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(models.Measurement)
class MeasurementAdmin(AuditedAdmin):
    list_display = ["kpi", "date", "value", "source"]
    list_filter = ["kpi__ambition"]
    autocomplete_fields = ["kpi"]
    exclude = ["created_by"]


@admin.register(models.Ambition)
class AmbitionAdmin(AuditedTranslationAdmin):
    list_display = ["number", "title", "dimension", "sdg"]


@admin.register(models.Objective)
class ObjectiveAdmin(AuditedTranslationAdmin):
    list_display = ["code", "title", "ambition"]
    search_fields = ["code", "title_en", "title_ro"]


@admin.register(models.ProjectUpdate)
class ProjectUpdateAdmin(AuditedTranslationAdmin):
    list_display = ["project", "kind", "created_at", "new_status"]
    exclude = ["author"]


for model in (models.Strategy, models.GovernanceBody, models.FundingProgramme, models.Figure,
              models.CoDesignActivity, models.EvaluationCycle, models.OpenAction, models.DigitalEnabler,
              models.SmartCityDimension, models.OpenActionCategory, models.LocalActorType,
              models.DysfunctionCluster, models.NeedsCluster, models.ValueProposition):
    admin.site.register(model, AuditedTranslationAdmin)
