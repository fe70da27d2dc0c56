"""Deadlines through HTTP (SPEC 7 "Deadline reminders", 10): what is due, whose, and
how many days are left."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import ModelSerializer
from deadlines.choices import PENDING_STATUSES
from deadlines.models import Deadline


class DeadlineSerializer(ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    party_display = serializers.CharField(source="get_party_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    policy_number = serializers.CharField(source="policy.policy_number", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True, allow_null=True)
    subject_type = serializers.SerializerMethodField(
        help_text=_('What the deadline belongs to, as "app.model" (a policy, a debit note).')
    )
    is_late = serializers.BooleanField(read_only=True, help_text=_("Met after its due date."))
    days_left = serializers.SerializerMethodField(
        help_text=_(
            "Days from today to the due date, negative once passed; null once met or waived."
        )
    )

    class Meta:
        model = Deadline
        fields = [
            "id", "kind", "kind_display", "party", "party_display", "policy", "policy_number",
            "buyer", "buyer_name", "subject_type", "subject_id", "key", "detail", "url",
            "due_on", "status", "status_display", "met_on", "is_late", "days_left",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_subject_type(self, deadline) -> str:
        content_type = ContentType.objects.get_for_id(deadline.subject_type_id)  # cached
        return f"{content_type.app_label}.{content_type.model}"

    def get_days_left(self, deadline) -> int | None:
        if deadline.status not in PENDING_STATUSES:
            return None
        today = self.context.get("today") or timezone.localdate()
        return (deadline.due_on - today).days
