from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import SecondFactor, User, Verification


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "preferred_language")}),
        (_("Roles and permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


# Second factors: listed with their kind and dates, never their secrets; deleting one lets a colleague who lost
# their phone or key set a new one up (staff cannot reach the back office without one: accounts/staff_mfa.py).
admin.site.unregister(Authenticator)


@admin.register(SecondFactor)
class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = ("user", "type", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Verifications: who is verified, how and until when (never the person key); staff who verify in person may
# revoke one (e.g. to move it to the person's other account), through the audited service.
@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    list_display = ["user__email", "level", "method", "verified_at", "expires_at", "revoked_at", "neighbourhood"]
    list_filter = ["level", "method"]
    search_fields = ["user__email"]
    fields = ("user", "level", "method", "verified_at", "expires_at", "revoked_at", "neighbourhood", "provider",
              "verified_by")
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("accounts.verify_in_person"))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("accounts.verify_in_person"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # verifications are made by the eID sign-in, the register check or the office page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected verifications"))
    def revoke_selected(self, request: HttpRequest, queryset: Any) -> None:
        from accounts.verification import revoke

        for verification in queryset:
            revoke(request.user, verification, reason="back office")
