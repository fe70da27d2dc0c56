from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import GenericViewSet
from core.filters import KnownQueryParameters
from core.permissions import UnderwriterWrites
from policies import services
from policies.api.serializers import (
    NonRenewalRequestSerializer,
    OverrideRequestSerializer,
    PolicySerializer,
    PolicyTransitionSerializer,
    PolicyUpdateSerializer,
    TransitionRequestSerializer,
)
from policies.filtersets import PolicyFilterSet
from policies.selectors import policies_visible_to, transitions_visible_to


class PolicyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """Policies as each role may see them; lifecycle moves are actions, never a PATCH."""

    permission_classes = [UnderwriterWrites]
    filterset_class = PolicyFilterSet
    ordering_fields = ["policy_number", "period_start", "period_end", "status", "minimum_premium"]
    ordering = ["-period_start", "policy_number"]

    def get_queryset(self):
        return policies_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return PolicyUpdateSerializer
        return PolicySerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        insured = data.pop("insured")
        serializer.instance = services.policy_create(
            actor=self.request.user, insured=insured, **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.policy_update(
            actor=self.request.user, policy_id=serializer.instance.pk, **serializer.validated_data
        )

    @extend_schema(request=TransitionRequestSerializer, responses=PolicySerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        policy = self.get_object()
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = services.policy_transition(
            actor=request.user,
            policy_id=policy.pk,
            action_name=body.validated_data["action"],
            reason=body.validated_data["reason"],
        )
        return Response(PolicySerializer(policy).data)

    @extend_schema(request=OverrideRequestSerializer, responses=PolicySerializer)
    @action(detail=True, methods=["post"], url_path="override-warning")
    def override_warning(self, request, pk=None):
        policy = self.get_object()
        body = OverrideRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.policy_override_warning(
            actor=request.user, policy_id=policy.pk, **body.validated_data
        )
        return Response(PolicySerializer(policy).data)

    @extend_schema(request=NonRenewalRequestSerializer, responses=PolicySerializer)
    @action(detail=True, methods=["post"], url_path="non-renewal-notice")
    def non_renewal_notice(self, request, pk=None):
        policy = self.get_object()
        body = NonRenewalRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        policy = services.policy_give_non_renewal_notice(
            actor=request.user, policy_id=policy.pk, **body.validated_data
        )
        return Response(PolicySerializer(policy).data)

    @extend_schema(responses=PolicyTransitionSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[KnownQueryParameters])
    def transitions(self, request, pk=None):
        """The policy's lifecycle record, oldest first, paginated like every list."""
        policy = self.get_object()
        page = self.paginate_queryset(transitions_visible_to(request.user).filter(policy=policy))
        return self.get_paginated_response(PolicyTransitionSerializer(page, many=True).data)
