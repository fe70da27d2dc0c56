from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from core import reactions
from core.audit import history_for
from core.mixins import (
    UnderwriterRequiredMixin,
    apply_validation_error,
    message_errors,
    message_form_errors,
)
from core.views import FilteredListView
from policies import services
from policies.choices import ACTIONS_NEEDING_REASON, LIVE_STATUSES, EligibilityCode, PolicyAction
from policies.filtersets import PolicyFilterSet
from policies.forms import NonRenewalForm, OverrideForm, PolicyForm, TransitionForm
from policies.selectors import policies_visible_to, transitions_visible_to
from policies.tables import POLICY_COLUMNS


class PolicyListView(FilteredListView):
    filterset_class = PolicyFilterSet
    columns = POLICY_COLUMNS
    export_name = "policies"
    default_ordering = ("-period_start", "policy_number")

    @property
    def title(self):
        return _("Policies")

    def base_queryset(self):
        return policies_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.is_underwriter:
            context["create_url"] = reverse("policies:create")
        return context


class PolicyDetailView(LoginRequiredMixin, DetailView):
    template_name = "policies/detail.html"
    context_object_name = "policy"

    def get_queryset(self):
        return policies_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = self.object
        user = self.request.user
        context["transitions"] = transitions_visible_to(user).filter(policy=policy)
        # Apps below add what they hold under the policy (limits: its credit limits).
        reactions.emit("policies.policy_page", context=context, policy=policy, user=user)
        if user.is_insurer_staff:
            overrides = {
                o.code: o for o in policy.eligibility_overrides.select_related("overridden_by")
            }
            context["warnings"] = [
                (code, EligibilityCode(code).label, overrides.get(code))
                for code in services.policy_eligibility_warnings(policy)
            ]
            context["history"] = history_for(policy)
        if user.is_underwriter:
            context["actions"] = [
                (a, PolicyAction(a).label, a in ACTIONS_NEEDING_REASON)
                for a in services.allowed_actions(policy)
            ]
            context["editable"] = policy.status in ("draft", "quoted")
            context["can_give_notice"] = policy.status in LIVE_STATUSES and policy.auto_renew
        return context


class PolicyCreateView(UnderwriterRequiredMixin, FormView):
    template_name = "core/form.html"
    form_class = PolicyForm

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        insured = data.pop("insured")
        try:
            policy = services.policy_create(actor=self.request.user, insured=insured, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Draft policy %(number)s created.") % {"number": policy.policy_number}
        )
        return redirect("policies:detail", pk=policy.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New policy"), **kwargs)


class PolicyUpdateView(UnderwriterRequiredMixin, FormView):
    template_name = "core/form.html"
    form_class = PolicyForm

    @cached_property
    def policy(self):
        # Looked up after the role check in dispatch, so anonymous users are sent to login.
        return get_object_or_404(policies_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.policy, "editing": True}

    def form_valid(self, form):
        try:
            services.policy_update(
                actor=self.request.user, policy_id=self.policy.pk, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Policy updated."))
        return redirect("policies:detail", pk=self.policy.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit policy %(p)s") % {"p": self.policy}, **kwargs)


class PolicyTransitionView(UnderwriterRequiredMixin, View):
    """POST only: one lifecycle action, through the same service as the API and jobs."""

    def post(self, request, pk):
        policy = get_object_or_404(policies_visible_to(request.user), pk=pk)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            message_form_errors(request, form)
            return redirect("policies:detail", pk=policy.pk)
        try:
            services.policy_transition(
                actor=request.user,
                policy_id=policy.pk,
                action_name=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(request, _("Policy status changed."))
        return redirect("policies:detail", pk=policy.pk)


class PolicyOverrideView(UnderwriterRequiredMixin, View):
    def post(self, request, pk):
        policy = get_object_or_404(policies_visible_to(request.user), pk=pk)
        form = OverrideForm(request.POST)
        if not form.is_valid():
            message_form_errors(request, form)
            return redirect("policies:detail", pk=policy.pk)
        try:
            services.policy_override_warning(
                actor=request.user, policy_id=policy.pk, **form.cleaned_data
            )
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(request, _("Warning accepted."))
        return redirect("policies:detail", pk=policy.pk)


class PolicyNonRenewalView(UnderwriterRequiredMixin, View):
    """Record the notice that the policy will not renew (SPEC 3.2)."""

    def post(self, request, pk):
        policy = get_object_or_404(policies_visible_to(request.user), pk=pk)
        form = NonRenewalForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect("policies:detail", pk=policy.pk)
        try:
            services.policy_give_non_renewal_notice(
                actor=request.user, policy_id=policy.pk, **form.cleaned_data
            )
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(request, _("Notice of non-renewal recorded."))
        return redirect("policies:detail", pk=policy.pk)
