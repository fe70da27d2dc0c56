"""Pages of assignment agreements (SPEC 8): the insurer's staff, the insured and the named
bank read the agreement; what each may do comes from the selectors and the services."""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from banks import selectors
from core.mixins import RoleRequiredMixin


class AgreementReaderMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return user.is_insurer_staff or user.is_insured_user or user.is_bank_user


def agreement_for(user, pk):
    """The agreement if `user` may see it, else 404 (SPEC 2)."""
    return get_object_or_404(selectors.agreements_visible_to(user), pk=pk)


class AgreementDetailView(AgreementReaderMixin, TemplateView):
    template_name = "banks/agreement_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        agreement = agreement_for(user, kwargs["pk"])
        return {
            **super().get_context_data(**kwargs),
            "agreement": agreement,
            "positions": selectors.agreement_positions(user, agreement),
            "listed": agreement.covered_buyers.select_related("buyer").order_by("buyer__name"),
            "history": selectors.agreement_history(user, agreement),
            "actions": selectors.allowed_agreement_actions(agreement, user),
        }
