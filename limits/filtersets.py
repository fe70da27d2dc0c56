import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from limits.choices import ApplicationStatus, LimitSource, LimitStatus, RequestType
from limits.models import CreditLimit, LimitApplication


def _search(queryset, value):
    value = value.strip()
    return queryset.filter(
        Q(buyer__uscc=value.upper())
        | Q(buyer__name__icontains=value)
        | Q(policy__policy_number__istartswith=value)
    )


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
        return _search(queryset, value)


class LimitApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Buyer, USCC or policy"), method="search")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=ApplicationStatus.choices
    )
    request_type = django_filters.ChoiceFilter(label=_("Request type"), choices=RequestType.choices)
    submitted_from = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label=_("Submitted on or after")
    )
    submitted_to = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label=_("Submitted on or before")
    )

    class Meta:
        model = LimitApplication
        fields = ["q", "status", "request_type", "submitted_from", "submitted_to"]

    def search(self, queryset, name, value):
        return _search(queryset, value)
