"""Deadlines through HTTP (SPEC 7, 10): read-only, through the scope module. The apps
that create obligations open and close them; nobody edits one here."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins

from core.api import GenericViewSet
from core.filters import FilterSet
from deadlines.api.serializers import DeadlineSerializer
from deadlines.choices import DeadlineKind, DeadlineParty, DeadlineStatus
from deadlines.models import Deadline
from deadlines.selectors import deadlines_visible_to


class DeadlineFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DeadlineStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=DeadlineKind.choices)
    party = django_filters.ChoiceFilter(choices=DeadlineParty.choices)
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Deadline
        fields = ["status", "kind", "party", "policy", "buyer", "due_after", "due_before"]


@extend_schema_view(
    list=extend_schema(
        responses=DeadlineSerializer(many=True),
        summary="What is due, soonest first (?status=open&status=missed for what is pending)",
    ),
    retrieve=extend_schema(
        responses={
            200: DeadlineSerializer,
            404: OpenApiResponse(description="Not found among the objects you may see."),
        }
    ),
)
class DeadlineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Every dated obligation an insured or the insurer can miss (SPEC 10), as each role
    may see them: an insured its own policies', staff all, a bank none until agreements
    exist."""

    serializer_class = DeadlineSerializer
    filterset_class = DeadlineFilterSet
    ordering_fields = ["due_on", "status", "kind", "met_on"]
    ordering = ["due_on", "id"]

    def get_queryset(self):
        return deadlines_visible_to(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}
