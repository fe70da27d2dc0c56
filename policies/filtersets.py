import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from policies.choices import PolicyStatus
from policies.models import Policy


class PolicyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Policy number or insured"), method="search")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=PolicyStatus.choices)
    period_end_after = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label=_("Ends on or after")
    )
    period_end_before = django_filters.DateFilter(
        field_name="period_end", lookup_expr="lte", label=_("Ends on or before")
    )

    class Meta:
        model = Policy
        fields = ["q", "status", "period_end_after", "period_end_before"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(policy_number__istartswith=value)
            | Q(insured__name__icontains=value)
            | Q(insured__uscc=value.upper())
        )
