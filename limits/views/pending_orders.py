"""The pending-orders request after a reduction or cancellation (SPEC 5)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView

from core.mixins import InsuredRoleRequiredMixin
from limits import services
from limits.forms import (
    PendingOrdersForm,
)
from limits.selectors import (
    decisions_visible_to,
)
from limits.tables import RESPONSE_BADGES
from limits.views.common import (
    NOTICE_RESPONSES,
    SUBMITTER_ROLES,
    apply_service_error,
    service_call,
)

# --- pending orders ---------------------------------------------------------------------------


class PendingOrdersRequestView(InsuredRoleRequiredMixin, FormView):
    """The insured asks in writing for pending-orders cover after a cut (SPEC 5)."""

    allowed_roles = SUBMITTER_ROLES
    form_class = PendingOrdersForm
    template_name = "limits/pending_orders_form.html"

    @cached_property
    def decision(self):
        decision = get_object_or_404(
            decisions_visible_to(self.request.user).select_related("credit_limit"),
            pk=self.kwargs["pk"],
            response_code__in=NOTICE_RESPONSES,
        )
        if decision.credit_limit is None:
            raise Http404
        return decision

    def form_valid(self, form):
        try:
            with service_call():
                cover = services.pending_orders_request(
                    actor=self.request.user, decision_id=self.decision.pk, **form.cleaned_data
                )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Pending-orders cover accepted: %(amount)s for deliveries until %(date)s.")
            % {"amount": f"{cover.covered_amount:,.2f}", "date": cover.cover_until.isoformat()},
        )
        return redirect(self.decision.credit_limit)

    def get_context_data(self, **kwargs):
        decision = self.decision
        return super().get_context_data(
            title=_("Request pending-orders cover"),
            decision=decision,
            credit_limit=decision.credit_limit,
            badge=RESPONSE_BADGES.get(decision.response_code, "secondary"),
            **kwargs,
        )
