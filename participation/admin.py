"""Back office of the participation room. Saves are audited (core.admin_audit.AuditedAdmin);
domain actions (answers to proposals, moderation) go through participation.services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from core.admin_audit import AuditedAdmin
from participation import models, services


class AuditedTranslationAdmin(AuditedAdmin, TranslationAdmin):  # type: ignore[misc]
    pass


class PhaseInline(TranslationTabularInline):
    model = models.Phase
    extra = 0
    fields = ["order", "title", "start", "end", "description"]


@admin.register(models.Process)
class ProcessAdmin(AuditedTranslationAdmin):
    list_display = ["title", "slug", "published", "proposals_open", "support_threshold"]
    list_filter = ["published", "proposals_open"]
    search_fields = ["title_ro", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    filter_horizontal = ["ambitions", "objectives", "projects"]
    inlines = [PhaseInline]


class QuestionInline(TranslationStackedInline):
    model = models.Question
    extra = 0
    fields = ["order", "kind", "text", "help_text", "required", "max_choices", ("scale_min", "scale_max"),
              ("scale_min_label", "scale_max_label"), ("number_min", "number_max"), "max_length",
              "condition_question"]
    show_change_link = True


@admin.register(models.Consultation)
class ConsultationAdmin(AuditedTranslationAdmin):
    list_display = ["title", "opens_at", "closes_at", "audience", "results_visibility", "published"]
    list_filter = ["published", "audience", "results_visibility"]
    search_fields = ["title_ro", "title_en", "slug"]
    autocomplete_fields = ["strategy_project"]  # the strategic project that carries out the outcome
    inlines = [QuestionInline]


class OptionInline(TranslationTabularInline):
    model = models.Option
    extra = 2
    fields = ["role", "order", "text"]


@admin.register(models.Question)
class QuestionAdmin(AuditedTranslationAdmin):
    list_display = ["text", "consultation", "kind", "required", "order"]
    list_filter = ["kind", "consultation"]
    inlines = [OptionInline]
    filter_horizontal = ["condition_options"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # A condition can only point at an earlier question of the same consultation, and its options.
        if obj is not None:
            earlier = models.Question.objects.filter(consultation=obj.consultation_id, order__lt=obj.order)
            if "condition_question" in form.base_fields:
                form.base_fields["condition_question"].queryset = earlier  # type: ignore[attr-defined]
            if "condition_options" in form.base_fields:
                form.base_fields["condition_options"].queryset = models.Option.objects.filter(  # type: ignore[attr-defined]
                    question__in=earlier)
        return form


# Organisations and their representatives are administered in the resources room.


@admin.register(models.WorkingGroup)
class WorkingGroupAdmin(AuditedTranslationAdmin):
    list_display = ["name", "kind", "ambition", "project", "accepts_members"]
    list_filter = ["kind"]
    filter_horizontal = ["coordinators"]
    raw_id_fields = ["project"]


@admin.register(models.Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["group", "role", "status", "listed_publicly", "created_at"]
    list_filter = ["status", "group"]
    raw_id_fields = ["user", "organisation"]


class EventAttachmentInline(admin.TabularInline):
    model = models.EventAttachment
    extra = 0


@admin.register(models.Event)
class EventAdmin(AuditedTranslationAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "registration_open", "cancelled", "published"]
    list_filter = ["kind", "published", "cancelled"]
    search_fields = ["title_ro", "title_en"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [EventAttachmentInline]


@admin.register(models.Proposal)
class ProposalAdmin(AuditedAdmin):
    list_display = ["title", "ambition", "support_count", "official_answer", "status", "threshold_reached_at"]
    list_filter = ["status", "official_answer", "ambition"]
    search_fields = ["title", "body"]
    readonly_fields = ["support_count", "threshold_reached_at", "answered_at", "author"]
    autocomplete_fields = ["strategy_project"]  # accepted proposals: the strategic project that carries it out


@admin.action(description=_("Hide the selected comments"))
def hide_comments(modeladmin: Any, request: HttpRequest, queryset: QuerySet[models.Comment]) -> None:
    for comment in queryset:
        services.moderate_comment(request.user, comment, hide=True)


@admin.action(description=_("Restore the selected comments"))
def restore_comments(modeladmin: Any, request: HttpRequest, queryset: QuerySet[models.Comment]) -> None:
    for comment in queryset:
        services.moderate_comment(request.user, comment, hide=False)


@admin.register(models.Comment)
class CommentAdmin(AuditedAdmin):
    list_display = ["__str__", "status", "flag_count", "created_at"]
    list_filter = ["status"]
    search_fields = ["body"]
    readonly_fields = ["target_type", "target_id", "parent", "author", "body", "flag_count", "depth"]
    actions = [hide_comments, restore_comments]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class StatementInline(admin.TabularInline):
    model = models.Statement
    extra = 1
    fields = ["text", "status", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(models.Conversation)
class ConversationAdmin(AuditedTranslationAdmin):
    list_display = ["title", "opens_at", "closes_at", "published", "participants_may_submit"]
    list_filter = ["published"]
    prepopulated_fields = {"slug": ["title_en"]}
    inlines = [StatementInline]


@admin.register(models.Statement)
class StatementAdmin(AuditedAdmin):
    list_display = ["text", "conversation", "status", "created_at"]
    list_filter = ["status", "conversation"]
    search_fields = ["text"]
    readonly_fields = ["author"]
