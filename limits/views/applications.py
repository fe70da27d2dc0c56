"""Limit applications: the insured's form and page, the underwriter's decision (SPEC 2, 5)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from core.audit import history_for
from core.mixins import (
    InsuredRoleRequiredMixin,
    UnderwriterRequiredMixin,
    form_error_messages,
    is_confirmed,
    message_errors,
    posted_fields,
)
from core.services import dry_run
from core.views import FilteredListView
from limits import services
from limits.choices import (
    EXPOSURE_STATUSES,
    SERVICE_LEVEL_DAYS,
    ApplicationAction,
    ApplicationStatus,
)
from limits.filtersets import LimitApplicationFilterSet
from limits.forms import (
    ApplicationEditForm,
    ApproveForm,
    DecideForm,
    LimitApplicationForm,
    PeakCalculatorForm,
    ReturnDraftForm,
    SendBackForm,
    TurnoverCalculatorForm,
)
from limits.models import LimitDecision
from limits.selectors import (
    applications_visible_to,
    buyer_exposure_summary,
    credit_limits_visible_to,
    decisions_visible_to,
)
from limits.tables import APPLICATION_COLUMNS
from limits.views.common import (
    PREPARER_ROLES,
    SUBMITTER_ROLES,
    age_in_days,
    apply_service_error,
    service_call,
    show_decision,
    user_acts_for_insured,
)
from limits.views.effects import decision_confirmation

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
        # The outcome column shows each application's latest decision: one query per page.
        newest = LimitDecision.objects.order_by("-created_at", "-id")
        return applications_visible_to(self.request.user).prefetch_related(
            Prefetch("decisions", queryset=newest, to_attr="decisions_newest_first")
        )

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
            show_decision(decision, user)
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
            can_edit=status == ApplicationStatus.DRAFT
            and user_acts_for_insured(user, application.policy, PREPARER_ROLES),
            returned=application.status_changes.filter(action=ApplicationAction.RETURN)
            .select_related("actor")
            .last()
            if status == ApplicationStatus.DRAFT
            else None,
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
        form = ApproveForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["amount"])
        amount = form.cleaned_data["amount"]
        services.application_approve(
            actor=self.request.user, application_id=application.pk, amount=amount
        )
        if amount is not None:
            return _("Amended and recorded as your decision.")
        return _("Decision approved and recorded.")


class ApplicationReturnView(InsuredRoleRequiredMixin, ApplicationActionView):
    """An approver sends a draft back to its preparer with a comment."""

    allowed_roles = SUBMITTER_ROLES

    def perform(self, application):
        form = ReturnDraftForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Say what the preparer should change."))
        services.application_return(
            actor=self.request.user,
            application_id=application.pk,
            comment=form.cleaned_data["comment"],
        )
        return _("Returned to the preparer.")


class ApplicationEditView(InsuredRoleRequiredMixin, FormView):
    """The preparer edits a draft (errors come back on their fields)."""

    allowed_roles = PREPARER_ROLES
    template_name = "core/form.html"
    form_class = ApplicationEditForm

    @cached_property
    def application(self):
        # Read after the role check in dispatch: an anonymous caller is sent to log in.
        return get_object_or_404(
            applications_visible_to(self.request.user),
            pk=self.kwargs["pk"],
            status=ApplicationStatus.DRAFT,
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.application}

    def get_context_data(self, **kwargs):
        title = _("Edit the draft for %(buyer)s") % {"buyer": self.application.buyer.name}
        return super().get_context_data(title=title, **kwargs)

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            with service_call():
                services.application_update(
                    actor=self.request.user, application_id=self.application.pk, **fields
                )
        except ValidationError as error:
            apply_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Draft saved."))
        return redirect(self.application)


class ApplicationSendBackView(UnderwriterRequiredMixin, ApplicationActionView):
    def perform(self, application):
        form = SendBackForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form_error_messages(form))
        services.application_send_back(
            actor=self.request.user, application_id=application.pk, note=form.cleaned_data["note"]
        )
        return _("Sent back to the queue for a new decision.")


class ApplicationDecideView(UnderwriterRequiredMixin, LimitApplicationDetailView):
    """POST only: the underwriter's decision, stated and confirmed before it is recorded;
    errors come back on the page's form."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = DecideForm(request.POST)
        if form.is_valid():

            def decide():
                return services.application_decide(
                    actor=request.user, application_id=self.object.pk, **form.cleaned_data
                )

            try:
                with service_call():
                    if not is_confirmed(request):
                        # First state what the decision will do, then record it.
                        result = dry_run(decide)
                        context = self.get_context_data(decide_form=form)
                        context["confirmation"] = decision_confirmation(
                            request,
                            self.object,
                            result,
                            form.cleaned_data,
                            context["current_limit"],
                            posted_fields(request),
                        )
                        return self.render_to_response(context)
                    application = decide()
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
