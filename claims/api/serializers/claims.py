"""Claims through HTTP (SPEC 7): the claim file, worksheets, decisions, payments and
recoveries; what goes in, what comes out.

Money travels as JSON strings, dates as ISO 8601 (claims.api.serializers.notices). The
views fill the nested parts from the scoped selectors: a draft worksheet is the
insurer's, the claim file is not the bank's.
"""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from claims.api.serializers.notices import (
    ERROR_NOT_THIS_NOTICE,
    ClockSerializer,
    NoticeInvoiceSerializer,
    OfTheNotice,
    _StatusChangeSerializer,
)
from claims.choices import ClaimCause, DeclineReason, DocumentKind, RecoveryReceiver
from claims.models import (
    Claim,
    ClaimDecision,
    ClaimDocument,
    ClaimStatusChange,
    DocumentRequest,
    IndemnityPayment,
    NoticeInvoice,
    OverdueNotice,
    Recovery,
    Worksheet,
    WorksheetLine,
)
from claims.selectors import notices_visible_to
from core.api import ModelSerializer
from core.money import MoneySerializerField
from core.text import LONG_TEXT_MAX_LENGTH
from limits.api.serializers import ScopedPrimaryKeyRelatedField

RECOVERY_NOTE_MAX_LENGTH = Recovery._meta.get_field("note").max_length
PAYMENT_REFERENCE_MAX_LENGTH = IndemnityPayment._meta.get_field("payment_reference").max_length


# --- claims -------------------------------------------------------------------------------------


class ClaimStatusChangeSerializer(_StatusChangeSerializer):
    class Meta(_StatusChangeSerializer.Meta):
        model = ClaimStatusChange


class ClaimDocumentSerializer(ModelSerializer):
    """A file of the claim, without its bytes: `download_url` gives them to those who may
    see the file."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    uploaded_by = serializers.StringRelatedField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ClaimDocument
        fields = [
            "id", "claim", "kind", "kind_display", "filename", "content_type", "size", "sha256",
            "uploaded_by", "uploaded_at", "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download_url(self, document) -> str:
        return reverse("claim-document-download", args=[document.pk])


class ChecklistItemSerializer(serializers.Serializer):
    """One line of the claim's document checklist (SPEC 7) and the files given for it."""

    kind = serializers.ChoiceField(choices=DocumentKind.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    required = serializers.BooleanField(read_only=True)
    documents = ClaimDocumentSerializer(many=True, read_only=True)


class DocumentRequestSerializer(ModelSerializer):
    """The insurer's one request for every missing document, all together."""

    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentKind.choices), read_only=True
    )
    requested_by = serializers.StringRelatedField()

    class Meta:
        model = DocumentRequest
        fields = ["kinds", "note", "requested_on", "requested_by"]
        read_only_fields = fields


class RecoverySerializer(ModelSerializer):
    """Money collected from the buyer (SPEC 7): before payment it reduces the loss, after
    it is shared in the indemnity percentage."""

    received_by_display = serializers.CharField(source="get_received_by_display", read_only=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Recovery
        fields = [
            "id", "claim", "received_on", "amount", "received_by", "received_by_display", "note",
            "after_payment", "insurer_share", "insured_share", "debit_note", "recorded_by",
            "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class WorksheetLineSerializer(ModelSerializer):
    """One invoice on the worksheet: in cover or out, and why (SPEC 7 step 1)."""

    exclusion_display = serializers.CharField(source="get_exclusion_display", read_only=True)

    class Meta:
        model = WorksheetLine
        fields = [
            "id", "invoice", "number", "shipment_date", "amount", "limit_on_shipment", "covered",
            "exclusion", "exclusion_display",
        ]  # fmt: skip
        read_only_fields = fields


class WorksheetSerializer(ModelSerializer):
    """The indemnity worksheet (SPEC 7): every step of the arithmetic as computed.

    covered debt − recoveries − other credits = net loss; nothing at or below the
    franchise; min(net loss, limit) × indemnity percentage, capped by what remains of
    the policy year's maximum liability.
    """

    claim_reference = serializers.CharField(source="claim.reference", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    computed_by = serializers.StringRelatedField()
    lines = WorksheetLineSerializer(many=True, read_only=True)

    class Meta:
        model = Worksheet
        fields = [
            "id", "claim", "claim_reference", "version", "status", "status_display",
            "outstanding", "covered_debt", "recoveries", "other_credits", "net_loss", "franchise",
            "below_franchise", "limit_amount", "loss_within_limit", "indemnity_percentage",
            "indemnity_before_cap", "remaining_liability", "indemnity", "computed_by",
            "computed_at", "lines",
        ]  # fmt: skip
        read_only_fields = fields


class ClaimDecisionSerializer(ModelSerializer):
    """Approve or decline, with reasons; a second approval is a decision of its own."""

    action_display = serializers.CharField(source="get_action_display", read_only=True)
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=DeclineReason.choices), read_only=True
    )
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = ClaimDecision
        fields = [
            "id", "worksheet", "action", "action_display", "reasons", "note", "indemnity",
            "decided_by", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields


class IndemnityPaymentSerializer(ModelSerializer):
    """The indemnity paid: to the insured, or to the bank of an assignment agreement."""

    claim_reference = serializers.CharField(source="claim.reference", read_only=True)
    payee_display = serializers.CharField(source="get_payee_display", read_only=True)
    payee_name = serializers.CharField(source="payee_organisation.name", read_only=True)
    paid_by = serializers.StringRelatedField()

    class Meta:
        model = IndemnityPayment
        fields = [
            "id", "claim", "claim_reference", "worksheet", "amount", "payee", "payee_display",
            "payee_organisation", "payee_name", "bank_account", "paid_on", "payment_reference",
            "paid_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ClaimSerializer(ModelSerializer):
    """A claim opened from a filed notice (SPEC 7), with its clocks as dates."""

    notice_reference = serializers.CharField(source="notice.reference", read_only=True)
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured = serializers.IntegerField(source="policy.insured_id", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    buyer_uscc = serializers.CharField(source="buyer.uscc", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    cause_display = serializers.CharField(source="get_cause_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    handler = serializers.StringRelatedField(allow_null=True)
    opened_by = serializers.StringRelatedField()

    class Meta:
        model = Claim
        fields = [
            "id", "reference", "notice", "notice_reference", "policy", "policy_number",
            "insured", "insured_name", "buyer", "buyer_uscc", "buyer_name", "cause",
            "cause_display", "status", "status_display", "opened_on", "documents_requested_on",
            "documents_complete_on", "waiting_ends_on", "debt_admitted_on", "decision_due_on",
            "decided_on", "payment_due_on", "disputed_since", "handler", "opened_by",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ClaimNoticeSerializer(ModelSerializer):
    """The notice a claim was opened from, with its invoices."""

    invoices = NoticeInvoiceSerializer(many=True, read_only=True)

    class Meta:
        model = OverdueNotice
        fields = ["id", "reference", "deadline_on", "filed_on", "days_late", "comment", "invoices"]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    """The claim with its notice and invoices, clocks, document checklist and files, the
    current worksheet, recoveries, decisions, payment and history, as the reader may see
    them, and what the reader may do now."""

    notice_detail = ClaimNoticeSerializer(source="notice", read_only=True)
    clocks = ClockSerializer(many=True, read_only=True)
    checklist = ChecklistItemSerializer(many=True, read_only=True)
    documents = ClaimDocumentSerializer(source="visible_documents", many=True, read_only=True)
    document_request = DocumentRequestSerializer(
        source="visible_document_request", read_only=True, allow_null=True
    )
    recoveries = RecoverySerializer(source="visible_recoveries", many=True, read_only=True)
    worksheet = WorksheetSerializer(
        source="current_worksheet", read_only=True, allow_null=True,
        help_text=_("The approved worksheet if any, else the latest draft (insurer staff)."),
    )  # fmt: skip
    decisions = ClaimDecisionSerializer(source="visible_decisions", many=True, read_only=True)
    payment = IndemnityPaymentSerializer(source="visible_payment", read_only=True, allow_null=True)
    changes = ClaimStatusChangeSerializer(source="history", many=True, read_only=True)
    allowed_actions = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text=_(
            "What the reader may do now (claims staff only): the claim's transitions "
            "(request_documents, complete, approve, ...) and compute_worksheet, "
            "record_recovery."
        ),
    )  # fmt: skip

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields, "notice_detail", "clocks", "checklist", "documents",
            "document_request", "recoveries", "worksheet", "decisions", "payment", "changes",
            "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields


class ClaimOpenSerializer(serializers.Serializer):
    """SPEC 7: a claim is opened from a filed notice, once, for one cause."""

    notice = ScopedPrimaryKeyRelatedField(notices_visible_to, queryset=OverdueNotice.objects.all())
    cause = serializers.ChoiceField(choices=ClaimCause.choices)


class ClaimDocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(
        help_text=_("PDF, JPEG, PNG, XLSX or DOCX (checked by content), at most 20 MB.")
    )


class DocumentsRequestSerializer(serializers.Serializer):
    """Ask for every missing document at once (once per claim)."""

    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentKind.choices),
        allow_empty=False, max_length=len(DocumentKind.choices),
    )  # fmt: skip
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )


class AdmitDebtSerializer(serializers.Serializer):
    admitted_on = serializers.DateField(
        help_text=_("The day the court or administrator accepted the debt (insolvency).")
    )


class ClaimDisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)


class ClaimResolveSerializer(serializers.Serializer):
    in_favour_of_insured = serializers.BooleanField(
        help_text=_("The judgment or award found for the insured.")
    )
    note = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)


class InvoiceDisputeSerializer(serializers.Serializer):
    """SPEC 3.4: an invoice the buyer disputes is out of the covered debt."""

    invoice = OfTheNotice("notice", ERROR_NOT_THIS_NOTICE, queryset=NoticeInvoice.objects.all())
    disputed = serializers.BooleanField()


class WorksheetComputeSerializer(serializers.Serializer):
    other_credits = MoneySerializerField(
        default=Decimal(0),
        help_text=_("Credits other than recoveries that reduce the loss (set-offs, returns)."),
    )


class ClaimApproveSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )


class ClaimReturnSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, help_text=_("What the assessment should look at again.")
    )


class ClaimDeclineSerializer(serializers.Serializer):
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=DeclineReason.choices),
        allow_empty=False, max_length=len(DeclineReason.choices),
    )  # fmt: skip
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )


class IndemnityPaySerializer(serializers.Serializer):
    paid_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Today if left out.")
    )
    payment_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=PAYMENT_REFERENCE_MAX_LENGTH,
        help_text=_("The bank's reference of the transfer."),
    )  # fmt: skip


class RecoveryCreateSerializer(serializers.Serializer):
    amount = MoneySerializerField(min_value=Decimal("0.01"))
    received_on = serializers.DateField()
    received_by = serializers.ChoiceField(
        choices=RecoveryReceiver.choices, default=RecoveryReceiver.INSURED
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=RECOVERY_NOTE_MAX_LENGTH
    )
