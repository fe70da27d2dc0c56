from django.contrib import admin

from core.admin import ReadOnlyAdmin
from policies.models import EligibilityOverride, Policy, PolicyTransition


class TransitionInline(admin.TabularInline):
    model = PolicyTransition
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "reason", "actor", "job", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    """Read-only: the schedule is edited, and the lifecycle moved, on the staff pages,
    where the services check the status (no schedule edits once quoted in force) and
    record every move."""

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
    inlines = [TransitionInline]


@admin.register(EligibilityOverride)
class EligibilityOverrideAdmin(admin.ModelAdmin):
    list_display = ("policy", "code", "overridden_by", "overridden_at")

    def has_delete_permission(self, request, obj=None):
        return False  # a record, kept (core/records.py): the database refuses the DELETE
