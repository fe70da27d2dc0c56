"""Premium pages (SPEC 6): thin views over premiums.selectors and premiums.services."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from policies.selectors import policies_visible_to
from premiums.selectors import (
    debit_notes_visible_to,
    declarations_visible_to,
    premium_position,
    quarter_rows,
)


class PolicyPremiumView(LoginRequiredMixin, TemplateView):
    """A policy's declarations by quarter and its premium account."""

    template_name = "premiums/policy.html"

    def get_context_data(self, **kwargs):
        policy = get_object_or_404(policies_visible_to(self.request.user), pk=kwargs["pk"])
        user, today = self.request.user, timezone.localdate()
        return super().get_context_data(
            policy=policy,
            quarters=quarter_rows(policy, user=user, today=today),
            position=premium_position(policy, user=user),
            debit_notes=debit_notes_visible_to(user).filter(policy=policy),
            **kwargs,
        )


class DeclarationDetailView(LoginRequiredMixin, DetailView):
    template_name = "premiums/declaration_detail.html"
    context_object_name = "declaration"

    def get_queryset(self):
        return declarations_visible_to(self.request.user)


class DebitNoteDetailView(LoginRequiredMixin, DetailView):
    template_name = "premiums/debit_note_detail.html"
    context_object_name = "note"

    def get_queryset(self):
        return debit_notes_visible_to(self.request.user).prefetch_related("lines", "payments")
