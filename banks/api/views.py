"""The bank API (SPEC 2, 8): read-only, through `banks.selectors` and the scope module.
Agreements: staff see all, an insured its own, a bank its own in force or ended. The
positions and the feed are what the bank portal shows; an insured sees the positions on
its own policies, the feed is the banks' (staff see every bank's)."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins

from banks import selectors
from banks.api.serializers import AgreementSerializer, FeedEventSerializer, PositionSerializer
from banks.choices import AgreementScope, AgreementStatus, BankEventKind
from banks.models import AgreementBuyer, AssignmentAgreement, BankEvent
from core.api import GenericViewSet
from core.filters import DjangoFilterBackend, FilterSet, IdFilter, KnownQueryParameters
from core.scope import visible

NOT_FOUND = OpenApiResponse(description="Not found among the objects you may see.")


class AgreementFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices)
    scope = django_filters.ChoiceFilter(choices=AgreementScope.choices)
    insured = IdFilter(field_name="policy__insured")
    ends_before = django_filters.DateFilter(field_name="ends_on", lookup_expr="lte")

    class Meta:
        model = AssignmentAgreement
        fields = ["status", "scope", "policy", "insured", "bank", "reference", "ends_before"]


@extend_schema_view(
    list=extend_schema(summary="Assignment agreements you may see"),
    retrieve=extend_schema(responses={200: AgreementSerializer, 404: NOT_FOUND}),
)
class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Tripartite assignment agreements (赔款转让协议, SPEC 8) with the buyers they cover."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    ordering_fields = ["reference", "starts_on", "ends_on", "status", "created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        user = self.request.user
        covered = visible(user, AgreementBuyer).select_related("buyer").order_by("buyer__name")
        return selectors.agreements_visible_to(user).prefetch_related(
            Prefetch("covered_buyers", queryset=covered, to_attr="visible_covered")
        )


class PositionFilterSet(FilterSet):
    insured = IdFilter(field_name="policy__insured")

    class Meta:
        model = AgreementBuyer
        fields = ["policy", "buyer", "agreement", "insured"]


@extend_schema_view(
    list=extend_schema(
        summary="Covered buyers with their limit, receivables and financing capacity",
        description=(
            "One row per buyer an agreement in force covers, in policy and buyer order. "
            "Financing capacity = min(receivables × indemnity %, limit × indemnity %, "
            "remaining maximum liability) (SPEC 8)."
        ),
    )
)
class PositionViewSet(mixins.ListModelMixin, GenericViewSet):
    serializer_class = PositionSerializer
    filterset_class = PositionFilterSet
    # The figures are computed per row (not columns to order by in the database).
    filter_backends = [KnownQueryParameters, DjangoFilterBackend]

    def get_queryset(self):
        return selectors.covered_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        rows = selectors.bank_positions(request.user, self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FeedFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=BankEventKind.choices)
    since = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gt", help_text="What happened after this time."
    )
    new = django_filters.BooleanFilter(
        field_name="is_new", help_text="Only what came after you last read the feed (or not)."
    )
    adverse = django_filters.BooleanFilter(field_name="is_adverse")

    class Meta:
        model = BankEvent
        fields = ["kind", "since", "new", "adverse", "policy", "buyer", "agreement"]


@extend_schema_view(list=extend_schema(summary="What changed on the financed policies"))
class FeedViewSet(mixins.ListModelMixin, GenericViewSet):
    """The bank's feed (SPEC 8), newest first; `new` marks what came after the caller last
    read it (on the portal)."""

    serializer_class = FeedEventSerializer
    filterset_class = FeedFilterSet
    ordering_fields = ["occurred_at", "kind"]
    ordering = ["-occurred_at", "-id"]

    def get_queryset(self):
        return selectors.feed_for(self.request.user)
