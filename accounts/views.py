from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.views.generic import TemplateView

from buyers.selectors import buyers_visible_to
from policies.choices import PolicyStatus
from policies.selectors import policies_visible_to


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's landing page: its own figures, from its own selectors."""

    template_name = "accounts/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        policies = policies_visible_to(user)
        by_status = dict(
            policies.order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        context["status_counts"] = [
            (status, label, by_status.get(status, 0)) for status, label in PolicyStatus.choices
        ]
        context["policy_count"] = sum(by_status.values())
        context["buyer_count"] = buyers_visible_to(user).count()
        context["recent_policies"] = policies.order_by("-updated_at")[:8]
        context["notifications"] = user.notifications.all()[:5]
        return context
