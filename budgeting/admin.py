"""Back office of the budgeting room. Edits are audited (AuditedAdmin); phase changes, reviews
and voting codes go through budgeting.services. Ballots and vote records
cannot be added, changed or deleted here by anyone."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from budgeting import models, services
from core.admin_audit import AuditedAdmin
from core.admin_readonly import ReadOnlyAdmin


class AuditedTranslationAdmin(AuditedAdmin, TranslationAdmin):  # type: ignore[misc]
    pass


class PoolInline(TranslationTabularInline):
    model = models.Pool
    extra = 0
    fields = ["order", "slug", "name", "kind", "neighbourhood", "category", "budget"]


@admin.register(models.Edition)
class EditionAdmin(AuditedTranslationAdmin):
    list_display = ["title", "slug", "phase", "rule", "ballot_type", "is_demo"]
    list_filter = ["phase", "is_demo", "rule"]
    search_fields = ["slug", "title_ro", "title_en"]
    prepopulated_fields = {"slug": ("title_ro",)}
    readonly_fields = ["phase", "voting_closed_at"]
    inlines = [PoolInline]
    actions = ["generate_100_codes"]
    fieldsets = [
        (None, {"fields": ["slug", "title", "description", "is_demo", "phase", "strategy_parent"]}),
        (_("Dates"), {"fields": ["submission_start", "submission_end", "review_end", "voting_start", "voting_end",
                                 "results_date", "voting_closed_at"]}),
        (_("Ballot and rule"), {"fields": ["currency", "split_by", "ballot_type", "min_choices", "max_choices",
                                           "max_total_points", "max_points_per_project", "rule",
                                           "max_selected_projects", "topup_limit"]}),
        (_("Who may vote"), {"fields": ["eligibility", "one_district_per_ballot", "vote_in_own_district"]}),
    ]
    autocomplete_fields = ["strategy_parent"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The rules of a vote do not change once it has started.
        if obj is not None and obj.phase not in (models.Phase.DRAFT, models.Phase.SUBMISSION, models.Phase.REVIEW):
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=_("Generate 100 voting codes (printable sheet)"))
    def generate_100_codes(self, request: HttpRequest, queryset: QuerySet[models.Edition]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one edition."), messages.ERROR)
            return None
        edition = queryset.get()
        try:
            codes = services.generate_codes(request.user, edition, 100, batch="admin")
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        return render(request, "budgeting/code_sheet.html", {
            "edition": edition, "codes": codes, "batch": "admin",
            "vote_url": request.build_absolute_uri(edition.get_absolute_url() + "vote/code/")})


@admin.register(models.Category)
class CategoryAdmin(AuditedTranslationAdmin):
    list_display = ["name", "slug", "order"]


class PhotoInline(admin.TabularInline):
    model = models.Photo
    extra = 0
    fields = ["image", "alt_text", "order"]
    readonly_fields = ["image"]


@admin.register(models.Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["number", "title", "edition", "pool", "status", "cost_estimate", "corrected_cost", "votes",
                    "selected", "hidden"]
    list_filter = ["edition", "status", "hidden", "selected"]
    search_fields = ["title", "description"]
    readonly_fields = ["edition", "number", "author", "status", "reviewed_at", "reviewed_by", "votes", "score",
                       "selected", "strategy_project", "created_at", "corrected_cost", "rejection_reason",
                       "pabulib_id", "official_selected"]
    exclude = ["pabulib_fields"]
    inlines = [PhotoInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # projects are proposed on the site (budgeting.services.submit_project)


@admin.register(models.Comment)
class CommentAdmin(AuditedAdmin):
    list_display = ["project", "created_at", "hidden", "text"]
    list_filter = ["hidden"]
    readonly_fields = ["project", "author", "text", "created_at", "signed"]
    actions = ["hide", "show"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Hide the selected comments"))
    def hide(self, request: HttpRequest, queryset: QuerySet[models.Comment]) -> None:
        for comment in queryset.select_related("project__edition"):
            services.moderate(request.user, comment, hidden=True)

    @admin.action(description=_("Show the selected comments again"))
    def show(self, request: HttpRequest, queryset: QuerySet[models.Comment]) -> None:
        for comment in queryset.select_related("project__edition"):
            services.moderate(request.user, comment, hidden=False)


@admin.register(models.VotingCode)
class VotingCodeAdmin(ReadOnlyAdmin):
    """Codes are created by the edition's action or `manage.py budgeting_codes`; only fingerprints are kept."""

    list_display = ["edition", "batch", "neighbourhood", "created_at", "used_at"]
    list_filter = ["edition", "batch"]


@admin.register(models.PoolResult)
class PoolResultAdmin(ReadOnlyAdmin):
    list_display = ["pool", "rule", "is_official", "voters", "spent", "computed_at"]
    list_filter = ["rule", "is_official"]
