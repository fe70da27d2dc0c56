"""A policy's premium account for the insurer's staff (SPEC 3.3, 6): debit notes with
their payments, the balance, recording a payment and cancelling an unpaid note."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from core.mixins import (
    StaffRequiredMixin,
    apply_validation_error,
    is_confirmed,
    message_errors,
)
from limits.views.common import service_call
from policies.selectors import policies_visible_to
from premiums import services
from premiums.choices import UNPAID_STATUSES, DebitNoteKind
from premiums.forms import CancelNoteForm, PaymentForm
from premiums.selectors import (
    adjustments_visible_to,
    debit_notes_visible_to,
    payments_visible_to,
    premium_position,
)
from premiums.services.common import is_premium_staff
from premiums.views.common import PremiumStaffMixin


class PremiumAccountView(StaffRequiredMixin, FormView):
    """Every staff member reads the account; premium staff record payments on it."""

    template_name = "premiums/account.html"
    form_class = PaymentForm

    @cached_property
    def policy(self):
        return get_object_or_404(policies_visible_to(self.request.user), pk=self.kwargs["pk"])

    def unpaid_notes(self):
        return (
            debit_notes_visible_to(self.request.user)
            .filter(policy=self.policy, status__in=UNPAID_STATUSES)
            .exclude(kind=DebitNoteKind.CREDIT_NOTE)
            .order_by("due_on", "number")
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "notes": self.unpaid_notes()}

    def get_initial(self):
        # The note asked for (from its page), else the oldest unpaid one.
        note = self.request.GET.get("note", "")
        if note.isdigit():
            return {"debit_note": note}
        oldest = self.unpaid_notes().values_list("pk", flat=True).first()
        return {"debit_note": oldest} if oldest else {}

    def post(self, request, *args, **kwargs):
        if not is_premium_staff(request.user):
            raise Http404
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        note = data["debit_note"]
        try:
            with service_call():
                payment = services.payment_record(
                    actor=self.request.user, debit_note_id=note.pk, amount=data["amount"],
                    paid_on=data["paid_on"], reference=data["reference"],
                )  # fmt: skip
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Payment of %(amount)s recorded on %(number)s.")
            % {"amount": f"{payment.amount:,.2f}", "number": note.number},
        )
        return redirect(reverse("premiums:account", args=[self.policy.pk]))

    def get_context_data(self, **kwargs):
        user = self.request.user
        payments = payments_visible_to(user).order_by("paid_on", "pk")
        notes = (
            debit_notes_visible_to(user)
            .filter(policy=self.policy)
            .prefetch_related(Prefetch("payments", queryset=payments, to_attr="payment_rows"))
        )
        return super().get_context_data(
            policy=self.policy,
            position=premium_position(self.policy, user=user),
            notes=notes,
            payments=payments.filter(debit_note__policy=self.policy).select_related("debit_note"),
            adjustments=adjustments_visible_to(user).filter(policy=self.policy),
            is_premium_staff=is_premium_staff(user),
            **kwargs,
        )


class DebitNoteCancelView(PremiumStaffMixin, View):
    """POST only, once the dialog stating the effect was confirmed with a reason."""

    http_method_names = ["post"]

    def post(self, request, pk):
        note = get_object_or_404(debit_notes_visible_to(request.user), pk=pk)
        form = CancelNoteForm(request.POST)
        if not is_confirmed(request):
            return redirect(f"{note.get_absolute_url()}?confirm=cancel")
        if not form.is_valid():
            message_errors(request, ValidationError(form.errors.as_data()))
            return redirect(f"{note.get_absolute_url()}?confirm=cancel")
        try:
            with service_call():
                services.debit_note_cancel(
                    actor=request.user, debit_note_id=note.pk, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(request, _("Debit note %(number)s cancelled.") % {"number": note})
        return redirect(note)
