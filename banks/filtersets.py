"""Filters of the agreement list (SPEC 8, 11). The choices of each filter are read from
the agreements the user may see, so that a filter names no bank, policy or insured
the list could not show."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from banks.choices import AgreementScope, AgreementStatus
from banks.models import AssignmentAgreement
from banks.selectors import agreements_visible_to
from policies.models import Policy


def _visible(request):
    if request is None:
        return AssignmentAgreement.objects.none()
    return agreements_visible_to(request.user)


def bank_choices(request):
    return Organisation.objects.filter(pk__in=_visible(request).values("bank_id")).order_by("name")


def insured_choices(request):
    return Organisation.objects.filter(
        pk__in=_visible(request).values("policy__insured_id")
    ).order_by("name")


def policy_choices(request):
    return Policy.objects.filter(pk__in=_visible(request).values("policy_id")).order_by(
        "policy_number", "year_index"
    )


class AgreementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Agreement, policy, insured or bank"), method="search")
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=AgreementStatus.choices)
    scope = django_filters.ChoiceFilter(label=_("Scope"), choices=AgreementScope.choices)
    bank = django_filters.ModelChoiceFilter(label=_("Bank"), queryset=bank_choices)
    policy = django_filters.ModelChoiceFilter(label=_("Policy"), queryset=policy_choices)
    insured = django_filters.ModelChoiceFilter(
        label=_("Insured"), field_name="policy__insured", queryset=insured_choices
    )
    ends_from = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="gte", label=_("Ends on or after")
    )
    ends_to = django_filters.DateFilter(
        field_name="ends_on", lookup_expr="lte", label=_("Ends on or before")
    )

    class Meta:
        model = AssignmentAgreement
        fields = ["q", "status", "scope", "bank", "policy", "insured", "ends_from", "ends_to"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        # An insured has one insured, a bank one bank: their filter would be one choice.
        if user is not None and not user.is_insurer_staff:
            self.filters.pop("insured" if user.is_insured_user else "bank", None)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__istartswith=value.upper())
            | Q(policy__policy_number__istartswith=value.upper())
            | Q(policy__insured__name__icontains=value)
            | Q(bank__name__icontains=value)
        )
