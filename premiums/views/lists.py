"""The declarations overview across policies and the overdue debit notes (SPEC 6, 11)."""

from datetime import date

from django.db.models import (
    Case,
    CharField,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mixins import StaffRequiredMixin
from core.views import FilteredListView
from deadlines.choices import DeadlineKind, DeadlineStatus
from deadlines.selectors import deadlines_visible_to
from premiums.choices import DeclarationStatus, QuarterState
from premiums.filtersets import DeclarationQuarterFilterSet, OverdueDebitNoteFilterSet
from premiums.selectors import declarations_visible_to, overdue_debit_notes
from premiums.tables import DECLARATION_QUARTER_COLUMNS, OVERDUE_NOTE_COLUMNS
from premiums.views.common import PremiumReaderMixin


def declaration_quarters_visible_to(user, *, today: date) -> QuerySet:
    """One row per policy quarter that owes a declaration, as the user may see them.

    A quarter's declaration deadline (the deadline engine's row, created when the policy's
    premium account opens) is the register of policy quarters, so the list is one indexed
    query however many policies there are, and a quarter nobody declared is a row too
    (missing), not an absence. Annotated with the quarter's number, where it stands
    (`state`, as `premiums.selectors.quarter_state` says it, from the deadline's dates so
    that a later correction does not make an on-time declaration late) and the current
    declaration's turnover. Waived quarters (of a cancelled policy) are owed by nobody.
    """
    current = declarations_visible_to(user).filter(
        policy_id=OuterRef("policy_id"),
        quarter=OuterRef("quarter"),
        status=DeclarationStatus.SUBMITTED,
    )
    quarter_ends_on = ExpressionWrapper(
        F("due_on") - F("policy__declaration_deadline_days"), output_field=DateField()
    )
    return (
        deadlines_visible_to(user)
        .filter(kind=DeadlineKind.DECLARATION)
        .exclude(status=DeadlineStatus.WAIVED)
        .annotate(quarter=Cast(Substr("key", 2), IntegerField()), quarter_ends_on=quarter_ends_on)
        .annotate(
            state=Case(
                When(
                    status=DeadlineStatus.MET,
                    met_on__gt=F("due_on"),
                    then=Value(QuarterState.LATE.value),
                ),
                When(status=DeadlineStatus.MET, then=Value(QuarterState.DECLARED.value)),
                When(due_on__lt=today, then=Value(QuarterState.MISSING.value)),
                When(quarter_ends_on__lte=today, then=Value(QuarterState.DUE.value)),
                default=Value(QuarterState.NOT_YET.value),
                output_field=CharField(),
            ),
            declared_turnover=Subquery(current.values("turnover")[:1]),
            declaration_id=Subquery(current.values("pk")[:1]),
        )
    )


def missed_declaration_count(user, *, today: date) -> int:
    return (
        declaration_quarters_visible_to(user, today=today)
        .filter(state=QuarterState.MISSING)
        .count()
    )


class DeclarationOverviewView(PremiumReaderMixin, FilteredListView):
    """Staff: every policy quarter, due, late, missing or declared, with the turnover
    against the estimate. An insured sees its own policies' quarters the same way."""

    filterset_class = DeclarationQuarterFilterSet
    export_name = "declarations"
    default_ordering = ("due_on", "policy__policy_number")

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
