from rest_framework import mixins
from rest_framework.filters import OrderingFilter

from buyers import services
from buyers.api.serializers import BuyerSerializer, InsuredBuyerSerializer
from buyers.filtersets import BuyerFilterSet
from buyers.selectors import buyers_visible_to
from core.api import GenericViewSet
from core.filters import DjangoFilterBackend, KnownQueryParameters
from core.permissions import UnderwriterWrites


class BuyerOrderingFilter(OrderingFilter):
    """A search keeps buyer_search's relevance order unless `?ordering=` asks otherwise."""

    def get_default_ordering(self, view):
        if view.request.query_params.get("q", "").strip():
            return None
        return super().get_default_ordering(view)


class BuyerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """The buyer register. Staff read all; insureds read their own buyers; underwriters write."""

    permission_classes = [UnderwriterWrites]
    filterset_class = BuyerFilterSet
    filter_backends = [KnownQueryParameters, DjangoFilterBackend, BuyerOrderingFilter]
    ordering_fields = ["name", "uscc", "risk_grade", "founded_on", "registered_capital"]
    ordering = ["name"]

    def get_queryset(self):
        return buyers_visible_to(self.request.user)

    def get_serializer_class(self):
        if (
            self.request
            and self.request.user.is_authenticated
            and not self.request.user.is_insurer_staff
        ):
            return InsuredBuyerSerializer
        return BuyerSerializer

    def perform_create(self, serializer):
        serializer.instance = services.buyer_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.buyer_update(
            actor=self.request.user, buyer_id=serializer.instance.pk, **serializer.validated_data
        )
