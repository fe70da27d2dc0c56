"""Each role's home page. It gathers figures from every app, so it lives at the top,
beside the URL configuration, and no app imports it."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from banks.views.portal import PortalView
from buyers.selectors import buyers_visible_to
from claims.views.home import claims_due_soonest, insured_open_claims, notice_deadlines
from core.figures import Counted, Summed, gather
from core.pagination import COUNT_CAP, capped_text
from deadlines.views import due_next_rows
from limits.choices import SERVICE_LEVEL_DAYS
from limits.selectors import (
    decision_queue_ageing,
    exposure_by_grade,
    insured_cover,
    open_applications,
)
from limits.views.common import age_in_days
from policies.choices import PolicyStatus
from policies.selectors import policies_in_force_with_renewal, policies_visible_to
from policies.views import may_accept_renewal, renewal_acceptance_confirmation
from premiums.selectors import overdue_debit_notes
from premiums.views.quarters import missed_declarations


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's landing page: its own figures, from its own selectors."""

    template_name = "accounts/home.html"

    def get(self, request, *args, **kwargs):
        # A bank user's home is the bank portal (SPEC 2, 8): what it finances, at a glance.
        if request.user.is_bank_user:
            return PortalView.as_view()(request, *args, **kwargs)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        policies = policies_visible_to(user)
        figures = gather(user, **self._counts(user, policies, today))
        # The base template's badge reads it from here instead of counting again.
        self.request.unread_notifications = figures["unread"]
        by_status = {status: figures[f"status_{status}"] for status in PolicyStatus.values}
        context["status_counts"] = [
            (status, label, by_status[status]) for status, label in PolicyStatus.choices
        ]
        context["policy_count"] = sum(by_status.values())
        context["buyer_count"] = figures["buyers"]
        context["recent_policies"] = policies.order_by("-updated_at")[:8]
        context["notifications"] = user.notifications.all()[:5]
        if user.is_insurer_staff or user.is_insured_user:
            # SPEC 7, 10: the deadlines an insured or the insurer can miss, soonest first.
            context["due_next"] = due_next_rows(user, today=today)
        if user.is_insurer_staff:
            # Counted up to the lists' cap: past it, "1,000+" says enough.
            context["missed_declarations"] = figures["missed_declarations"]
            context["missed_declarations_text"] = capped_text(figures["missed_declarations"])
            context["overdue_note_count"] = figures["overdue_notes"]
            context["exposure_by_grade"] = exposure_by_grade()
            if user.is_claims_staff:
                # SPEC 7: the claims whose clocks fall due soonest, missed ones first.
                context["claims_due"] = claims_due_soonest(user, today=today)
            if user.is_underwriter:
                context["queue"] = decision_queue_ageing(user, now=timezone.now())
                context["service_level_days"] = SERVICE_LEVEL_DAYS
        elif user.is_insured_user:
            context.update(self._insured_figures(user, figures))
        return context

    @staticmethod
    def _counts(user, policies, today) -> dict:
        """Every count of the page, for one statement (core.figures: ≤ 10 queries, B7)."""
        counts = {
            "unread": Counted(user.notifications.filter(read_at__isnull=True)),
            "buyers": Counted(buyers_visible_to(user)),
            **{
                f"status_{status}": Counted(policies.filter(status=status))
                for status in PolicyStatus.values
            },
        }
        if user.is_insurer_staff:
            counts["missed_declarations"] = Counted(
                missed_declarations(user, today=today), cap=COUNT_CAP
            )
            counts["overdue_notes"] = Counted(overdue_debit_notes(user))
        elif user.is_insured_user:
            counts["open_applications"] = Counted(open_applications(user))
            counts["cover_count"] = Counted(insured_cover(user))
            counts["cover_total"] = Summed(insured_cover(user), "amount")
        return counts

    def _insured_figures(self, user, counted: dict) -> dict:
        """SPEC 5 and 3.3 at a glance: total cover, limits by buyer, what waits, and the
        policy's expiry with next year's quote."""
        now, today = timezone.now(), timezone.localdate()
        waiting = list(open_applications(user)[:8])
        for application in waiting:
            application.age_days = age_in_days(application, now)
        live = list(policies_in_force_with_renewal(user))
        asked = self.request.GET.get("accept_renewal", "")
        figures = {
            "cover": {
                "total": counted["cover_total"],
                "count": counted["cover_count"],
                "by_buyer": list(insured_cover(user).order_by("-amount", "buyer__name")[:8]),
            },
            "open_applications": waiting,
            "open_application_count": counted["open_applications"],
            "live_policies": live,
            "open_claims": insured_open_claims(user, today=today),
            "notice_deadlines": notice_deadlines(user, today=today),
        }
        for policy in live:
            policy.days_left = (policy.period_end - today).days
            renewal = getattr(policy, "renewal", None)
            policy.renewal_quote = (
                renewal if renewal and renewal.status == PolicyStatus.QUOTED else None
            )
            if policy.renewal_quote:
                policy.renewal_quote.renewed_from = policy
                policy.renewal_quote.acceptable = may_accept_renewal(user, policy.renewal_quote)
                if policy.renewal_quote.acceptable and asked == str(policy.renewal_quote.pk):
                    figures["confirmation"] = renewal_acceptance_confirmation(
                        self.request, policy.renewal_quote, reverse("home")
                    )
        return figures
