from django.utils.translation import gettext as _

from core.views import FilteredListView
from limits.filtersets import CreditLimitFilterSet
from limits.selectors import credit_limits_visible_to
from limits.tables import CREDIT_LIMIT_COLUMNS


class CreditLimitListView(FilteredListView):
    filterset_class = CreditLimitFilterSet
    columns = CREDIT_LIMIT_COLUMNS
    export_name = "credit-limits"
    default_ordering = ("buyer__name",)

    @property
    def title(self):
        return _("Credit limits")

    def base_queryset(self):
        return credit_limits_visible_to(self.request.user)
