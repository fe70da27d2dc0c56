"""Filters of the agreement list and of the bank portal's lists (SPEC 2, 8, 11), shared
by the pages, the exports and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from banks.choices import ADVERSE_EVENTS, AgreementScope, AgreementStatus, BankEventKind
from banks.models import AgreementBuyer, AssignmentAgreement, BankEvent
from banks.selectors import agreements_visible_to
from core.scope import visible
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


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _policies(request):
    if request is None:
        return Policy.objects.none()
    return visible(request.user, Policy).order_by("policy_number", "year_index")


def _insureds(request):
    if request is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        pk__in=visible(request.user, Policy).values("insured_id")
    ).order_by("name")


def position_search(value: str) -> Q:
    value = value.strip()
    return (
        Q(buyer__name__icontains=value)
        | Q(buyer__uscc=value.upper())
        | Q(agreement__policy__insured__name__icontains=value)
        | Q(agreement__policy__policy_number__istartswith=value.upper())
        | Q(agreement__reference__istartswith=value.upper())
    )


class PositionFilterSet(django_filters.FilterSet):
    """The page's filters over the covered buyers, before their figures are computed."""

    q = django_filters.CharFilter(
        label=_("Buyer, insured, policy or agreement"), method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Buyer, insured, policy or agreement")}),
    )  # fmt: skip
    insured = django_filters.ModelChoiceFilter(
        label=_("Insured"), field_name="policy__insured", queryset=_insureds,
        empty_label=_("All insureds"),
    )  # fmt: skip
    policy = django_filters.ModelChoiceFilter(
        label=_("Policy"), queryset=_policies, empty_label=_("All policies")
    )

    class Meta:
        model = AgreementBuyer
        fields = ["q", "insured", "policy"]

    def search(self, queryset, name, value):
        return queryset.filter(position_search(value)) if value.strip() else queryset


class FeedFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(label=_("What"), choices=BankEventKind.choices)
    adverse = django_filters.ChoiceFilter(
        label=_("Calls for attention"), choices=YES_NO, method="filter_adverse"
    )
    new = django_filters.ChoiceFilter(
        label=_("New since you last looked"), choices=YES_NO, method="filter_new"
    )
    policy = django_filters.ModelChoiceFilter(label=_("Policy"), queryset=_policies)
    since = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("On or after")
    )

    class Meta:
        model = BankEvent
        fields = ["kind", "adverse", "new", "policy", "since"]

    def filter_adverse(self, queryset, name, value):
        adverse = Q(kind__in=ADVERSE_EVENTS)
        return queryset.filter(adverse if value == "yes" else ~adverse)

    def filter_new(self, queryset, name, value):
        # On `selectors.feed_for`'s annotation.
        return queryset.filter(is_new=value == "yes")
