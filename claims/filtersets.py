"""Filters of the claims lists (SPEC 7, 11): the staff queue and the notices."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import CLAIMS_ROLES
from accounts.models import User
from claims.choices import ClaimCause, ClaimStatus, NoticeStatus
from claims.models import Claim, OverdueNotice

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _party_search(prefix: str, value: str) -> Q:
    value = value.strip()
    return (
        Q(reference__istartswith=value.upper())
        | Q(**{f"{prefix}buyer__name__icontains": value})
        | Q(**{f"{prefix}buyer__uscc": value.upper()})
        | Q(**{f"{prefix}policy__insured__name__icontains": value})
        | Q(**{f"{prefix}policy__insured__uscc": value.upper()})
        | Q(**{f"{prefix}policy__policy_number__istartswith": value.upper()})
    )


def missed_clocks_q(today) -> Q:
    """On the queue's annotations: a running clock has passed (asking for the documents,
    art. 22; the decision and the payment, art. 23; the waiting period's end)."""
    return Q(next_due_on__lt=today)


class ClaimFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Claim, buyer, insured or policy"), method="search")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ClaimStatus.choices)
    cause = django_filters.ChoiceFilter(label=_("Cause"), choices=ClaimCause.choices)
    overdue = django_filters.ChoiceFilter(
        label=_("A clock missed"), choices=YES_NO, method="filter_overdue"
    )
    handler = django_filters.ModelChoiceFilter(
        label=_("Handler"),
        queryset=User.objects.filter(role__in=sorted(CLAIMS_ROLES), is_active=True).order_by(
            "last_name", "username"
        ),
    )
    opened_from = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="gte", label=_("Opened on or after")
    )
    opened_to = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="lte", label=_("Opened on or before")
    )

    class Meta:
        model = Claim
        fields = ["q", "status", "cause", "overdue", "handler", "opened_from", "opened_to"]

    def search(self, queryset, name, value):
        return queryset.filter(_party_search("", value)) if value.strip() else queryset

    def filter_overdue(self, queryset, name, value):
        missed = missed_clocks_q(timezone.localdate())
        if value == "yes":
            return queryset.filter(missed)
        if value == "no":
            return queryset.exclude(missed)
        return queryset


class NoticeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Notice, buyer, insured or policy"), method="search")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=NoticeStatus.choices)
    late = django_filters.ChoiceFilter(label=_("Filed late"), choices=YES_NO, method="filter_late")
    deadline_from = django_filters.DateFilter(
        field_name="deadline_on", lookup_expr="gte", label=_("Deadline on or after")
    )
    deadline_to = django_filters.DateFilter(
        field_name="deadline_on", lookup_expr="lte", label=_("Deadline on or before")
    )

    class Meta:
        model = OverdueNotice
        fields = ["q", "status", "late", "deadline_from", "deadline_to"]

    def search(self, queryset, name, value):
        return queryset.filter(_party_search("", value)) if value.strip() else queryset

    def filter_late(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(days_late__gt=0)
        if value == "no":
            return queryset.filter(days_late=0)
        return queryset
