import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines.models import Deadline
from premiums.choices import DebitNoteKind, QuarterState
from premiums.models import DebitNote
from premiums.views.quarters import quarter_state_q


def _policy_or_insured(queryset, value: str):
    value = value.strip()
    return queryset.filter(
        Q(policy__policy_number__istartswith=value)
        | Q(policy__insured__name__icontains=value)
        | Q(policy__insured__uscc=value.upper())
    )


class DeclarationQuarterFilterSet(django_filters.FilterSet):
    """The declarations overview: one row per policy quarter (its declaration deadline)."""

    q = django_filters.CharFilter(label=_("Policy number or insured"), method="search")
    state = django_filters.MultipleChoiceFilter(
        label=_("Declaration"), choices=QuarterState.choices, method="filter_state"
    )
    quarter = django_filters.ChoiceFilter(
        label=_("Quarter"), field_name="quarter", choices=[(str(n), f"Q{n}") for n in range(1, 5)]
    )
    due_from = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label=_("Due on or after")
    )
    due_to = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=_("Due on or before")
    )

    class Meta:
        model = Deadline
        fields = ["q", "state", "quarter", "due_from", "due_to"]

    def search(self, queryset, name, value):
        return _policy_or_insured(queryset, value)

    def filter_state(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        condition = Q()
        for state in value:
            condition |= quarter_state_q(state, today=today)
        return queryset.filter(condition)


class OverdueDebitNoteFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Note, policy number or insured"), method="search")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=DebitNoteKind.choices)
    due_from = django_filters.DateFilter(
        field_name="due_on", lookup_expr="gte", label=_("Due on or after")
    )
    due_to = django_filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label=_("Due on or before")
    )

    class Meta:
        model = DebitNote
        fields = ["q", "kind", "due_from", "due_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        return _policy_or_insured(queryset, value) | queryset.filter(
            number__istartswith=value.upper()
        )
