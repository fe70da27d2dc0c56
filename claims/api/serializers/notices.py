"""Overdue notices through HTTP (SPEC 7): what goes in, what comes out, and the parts
a claim's answer shares (clocks, status history, the notice's invoices).

Money travels as JSON strings (`core.money.MoneySerializerField`): a JSON number is
refused on its field instead of losing cents through a float. Dates are ISO 8601.
Answers only ever show what the reader may see: the views fill the nested parts from
the scoped selectors.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from buyers.models import Buyer
from buyers.selectors import buyers_visible_to
from claims.models import (
    InvoiceExtension,
    NoticeInvoice,
    NoticeStatusChange,
    OverdueNotice,
    PlanInstalment,
    RepaymentPlan,
)
from core.api import ModelSerializer
from core.money import MoneySerializerField, MoneyTotalSerializerField
from core.text import LONG_TEXT_MAX_LENGTH
from deadlines.choices import DeadlineStatus
from limits.api.serializers import ScopedPrimaryKeyRelatedField
from policies.models import Policy
from policies.selectors import policies_visible_to

ERROR_STAFF_DRAFT = _(
    "Claims staff enter a paper notice as filed: send file: true (a draft is the insured's "
    "own and would be hidden from you)."
)
ERROR_NOTHING_TO_CHANGE = _("Send the invoices or the comment to change.")
ERROR_NOT_THIS_NOTICE = _("This is not one of the notice's invoices.")
ERROR_NOT_THIS_PLAN = _("This is not an instalment of the notice's repayment plan.")
# A notice lists the unpaid invoices of one buyer: hundreds at most, not a bulk load.
MAX_INVOICES = 1000
MAX_INSTALMENTS = 120
INVOICE_NUMBER_MAX_LENGTH = NoticeInvoice._meta.get_field("number").max_length


class _StatusChangeSerializer(ModelSerializer):
    """One move of a notice or a claim: who, when, from what to what, why."""

    action_display = serializers.CharField(source="get_action_display", read_only=True)
    status_display = serializers.CharField(source="get_to_status_display", read_only=True)
    actor = serializers.StringRelatedField(allow_null=True)  # null: a scheduled job

    class Meta:
        fields = [
            "action", "action_display", "from_status", "to_status", "status_display", "reason",
            "actor", "job", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class NoticeStatusChangeSerializer(_StatusChangeSerializer):
    class Meta(_StatusChangeSerializer.Meta):
        model = NoticeStatusChange


class ClockSerializer(serializers.Serializer):
    """One running clock of a notice or claim (SPEC 7, 10): what is due, for whom, and
    how many days are left."""

    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True, help_text=_("In the language of the request."))
    party = serializers.CharField(read_only=True, help_text=_("Who must act: insured or insurer."))
    due_on = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(
        source="deadline_status", choices=DeadlineStatus.choices, read_only=True
    )
    days_left = serializers.IntegerField(
        read_only=True, help_text=_("Days from today to the due date, negative once passed.")
    )
    missed = serializers.BooleanField(read_only=True)
    met_on = serializers.DateField(read_only=True, allow_null=True)


# --- overdue notices --------------------------------------------------------------------------


class InvoiceExtensionSerializer(ModelSerializer):
    """An extension of an invoice's due date agreed with the buyer (SPEC 3.2, 7)."""

    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = InvoiceExtension
        fields = [
            "id", "invoice", "from_due_date", "to_due_date", "agreed_on", "reason",
            "recorded_by", "recorded_at",
        ]  # fmt: skip
        read_only_fields = fields


class NoticeInvoiceSerializer(ModelSerializer):
    """One unpaid invoice of the notice, with the extensions agreed on it."""

    due_date = serializers.DateField(
        read_only=True, help_text=_("The extended due date if any, else the original one.")
    )
    extensions = InvoiceExtensionSerializer(many=True, read_only=True)

    class Meta:
        model = NoticeInvoice
        fields = [
            "id", "number", "invoice_date", "shipment_date", "amount", "original_due_date",
            "extended_due_date", "due_date", "disputed", "extensions",
        ]  # fmt: skip
        read_only_fields = fields


class PlanInstalmentSerializer(ModelSerializer):
    missed = serializers.SerializerMethodField(
        help_text=_("Unpaid after its date: it brings the notice deadline forward (SPEC 7).")
    )

    class Meta:
        model = PlanInstalment
        fields = ["id", "due_on", "amount", "paid_on", "missed"]
        read_only_fields = fields

    def get_missed(self, instalment) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return instalment.paid_on is None and instalment.due_on < today


class RepaymentPlanSerializer(ModelSerializer):
    """A repayment plan agreed with the buyer and its instalments (SPEC 7)."""

    recorded_by = serializers.StringRelatedField()
    instalments = PlanInstalmentSerializer(many=True, read_only=True)

    class Meta:
        model = RepaymentPlan
        fields = ["id", "notice", "agreed_on", "note", "recorded_by", "recorded_at", "instalments"]
        read_only_fields = fields


class OverdueNoticeSerializer(ModelSerializer):
    """An overdue-account notice (逾期账款通知书) on one buyer (SPEC 7)."""

    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured = serializers.IntegerField(source="policy.insured_id", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    buyer_uscc = serializers.CharField(source="buyer.uscc", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_late = serializers.BooleanField(
        read_only=True, help_text=_("Filed after its deadline: the claim may be declined.")
    )
    invoice_count = serializers.IntegerField(read_only=True)
    total_amount = MoneyTotalSerializerField(help_text=_("The unpaid invoices together."))
    claim = serializers.IntegerField(
        source="claim_id", read_only=True, allow_null=True,
        help_text=_("The claim opened from the notice, if any."),
    )  # fmt: skip
    prepared_by = serializers.StringRelatedField()
    filed_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = OverdueNotice
        fields = [
            "id", "reference", "policy", "policy_number", "insured", "insured_name", "buyer",
            "buyer_uscc", "buyer_name", "status", "status_display", "deadline_on", "filed_on",
            "days_late", "is_late", "invoice_count", "total_amount", "comment", "claim",
            "prepared_by", "filed_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class OverdueNoticeDetailSerializer(OverdueNoticeSerializer):
    """The notice with its invoices and their extensions, the repayment plan, the clocks
    running on it, its history (oldest first) and what the reader may do now."""

    invoices = NoticeInvoiceSerializer(source="invoices_shown", many=True, read_only=True)
    repayment_plan = RepaymentPlanSerializer(source="plan", read_only=True, allow_null=True)
    clocks = ClockSerializer(many=True, read_only=True)
    changes = NoticeStatusChangeSerializer(source="history", many=True, read_only=True)
    allowed_actions = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text=_("The actions the reader may take now (file, edit, return, discard)."),
    )  # fmt: skip

    class Meta(OverdueNoticeSerializer.Meta):
        fields = [
            *OverdueNoticeSerializer.Meta.fields, "invoices", "repayment_plan", "clocks",
            "changes", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields


class NoticeInvoiceInputSerializer(serializers.Serializer):
    """One unpaid invoice as the insured lists it (SPEC 7)."""

    number = serializers.CharField(max_length=INVOICE_NUMBER_MAX_LENGTH)
    invoice_date = serializers.DateField()
    shipment_date = serializers.DateField()
    amount = MoneySerializerField(min_value=Decimal("0.01"), help_text=_("What is unpaid."))
    original_due_date = serializers.DateField()
    extended_due_date = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text=_("If the due date was extended (within the maximum extension period)."),
    )  # fmt: skip


def _invoices_field(**kwargs):
    return NoticeInvoiceInputSerializer(
        many=True, allow_empty=False, max_length=MAX_INVOICES, **kwargs
    )


class OverdueNoticeCreateSerializer(serializers.Serializer):
    """SPEC 7: the unpaid invoices of one buyer. A clerk's notice is a draft for an
    approver; `file` files it at once (approvers, the insured's administrator, claims
    staff)."""

    policy = ScopedPrimaryKeyRelatedField(policies_visible_to, queryset=Policy.objects.all())
    buyer = ScopedPrimaryKeyRelatedField(buyers_visible_to, queryset=Buyer.objects.all())
    invoices = _invoices_field()
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )
    file = serializers.BooleanField(
        default=False,
        help_text=_(
            "File at once; only approvers, the insured's administrator and claims staff can, "
            "a clerk's notice stays a draft."
        ),
    )

    def validate(self, attrs):
        request = self.context.get("request")
        if request is not None and request.user.is_insurer_staff and not attrs["file"]:
            raise serializers.ValidationError({"file": ERROR_STAFF_DRAFT})
        return attrs


class OverdueNoticeUpdateSerializer(serializers.Serializer):
    """Changes to a draft: the invoices sent replace the list (matched by number, their
    extensions kept); what is left out stays."""

    invoices = _invoices_field(required=False)
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(ERROR_NOTHING_TO_CHANGE)
        return attrs


class NoticeReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, help_text=_("What the preparer should change.")
    )


class OfTheNotice(serializers.PrimaryKeyRelatedField):
    """An id among the rows of the notice in the context (`context["notice"]`)."""

    def __init__(self, lookup: str, message, **kwargs):
        self.lookup = lookup
        kwargs.setdefault("error_messages", {"does_not_exist": message})
        super().__init__(**kwargs)

    def get_queryset(self):
        notice = self.context.get("notice")
        if notice is None:
            return self.queryset.none()
        return self.queryset.filter(**{self.lookup: notice})


class ExtensionCreateSerializer(serializers.Serializer):
    """SPEC 3.2, 7: a new due date agreed with the buyer, within the maximum extension
    period after the original due date (refused on `to_due_date` beyond it)."""

    invoice = OfTheNotice("notice", ERROR_NOT_THIS_NOTICE, queryset=NoticeInvoice.objects.all())
    to_due_date = serializers.DateField(help_text=_("The new due date."))
    agreed_on = serializers.DateField()
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )


class PlanInstalmentInputSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    amount = MoneySerializerField(min_value=Decimal("0.01"))


class RepaymentPlanCreateSerializer(serializers.Serializer):
    """SPEC 7: the plan agreed with the buyer; a missed instalment brings the notice
    deadline forward."""

    agreed_on = serializers.DateField()
    instalments = PlanInstalmentInputSerializer(
        many=True, allow_empty=False, max_length=MAX_INSTALMENTS
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )


class InstalmentPaidSerializer(serializers.Serializer):
    instalment = OfTheNotice(
        "plan__notice", ERROR_NOT_THIS_PLAN, queryset=PlanInstalment.objects.all()
    )
    paid_on = serializers.DateField()
