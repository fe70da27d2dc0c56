import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from buyers.choices import RISK_GRADES, BuyerStatus
from buyers.models import Buyer
from buyers.selectors import buyer_search
from core.choices import Industry, Province


class BuyerFilterSet(django_filters.FilterSet):
    """Shared by the buyer list page and the API (NetBox's one filterset per model)."""

    q = django_filters.CharFilter(label=_("USCC or name"), method="search")
    region = django_filters.ChoiceFilter(label=_("Region"), choices=Province.choices)
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Industry.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BuyerStatus.choices)
    risk_grade = django_filters.MultipleChoiceFilter(label=_("Risk grade"), choices=RISK_GRADES)
    is_public_body = django_filters.BooleanFilter(
        label=_("Public buyer"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Buyer
        fields = ["q", "region", "industry", "status", "risk_grade", "is_public_body"]

    def search(self, queryset, name, value):
        return buyer_search(queryset, value)

    def filter_queryset(self, queryset):
        # The search last: it ranks a bounded set of candidates (buyer_search), which must
        # be taken among the buyers the other filters leave, not before them.
        values = dict(self.form.cleaned_data)
        query = values.pop("q", None)
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return self.filters["q"].filter(queryset, query)
