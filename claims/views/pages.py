"""The notice and claim pages (SPEC 7), read through the scope module."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView

from claims import selectors


class NoticeDetailView(LoginRequiredMixin, DetailView):
    template_name = "claims/notice_detail.html"
    context_object_name = "notice"

    def get_queryset(self):
        return selectors.notices_visible_to(self.request.user)


class ClaimDetailView(LoginRequiredMixin, DetailView):
    template_name = "claims/claim_detail.html"
    context_object_name = "claim"

    def get_queryset(self):
        return selectors.claims_visible_to(self.request.user)
