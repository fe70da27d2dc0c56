"""Credit limits through HTTP (SPEC 5): what goes in, what comes out, nothing else.

Money travels as JSON strings (`core.money.MoneySerializerField`): a JSON number is
refused on its field instead of losing cents through a float.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from buyers.models import Buyer
from buyers.selectors import buyers_visible_to
from core.api import ModelSerializer
from core.choices import Industry
from core.money import MoneySerializerField, MoneyTotalSerializerField
from core.text import LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from core.uscc import normalize_uscc, validate_uscc
from limits.choices import (
    AMOUNT_REQUEST_TYPES,
    Outcome,
    ReasonCode,
    RequestType,
    ReviewOutcome,
)
from limits.models import (
    CreditLimit,
    CreditLimitChange,
    LimitApplication,
    LimitDecision,
    LimitReview,
    PendingOrdersCover,
)
from policies.models import Policy
from policies.selectors import policies_visible_to

ERROR_BUYER_EITHER = _("Give the buyer by id or by USCC, not both.")
ERROR_BUYER_UNKNOWN = _("No buyer with this USCC is in the register: apply for a limit instead.")
ERROR_AMOUNT_REQUIRED = _("Enter an amount.")
ERROR_EXPIRY_REQUIRED = _("Enter the date to which the limit is prolonged.")
MAX_MOVEMENTS = 5000


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id in a request body, looked up among the objects the caller may see only.

    Someone else's object answers exactly like one that does not exist.
    """

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return self.selector(request.user)


# --- credit limits -----------------------------------------------------------------------


class CreditLimitSerializer(ModelSerializer):
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured = serializers.IntegerField(source="policy.insured_id", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    buyer_uscc = serializers.CharField(source="buyer.uscc", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = CreditLimit
        fields = [
            "id", "policy", "policy_number", "insured", "insured_name", "buyer", "buyer_uscc",
            "buyer_name", "amount", "payment_terms_days", "expires_on", "status",
            "status_display", "source", "source_display", "effective_from", "next_review_on",
            "scheduled_amount", "scheduled_effective_on", "ended_on", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class CreditLimitChangeSerializer(ModelSerializer):
    """One row of a limit's history: what changed, from when, why, and by whom."""

    action_display = serializers.CharField(source="get_action_display", read_only=True)
    status_display = serializers.CharField(source="get_to_status_display", read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = CreditLimitChange
        fields = [
            "id", "action", "action_display", "from_status", "to_status", "status_display",
            "amount", "payment_terms_days", "expires_on", "effective_on", "decision", "reason",
            "actor", "actor_name", "job", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_actor_name(self, change) -> str:
        return str(change.actor) if change.actor else ""


class LimitReinstateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)


class LimitCancelSerializer(serializers.Serializer):
    """SPEC 5 cancellation with notice: for shipments after the effective date."""

    notice_on = serializers.DateField()
    effective_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices)
    conditions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )


class LimitReduceSerializer(LimitCancelSerializer):
    """SPEC 5 reduction with notice: the new amount, above zero and below the current one
    (cancelling is its own action, never a blank amount)."""

    amount = MoneySerializerField(min_value=Decimal("0.01"))


class DiscretionaryLimitSerializer(serializers.Serializer):
    """SPEC 5 discretionary limit: the buyer by id (one the insured sees) or by USCC."""

    policy = ScopedPrimaryKeyRelatedField(policies_visible_to, queryset=Policy.objects.all())
    buyer = ScopedPrimaryKeyRelatedField(
        buyers_visible_to, queryset=Buyer.objects.all(), required=False, allow_null=True
    )
    buyer_uscc = serializers.CharField(required=False, allow_blank=True, max_length=40)
    amount = MoneySerializerField(min_value=Decimal("0.01"))
    payment_terms_days = serializers.IntegerField(min_value=1, max_value=365)

    def validate(self, attrs):
        buyer, uscc = attrs.get("buyer"), normalize_uscc(attrs.pop("buyer_uscc", ""))
        if bool(buyer) == bool(uscc):
            raise serializers.ValidationError({"buyer": ERROR_BUYER_EITHER})
        if buyer is None:
            try:
                validate_uscc(uscc)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"buyer_uscc": error.messages}) from error
            buyer = Buyer.objects.filter(uscc=uscc).first()
            if buyer is None:
                raise serializers.ValidationError({"buyer_uscc": ERROR_BUYER_UNKNOWN})
        attrs["buyer"] = buyer
        return attrs


# --- decisions ----------------------------------------------------------------------------


class LimitDecisionSerializer(ModelSerializer):
    """One immutable decision (SPEC 5): who, when, amount, reasons."""

    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    buyer_uscc = serializers.CharField(source="buyer.uscc", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    response_display = serializers.CharField(source="get_response_code_display", read_only=True)
    reason_display = serializers.CharField(source="get_reason_code_display", read_only=True)
    decided_by = serializers.StringRelatedField(allow_null=True)
    approved_by = serializers.StringRelatedField(allow_null=True)
    # Insurer-only (the insured's serializer leaves it out), so optional in the schema,
    # which describes both answers; see INSURER_ONLY below.
    explanation = serializers.CharField(
        source="explanation_text",
        required=False,
        help_text="The insurer's reasoning, in the language of the request.",
    )

    class Meta:
        model = LimitDecision
        fields = [
            "id", "policy", "policy_number", "buyer", "buyer_uscc", "buyer_name",
            "credit_limit", "application", "request_type", "response_code", "response_display",
            "reason_code", "reason_display", "requested_amount", "amount", "payment_terms_days",
            "expires_on", "conditions", "notice_on", "effective_on", "decided_by",
            "approved_by", "automatic", "explanation", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class InsuredLimitDecisionSerializer(LimitDecisionSerializer):
    """What an insured sees: the decision, not the insurer's reasoning (it names the
    buyer's grade, capacity and exposure over every insured)."""

    class Meta(LimitDecisionSerializer.Meta):
        fields = [f for f in LimitDecisionSerializer.Meta.fields if f != "explanation"]
        read_only_fields = fields


class PendingOrdersRequestSerializer(serializers.Serializer):
    """SPEC 5 pending-orders clause: the insured's written request."""

    requested_on = serializers.DateField()
    contract_reference = serializers.CharField(max_length=100)
    contract_signed_on = serializers.DateField()
    contract_amount = MoneySerializerField(min_value=Decimal("0.01"))


class PendingOrdersCoverSerializer(ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = PendingOrdersCover
        fields = [
            "id", "decision", "credit_limit", "requested_on", "contract_reference",
            "contract_signed_on", "contract_amount", "status", "status_display",
            "refusal_reasons", "covered_amount", "cover_until", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


# --- applications -------------------------------------------------------------------------

APPLICATION_FIELDS = [
    "requested_amount", "payment_terms_days", "requested_expires_on", "expected_annual_sales",
    "goods", "first_shipment_on", "trading_since", "sales_last_12_months", "largest_invoice",
    "overdue_amount", "worst_delay_days", "related_party_link", "guarantor", "reason",
]  # fmt: skip
PROPOSAL_FIELDS = [
    "proposed_outcome", "proposed_amount", "proposed_payment_terms_days", "proposed_expires_on",
    "proposed_reason_code", "proposed_conditions", "proposed_by", "proposed_at",
]  # fmt: skip


class LimitApplicationSerializer(ModelSerializer):
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured = serializers.IntegerField(source="policy.insured_id", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    buyer_uscc = serializers.CharField(source="buyer.uscc", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    request_type_display = serializers.CharField(source="get_request_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    prepared_by = serializers.StringRelatedField()
    submitted_by = serializers.StringRelatedField(allow_null=True)
    # INSURER_ONLY: fields the insured's serializer leaves out must not be required in the
    # schema, which describes both answers. drf-spectacular lists every read-only field as
    # required, so they are declared writable; this serializer only ever answers.
    proposed_outcome = serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, required=False
    )
    proposed_amount = MoneySerializerField(allow_null=True, required=False)
    proposed_payment_terms_days = serializers.IntegerField(allow_null=True, required=False)
    proposed_expires_on = serializers.DateField(allow_null=True, required=False)
    proposed_reason_code = serializers.ChoiceField(
        choices=ReasonCode.choices, allow_blank=True, required=False
    )
    proposed_conditions = serializers.CharField(allow_blank=True, required=False)
    proposed_by = serializers.CharField(allow_null=True, required=False)  # the user's name
    proposed_at = serializers.DateTimeField(allow_null=True, required=False)
    decisions = LimitDecisionSerializer(many=True, read_only=True)
    earlier_shipments_covered = serializers.SerializerMethodField(
        help_text="Whether shipments before the application are covered (SPEC 5); null when "
        "no shipment preceded it."
    )
    earlier_shipments_deadline = serializers.SerializerMethodField(
        help_text="The limit-application deadline for those shipments."
    )
    auto_note = serializers.CharField(  # INSURER_ONLY, see above
        source="auto_note_text",
        required=False,
        help_text="Why the rule set decided it or sent it to the queue, with the figures it "
        "compared, in the language of the request (insurer staff only).",
    )
    waiting_reason_code = serializers.CharField(
        read_only=True,
        help_text="Why it waits for the insurer, as a code (empty once decided).",
    )
    waiting_reason = serializers.CharField(
        read_only=True,
        help_text="Why it waits for the insurer, in the language of the request.",
    )

    class Meta:
        model = LimitApplication
        fields = [
            "id", "policy", "policy_number", "insured", "insured_name", "buyer", "buyer_uscc",
            "buyer_name", "request_type", "request_type_display", "status", "status_display",
            *APPLICATION_FIELDS, "prepared_by", "submitted_by", "submitted_at", "decided_at",
            "waiting_reason_code", "waiting_reason",
            "auto_note", *PROPOSAL_FIELDS, "decisions", "earlier_shipments_covered",
            "earlier_shipments_deadline", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_earlier_shipments_covered(self, application) -> bool | None:
        earlier = application.earlier_shipments
        return earlier[0] if earlier else None

    def get_earlier_shipments_deadline(self, application) -> date | None:
        earlier = application.earlier_shipments
        return earlier[1] if earlier else None


class InsuredLimitApplicationSerializer(LimitApplicationSerializer):
    """An insured sees its application and the decisions, not the insurer's workings
    (automatic-decision notes name other insureds' events; proposals are internal)."""

    decisions = InsuredLimitDecisionSerializer(many=True, read_only=True)

    class Meta(LimitApplicationSerializer.Meta):
        fields = [
            f
            for f in LimitApplicationSerializer.Meta.fields
            if f not in PROPOSAL_FIELDS and f != "auto_note"
        ]
        read_only_fields = fields


class LimitApplicationCreateSerializer(ModelSerializer):
    """SPEC 5 application: the request, the goods and the trading experience, the buyer by
    USCC (a buyer not in the register yet is created from its name and industry)."""

    policy = ScopedPrimaryKeyRelatedField(policies_visible_to, queryset=Policy.objects.all())
    buyer_uscc = serializers.CharField(max_length=40)
    buyer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    buyer_industry = serializers.ChoiceField(
        choices=Industry.choices, required=False, allow_blank=True, default=""
    )
    request_type = serializers.ChoiceField(choices=RequestType.choices, default=RequestType.NEW)
    submit = serializers.BooleanField(
        default=False,
        help_text=_("Submit at once; only approvers can, a clerk's application stays a draft."),
    )

    class Meta:
        model = LimitApplication
        fields = [
            "policy", "buyer_uscc", "buyer_name", "buyer_industry", "request_type",
            *APPLICATION_FIELDS, "submit",
        ]  # fmt: skip
        extra_kwargs = {
            "requested_amount": {"min_value": Decimal("0.01")},
            "expected_annual_sales": {"min_value": Decimal(0)},
            "sales_last_12_months": {"min_value": Decimal(0)},
            "largest_invoice": {"min_value": Decimal(0)},
            "overdue_amount": {"min_value": Decimal(0)},
            "payment_terms_days": {"min_value": 1, "max_value": 365},
        }
        # One open application per (policy, buyer) is checked by the service and the
        # database, with our own message naming the field.
        validators = []

    def validate(self, attrs):
        # What this request type needs, keyed on the field to send (the service checks
        # it too, but a refusal there names no field the client left out, core.api).
        kind = attrs.get("request_type")
        if kind in AMOUNT_REQUEST_TYPES and not attrs.get("requested_amount"):
            raise serializers.ValidationError({"requested_amount": ERROR_AMOUNT_REQUIRED})
        if kind == RequestType.PROLONGATION and not attrs.get("requested_expires_on"):
            raise serializers.ValidationError({"requested_expires_on": ERROR_EXPIRY_REQUIRED})
        return attrs


class ApplicationDecideSerializer(serializers.Serializer):
    """The underwriter's decision (SPEC 5): in full, partially, or refuse, with conditions."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    amount = MoneySerializerField(
        required=False, allow_null=True, default=None, min_value=Decimal("0.01"),
        help_text=_("For a partial approval: the amount granted, below the requested one."),
    )  # fmt: skip
    payment_terms_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=365
    )
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices, default=ReasonCode.NO_COMMENT)
    conditions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )

    def validate(self, attrs):
        if attrs["outcome"] == Outcome.PARTIAL and attrs.get("amount") is None:
            raise serializers.ValidationError({"amount": ERROR_AMOUNT_REQUIRED})
        return attrs


class ApplicationSendBackSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=SHORT_TEXT_MAX_LENGTH)


class ApplicationEditSerializer(LimitApplicationCreateSerializer):
    """Changes to a draft (its preparer, before an approver submits it): any of the
    request's fields; the policy, the buyer and the request type stay."""

    class Meta(LimitApplicationCreateSerializer.Meta):
        fields = APPLICATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class ApplicationReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)


class ApplicationApproveSerializer(serializers.Serializer):
    amount = MoneySerializerField(
        required=False, allow_null=True, default=None,
        help_text=_("Amend the proposed amount (the decision is then the second approver's)."),
    )  # fmt: skip


# --- reviews and the queue -----------------------------------------------------------------


class LimitReviewSerializer(ModelSerializer):
    policy = serializers.IntegerField(source="credit_limit.policy_id", read_only=True)
    policy_number = serializers.CharField(
        source="credit_limit.policy.policy_number", read_only=True
    )
    buyer = serializers.IntegerField(source="credit_limit.buyer_id", read_only=True)
    buyer_uscc = serializers.CharField(source="credit_limit.buyer.uscc", read_only=True)
    buyer_name = serializers.CharField(source="credit_limit.buyer.name", read_only=True)
    limit_amount = MoneySerializerField(source="credit_limit.amount", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    completed_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = LimitReview
        fields = [
            "id", "credit_limit", "policy", "policy_number", "buyer", "buyer_uscc", "buyer_name",
            "limit_amount", "reason", "reason_display", "negative_event", "due_on", "status",
            "status_display", "outcome", "decision", "completed_by", "completed_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ReviewCompleteSerializer(serializers.Serializer):
    """SPEC 5 review: confirm, reduce (give the amount) or cancel."""

    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    amount = MoneySerializerField(
        required=False, allow_null=True, min_value=Decimal("0.01"), default=None
    )
    notice_on = serializers.DateField(required=False, allow_null=True, default=None)
    effective_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices, default=ReasonCode.NO_COMMENT)

    def validate(self, attrs):
        if attrs["outcome"] == ReviewOutcome.REDUCE and not attrs.get("amount"):
            raise serializers.ValidationError({"amount": ERROR_AMOUNT_REQUIRED})
        return attrs


class DecisionQueueEntrySerializer(ModelSerializer):
    """One open application with what the underwriter weighs beside it (SPEC 4, 5)."""

    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured = serializers.IntegerField(source="policy.insured_id", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    buyer_uscc = serializers.CharField(source="buyer.uscc", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    buyer_risk_grade = serializers.IntegerField(source="buyer.risk_grade", read_only=True)
    proposed_by = serializers.StringRelatedField(allow_null=True)
    exposure = MoneyTotalSerializerField(
        help_text=_("The buyer's aggregate exposure, all policies.")
    )
    capacity = MoneyTotalSerializerField(
        allow_null=True, help_text=_("Capacity for the buyer's grade.")
    )
    remaining_capacity = MoneyTotalSerializerField(allow_null=True)
    event_count = serializers.IntegerField(read_only=True)
    insured_exposure = MoneyTotalSerializerField(
        help_text=_("Total of the insured's current limits.")
    )
    age_days = serializers.SerializerMethodField()

    class Meta:
        model = LimitApplication
        fields = [
            "id", "policy", "policy_number", "insured", "insured_name", "buyer", "buyer_uscc",
            "buyer_name", "buyer_risk_grade", "request_type", "status", "requested_amount",
            "payment_terms_days", "requested_expires_on", "submitted_at", "proposed_amount",
            "proposed_by", "exposure", "capacity", "remaining_capacity", "event_count",
            "insured_exposure", "age_days",
        ]  # fmt: skip
        read_only_fields = fields

    def get_age_days(self, application) -> int:
        """Days since submission (SPEC 5: decided within 3 weeks, the age of each shown)."""
        if application.submitted_at is None:
            return 0
        today = self.context.get("today") or timezone.localdate()
        return (today - timezone.localdate(application.submitted_at)).days


# --- calculators (SPEC 5) --------------------------------------------------------------------


class TurnoverCalculatorSerializer(serializers.Serializer):
    annual_credit_sales = MoneySerializerField(min_value=Decimal(0))
    credit_days = serializers.IntegerField(min_value=1, max_value=365)


class TurnoverResultSerializer(serializers.Serializer):
    limit = MoneyTotalSerializerField()


class MovementSerializer(serializers.Serializer):
    on = serializers.DateField()
    kind = serializers.ChoiceField(choices=[("invoice", _("Invoice")), ("payment", _("Payment"))])
    amount = MoneySerializerField(min_value=Decimal("0.01"))


class PeakOutstandingCalculatorSerializer(serializers.Serializer):
    movements = MovementSerializer(many=True, allow_empty=False, max_length=MAX_MOVEMENTS)


class PeakOutstandingResultSerializer(serializers.Serializer):
    peak = MoneyTotalSerializerField()
    peak_on = serializers.DateField(allow_null=True, read_only=True)
