from rest_framework import serializers

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from core.api import ModelSerializer
from core.text import LONG_TEXT_MAX_LENGTH
from policies.choices import EligibilityCode, PolicyAction
from policies.models import Policy, PolicyTransition
from policies.services import SCHEDULE_FIELDS


class PolicyTransitionSerializer(ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)  # null: a scheduled job

    class Meta:
        model = PolicyTransition
        fields = ["action", "from_status", "to_status", "reason", "actor", "created_at"]


class PolicySerializer(ModelSerializer):
    insured = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.INSURED)
    )
    insured_name = serializers.CharField(source="insured.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "policy_number",
            "year_index",
            "insured",
            "insured_name",
            "status",
            "status_display",
            "renewed_from",
            *SCHEDULE_FIELDS,
            "minimum_premium",
            "max_liability",
            "non_renewal_notice_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "policy_number",
            "year_index",
            "status",
            "renewed_from",
            "minimum_premium",
            "max_liability",
            "non_renewal_notice_on",
            "created_at",
            "updated_at",
        ]


class PolicyUpdateSerializer(PolicySerializer):
    """A policy's schedule on PUT and PATCH; the insured is fixed once the policy exists.

    Declared read-only here (a declared field ignores `read_only_fields`), so a body that
    repeats the policy's GET answer or follows the create schema is taken, its read-only
    fields ignored.
    """

    insured = serializers.PrimaryKeyRelatedField(read_only=True)


class TransitionRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=PolicyAction.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT_MAX_LENGTH
    )


class OverrideRequestSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=EligibilityCode.choices)
    reason = serializers.CharField(max_length=LONG_TEXT_MAX_LENGTH)


class NonRenewalRequestSerializer(serializers.Serializer):
    notice_on = serializers.DateField()
