"""Credit-limit list and page, reduction and cancellation, discretionary limits (SPEC 5)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView

from core.audit import history_for
from core.mixins import (
    InsuredRoleRequiredMixin,
    UnderwriterRequiredMixin,
    is_confirmed,
    posted_fields,
)
from core.services import dry_run
from core.views import FilteredListView
from limits import services
from limits.choices import (
    EXPOSURE_STATUSES,
    RequestType,
)
from limits.filtersets import CreditLimitFilterSet
from limits.forms import (
    DiscretionaryLimitForm,
    LimitCancelForm,
    LimitReduceForm,
)
from limits.selectors import (
    applications_visible_to,
    buyer_exposure_summary,
    credit_limits_visible_to,
    decisions_visible_to,
    limit_history,
    pending_orders_visible_to,
    reviews_visible_to,
)
from limits.tables import CREDIT_LIMIT_COLUMNS
from limits.views.common import (
    NOTICE_RESPONSES,
    PREPARER_ROLES,
    SUBMITTER_ROLES,
    apply_service_error,
    service_call,
    show_decision,
    user_acts_for_insured,
)
from limits.views.effects import cancellation_confirmation, reduction_confirmation

# --- credit limits -------------------------------------------------------------------------


class CreditLimitListView(FilteredListView):
    filterset_class = CreditLimitFilterSet
    export_name = "credit-limits"
    default_ordering = ("buyer__name",)

    @property
    def title(self):
        return _("Credit limits")

    @property
    def columns(self):
        if self.request.user.is_insured_user:
            # Every row is the user's own company: the column would only repeat its name.
            return [c for c in CREDIT_LIMIT_COLUMNS if c.key != "policy.insured.name"]
        return CREDIT_LIMIT_COLUMNS

    def base_queryset(self):
        return credit_limits_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_insured_user and user.role in SUBMITTER_ROLES:
            # A new limit the insured sets itself; larger ones go through an application.
            context["create_url"] = reverse("limits:discretionary")
        return context


class CreditLimitDetailView(LoginRequiredMixin, DetailView):
    """Key figures, the chain of decisions, pending orders, reviews and the audit trail."""

    template_name = "limits/credit_limit_detail.html"
    context_object_name = "credit_limit"

    def get_queryset(self):
        return credit_limits_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        limit = self.object
        may_ask_pending_orders = user_acts_for_insured(user, limit.policy, SUBMITTER_ROLES)
        decisions = list(
            decisions_visible_to(user)
            .filter(credit_limit=limit)
            .select_related("application")
            .order_by("-created_at", "-id")
        )
        for decision in decisions:
            show_decision(decision, user)
            decision.pending_orders_allowed = (
                may_ask_pending_orders and decision.response_code in NOTICE_RESPONSES
            )
        context.update(
            decisions=decisions,
            changes=limit_history(limit, user),
            pending_orders=pending_orders_visible_to(user)
            .filter(credit_limit=limit)
            .select_related("requested_by"),
            applications=applications_visible_to(user)
            .filter(policy_id=limit.policy_id, buyer_id=limit.buyer_id)
            .order_by("-created_at", "-id")[:20],
            is_current=limit.status in EXPOSURE_STATUSES,
        )
        if user.is_insurer_staff:
            context.update(
                exposure=buyer_exposure_summary(buyer=limit.buyer, user=user),
                reviews=reviews_visible_to(user)
                .filter(credit_limit=limit)
                .select_related("completed_by"),
                history=history_for(limit),
            )
        if user.is_underwriter and limit.status in EXPOSURE_STATUSES:
            # Two actions, two forms: a blank amount never means "cancel".
            context["reduce_form"] = kwargs.get("reduce_form") or LimitReduceForm(
                auto_id="reduce_form_%s"
            )
            context["cancel_form"] = kwargs.get("cancel_form") or LimitCancelForm(
                auto_id="cancel_form_%s"
            )
        if limit.status in EXPOSURE_STATUSES and user_acts_for_insured(
            user, limit.policy, PREPARER_ROLES
        ):
            create = reverse("limits:application-create")
            base = {"policy": limit.policy_id, "buyer_uscc": limit.buyer.uscc}
            context["apply_links"] = [
                (label, f"{create}?{urlencode({**base, 'request_type': code})}")
                for code, label in (
                    (RequestType.INCREASE, _("Apply for an increase")),
                    (RequestType.PROLONGATION, _("Apply for a prolongation")),
                )
            ]
        return context


class LimitChangeView(UnderwriterRequiredMixin, CreditLimitDetailView):
    """POST only: the underwriter reduces or cancels the limit with notice (SPEC 5).

    The first POST states the effect (from a dry run of the service) and asks to
    confirm; the confirmed POST carries it out. Errors come back on the page's form.
    """

    http_method_names = ["post"]
    form_class = None
    form_name = ""

    def perform(self, form):
        raise NotImplementedError

    def confirmation(self, decision, fields):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.form_class(request.POST, auto_id=f"{self.form_name}_%s")
        if form.is_valid():
            try:
                with service_call():
                    if not is_confirmed(request):
                        decision = dry_run(lambda: self.perform(form))
                        return self.render_to_response(
                            self.get_context_data(
                                **{self.form_name: form},
                                confirmation=self.confirmation(decision, posted_fields(request)),
                            )
                        )
                    decision = self.perform(form)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                if decision.effective_on > timezone.localdate():
                    messages.success(
                        request,
                        _("The change is scheduled for %(date)s; the insured has been told.")
                        % {"date": decision.effective_on.isoformat()},
                    )
                else:
                    messages.success(request, _("The limit has been changed."))
                return redirect(self.object)
        return self.render_to_response(self.get_context_data(**{self.form_name: form}))


class LimitReduceView(LimitChangeView):
    form_class = LimitReduceForm
    form_name = "reduce_form"

    def perform(self, form):
        return services.limit_reduce(
            actor=self.request.user, limit_id=self.object.pk, **form.cleaned_data
        )

    def confirmation(self, decision, fields):
        return reduction_confirmation(self.request, self.object, decision, fields)


class LimitCancelView(LimitChangeView):
    form_class = LimitCancelForm
    form_name = "cancel_form"

    def perform(self, form):
        return services.limit_cancel(
            actor=self.request.user, limit_id=self.object.pk, **form.cleaned_data
        )

    def confirmation(self, decision, fields):
        return cancellation_confirmation(self.request, self.object, decision, fields)


class DiscretionaryLimitView(InsuredRoleRequiredMixin, FormView):
    """SPEC 5: the insured sets its own limit up to the policy's discretionary maximum."""

    allowed_roles = SUBMITTER_ROLES
    form_class = DiscretionaryLimitForm
    template_name = "core/form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with service_call():
                limit = services.discretionary_limit_set(
                    actor=self.request.user,
                    policy_id=data["policy"].pk,
                    buyer_id=form.buyer.pk,
                    amount=data["amount"],
                    payment_terms_days=data["payment_terms_days"],
                )
        except ValidationError as error:
            apply_service_error(form, error, {"buyer": "buyer_uscc"})
            return self.form_invalid(form)
        messages.success(self.request, _("Discretionary limit set."))
        return redirect(limit)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Set a discretionary limit"), **kwargs)
