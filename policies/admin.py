from django.contrib import admin

from policies.models import EligibilityOverride, Policy, PolicyTransition


class TransitionInline(admin.TabularInline):
    model = PolicyTransition
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "reason", "actor", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """Read-mostly: lifecycle moves go through the staff UI so they are recorded."""

    list_display = (
        "policy_number",
        "year_index",
        "insured",
        "status",
        "period_start",
        "period_end",
    )
    list_filter = ("status",)
    search_fields = ("policy_number", "insured__name")
    readonly_fields = ("status", "minimum_premium", "max_liability", "renewed_from")
    inlines = [TransitionInline]


@admin.register(EligibilityOverride)
class EligibilityOverrideAdmin(admin.ModelAdmin):
    list_display = ("policy", "code", "overridden_by", "overridden_at")
