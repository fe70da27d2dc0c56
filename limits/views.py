"""Credit-limit screens (SPEC 5): thin views over limits.selectors and limits.services.

Every object is looked up through a role-scoped selector, after the role check in
`dispatch`, so anything outside a user's scope is the same 404 as an unknown id (SPEC 2);
every write is one service call, whose ValidationErrors come back onto the form.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from buyers.selectors import buyer_exposure_summary
from core.audit import history_for
from core.mixins import UnderwriterRequiredMixin, apply_validation_error
from core.views import FilteredListView
from limits import services
from limits.choices import (
    EXPOSURE_STATUSES,
    SERVICE_LEVEL_DAYS,
    ApplicationStatus,
    RequestType,
    ResponseCode,
    ReviewStatus,
)
from limits.filtersets import CreditLimitFilterSet, LimitApplicationFilterSet
from limits.forms import (
    DecideForm,
    DiscretionaryLimitForm,
    LimitApplicationForm,
    LimitReduceForm,
    PeakCalculatorForm,
    PendingOrdersForm,
    ReviewCompleteForm,
    SendBackForm,
    TurnoverCalculatorForm,
)
from limits.rules import peak_outstanding, turnover_method_limit
from limits.selectors import (
    applications_visible_to,
    credit_limits_visible_to,
    decision_queue,
    decisions_visible_to,
    pending_orders_visible_to,
    reviews_visible_to,
)
from limits.tables import APPLICATION_COLUMNS, CREDIT_LIMIT_COLUMNS, RESPONSE_BADGES

# Who may do what inside an insured (SPEC 2): the services check the same sets.
SUBMITTER_ROLES = frozenset(services.SUBMITTER_ROLES)
PREPARER_ROLES = frozenset(services.PREPARER_ROLES)
NOTICE_RESPONSES = frozenset({ResponseCode.REDUCTION, ResponseCode.CANCELLATION})
QUEUE_PAGE_SIZE = 100


class InsuredRoleRequiredMixin(LoginRequiredMixin):
    """Insured users holding one of `allowed_roles`; anyone else gets a 404.

    Checked in `dispatch` before any object is looked up, so an anonymous user is sent to
    the login page and a wrong role learns nothing about which ids exist.
    """

    allowed_roles: frozenset = frozenset()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (user.is_insured_user and user.role in self.allowed_roles):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


@contextmanager
def service_call() -> Iterator[None]:
    """A service refusing a role on an object the user can see answers 404, like the rest."""
    try:
        yield
    except (PermissionError, ObjectDoesNotExist) as error:
        raise Http404 from error


def apply_service_error(form, error: ValidationError, aliases: dict | None = None) -> None:
    """Put a service's ValidationError on the form, renaming the service's field names
    to the form's where they differ (the service's `buyer` is the form's USCC); errors
    on names the form does not have (`status`, `limit`) go to the top of the form."""
    if aliases and hasattr(error, "error_dict"):
        renamed: dict = {}
        for field, errors in error.error_dict.items():
            renamed.setdefault(aliases.get(field, field), []).extend(errors)
        error = ValidationError(renamed)
    apply_validation_error(form, error)


def message_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def age_in_days(application, now) -> int | None:
    """Days since submission, up to the decision (SPEC 5 service level: 21 days)."""
    if application.submitted_at is None:
        return None
    end = application.decided_at or now
    return (end - application.submitted_at).days


def user_acts_for_insured(user, policy, roles) -> bool:
    return user.is_insured_user and user.organisation_id == policy.insured_id and user.role in roles


# --- credit limits -------------------------------------------------------------------------


class CreditLimitListView(FilteredListView):
    filterset_class = CreditLimitFilterSet
    columns = CREDIT_LIMIT_COLUMNS
    export_name = "credit-limits"
    default_ordering = ("buyer__name",)

    @property
    def title(self):
        return _("Credit limits")

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
            decision.badge = RESPONSE_BADGES.get(decision.response_code, "secondary")
            decision.pending_orders_allowed = (
                may_ask_pending_orders and decision.response_code in NOTICE_RESPONSES
            )
        context.update(
            decisions=decisions,
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
            context["reduce_form"] = kwargs.get("reduce_form") or LimitReduceForm()
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


class LimitReduceView(UnderwriterRequiredMixin, CreditLimitDetailView):
    """POST only: the underwriter reduces or cancels the limit with notice (SPEC 5)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = LimitReduceForm(request.POST)
        if form.is_valid():
            try:
                with service_call():
                    decision = services.limit_reduce_or_cancel(
                        actor=request.user, limit_id=self.object.pk, **form.cleaned_data
                    )
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
        return self.render_to_response(self.get_context_data(reduce_form=form))


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


# --- applications ---------------------------------------------------------------------------


class LimitApplicationListView(FilteredListView):
    filterset_class = LimitApplicationFilterSet
    export_name = "limit-applications"
    default_ordering = ("-created_at", "-id")

    @property
    def title(self):
        return _("Limit applications")

    @property
    def columns(self):
        if self.request.user.is_insured_user:
            # Every row is the user's own company: the column would only repeat its name.
            return [c for c in APPLICATION_COLUMNS if c.key != "policy.insured.name"]
        return APPLICATION_COLUMNS

    def base_queryset(self):
        return applications_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_insured_user and user.role in PREPARER_ROLES:
            context["create_url"] = reverse("limits:application-create")
        return context


class LimitApplicationCreateView(InsuredRoleRequiredMixin, FormView):
    """The application form with both calculators of SPEC 5 beside it."""

    allowed_roles = PREPARER_ROLES
    form_class = LimitApplicationForm
    template_name = "limits/application_form.html"
    # What the form's fields are called in the service's errors.
    error_aliases = {"buyer": "buyer_uscc", "amount": "requested_amount"}

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "can_submit": self.request.user.role in SUBMITTER_ROLES,
        }

    def get_initial(self):
        # Links from a limit page ("apply for an increase") pre-fill policy, buyer and type.
        fields = ("policy", "buyer_uscc", "request_type")
        return {name: self.request.GET[name] for name in fields if self.request.GET.get(name)}

    def form_valid(self, form):
        try:
            with service_call():
                application = services.application_create(
                    actor=self.request.user, **form.service_kwargs()
                )
        except ValidationError as error:
            apply_service_error(form, error, self.error_aliases)
            return self.form_invalid(form)
        if application.status == ApplicationStatus.DECIDED:
            messages.success(self.request, _("Submitted and decided automatically."))
        elif application.status == ApplicationStatus.SUBMITTED:
            messages.success(self.request, _("Submitted to the insurer."))
        else:
            messages.success(self.request, _("Saved as a draft: an approver submits it."))
        return redirect(application)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Apply for a credit limit"),
            turnover_form=TurnoverCalculatorForm(prefix="turnover"),
            peak_form=PeakCalculatorForm(prefix="peak"),
            **kwargs,
        )


class LimitApplicationDetailView(LoginRequiredMixin, DetailView):
    """An application with its status, age, decision and the actions its status allows."""

    template_name = "limits/application_detail.html"
    context_object_name = "application"

    def get_queryset(self):
        return applications_visible_to(self.request.user).select_related(
            "prepared_by", "submitted_by", "proposed_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        application = self.object
        status = application.status
        decisions = list(
            decisions_visible_to(user).filter(application=application).order_by("-created_at")
        )
        for decision in decisions:
            decision.badge = RESPONSE_BADGES.get(decision.response_code, "secondary")
        age = age_in_days(application, timezone.now())
        context.update(
            decisions=decisions,
            age_days=age,
            over_service_level=age is not None and age > SERVICE_LEVEL_DAYS,
            service_level_days=SERVICE_LEVEL_DAYS,
            current_limit=credit_limits_visible_to(user)
            .filter(
                policy_id=application.policy_id,
                buyer_id=application.buyer_id,
                status__in=EXPOSURE_STATUSES,
            )
            .first(),
            can_submit=status == ApplicationStatus.DRAFT
            and user_acts_for_insured(user, application.policy, SUBMITTER_ROLES),
            can_withdraw=status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)
            and user_acts_for_insured(user, application.policy, PREPARER_ROLES),
        )
        if user.is_underwriter and status == ApplicationStatus.SUBMITTED:
            context["decide_form"] = kwargs.get("decide_form") or DecideForm(
                initial={"payment_terms_days": application.payment_terms_days}
            )
        if (
            user.is_underwriter
            and status == ApplicationStatus.AWAITING_SECOND_APPROVAL
            and application.proposed_by_id != user.pk
        ):
            context["second_approval"] = True
            context["within_authority"] = (
                application.proposed_amount or 0
            ) <= user.authority_amount
            context["send_back_form"] = SendBackForm()
        if user.is_insurer_staff:
            exposure = buyer_exposure_summary(buyer=application.buyer, user=user)
            context.update(
                exposure=exposure,
                events=application.buyer.negative_events.all()[:20],
                other_limits=credit_limits_visible_to(user)
                .filter(policy__insured_id=application.policy.insured_id)
                .filter(status__in=EXPOSURE_STATUSES)
                .exclude(policy_id=application.policy_id, buyer_id=application.buyer_id)
                .order_by("-amount")[:50],
                history=history_for(application),
            )
        # Staff have the decision tools and the buyer's risk beside the application.
        context["has_side"] = user.is_insurer_staff
        return context


class ApplicationActionView(View):
    """POST only: one transition of an application, through its service, then back to it."""

    http_method_names = ["post"]

    def post(self, request, pk):
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        try:
            with service_call():
                message = self.perform(application)
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(request, message)
        return redirect(application)

    def perform(self, application) -> str:
        raise NotImplementedError


class ApplicationSubmitView(InsuredRoleRequiredMixin, ApplicationActionView):
    allowed_roles = SUBMITTER_ROLES

    def perform(self, application):
        application = services.application_submit(
            actor=self.request.user, application_id=application.pk
        )
        if application.status == ApplicationStatus.DECIDED:
            return _("Submitted and decided automatically.")
        return _("Submitted to the insurer.")


class ApplicationWithdrawView(InsuredRoleRequiredMixin, ApplicationActionView):
    allowed_roles = PREPARER_ROLES

    def perform(self, application):
        services.application_withdraw(actor=self.request.user, application_id=application.pk)
        return _("Application withdrawn.")


class ApplicationApproveView(UnderwriterRequiredMixin, ApplicationActionView):
    def perform(self, application):
        services.application_approve(actor=self.request.user, application_id=application.pk)
        return _("Decision approved and recorded.")


class ApplicationSendBackView(UnderwriterRequiredMixin, ApplicationActionView):
    def perform(self, application):
        form = SendBackForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say why the proposal goes back."))
        services.application_send_back(
            actor=self.request.user, application_id=application.pk, note=form.cleaned_data["note"]
        )
        return _("Sent back to the queue for a new decision.")


class ApplicationDecideView(UnderwriterRequiredMixin, LimitApplicationDetailView):
    """POST only: the underwriter's decision; errors come back on the page's form."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = DecideForm(request.POST)
        if form.is_valid():
            try:
                with service_call():
                    application = services.application_decide(
                        actor=request.user, application_id=self.object.pk, **form.cleaned_data
                    )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                if application.status == ApplicationStatus.AWAITING_SECOND_APPROVAL:
                    messages.info(
                        request,
                        _("Above your authority: proposed for a second underwriter's approval."),
                    )
                else:
                    messages.success(request, _("Decision recorded; the insured has been told."))
                return redirect(application)
        return self.render_to_response(self.get_context_data(decide_form=form))


# --- underwriters' queue and reviews ------------------------------------------------------------


class DecisionQueueView(UnderwriterRequiredMixin, ListView):
    """Open applications oldest first (SPEC 5); htmx refreshes the table every 30 s."""

    template_name = "limits/queue.html"
    paginate_by = QUEUE_PAGE_SIZE

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
        try:
            with service_call():
                services.limit_review_complete(
                    actor=self.request.user, review_id=self.review.pk, **form.cleaned_data
                )
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


# --- calculators (SPEC 5) ------------------------------------------------------------------------


class TurnoverCalculatorView(LoginRequiredMixin, View):
    """Turnover method: annual credit sales ÷ (360 ÷ credit days), as an HTML fragment."""

    def post(self, request):
        data = request.POST if request.method == "POST" else request.GET
        form = TurnoverCalculatorForm(data, prefix="turnover")
        result = None
        if form.is_valid():
            result = turnover_method_limit(
                annual_credit_sales=form.cleaned_data["annual_credit_sales"],
                credit_days=form.cleaned_data["credit_days"],
            )
        return render(request, "limits/_calc_turnover.html", {"form": form, "result": result})

    get = post


class PeakCalculatorView(LoginRequiredMixin, View):
    """Peak-outstanding method: replay invoices and payments, as an HTML fragment."""

    def post(self, request):
        data = request.POST if request.method == "POST" else request.GET
        form = PeakCalculatorForm(data, prefix="peak")
        peak = peak_on = None
        if form.is_valid():
            peak, peak_on = peak_outstanding(form.cleaned_data["movements"])
        return render(
            request,
            "limits/_calc_peak.html",
            {"form": form, "peak": peak, "peak_on": peak_on},
        )

    get = post
