from rest_framework import serializers

from buyers.models import Buyer
from core.api import ModelSerializer


class BuyerSerializer(ModelSerializer):
    region_display = serializers.CharField(source="get_region_display", read_only=True)
    industry_display = serializers.CharField(source="get_industry_display", read_only=True)

    class Meta:
        model = Buyer
        fields = [
            "id", "uscc", "name", "former_names", "address", "region", "region_display",
            "industry", "industry_display", "registered_capital", "founded_on", "status",
            "risk_grade", "is_public_body", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is checked by the service and the database, with our own message.
        extra_kwargs = {"uscc": {"validators": []}, "region": {"required": False}}


class InsuredBuyerSerializer(BuyerSerializer):
    """What an insured sees of a buyer: the company record, not the insurer's grade."""

    class Meta(BuyerSerializer.Meta):
        fields = [f for f in BuyerSerializer.Meta.fields if f != "risk_grade"]
