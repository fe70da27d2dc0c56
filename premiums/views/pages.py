"""Premium pages (SPEC 6): a policy's declarations and premium, a declaration, a debit
note. Thin views over premiums.selectors; every object through a scoped selector."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from core.mixins import Confirmation
from core.scope import visible
from deadlines.views import due_next_rows
from limits.services import PREPARER_ROLES, SUBMITTER_ROLES
from policies.selectors import policies_visible_to
from premiums.choices import UNPAID_STATUSES, DeclarationAction, DeclarationStatus
from premiums.forms import ReturnForm
from premiums.models import DeclarationStatusChange
from premiums.selectors import (
    debit_notes_visible_to,
    declarations_visible_to,
    lines_visible_to,
    payments_visible_to,
    premium_position,
    quarter_rows,
)
from premiums.services.common import is_premium_staff
from premiums.services.declarations import DECLARABLE_POLICY_STATUSES
from premiums.views.chart import turnover_chart
from premiums.views.common import (
    PremiumReaderMixin,
    acts_for_insured,
    may_declare_at_once,
    may_prepare,
)

DUE_NEXT_ON_POLICY = 6


class PolicyPremiumView(PremiumReaderMixin, TemplateView):
    """The insured's portal page of one policy: its declarations by quarter with every
    version, what it owes and paid, what is due next, declared turnover against the
    estimate. Staff see the same and may enter a paper declaration."""

    template_name = "premiums/policy.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        policy = get_object_or_404(policies_visible_to(user), pk=kwargs["pk"])
        rows = quarter_rows(policy, user=user, today=today)
        declarable = policy.status in DECLARABLE_POLICY_STATUSES
        preparer = may_prepare(user, policy)
        for row in rows:
            ended = row.quarter.end <= today
            row.can_declare = declarable and ended and preparer and row.draft is None
            row.is_correction = row.current is not None
        deadlines = due_next_rows(user, today=today, policy=policy, limit=DUE_NEXT_ON_POLICY)
        return super().get_context_data(
            policy=policy,
            quarters=rows,
            missing=[row for row in rows if row.state == "missing"],
            position=premium_position(policy, user=user),
            debit_notes=debit_notes_visible_to(user).filter(policy=policy),
            due_next=deadlines,
            chart=turnover_chart(rows),
            declares_at_once=may_declare_at_once(user, policy),
            is_premium_staff=is_premium_staff(user),
            rate=format(policy.premium_rate_percent.normalize(), "f"),
            **kwargs,
        )


class DeclarationDetailView(PremiumReaderMixin, DetailView):
    """One version of a quarter's declaration, its status history, the quarter's other
    versions, and the actions a draft allows the reader."""

    template_name = "premiums/declaration_detail.html"
    context_object_name = "declaration"

    def get_queryset(self):
        return declarations_visible_to(self.request.user).select_related("upload")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, declaration = self.request.user, self.object
        policy = declaration.policy
        draft = declaration.status == DeclarationStatus.DRAFT
        changes = (
            visible(user, DeclarationStatusChange)
            .filter(declaration=declaration)
            .select_related("actor")
            .order_by("created_at", "pk")
        )
        context.update(
            changes=changes,
            versions=declarations_visible_to(user)
            .filter(policy=policy, quarter=declaration.quarter)
            .order_by("-version"),
            can_submit=draft and acts_for_insured(user, policy, SUBMITTER_ROLES),
            can_edit=draft and acts_for_insured(user, policy, PREPARER_ROLES),
            returned=next(
                (c for c in reversed(list(changes)) if c.action == DeclarationAction.RETURN),
                None,
            )
            if draft
            else None,
            return_form=kwargs.get("return_form") or ReturnForm(),
        )
        return context


class DebitNoteDetailView(PremiumReaderMixin, DetailView):
    """A debit or credit note: its lines, payments and status history; staff record a
    payment on it or cancel it (with a reason, once confirmed)."""

    template_name = "premiums/debit_note_detail.html"
    context_object_name = "note"

    def get_queryset(self):
        return debit_notes_visible_to(self.request.user).select_related("corrects")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, note = self.request.user, self.object
        staff = is_premium_staff(user)
        cancellable = staff and note.status in UNPAID_STATUSES and not note.paid_amount
        context.update(
            lines=lines_visible_to(user).filter(debit_note=note),
            payments=payments_visible_to(user).filter(debit_note=note),
            # The note was read through its scope: its own status rows go with it.
            changes=note.changes.select_related("actor").order_by("created_at", "pk"),
            corrections=debit_notes_visible_to(user).filter(corrects=note),
            can_pay=staff and note.status in UNPAID_STATUSES,
            can_cancel=cancellable,
        )
        if cancellable and self.request.GET.get("confirm") == "cancel":
            context["confirmation"] = cancel_confirmation(note)
        return context


def cancel_confirmation(note) -> Confirmation:
    values = {
        "number": note.number,
        "amount": f"{note.amount:,.2f}",
        "due": note.due_on.isoformat(),
        "policy": str(note.policy),
    }
    return Confirmation(
        title=_("Cancel debit note %(number)s?") % values,
        effects=[
            _(
                "Debit note %(number)s of %(amount)s on policy %(policy)s, due on %(due)s, is "
                "cancelled: the insured no longer owes it."
            )
            % values,
            _("Its payment deadline falls away; a policy suspended only for it is reinstated."),
            _("This cannot be undone: a note issued again gets a new number."),
        ],  # fmt: skip
        action=reverse("premiums:debit_note_cancel", args=[note.pk]),
        fields=[],
        button=_("Cancel the note"),
        back_url=note.get_absolute_url(),
        tone="danger",
        reason_label=_("Reason for the cancellation"),
    )
