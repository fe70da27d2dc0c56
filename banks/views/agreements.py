"""Pages of assignment agreements (SPEC 8): the insurer's staff, the insured and the named
bank read the agreement; what each may do comes from the selectors and the services.

The agreement page is built by `agreement_context`. Each action is a form in a dialog
that states what the action does (opened by `?confirm=<action>`); a form with errors
renders the page again with its dialog open and the messages on the fields they name."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from banks import selectors, services
from banks.choices import AGREEMENT_MACHINE, AgreementAction, AgreementScope, AgreementStatus
from banks.filtersets import AgreementFilterSet
from banks.forms import (
    ActivateForm,
    AgreementForm,
    AmendForm,
    ReceivablesForm,
    SignForm,
    TerminateForm,
    WithdrawForm,
)
from banks.models import AssignmentAgreement, BankConsent
from banks.tables import AGREEMENT_COLUMNS
from core.mixins import RoleRequiredMixin, apply_validation_error, message_errors
from core.scope import visible
from core.views import FilteredListView
from limits.views.common import service_call
from policies.choices import TERMINAL_STATUSES
from policies.selectors import policies_visible_to

A = AgreementAction
# The actions taken in a dialog on the agreement page, with their form; editing the
# draft has a page of its own.
ACTION_FORMS = {
    A.SIGN: SignForm,
    A.ACTIVATE: ActivateForm,
    A.AMEND: AmendForm,
    A.TERMINATE: TerminateForm,
    A.WITHDRAW: WithdrawForm,
}
# Binding moves, shown in red or green and stated with their consequences.
TONES = {A.SIGN: "primary", A.ACTIVATE: "success", A.AMEND: "primary", A.TERMINATE: "danger",
         A.WITHDRAW: "danger"}  # fmt: skip


class AgreementReaderMixin(RoleRequiredMixin):
    def allows(self, user) -> bool:
        return user.is_insurer_staff or user.is_insured_user or user.is_bank_user


class AgreementStaffMixin(RoleRequiredMixin):
    """Agreements are prepared and recorded by the insurer's underwriting staff."""

    def allows(self, user) -> bool:
        return user.is_insurer_staff and user.is_underwriter


class ReceivablesReporterMixin(RoleRequiredMixin):
    """The insured's clerks, approvers and administrators report receivables (SPEC 8)."""

    def allows(self, user) -> bool:
        return user.is_insured_user and user.role in services.REPORTERS


def agreement_for(user, pk):
    """The agreement if `user` may see it, else 404 (SPEC 2); without the signed bytes,
    which only the download reads."""
    return get_object_or_404(selectors.agreements_visible_to(user).defer("signed_content"), pk=pk)


def may_report_receivables(user, agreement) -> bool:
    return (
        user.is_insured_user
        and user.role in services.REPORTERS
        and user.organisation_id == agreement.policy.insured_id
        and agreement.status == AgreementStatus.ACTIVE
    )


class AgreementListView(AgreementReaderMixin, FilteredListView):
    """Staff see every agreement, the insured its own, a bank its own in force or ended."""

    filterset_class = AgreementFilterSet
    columns = AGREEMENT_COLUMNS
    export_name = "agreements"

    @property
    def title(self):
        return _("Assignment agreements")

    def base_queryset(self):
        return selectors.agreements_visible_to(self.request.user).defer("signed_content")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_insurer_staff and user.is_underwriter:
            context["create_url"] = reverse("banks:agreement_new")
        return context


# --- the agreement page -------------------------------------------------------------------


def _covered_text(agreement) -> str:
    values = {"policy": str(agreement.policy), "region": agreement.get_region_display()}
    if agreement.scope == AgreementScope.ALL:
        return _("every buyer of policy %(policy)s, also those that get a limit later") % values
    if agreement.scope == AgreementScope.REGION:
        return (
            _("the buyers of policy %(policy)s registered in %(region)s, also those that get a "
              "limit later") % values
        )  # fmt: skip
    count = agreement.covered_buyers.count()
    return ngettext("the %(n)s listed buyer", "the %(n)s listed buyers", count) % {"n": count}


def action_dialog(agreement, action: str, form) -> dict:
    """The dialog of one action: what it does in the reader's words, and its form."""
    values = {
        "reference": agreement.reference, "bank": agreement.bank.name,
        "insured": agreement.policy.insured.name, "account": agreement.account_display,
    }  # fmt: skip
    if action == A.SIGN:
        title = _("Record the signed copy of agreement %(reference)s")
        effects = [
            _("Upload the copy signed and sealed by %(insured)s, the insurer and %(bank)s."),
            _("Its terms cannot be edited after this; it comes into force when activated."),
        ]
    elif action == A.ACTIVATE:
        title = _("Put agreement %(reference)s in force?")
        values["covered"] = _covered_text(agreement)
        effects = [
            _("From the date below the indemnities on %(covered)s are paid to %(bank)s, "
              "account %(account)s, and to nobody else."),
            _("%(bank)s is told of every limit decision, overdue notice, claim step and "
              "payment on these buyers."),
            _("While it is in force, %(insured)s cannot cancel the policy, and the agreement "
              "is changed or terminated only with the bank's written consent."),
        ]  # fmt: skip
    elif action == A.AMEND:
        title = _("Amend agreement %(reference)s with the bank's consent")
        effects = [
            _("Change the end date or the account the indemnities are paid to; what you leave "
              "as it is stays."),
            _("The bank's written consent is recorded with the amendment, and %(bank)s is "
              "told."),
        ]  # fmt: skip
    elif action == A.TERMINATE:
        title = _("Terminate agreement %(reference)s?")
        values["n"] = agreement.covered_buyers.filter(active=True).count()
        effects = [
            ngettext(
                "From the date below the indemnities on its %(n)s covered buyer are paid to "
                "%(insured)s again, not to %(bank)s.",
                "From the date below the indemnities on its %(n)s covered buyers are paid to "
                "%(insured)s again, not to %(bank)s.",
                values["n"],
            ),
            _("The bank's written consent is recorded with the termination, and %(bank)s is "
              "told."),
            _("This cannot be undone: a new agreement is prepared and signed again."),
        ]  # fmt: skip
    else:
        title = _("Withdraw agreement %(reference)s?")
        effects = [
            _("It never came into force: nothing is paid to %(bank)s under it."),
            _("This cannot be undone."),
        ]
    return {
        "action": action,
        "title": title % values,
        "effects": [effect % values for effect in effects],
        "form": form,
        "url": reverse(f"banks:agreement_{action}", args=[agreement.pk]),
        "button": str(AgreementAction(action).label),
        "tone": TONES[action],
        "multipart": form.is_multipart(),
        "back_url": agreement.get_absolute_url(),
    }


def _initial_form(agreement, action: str):
    if action == A.AMEND:
        return AmendForm(
            initial={name: getattr(agreement, name)
                     for name in ("ends_on", "account_name", "account_number", "account_bank")}
        )  # fmt: skip
    return ACTION_FORMS[action]()


def _receivable_rows(user, agreement, positions, bound=None) -> list:
    """Each covered buyer with the form the insured reports its receivables in (the
    bound one, with its errors, for the buyer just reported on)."""
    if not may_report_receivables(user, agreement):
        return []
    rows = []
    for position in positions:
        buyer_id = position.buyer.pk
        if bound is not None and bound.data.get("buyer") == str(buyer_id):
            form = bound
        else:
            form = ReceivablesForm(initial={"buyer": buyer_id}, auto_id=f"id_r{buyer_id}_%s")
        rows.append((position, form))
    return rows


def _with_change_rows(consents) -> list:
    """Each consent with what its amendment changed, named by the field's label."""
    consents = list(consents)
    for consent in consents:
        consent.change_rows = [
            (AssignmentAgreement._meta.get_field(name).verbose_name, old, new)
            for name, (old, new) in consent.changes.items()
        ]
    return consents


def agreement_context(request, agreement, *, dialog_form=None, dialog_action="",
                      receivables_form=None) -> dict:  # fmt: skip
    """Everything the agreement page shows, read through the user's scope."""
    user = request.user
    actions = selectors.allowed_agreement_actions(agreement, user)
    positions = selectors.agreement_positions(user, agreement)
    asked = dialog_action or request.GET.get("confirm", "")
    dialog = None
    if asked in actions and asked in ACTION_FORMS:
        dialog = action_dialog(agreement, asked, dialog_form or _initial_form(agreement, asked))
    return {
        "title": _("Assignment agreement %(reference)s") % {"reference": agreement.reference},
        "agreement": agreement,
        "positions": positions,
        "receivable_rows": _receivable_rows(user, agreement, positions, receivables_form),
        "listed": agreement.covered_buyers.select_related("buyer").order_by("buyer__name"),
        "history": selectors.agreement_history(user, agreement),
        "consents": _with_change_rows(selectors.consents_of(user, agreement)),
        "actions": actions,
        "dialog_actions": [
            (action, AgreementAction(action).label, TONES[action])
            for action in actions
            if action in ACTION_FORMS
        ],
        "dialog": dialog,
    }


class AgreementDetailView(AgreementReaderMixin, TemplateView):
    template_name = "banks/agreement_detail.html"

    def get_context_data(self, **kwargs):
        agreement = agreement_for(self.request.user, kwargs["pk"])
        return {**super().get_context_data(**kwargs), **agreement_context(self.request, agreement)}


class AgreementActionView(AgreementStaffMixin, View):
    """POST only: one move of the agreement through its service, then back to its page.
    Bad input renders the page with the action's dialog open and the errors on its
    fields; a move the agreement's status does not allow comes back as a message."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        agreement = agreement_for(request.user, pk)
        if self.action not in selectors.allowed_agreement_actions(agreement, request.user):
            message_errors(request, AGREEMENT_MACHINE.refusal(agreement.status, self.action))
            return redirect(agreement)
        form = ACTION_FORMS[self.action](request.POST, request.FILES)
        if not form.is_valid():
            return self.page_with(agreement, form)
        try:
            with service_call():
                message = self.perform(agreement, form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.page_with(agreement, form)
        messages.success(request, message)
        return redirect(agreement)

    def page_with(self, agreement, form):
        """The page with this action's dialog open: its form, errors on the fields and
        those that name no field at its top."""
        context = agreement_context(
            self.request, agreement, dialog_form=form, dialog_action=self.action
        )
        return render(self.request, "banks/agreement_detail.html", context)

    def perform(self, agreement, form) -> str:
        raise NotImplementedError


class AgreementSignView(AgreementActionView):
    action = A.SIGN

    def perform(self, agreement, form):
        upload = form.cleaned_data["file"]
        services.agreement_sign(
            actor=self.request.user, agreement_id=agreement.pk,
            signed_on=form.cleaned_data["signed_on"], filename=upload.name,
            content=upload.read(),
        )  # fmt: skip
        return _("The signed copy of %(reference)s is recorded: it can be activated.") % {
            "reference": agreement.reference
        }


class AgreementActivateView(AgreementActionView):
    action = A.ACTIVATE

    def perform(self, agreement, form):
        agreement = services.agreement_activate(
            actor=self.request.user, agreement_id=agreement.pk,
            activated_on=form.cleaned_data["activated_on"],
        )  # fmt: skip
        return _("Agreement %(reference)s is in force from %(date)s; %(bank)s is told.") % {
            "reference": agreement.reference,
            "date": agreement.activated_on.isoformat(),
            "bank": agreement.bank.name,
        }


class AgreementAmendView(AgreementActionView):
    action = A.AMEND

    def perform(self, agreement, form):
        services.agreement_amend(
            actor=self.request.user, agreement_id=agreement.pk, consent=form.consent(),
            **form.changes(),
        )  # fmt: skip
        return _("Agreement %(reference)s is amended with the bank's consent.") % {
            "reference": agreement.reference
        }


class AgreementTerminateView(AgreementActionView):
    action = A.TERMINATE

    def perform(self, agreement, form):
        services.agreement_terminate(
            actor=self.request.user, agreement_id=agreement.pk, consent=form.consent(),
            reason=form.cleaned_data["reason"],
            terminated_on=form.cleaned_data["terminated_on"],
        )  # fmt: skip
        return _("Agreement %(reference)s is terminated: indemnities go to the insured.") % {
            "reference": agreement.reference
        }


class AgreementWithdrawView(AgreementActionView):
    action = A.WITHDRAW

    def perform(self, agreement, form):
        services.agreement_withdraw(
            actor=self.request.user, agreement_id=agreement.pk,
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
        return _("Agreement %(reference)s is withdrawn.") % {"reference": agreement.reference}


class ReceivablesReportView(ReceivablesReporterMixin, View):
    """POST only: the insured reports what a covered buyer owes it (SPEC 8)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        agreement = agreement_for(request.user, pk)
        if not may_report_receivables(request.user, agreement):
            raise Http404
        form = ReceivablesForm(request.POST, auto_id=f"id_r{request.POST.get('buyer', '')}_%s")
        covered = None
        if form.is_valid():
            covered = selectors.agreement_covered_buyer(
                request.user, agreement, form.cleaned_data["buyer"]
            )
            if covered is None:
                raise Http404  # a buyer this agreement does not cover
            try:
                with service_call():
                    services.receivables_report(
                        actor=request.user, policy_id=agreement.policy_id,
                        buyer_id=covered.buyer_id, amount=form.cleaned_data["amount"],
                        as_of=form.cleaned_data["as_of"],
                    )  # fmt: skip
            except ValidationError as error:
                apply_validation_error(form, error)
        if covered is None or form.errors:
            for message in form.non_field_errors():
                messages.error(request, message)
            context = agreement_context(request, agreement, receivables_form=form)
            return render(request, "banks/agreement_detail.html", context)
        messages.success(
            request,
            _("Receivables of %(buyer)s recorded: %(amount)s as of %(date)s.")
            % {
                "buyer": covered.buyer.name,
                "amount": f"{form.cleaned_data['amount']:,.2f}",
                "date": form.cleaned_data["as_of"].isoformat(),
            },
        )
        return redirect(f"{agreement.get_absolute_url()}#positions")


# --- preparing and editing the draft ------------------------------------------------------


def prepare_policies(user):
    """The policies an agreement may be prepared on: those not ended (SPEC 8)."""
    return (
        policies_visible_to(user)
        .exclude(status__in=sorted(TERMINAL_STATUSES))
        .order_by("policy_number", "-year_index")
    )


class AgreementCreateView(AgreementStaffMixin, FormView):
    """`?policy=<id>` (from the policy page) chooses the policy and lists its buyers."""

    template_name = "banks/agreement_form.html"
    form_class = AgreementForm

    @cached_property
    def policy(self):
        policy_id = self.request.POST.get("policy") or self.request.GET.get("policy")
        if not str(policy_id or "").isdigit():
            return None
        return prepare_policies(self.request.user).filter(pk=policy_id).first()

    def get_initial(self):
        if self.policy is None:
            return {}
        return {
            "policy": self.policy.pk,
            "starts_on": max(self.policy.period_start, timezone.localdate()),
            "ends_on": self.policy.period_end, "account_name": self.policy.insured.name,
        }  # fmt: skip

    def get_form_kwargs(self):
        user = self.request.user
        buyers = (
            selectors.agreement_buyer_choices(user, self.policy.pk)
            if self.policy is not None
            else visible(user, "buyers.Buyer").none()
        )
        return {**super().get_form_kwargs(), "policies": prepare_policies(user), "buyers": buyers}

    def form_valid(self, form):
        try:
            with service_call():
                agreement = services.agreement_prepare(
                    actor=self.request.user, policy_id=form.cleaned_data["policy"].pk,
                    bank_id=form.cleaned_data["bank"].pk, **form.terms(),
                )  # fmt: skip
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Draft agreement %(reference)s prepared: its PDF is made for signature.")
            % {"reference": agreement.reference},
        )
        return redirect(agreement)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Prepare an assignment agreement"), policy=self.policy,
            back_url=self.policy.get_absolute_url() if self.policy else reverse("banks:agreements"),
            **kwargs,
        )  # fmt: skip


class AgreementUpdateView(AgreementStaffMixin, FormView):
    template_name = "banks/agreement_form.html"
    form_class = AgreementForm

    @cached_property
    def agreement(self):
        # Looked up after the role check in dispatch, so anonymous users are sent to login.
        return agreement_for(self.request.user, self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if self.agreement.status != AgreementStatus.DRAFT:
            return self.refused()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.agreement.status != AgreementStatus.DRAFT:
            return self.refused()
        return super().post(request, *args, **kwargs)

    def refused(self):
        refusal = AGREEMENT_MACHINE.refusal(self.agreement.status, A.EDIT)
        message_errors(self.request, refusal)
        return redirect(self.agreement)

    def get_initial(self):
        agreement = self.agreement
        return {
            "scope": agreement.scope, "region": agreement.region,
            "buyers": list(agreement.covered_buyers.values_list("buyer_id", flat=True)),
            "starts_on": agreement.starts_on, "ends_on": agreement.ends_on,
            "account_name": agreement.account_name, "account_number": agreement.account_number,
            "account_bank": agreement.account_bank,
        }  # fmt: skip

    def get_form_kwargs(self):
        buyers = selectors.agreement_buyer_choices(self.request.user, self.agreement.policy_id)
        return {**super().get_form_kwargs(), "buyers": buyers, "editing": True}

    def form_valid(self, form):
        terms = form.terms()
        try:
            with service_call():
                services.agreement_update(
                    actor=self.request.user, agreement_id=self.agreement.pk,
                    buyer_ids=terms.pop("buyer_ids"), **terms,
                )  # fmt: skip
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The draft agreement is updated."))
        return redirect(self.agreement)

    def get_context_data(self, **kwargs):
        agreement = self.agreement
        return super().get_context_data(
            title=_("Edit draft agreement %(reference)s") % {"reference": agreement.reference},
            agreement=agreement, policy=agreement.policy, back_url=agreement.get_absolute_url(),
            **kwargs,
        )  # fmt: skip


# --- downloads ----------------------------------------------------------------------------


def _file_response(content, *, content_type: str, filename: str) -> HttpResponse:
    content = bytes(content)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    return response


class SignedCopyView(AgreementReaderMixin, View):
    """The copy the three parties signed, for whoever may see the agreement (a bank: its
    own agreement in force or ended); anyone else gets the 404 of an unknown id."""

    def get(self, request, pk):
        agreement = get_object_or_404(selectors.agreements_visible_to(request.user), pk=pk)
        if not agreement.signed_sha256:
            raise Http404
        return _file_response(
            agreement.signed_content, content_type=agreement.signed_content_type,
            filename=agreement.signed_filename,
        )  # fmt: skip


class ConsentLetterView(AgreementReaderMixin, View):
    """The bank's consent letter: the insurer's staff, the insured and the named bank."""

    def get(self, request, pk):
        consent = get_object_or_404(visible(request.user, BankConsent), pk=pk)
        if not consent.letter_sha256:
            raise Http404
        return _file_response(
            consent.letter_content, content_type=consent.letter_content_type,
            filename=consent.letter_filename,
        )  # fmt: skip
