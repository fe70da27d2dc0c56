"""The underwriters' decision queue and limit reviews (SPEC 5)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from core.mixins import UnderwriterRequiredMixin, is_confirmed, posted_fields
from core.pagination import CappedPaginator
from core.services import dry_run
from limits import services
from limits.choices import (
    SERVICE_LEVEL_DAYS,
    ApplicationStatus,
    ReviewOutcome,
    ReviewStatus,
)
from limits.forms import (
    ReviewCompleteForm,
)
from limits.selectors import (
    buyer_exposure_summary,
    decision_queue,
    reviews_visible_to,
)
from limits.views.common import (
    QUEUE_PAGE_SIZE,
    age_in_days,
    apply_service_error,
    is_htmx,
    service_call,
)
from limits.views.effects import cancellation_confirmation, reduction_confirmation

# --- underwriters' queue and reviews ------------------------------------------------------------


class DecisionQueueView(UnderwriterRequiredMixin, ListView):
    """Open applications oldest first (SPEC 5); htmx refreshes the table every 30 s."""

    template_name = "limits/queue.html"
    paginate_by = QUEUE_PAGE_SIZE
    paginator_class = CappedPaginator

    def get_queryset(self):
        return decision_queue(self.request.user).select_related("proposed_by")

    def get_template_names(self):
        return ["limits/_queue_table.html" if is_htmx(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        for application in context["object_list"]:
            application.age_days = age_in_days(application, now)
            application.over_service_level = (application.age_days or 0) > SERVICE_LEVEL_DAYS
        context.update(
            title=_("Limit decision queue"),
            service_level_days=SERVICE_LEVEL_DAYS,
            refreshed_at=now,
            awaiting_second_approval=ApplicationStatus.AWAITING_SECOND_APPROVAL,
        )
        return context


class ReviewListView(UnderwriterRequiredMixin, ListView):
    """Open limit reviews, the most overdue first (SPEC 5)."""

    template_name = "limits/review_list.html"
    paginate_by = QUEUE_PAGE_SIZE
    paginator_class = CappedPaginator

    def get_queryset(self):
        return (
            reviews_visible_to(self.request.user)
            .filter(status=ReviewStatus.OPEN)
            .select_related("credit_limit__policy__insured")
            .order_by("due_on", "id")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Limit reviews"), today=timezone.localdate(), **kwargs
        )


class ReviewCompleteView(UnderwriterRequiredMixin, FormView):
    """Confirm, reduce or cancel the limit under review (SPEC 5)."""

    form_class = ReviewCompleteForm
    template_name = "limits/review_form.html"

    @cached_property
    def review(self):
        # Looked up after the role check in dispatch, so anonymous users are sent to login.
        return get_object_or_404(
            reviews_visible_to(self.request.user).select_related(
                "credit_limit__policy__insured", "completed_by", "decision"
            ),
            pk=self.kwargs["pk"],
        )

    def form_valid(self, form):
        def complete():
            return services.limit_review_complete(
                actor=self.request.user, review_id=self.review.pk, **form.cleaned_data
            )

        outcome = form.cleaned_data["outcome"]
        try:
            with service_call():
                if outcome != ReviewOutcome.CONFIRM and not is_confirmed(self.request):
                    # A cut or a cancellation is stated and confirmed before it is made.
                    decision = dry_run(complete).decision
                    state = (
                        reduction_confirmation
                        if outcome == ReviewOutcome.REDUCE
                        else cancellation_confirmation
                    )
                    confirmation = state(
                        self.request,
                        self.review.credit_limit,
                        decision,
                        posted_fields(self.request),
                    )
                    confirmation.back_url = self.request.path
                    return self.render_to_response(
                        self.get_context_data(form=form, confirmation=confirmation)
                    )
                complete()
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Review completed."))
        return redirect("limits:reviews")

    def get_context_data(self, **kwargs):
        limit = self.review.credit_limit
        return super().get_context_data(
            title=_("Review of the limit on %(buyer)s") % {"buyer": limit.buyer.name},
            review=self.review,
            credit_limit=limit,
            is_open=self.review.status == ReviewStatus.OPEN,
            exposure=buyer_exposure_summary(buyer=limit.buyer, user=self.request.user),
            events=limit.buyer.negative_events.all()[:10],
            **kwargs,
        )
