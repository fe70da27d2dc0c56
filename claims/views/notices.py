"""Overdue notices (SPEC 2, 3.2, 7): the list, the form with its invoices, the draft and
filed notice with its clocks, extensions, repayment plan, and opening the claim.

Thin views: each object through a scoped selector (404 when out of scope), each write one
service call whose ValidationErrors come back onto the form's fields."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from claims import services
from claims.choices import NoticeStatus
from claims.filtersets import NoticeFilterSet
from claims.forms import (
    INVOICE_ROWS_EDIT,
    INVOICE_ROWS_NEW,
    ClaimOpenForm,
    ExtensionForm,
    InstalmentFormSet,
    InstalmentPaidForm,
    NoticeForm,
    NoticeReturnForm,
    RepaymentPlanForm,
    invoice_formset,
)
from claims.models import (
    InvoiceExtension,
    NoticeInvoice,
    NoticeStatusChange,
    PlanInstalment,
    RepaymentPlan,
)
from claims.rules import max_extended_due_date
from claims.selectors import (
    allowed_notice_actions,
    claims_visible_to,
    may_open_claim,
    notice_clocks,
    notices_visible_to,
)
from claims.services.common import may_file
from claims.tables import NOTICE_COLUMNS
from claims.views.common import (
    ClaimsReaderMixin,
    NoticePreparerMixin,
    NoticeWriterMixin,
    apply_errors,
    message_non_field_errors,
)
from core.mixins import apply_validation_error, message_errors
from core.scope import visible
from core.views import FilteredListView
from limits.views.common import service_call

# The button pressed on the notice form: file at once (an approver), else a draft.
FILE_BUTTON = "file"


def _filed_message(notice) -> str:
    if notice.status == NoticeStatus.FILED:
        if notice.is_late:
            return _(
                "Notice %(ref)s filed, %(days)s days after its deadline: it is accepted "
                "but marked late."
            ) % {"ref": notice.reference, "days": notice.days_late}
        return _("Notice %(ref)s filed with the insurer.") % {"ref": notice.reference}
    return _("Saved as a draft: an approver of your company files it.")


class NoticeListView(ClaimsReaderMixin, FilteredListView):
    """The insured's overdue accounts and notices with their claims; for staff every
    filed notice (an insured's draft is its own business)."""

    filterset_class = NoticeFilterSet
    export_name = "overdue-notices"
    default_ordering = ("-created_at", "-pk")

    @property
    def title(self):
        if self.request.user.is_insured_user:
            return _("Overdue notices and claims")
        return _("Overdue notices")

    @property
    def columns(self):
        if self.request.user.is_insured_user:
            return [c for c in NOTICE_COLUMNS if c.key != "policy.insured.name"]
        return NOTICE_COLUMNS

    def base_queryset(self):
        return notices_visible_to(self.request.user).select_related(
            "policy", "policy__insured", "buyer", "claim"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if NoticePreparerMixin().allows(self.request.user):
            context["create_url"] = reverse("claims:notice_new")
        return context


class NoticeFormMixin:
    template_name = "claims/notice_form.html"
    rows = INVOICE_ROWS_NEW

    def formset_class(self):
        return invoice_formset(extra=self.rows)

    def may_file(self) -> bool:
        return may_file(self.request.user)

    def render_form(self, form, formset, status=200):
        context = {
            "form": form,
            "formset": formset,
            "may_file": self.may_file(),
            **self.extra_context_data(),
        }
        return render(self.request, self.template_name, context, status=status)

    def extra_context_data(self) -> dict:
        return {}


class NoticeCreateView(NoticePreparerMixin, NoticeFormMixin, View):
    """A new overdue notice: policy, buyer and the unpaid invoices."""

    def extra_context_data(self):
        return {"title": _("New overdue notice")}

    def get(self, request):
        return self.render_form(NoticeForm(user=request.user), self.formset_class()(prefix="inv"))

    def post(self, request):
        form = NoticeForm(request.POST, user=request.user)
        formset = self.formset_class()(request.POST, prefix="inv")
        if not (form.is_valid() & formset.is_valid()):
            return self.render_form(form, formset)
        try:
            with service_call():
                notice = services.notice_prepare(
                    actor=request.user, policy_id=form.cleaned_data["policy"].pk,
                    buyer_id=form.cleaned_data["buyer"].pk, invoices=formset.invoices(),
                    comment=form.cleaned_data["comment"],
                    file=FILE_BUTTON in request.POST and self.may_file(),
                )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error, formset=formset, formset_field="invoices")
            return self.render_form(form, formset)
        messages.success(request, _filed_message(notice))
        return redirect(notice)


class NoticeEditView(NoticeWriterMixin, NoticeFormMixin, View):
    """A draft notice changed before it is filed: its invoices and comment."""

    rows = INVOICE_ROWS_EDIT

    @cached_property
    def notice(self):
        return get_object_or_404(
            notices_visible_to(self.request.user).filter(status=NoticeStatus.DRAFT),
            pk=self.kwargs["pk"],
        )

    def extra_context_data(self):
        return {
            "title": _("Edit the draft notice %(ref)s") % {"ref": self.notice.reference},
            "notice": self.notice,
        }

    def initial_invoices(self):
        return [
            {
                "number": i.number,
                "invoice_date": i.invoice_date,
                "shipment_date": i.shipment_date,
                "amount": i.amount,
                "original_due_date": i.original_due_date,
                "extended_due_date": i.extended_due_date,
            }
            for i in visible(self.request.user, NoticeInvoice).filter(notice=self.notice)
        ]

    def get(self, request, pk):
        form = NoticeForm(editing=True, initial={"comment": self.notice.comment})
        formset = self.formset_class()(prefix="inv", initial=self.initial_invoices())
        return self.render_form(form, formset)

    def post(self, request, pk):
        notice = self.notice
        form = NoticeForm(request.POST, editing=True)
        formset = self.formset_class()(request.POST, prefix="inv")
        if not (form.is_valid() & formset.is_valid()):
            return self.render_form(form, formset)
        try:
            with service_call():
                notice = services.notice_update(
                    actor=request.user, notice_id=notice.pk, invoices=formset.invoices(),
                    comment=form.cleaned_data["comment"],
                )  # fmt: skip
                if FILE_BUTTON in request.POST and self.may_file():
                    notice = services.notice_file(actor=request.user, notice_id=notice.pk)
        except ValidationError as error:
            apply_errors(form, error, formset=formset, formset_field="invoices")
            return self.render_form(form, formset)
        messages.success(request, _filed_message(notice))
        return redirect(notice)


def notice_context(request, notice, **forms) -> dict:
    """Everything the notice page shows, read through the user's scope."""
    user, today = request.user, timezone.localdate()
    # Plain strings: a TextChoices member hashes by its name, not by its value.
    actions = {str(a) for a in allowed_notice_actions(notice, user)}
    if may_open_claim(notice, user):
        actions.add("open_claim")
    invoices = list(visible(user, NoticeInvoice).filter(notice=notice))
    extensions = visible(user, InvoiceExtension).filter(invoice__notice=notice)
    by_invoice: dict = {}
    for extension in extensions.select_related("recorded_by").order_by("recorded_at", "pk"):
        by_invoice.setdefault(extension.invoice_id, []).append(extension)
    for invoice in invoices:
        invoice.extension_rows = by_invoice.get(invoice.pk, [])
    plan = visible(user, RepaymentPlan).filter(notice=notice).first()
    instalments = (
        list(visible(user, PlanInstalment).filter(plan=plan).order_by("due_on", "pk"))
        if plan
        else []
    )
    for instalment in instalments:
        instalment.missed = instalment.paid_on is None and instalment.due_on < today
    claim = _claim_of(notice, user)
    changes = (
        visible(user, NoticeStatusChange)
        .filter(notice=notice)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    returned = None
    if notice.status == NoticeStatus.DRAFT:
        returned = next((c for c in reversed(list(changes)) if c.action == "return"), None)
    return {
        "title": _("Overdue notice %(ref)s") % {"ref": notice.reference},
        "notice": notice,
        "actions": actions,
        "clocks": notice_clocks(notice, today=today, user=user),
        "invoices": invoices,
        "total_unpaid": sum((i.amount for i in invoices), start=0),
        "plan": plan,
        "instalments": instalments,
        "claim": claim,
        "changes": changes,
        "returned": returned,
        "today": today,
        "open_form": forms.get("open_form") or ClaimOpenForm(),
        "return_form": forms.get("return_form") or NoticeReturnForm(),
        "paid_form": InstalmentPaidForm(initial={"paid_on": today}),
    }


def _claim_of(notice, user):
    return claims_visible_to(user).filter(notice=notice).first()


def notice_for(user, pk):
    return get_object_or_404(
        notices_visible_to(user).select_related("policy", "policy__insured", "buyer"), pk=pk
    )


class NoticeDetailView(ClaimsReaderMixin, TemplateView):
    template_name = "claims/notice_detail.html"

    def get_context_data(self, **kwargs):
        notice = notice_for(self.request.user, kwargs["pk"])
        return {**super().get_context_data(**kwargs), **notice_context(self.request, notice)}


class NoticeActionView(NoticeWriterMixin, View):
    """POST only: one transition of the notice through its service, then back to it.
    A form's errors come back on the notice page, on the form's fields."""

    http_method_names = ["post"]
    form_class = None
    form_name = ""

    def post(self, request, pk):
        notice = notice_for(request.user, pk)
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            return self.page_with(notice, form)
        try:
            with service_call():
                result, message = self.perform(notice, form.cleaned_data if form else {})
        except ValidationError as error:
            if form is None:
                message_errors(request, error)
                return redirect(notice)
            apply_validation_error(form, error)
            return self.page_with(notice, form)
        messages.success(request, message)
        return redirect(result)

    def page_with(self, notice, form):
        message_non_field_errors(self.request, form)
        context = notice_context(self.request, notice, **{self.form_name: form})
        return render(self.request, "claims/notice_detail.html", context)

    def perform(self, notice, data):
        raise NotImplementedError


class NoticeFileView(NoticeActionView):
    def perform(self, notice, data):
        notice = services.notice_file(actor=self.request.user, notice_id=notice.pk)
        return notice, _filed_message(notice)


class NoticeReturnView(NoticeActionView):
    form_class, form_name = NoticeReturnForm, "return_form"

    def perform(self, notice, data):
        services.notice_return(
            actor=self.request.user, notice_id=notice.pk, comment=data["comment"]
        )
        return notice, _("Returned to the preparer with your comment.")


class NoticeDiscardView(NoticeActionView):
    def perform(self, notice, data):
        services.notice_discard(actor=self.request.user, notice_id=notice.pk)
        return notice, _("The draft notice is discarded.")


class ClaimOpenView(NoticeActionView):
    """ "Open a claim" on a filed notice, with its cause (SPEC 7)."""

    form_class, form_name = ClaimOpenForm, "open_form"

    def perform(self, notice, data):
        claim = services.claim_open(
            actor=self.request.user, notice_id=notice.pk, cause=data["cause"]
        )
        return claim, _("Claim %(ref)s opened: upload the claim documents.") % {
            "ref": claim.reference
        }


class ExtensionView(NoticeWriterMixin, View):
    """An extension of one invoice's due date agreed with the buyer (SPEC 3.2, 7); beyond
    the maximum extension period the service refuses it, on the date field."""

    template_name = "claims/extension_form.html"

    @cached_property
    def invoice(self):
        return get_object_or_404(
            visible(self.request.user, NoticeInvoice).select_related("notice", "notice__policy"),
            pk=self.kwargs["pk"],
        )

    def render_form(self, form):
        invoice = self.invoice
        policy = invoice.notice.policy
        return render(
            self.request,
            self.template_name,
            {
                "title": _("Extend invoice %(number)s") % {"number": invoice.number},
                "form": form,
                "invoice": invoice,
                "notice": invoice.notice,
                "latest_allowed": max_extended_due_date(
                    invoice.original_due_date, policy.max_extension_days
                ),
                "max_extension_days": policy.max_extension_days,
            },
        )

    def get(self, request, pk):
        return self.render_form(ExtensionForm())

    def post(self, request, pk):
        form = ExtensionForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        data = form.cleaned_data
        try:
            with service_call():
                services.extension_record(
                    actor=request.user, invoice_id=self.invoice.pk,
                    to_due_date=data["to_due_date"], agreed_on=data["agreed_on"],
                    reason=data["reason"],
                )  # fmt: skip
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.render_form(form)
        messages.success(
            request,
            _("Invoice %(number)s now falls due on %(date)s.")
            % {"number": self.invoice.number, "date": data["to_due_date"].isoformat()},
        )
        return redirect(self.invoice.notice)


class RepaymentPlanView(NoticeWriterMixin, View):
    """A repayment plan agreed with the buyer, with its instalments (SPEC 7)."""

    template_name = "claims/plan_form.html"

    @cached_property
    def notice(self):
        return notice_for(self.request.user, self.kwargs["pk"])

    def render_form(self, form, formset):
        return render(
            self.request,
            self.template_name,
            {
                "title": _("Repayment plan · %(ref)s") % {"ref": self.notice.reference},
                "form": form,
                "formset": formset,
                "notice": self.notice,
            },
        )

    def get(self, request, pk):
        return self.render_form(RepaymentPlanForm(), InstalmentFormSet(prefix="inst"))

    def post(self, request, pk):
        form = RepaymentPlanForm(request.POST)
        formset = InstalmentFormSet(request.POST, prefix="inst")
        if not (form.is_valid() & formset.is_valid()):
            return self.render_form(form, formset)
        try:
            with service_call():
                services.repayment_plan_record(
                    actor=request.user, notice_id=self.notice.pk,
                    agreed_on=form.cleaned_data["agreed_on"],
                    instalments=formset.instalments(), note=form.cleaned_data["note"],
                )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error, formset=formset, formset_field="instalments")
            return self.render_form(form, formset)
        messages.success(request, _("The repayment plan is recorded."))
        return redirect(self.notice)


class InstalmentPaidView(NoticeWriterMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        instalment = get_object_or_404(
            visible(request.user, PlanInstalment).select_related("plan__notice"), pk=pk
        )
        notice = instalment.plan.notice
        form = InstalmentPaidForm(request.POST)
        if not form.is_valid():
            message_errors(request, ValidationError(form.errors.as_data()))
            return redirect(notice)
        try:
            with service_call():
                services.plan_instalment_paid(
                    actor=request.user, instalment_id=instalment.pk,
                    paid_on=form.cleaned_data["paid_on"],
                )  # fmt: skip
        except ValidationError as error:
            message_errors(request, error)
        else:
            messages.success(request, _("The instalment is marked paid."))
        return redirect(notice)
