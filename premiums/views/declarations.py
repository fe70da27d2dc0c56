"""Declaring a quarter (SPEC 2, 6): a clerk prepares a draft, an approver submits it,
returns it with a comment or declares at once; staff enter a paper declaration. Each
write is one service call; its errors come back onto the form's fields."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from core.mixins import apply_validation_error, message_errors
from limits.views.common import service_call
from policies.selectors import policies_visible_to
from premiums import services
from premiums.choices import DeclarationStatus
from premiums.forms import DeclarationForm, ReturnForm
from premiums.selectors import declarations_visible_to, quarter_rows
from premiums.views.common import (
    DeclarationPreparerMixin,
    DeclarationSubmitterMixin,
    may_declare_at_once,
)

# The button pressed: save a draft for an approver, or declare (submit) at once.
SUBMIT_BUTTON = "declare"


def _done_message(declaration) -> str:
    if declaration.status == DeclarationStatus.SUBMITTED:
        if declaration.version > 1:
            return _("Correction declared: version %(v)s replaces the one before.") % {
                "v": declaration.version
            }
        return _("Quarter %(q)s declared.") % {"q": f"Q{declaration.quarter}"}
    return _("Saved as a draft: an approver of your company submits it.")


class DeclarationFormMixin:
    template_name = "premiums/declaration_form.html"
    form_class = DeclarationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            policy=self.policy,
            quarters=self.quarters,
            declares_at_once=may_declare_at_once(self.request.user, self.policy),
            staff_entry=self.request.user.is_insurer_staff,
            declared_quarters=[row.quarter.index for row in self.quarters if row.current],
        )
        return context

    @cached_property
    def quarters(self):
        return quarter_rows(self.policy, user=self.request.user, today=timezone.localdate())


class DeclareView(DeclarationPreparerMixin, DeclarationFormMixin, FormView):
    """policies/<pk>/declare/?quarter=N: a new declaration or a correction."""

    @cached_property
    def policy(self):
        return get_object_or_404(policies_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "quarters": self.quarters}

    def get_initial(self):
        quarter = self.request.GET.get("quarter", "")
        return {"quarter": int(quarter)} if quarter.isdigit() else {}

    def form_valid(self, form):
        data = form.cleaned_data
        submit = SUBMIT_BUTTON in self.request.POST and may_declare_at_once(
            self.request.user, self.policy
        )
        try:
            with service_call():
                declaration = services.declaration_prepare(
                    actor=self.request.user, policy_id=self.policy.pk, quarter=data["quarter"],
                    turnover=data["turnover"], nil=data["nil"],
                    correction_reason=data["correction_reason"], submit=submit,
                )  # fmt: skip
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _done_message(declaration))
        return redirect(declaration)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Declare insured turnover · %(policy)s") % {"policy": self.policy}, **kwargs
        )


class DeclarationEditView(DeclarationPreparerMixin, DeclarationFormMixin, FormView):
    """A draft changed before it is submitted (its preparer or an approver)."""

    @cached_property
    def declaration(self):
        return get_object_or_404(
            declarations_visible_to(self.request.user).filter(status=DeclarationStatus.DRAFT),
            pk=self.kwargs["pk"],
        )

    @property
    def policy(self):
        return self.declaration.policy

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "quarters": self.quarters, "editing": True}

    def get_initial(self):
        d = self.declaration
        return {"turnover": d.turnover, "nil": d.nil, "correction_reason": d.correction_reason}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with service_call():
                declaration = services.declaration_update(
                    actor=self.request.user, declaration_id=self.declaration.pk,
                    turnover=data["turnover"], nil=data["nil"],
                    correction_reason=data["correction_reason"]
                    if self.declaration.version > 1 else None,
                )  # fmt: skip
                if SUBMIT_BUTTON in self.request.POST and may_declare_at_once(
                    self.request.user, self.policy
                ):
                    declaration = services.declaration_submit(
                        actor=self.request.user, declaration_id=declaration.pk
                    )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _done_message(declaration))
        return redirect(declaration)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Edit the draft declaration · %(policy)s %(q)s")
            % {"policy": self.policy, "q": f"Q{self.declaration.quarter}"},
            declaration=self.declaration,
            **kwargs,
        )


class DeclarationActionView(View):
    """POST only: one transition of a draft through its service, then back to it."""

    http_method_names = ["post"]

    def post(self, request, pk):
        declaration = get_object_or_404(declarations_visible_to(request.user), pk=pk)
        try:
            with service_call():
                message = self.perform(declaration)
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(request, message)
        return redirect(declaration)

    def perform(self, declaration) -> str:
        raise NotImplementedError


class DeclarationSubmitView(DeclarationSubmitterMixin, DeclarationActionView):
    def perform(self, declaration):
        declaration = services.declaration_submit(
            actor=self.request.user, declaration_id=declaration.pk
        )
        return _done_message(declaration)


class DeclarationReturnView(DeclarationSubmitterMixin, DeclarationActionView):
    def perform(self, declaration):
        form = ReturnForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        services.declaration_return(
            actor=self.request.user, declaration_id=declaration.pk,
            comment=form.cleaned_data["comment"],
        )  # fmt: skip
        return _("Returned to the preparer with your comment.")


class DeclarationDiscardView(DeclarationPreparerMixin, DeclarationActionView):
    def perform(self, declaration):
        services.declaration_discard(actor=self.request.user, declaration_id=declaration.pk)
        return _("The draft is discarded.")
