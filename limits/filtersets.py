import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from limits.choices import LimitSource, LimitStatus
from limits.models import CreditLimit


class CreditLimitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Buyer, USCC or policy"), method="search")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=LimitStatus.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=LimitSource.choices)
    expires_before = django_filters.DateFilter(
        field_name="expires_on", lookup_expr="lte", label=_("Expires on or before")
    )

    class Meta:
        model = CreditLimit
        fields = ["q", "status", "source", "expires_before"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(buyer__uscc=value.upper())
            | Q(buyer__name__icontains=value)
            | Q(policy__policy_number__istartswith=value)
        )
