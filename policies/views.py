from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView

from core import reactions
from core.audit import history_for
from core.mixins import (
    Confirmation,
    InsuredRoleRequiredMixin,
    UnderwriterRequiredMixin,
    apply_validation_error,
    is_confirmed,
    message_errors,
    message_form_errors,
)
from core.views import FilteredListView
from policies import services
from policies.choices import (
    ACTIONS_NEEDING_REASON,
    LIVE_STATUSES,
    EligibilityCode,
    PolicyAction,
    PolicyStatus,
)
from policies.filtersets import PolicyFilterSet
from policies.forms import NonRenewalForm, OverrideForm, PolicyForm, TransitionForm
from policies.selectors import policies_visible_to, transitions_visible_to
from policies.tables import POLICY_COLUMNS

# Actions that end a policy or stop its cover: in a menu, stated and confirmed first.
TERMINATING_ACTIONS = frozenset({PolicyAction.SUSPEND, PolicyAction.EXPIRE, PolicyAction.CANCEL})


def _confirm_url(policy, action_name: str) -> str:
    return f"{reverse('policies:detail', args=[policy.pk])}?{urlencode({'confirm': action_name})}"


def transition_confirmation(request, policy, action_name: str) -> Confirmation:
    """What suspending, expiring or cancelling this policy does, in words and figures."""
    # The limits app says what is current under the policy (policies does not import it).
    facts = {}
    reactions.emit("policies.policy_page", context=facts, policy=policy, user=request.user)
    current = facts.get("current_cover", {"n": 0, "total": None})
    count = current["n"]
    values = {
        "policy": str(policy),
        "insured": policy.insured.name,
        "end": policy.period_end,
        "today": timezone.localdate(),
        "n": count,
        "total": f"{current['total'] or Decimal(0):,.2f}",
    }
    limits_end = ngettext(
        "Its %(n)s current credit limit (%(total)s in all) ends with it.",
        "Its %(n)s current credit limits (%(total)s in all) end with it.",
        count,
    )
    if action_name == PolicyAction.CANCEL:
        title, tone = _("Cancel policy %(policy)s?"), "danger"
        effects = [
            _(
                "Policy %(policy)s of %(insured)s is cancelled today (%(today)s): no shipment "
                "from now on is covered."
            ),
            *([limits_end] if count else []),
            _("This cannot be undone."),
        ]
    elif action_name == PolicyAction.EXPIRE:
        title, tone = _("Expire policy %(policy)s?"), "danger"
        effects = [
            _(
                "Policy %(policy)s expires today (%(today)s; its period ends on %(end)s): no "
                "shipment from now on is covered."
            ),
            *([limits_end] if count else []),
            _("This cannot be undone."),
        ]
    else:
        title, tone = _("Suspend policy %(policy)s?"), "warning"
        effects = [
            _(
                "Policy %(policy)s of %(insured)s is suspended: shipments from today "
                "(%(today)s) are not covered until it is reinstated."
            )
        ]
        if count:
            effects.append(
                ngettext(
                    "Its %(n)s current credit limit (%(total)s in all) stays for shipments "
                    "made before.",
                    "Its %(n)s current credit limits (%(total)s in all) stay for shipments "
                    "made before.",
                    count,
                )
            )
    return Confirmation(
        title=title % values,
        effects=[effect % values for effect in effects],
        action=reverse("policies:transition", args=[policy.pk]),
        fields=[("action", action_name)],
        button=str(PolicyAction(action_name).label),
        back_url=reverse("policies:detail", args=[policy.pk]),
        tone=tone,
        reason_label=_("Reason") if action_name in ACTIONS_NEEDING_REASON else "",
    )


def renewal_acceptance_confirmation(request, renewal, back_url: str) -> Confirmation:
    """What accepting a renewal quote commits the insured to (SPEC 3.2, 3.3)."""
    values = {
        "year": renewal.year_index,
        "number": renewal.policy_number,
        "start": renewal.period_start,
        "end": renewal.period_end,
        "premium": f"{renewal.minimum_premium:,.2f}",
        "n": renewal.instalment_count,
        "rate": format(renewal.premium_rate_percent.normalize(), "f"),
        "ends": renewal.renewed_from.period_end,
    }
    return Confirmation(
        title=_("Accept the renewal of policy %(number)s?") % values,
        effects=[
            _("You accept policy year %(year)s of policy %(number)s: %(start)s – %(end)s.")
            % values,
            _("Minimum premium %(premium)s in %(n)s instalments, premium rate %(rate)s%%.")
            % values,
            _(
                "It comes into force by itself when the current year ends on %(ends)s; your "
                "credit limits carry over then."
            )
            % values,
        ],
        action=reverse("policies:accept-renewal", args=[renewal.pk]),
        fields=[("next", back_url)],
        button=_("Accept the renewal"),
        back_url=back_url,
        tone="success",
    )


def may_accept_renewal(user, policy) -> bool:
    return (
        user.is_insured_user
        and user.organisation_id == policy.insured_id
        and user.role in services.RENEWAL_ACCEPTING_ROLES
        and policy.status == PolicyStatus.QUOTED
        and policy.renewed_from_id is not None
        and policy.renewal_accepted_at is None
    )


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
        context["may_accept_renewal"] = may_accept_renewal(user, policy)
        if context["may_accept_renewal"] and self.request.GET.get("accept_renewal") == str(
            policy.pk
        ):
            context["confirmation"] = renewal_acceptance_confirmation(
                self.request, policy, policy.get_absolute_url()
            )
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
            allowed = services.allowed_actions(policy)
            # Moves along the lifecycle are buttons; those that end or stop cover sit in a
            # menu and are stated and confirmed first.
            context["actions"] = [
                (a, PolicyAction(a).label, a in ACTIONS_NEEDING_REASON)
                for a in allowed
                if a not in TERMINATING_ACTIONS
            ]
            context["terminating_actions"] = [
                (a, PolicyAction(a).label) for a in allowed if a in TERMINATING_ACTIONS
            ]
            asked = self.request.GET.get("confirm")
            if asked in allowed and asked in TERMINATING_ACTIONS:
                context["confirmation"] = transition_confirmation(self.request, policy, asked)
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
    """POST only: one lifecycle action, through the same service as the API and jobs.

    An action that ends or stops cover is carried out only once confirmed in the dialog
    that states its effect; otherwise the page asks for that confirmation.
    """

    def post(self, request, pk):
        policy = get_object_or_404(policies_visible_to(request.user), pk=pk)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            message_form_errors(request, form)
            return redirect("policies:detail", pk=policy.pk)
        action_name = form.cleaned_data["action"]
        if action_name in TERMINATING_ACTIONS and not is_confirmed(request):
            return redirect(_confirm_url(policy, action_name))
        if action_name in ACTIONS_NEEDING_REASON and not form.cleaned_data["reason"].strip():
            messages.error(request, str(services.ERROR_REASON_REQUIRED))
            return redirect(_confirm_url(policy, action_name))
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


class PolicyAcceptRenewalView(InsuredRoleRequiredMixin, View):
    """POST only: the insured's approver or administrator accepts a renewal quote, once
    the dialog stating what it commits to was confirmed."""

    allowed_roles = services.RENEWAL_ACCEPTING_ROLES

    def post(self, request, pk):
        renewal = get_object_or_404(policies_visible_to(request.user), pk=pk)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = renewal.get_absolute_url()
        if not is_confirmed(request):
            return redirect(f"{back}?{urlencode({'accept_renewal': renewal.pk})}")
        try:
            services.policy_accept_renewal(actor=request.user, policy_id=renewal.pk)
        except PermissionError as error:
            raise Http404 from error
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(
                request,
                _("Renewal accepted: policy year %(year)s comes into force on %(start)s.")
                % {"year": renewal.year_index, "start": renewal.period_start},
            )
        return redirect(back)
