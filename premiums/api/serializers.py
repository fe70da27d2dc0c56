"""The premium account through HTTP (SPEC 6): declarations with their versions, debit
notes with their lines and payments, and a policy's premium position.

Money travels as JSON strings (`core.money.MoneySerializerField`); a JSON number is
refused on its field. Line texts are codes rendered in the reader's language.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import ModelSerializer
from core.money import MoneySerializerField, MoneyTotalSerializerField
from core.text import LONG_TEXT_MAX_LENGTH
from core.texts import render_text
from limits.api.serializers import ScopedPrimaryKeyRelatedField
from policies.models import Policy
from policies.selectors import policies_visible_to
from premiums.choices import QuarterState
from premiums.models import (
    DebitNote,
    DebitNoteLine,
    Declaration,
    DeclarationStatusChange,
    Payment,
)
from premiums.selectors import debit_notes_visible_to

ERROR_TURNOVER_REQUIRED = _(
    "Enter the turnover, or send nil: true for a quarter without insured sales."
)
ERROR_STAFF_DRAFT = _(
    "Insurer staff enter a paper declaration as declared: send submit: true (a draft "
    "is the insured's own and would be hidden from you)."
)
ERROR_NOTHING_TO_CHANGE = _("Send the turnover, nil or correction_reason to change.")
# A quarter is a small positive number; the service checks it against the policy.
MAX_QUARTER = 32767
REFERENCE_MAX_LENGTH = Payment._meta.get_field("reference").max_length


# --- declarations --------------------------------------------------------------------------


class DeclarationStatusChangeSerializer(ModelSerializer):
    """One move of a declaration: prepared, edited, returned (with the comment), submitted,
    superseded by a correction, discarded."""

    action_display = serializers.CharField(source="get_action_display", read_only=True)
    status_display = serializers.CharField(source="get_to_status_display", read_only=True)
    actor = serializers.StringRelatedField(allow_null=True)  # null: a scheduled job

    class Meta:
        model = DeclarationStatusChange
        fields = [
            "action", "action_display", "from_status", "to_status", "status_display", "reason",
            "actor", "job", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeclarationVersionSerializer(ModelSerializer):
    """Another version of the same policy quarter, as shown beside the one asked for."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Declaration
        fields = [
            "id", "version", "turnover", "nil", "correction_reason", "status", "status_display",
            "submitted_on", "days_late", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeclarationSerializer(ModelSerializer):
    """One version of a policy quarter's insured turnover (SPEC 6)."""

    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured = serializers.IntegerField(source="policy.insured_id", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    quarter_label = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    prepared_by = serializers.StringRelatedField()
    submitted_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = Declaration
        fields = [
            "id", "policy", "policy_number", "insured", "insured_name", "quarter",
            "quarter_label", "quarter_start", "quarter_end", "due_on", "version", "turnover",
            "nil", "is_correction", "correction_reason", "status", "status_display", "prepared_by",
            "submitted_by", "submitted_on", "days_late", "upload", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_quarter_label(self, declaration) -> str:
        return f"Q{declaration.quarter}"


class DeclarationDetailSerializer(DeclarationSerializer):
    """A declaration with the other versions of its quarter (newest first) and its
    status history (oldest first), both as the reader may see them."""

    versions = DeclarationVersionSerializer(source="other_versions", many=True, read_only=True)
    changes = DeclarationStatusChangeSerializer(source="history", many=True, read_only=True)

    class Meta(DeclarationSerializer.Meta):
        fields = [*DeclarationSerializer.Meta.fields, "versions", "changes"]
        read_only_fields = fields


class DeclarationCreateSerializer(serializers.Serializer):
    """SPEC 6: a quarter's insured turnover, or a nil declaration. A quarter already
    declared takes a correction with its reason (the next version)."""

    policy = ScopedPrimaryKeyRelatedField(policies_visible_to, queryset=Policy.objects.all())
    quarter = serializers.IntegerField(
        min_value=1, max_value=MAX_QUARTER, help_text=_("The policy's own quarter, from 1.")
    )
    turnover = MoneySerializerField(
        required=False, allow_null=True, default=None,
        help_text=_(
            "Invoiced credit sales without VAT; excluded are cash-before-delivery, letters of "
            "credit, related-party and public buyers. Leave out for a nil declaration."
        ),
    )  # fmt: skip
    nil = serializers.BooleanField(default=False, help_text=_("No insured sales this quarter."))
    correction_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH,
        help_text=_("Required when the quarter is already declared: this is a correction."),
    )  # fmt: skip
    submit = serializers.BooleanField(
        default=False,
        help_text=_(
            "Declare at once; only approvers (and insurer staff, who must) can, a clerk's "
            "declaration stays a draft for an approver."
        ),
    )

    def validate(self, attrs):
        if not attrs["nil"] and attrs.get("turnover") is None:
            raise serializers.ValidationError({"turnover": ERROR_TURNOVER_REQUIRED})
        request = self.context.get("request")
        if request is not None and request.user.is_insurer_staff and not attrs["submit"]:
            raise serializers.ValidationError({"submit": ERROR_STAFF_DRAFT})
        return attrs


class DeclarationUpdateSerializer(serializers.Serializer):
    """Changes to a draft before an approver submits it; what is left out stays."""

    turnover = MoneySerializerField(required=False, allow_null=True)
    nil = serializers.BooleanField(required=False)
    correction_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH,
        help_text=_("Only on a correction (a draft replacing a submitted declaration)."),
    )  # fmt: skip

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(ERROR_NOTHING_TO_CHANGE)
        return attrs


class DeclarationReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=LONG_TEXT_MAX_LENGTH, help_text=_("What the preparer should change.")
    )


# --- debit notes and payments --------------------------------------------------------------


class PaymentSerializer(ModelSerializer):
    """Money received against a debit note, or refunded against a credit note."""

    debit_note_number = serializers.CharField(source="debit_note.number", read_only=True)
    policy = serializers.IntegerField(source="debit_note.policy_id", read_only=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Payment
        fields = [
            "id", "debit_note", "debit_note_number", "policy", "amount", "paid_on", "reference",
            "recorded_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    """SPEC 6: a partial payment is taken, an overpayment refused on `amount`."""

    debit_note = ScopedPrimaryKeyRelatedField(
        debit_notes_visible_to, queryset=DebitNote.objects.all()
    )
    amount = MoneySerializerField(min_value=Decimal("0.01"))
    paid_on = serializers.DateField()
    reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REFERENCE_MAX_LENGTH,
        help_text=_("The bank's reference of the transfer."),
    )  # fmt: skip


class DebitNoteLineSerializer(ModelSerializer):
    text = serializers.SerializerMethodField(help_text=_("In the language of the request."))
    amount = MoneySerializerField(signed=True, read_only=True)

    class Meta:
        model = DebitNoteLine
        fields = ["position", "text", "text_code", "amount", "fee_buyer"]
        read_only_fields = fields

    def get_text(self, line) -> str:
        request = self.context.get("request")
        staff = bool(request and request.user.is_insurer_staff)
        return render_text(line.text_code, line.text_params, staff=staff)


class DebitNoteSerializer(ModelSerializer):
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured = serializers.IntegerField(source="policy.insured_id", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    outstanding = MoneySerializerField(read_only=True)
    is_credit = serializers.BooleanField(
        read_only=True, help_text=_("A credit note: owed to the insured.")
    )

    class Meta:
        model = DebitNote
        fields = [
            "id", "number", "policy", "policy_number", "insured", "insured_name", "kind",
            "kind_display", "sequence", "issued_on", "due_on", "amount", "paid_amount",
            "outstanding", "status", "status_display", "is_credit", "corrects", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class DebitNoteDetailSerializer(DebitNoteSerializer):
    lines = DebitNoteLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta(DebitNoteSerializer.Meta):
        fields = [*DebitNoteSerializer.Meta.fields, "lines", "payments"]
        read_only_fields = fields


class DebitNoteCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)


# --- the premium account of a policy --------------------------------------------------------


class PremiumPositionSerializer(serializers.Serializer):
    """What the insured owes and has paid on one policy year (SPEC 6)."""

    minimum_premium = MoneyTotalSerializerField()
    declared_turnover = MoneyTotalSerializerField()
    estimated_turnover = MoneyTotalSerializerField()
    premium_to_date = MoneyTotalSerializerField(
        help_text=_("Premium on the turnover declared so far.")
    )
    adjustment_to_date = MoneyTotalSerializerField(
        help_text=_("The year-end adjustment that turnover would give: never below zero.")
    )
    invoiced = MoneyTotalSerializerField()
    credited = MoneyTotalSerializerField()
    paid = MoneyTotalSerializerField()
    refunded = MoneyTotalSerializerField()
    balance = MoneyTotalSerializerField(help_text=_("Owed by the insured; negative: in credit."))
    overdue = MoneyTotalSerializerField()


class QuarterRowSerializer(serializers.Serializer):
    """One policy quarter: where its declaration stands today, and every version."""

    quarter = serializers.IntegerField(source="quarter.index", read_only=True)
    label = serializers.CharField(source="quarter.label", read_only=True)
    start = serializers.DateField(source="quarter.start", read_only=True)
    end = serializers.DateField(source="quarter.end", read_only=True)
    due_on = serializers.DateField(read_only=True)
    state = serializers.ChoiceField(choices=QuarterState.choices, read_only=True)
    state_display = serializers.CharField(source="state_label", read_only=True)
    estimate = MoneyTotalSerializerField(help_text=_("The estimated turnover of one quarter."))
    current = serializers.IntegerField(
        source="current.pk", read_only=True, allow_null=True,
        help_text=_("The declaration in force for the quarter (one of versions), if any."),
    )  # fmt: skip
    draft = serializers.IntegerField(
        source="draft.pk", read_only=True, allow_null=True,
        help_text=_("A draft waiting for an approver (one of versions), if any."),
    )  # fmt: skip
    versions = DeclarationVersionSerializer(
        many=True, read_only=True, help_text=_("Every version the reader may see, newest first.")
    )


class PremiumAccountSerializer(serializers.Serializer):
    policy = serializers.IntegerField(source="policy.pk", read_only=True)
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    position = PremiumPositionSerializer(read_only=True)
    quarters = QuarterRowSerializer(many=True, read_only=True)
