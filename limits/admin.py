"""Admin: the automatic-decision rule set is configured here (SPEC 5, issue 3); limits,
applications and decisions are shown read-only, since every change to them goes
through the services (and so through capacity checks, four-eyes and the audit trail)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from limits.models import (
    AutoDecisionExclusion,
    AutoDecisionGradeRule,
    AutoDecisionSettings,
    CreditLimit,
    LimitApplication,
    LimitDecision,
    LimitReview,
)


@admin.register(AutoDecisionSettings)
class AutoDecisionSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "enabled", "capacity_headroom_percent", "max_payment_terms_days")

    def has_add_permission(self, request):
        # One rule set: the services read the first row.
        return not AutoDecisionSettings.objects.exists()


@admin.register(AutoDecisionGradeRule)
class AutoDecisionGradeRuleAdmin(admin.ModelAdmin):
    list_display = ("risk_grade", "max_amount")


@admin.register(AutoDecisionExclusion)
class AutoDecisionExclusionAdmin(admin.ModelAdmin):
    list_display = ("buyer", "reason")
    autocomplete_fields = ("buyer",)


@admin.register(CreditLimit)
class CreditLimitAdmin(ReadOnlyAdmin):
    list_display = ("buyer", "policy", "amount", "status", "source", "expires_on")
    list_filter = ("status", "source")
    search_fields = ("=buyer__uscc", "buyer__name", "policy__policy_number")
    list_select_related = ("buyer", "policy")


@admin.register(LimitApplication)
class LimitApplicationAdmin(ReadOnlyAdmin):
    list_display = ("buyer", "policy", "request_type", "requested_amount", "status", "submitted_at")
    list_filter = ("status", "request_type")
    search_fields = ("=buyer__uscc", "buyer__name", "policy__policy_number")
    list_select_related = ("buyer", "policy")


@admin.register(LimitDecision)
class LimitDecisionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "buyer", "policy", "response_code", "reason_code", "amount",
                    "decided_by", "approved_by", "automatic")  # fmt: skip
    list_filter = ("response_code", "automatic")
    search_fields = ("=buyer__uscc", "buyer__name")
    list_select_related = ("buyer", "policy", "decided_by", "approved_by")


@admin.register(LimitReview)
class LimitReviewAdmin(ReadOnlyAdmin):
    list_display = ("credit_limit", "reason", "due_on", "status", "outcome")
    list_filter = ("status", "reason")
