"""What the bank API answers (SPEC 2, 8): agreements, covered buyers' positions with the
financing capacity, and the bank's feed. Read-only: nothing here is written."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from banks.models import AgreementBuyer, AssignmentAgreement, BankEvent
from core.api import ModelSerializer
from core.money import MoneySerializerField
from core.texts import render_text


class CoveredBuyerSerializer(ModelSerializer):
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    buyer_uscc = serializers.CharField(source="buyer.uscc", read_only=True)

    class Meta:
        model = AgreementBuyer
        fields = ["buyer", "buyer_name", "buyer_uscc", "active"]
        read_only_fields = fields


class AgreementSerializer(ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    scope_display = serializers.CharField(source="get_scope_display", read_only=True)
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured = serializers.IntegerField(source="policy.insured_id", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    bank_name = serializers.CharField(source="bank.name", read_only=True)
    covered_buyers = CoveredBuyerSerializer(
        source="visible_covered", many=True, read_only=True,
        help_text=_("The buyers it covers, as you may see them (while it is in force)."),
    )  # fmt: skip

    class Meta:
        model = AssignmentAgreement
        fields = [
            "id", "reference", "status", "status_display", "policy", "policy_number",
            "insured", "insured_name", "bank", "bank_name", "scope", "scope_display", "region",
            "starts_on", "ends_on", "account_name", "account_number", "account_bank",
            "signed_on", "signed_filename", "signed_sha256", "activated_on", "terminated_on",
            "covered_buyers", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class PositionSerializer(serializers.Serializer):
    """One covered buyer of one policy (`selectors.Position`): its limit, the receivables
    the insured reported, the financing capacity (SPEC 8) and its claims."""

    id = serializers.IntegerField(source="covered.pk", help_text=_("The covered buyer's row."))
    agreement = serializers.IntegerField(source="covered.agreement_id")
    agreement_reference = serializers.CharField(source="agreement.reference")
    agreement_ends_on = serializers.DateField(source="agreement.ends_on")
    policy = serializers.IntegerField(source="covered.policy_id")
    policy_number = serializers.CharField(source="policy.policy_number")
    policy_status = serializers.CharField(source="policy.status")
    insured = serializers.IntegerField(source="policy.insured_id")
    insured_name = serializers.CharField(source="policy.insured.name")
    buyer = serializers.IntegerField(source="covered.buyer_id")
    buyer_name = serializers.CharField(source="buyer.name")
    buyer_uscc = serializers.CharField(source="buyer.uscc")
    indemnity_percentage = serializers.DecimalField(
        source="policy.indemnity_percentage", max_digits=5, decimal_places=2
    )
    limit_amount = MoneySerializerField(
        allow_null=True, help_text=_("The limit in force; null when none is (nothing covered).")
    )
    limit_status = serializers.CharField(allow_blank=True)
    receivables = MoneySerializerField(
        allow_null=True, help_text=_("The receivables last reported; null before any report.")
    )
    receivables_as_of = serializers.DateField(allow_null=True)
    remaining_liability = MoneySerializerField(
        help_text=_("The policy year's maximum liability less the indemnities committed.")
    )
    capacity = MoneySerializerField(
        allow_null=True,
        help_text=_(
            "min(receivables × indemnity %, limit × indemnity %, remaining maximum "
            "liability); null before receivables are reported."
        ),
    )
    open_notices = serializers.IntegerField()
    open_claims = serializers.IntegerField()
    payable = MoneySerializerField(help_text=_("Approved indemnities not paid yet."))
    paid = MoneySerializerField(help_text=_("Indemnities paid."))

    class Meta:
        read_only_fields = "__all__"


class FeedEventSerializer(ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    insured_name = serializers.CharField(source="policy.insured.name", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True, allow_null=True)
    agreement_reference = serializers.CharField(source="agreement.reference", read_only=True)
    text = serializers.SerializerMethodField(help_text=_("What happened, in your language."))
    new = serializers.BooleanField(
        source="is_new", read_only=True, help_text=_("After you last read the feed.")
    )
    adverse = serializers.BooleanField(
        source="is_adverse", read_only=True,
        help_text=_("A cut, a notice, a claim, a suspension, an agreement ending (SPEC 8)."),
    )  # fmt: skip

    class Meta:
        model = BankEvent
        fields = [
            "id", "kind", "kind_display", "occurred_at", "new", "adverse", "agreement",
            "agreement_reference", "policy", "policy_number", "insured_name", "buyer",
            "buyer_name", "text", "url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_text(self, event) -> str:
        return render_text(event.subject_code, event.params)
