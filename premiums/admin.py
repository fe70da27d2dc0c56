"""Admin: the premium account is shown read-only; every change goes through the services
(their checks, the transition records and the deadline engine)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from premiums.models import DebitNote, Declaration, DeclarationUpload, Payment


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ("policy", "quarter", "version", "turnover", "nil", "status", "submitted_on")
    list_filter = ("status",)
    search_fields = ("policy__policy_number", "policy__insured__name")


@admin.register(DebitNote)
class DebitNoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "policy", "kind", "amount", "paid_amount", "due_on", "status")
    list_filter = ("kind", "status")
    search_fields = ("number", "policy__policy_number")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("debit_note", "amount", "paid_on", "reference", "recorded_by")
    search_fields = ("debit_note__number", "reference")


@admin.register(DeclarationUpload)
class DeclarationUploadAdmin(ReadOnlyAdmin):
    list_display = ("filename", "uploaded_by", "state", "rows_total", "error_count", "created_at")
    list_filter = ("state",)
