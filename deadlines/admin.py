"""Admin: deadlines are read-only; the apps that own the obligations move them."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from deadlines.models import Deadline


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ("kind", "party", "policy", "detail", "due_on", "status", "met_on")
    list_filter = ("kind", "party", "status")
    search_fields = ("policy__policy_number", "detail")
