"""The declarations overview across policies and the overdue debit notes (SPEC 6, 11)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from core.mixins import StaffRequiredMixin
from core.views import FilteredListView
from premiums.filtersets import DeclarationQuarterFilterSet, OverdueDebitNoteFilterSet
from premiums.selectors import overdue_debit_notes
from premiums.tables import DECLARATION_QUARTER_COLUMNS, OVERDUE_NOTE_COLUMNS
from premiums.views.common import PremiumReaderMixin
from premiums.views.quarters import declaration_quarters_visible_to


class DeclarationOverviewView(PremiumReaderMixin, FilteredListView):
    """Staff: every policy quarter, due, late, missing or declared, with the turnover
    against the estimate. An insured sees its own policies' quarters the same way."""

    filterset_class = DeclarationQuarterFilterSet
    export_name = "declarations"
    # Soonest first; the id keeps a day's rows in a stable order without joining policies.
    default_ordering = ("due_on", "pk")

    @property
    def title(self):
        return _("Turnover declarations")

    @property
    def columns(self):
        if self.request.user.is_insured_user:
            return [c for c in DECLARATION_QUARTER_COLUMNS if c.key != "policy.insured.name"]
        return DECLARATION_QUARTER_COLUMNS

    def base_queryset(self):
        return declaration_quarters_visible_to(
            self.request.user, today=timezone.localdate()
        ).select_related("policy", "policy__insured")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for row in context["object_list"]:
            # The row opens the policy's declarations page (the deadline's own link).
            row.get_absolute_url = _link(row.url)
        return context


def _link(url: str):
    return lambda: url


class OverdueDebitNoteListView(StaffRequiredMixin, FilteredListView):
    filterset_class = OverdueDebitNoteFilterSet
    columns = OVERDUE_NOTE_COLUMNS
    export_name = "overdue-debit-notes"
    default_ordering = ("due_on", "number")

    @property
    def title(self):
        return _("Overdue debit notes")

    def base_queryset(self):
        return overdue_debit_notes(self.request.user)
