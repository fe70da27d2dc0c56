"""Claims (SPEC 7): the staff queue, the claim page for staff and insured, its documents
and every step of the assessment as one service call each.

The claim page is built by `claim_context`; an action whose form has errors renders the
same page again with that form bound, so the message stands on the field it names."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from claims import services
from claims.choices import DeclineReason, DocumentKind, Payee
from claims.filtersets import ClaimFilterSet
from claims.forms import (
    DOCUMENT_MAX_BYTES,
    DOCUMENT_TYPES,
    AdmitDebtForm,
    ApproveForm,
    ClaimReturnForm,
    DeclineForm,
    DisputeForm,
    DocumentRequestForm,
    DocumentUploadForm,
    InvoiceDisputeForm,
    PaymentForm,
    RecoveryForm,
    ResolveForm,
    WorksheetForm,
)
from claims.models import (
    ClaimDocument,
    ClaimStatusChange,
    DocumentRequest,
)
from claims.selectors import (
    allowed_claim_actions,
    claim_checklist,
    claim_clocks,
    claim_queue,
    claims_visible_to,
    current_worksheet,
    decisions_visible_to,
    invoices_visible_to,
    may_upload,
    payments_visible_to,
    recoveries_visible_to,
    worksheet_lines_visible_to,
)
from claims.tables import CLAIM_QUEUE_COLUMNS
from claims.views.common import (
    ClaimsReaderMixin,
    ClaimsStaffMixin,
    StaffReaderMixin,
    amount_in_words,
    message_non_field_errors,
)
from core.mixins import apply_validation_error, message_errors
from core.scope import visible
from core.views import FilteredListView
from limits.views.common import service_call

# Each action form of the claim page, by its name in the template.
CLAIM_FORMS = {
    "upload_form": DocumentUploadForm,
    "request_form": DocumentRequestForm,
    "admit_form": AdmitDebtForm,
    "dispute_form": DisputeForm,
    "resolve_form": ResolveForm,
    "worksheet_form": WorksheetForm,
    "approve_form": ApproveForm,
    "return_form": ClaimReturnForm,
    "decline_form": DeclineForm,
    "payment_form": PaymentForm,
    "recovery_form": RecoveryForm,
}


class ClaimQueueView(StaffReaderMixin, FilteredListView):
    """Every open and decided claim with its clocks: days left, red once missed."""

    filterset_class = ClaimFilterSet
    columns = CLAIM_QUEUE_COLUMNS
    export_name = "claims"

    @property
    def title(self):
        return _("Claims")

    def base_queryset(self):
        return claim_queue(self.request.user, today=timezone.localdate()).select_related(
            "policy", "policy__insured", "buyer", "handler"
        )


def claim_for(user, pk):
    return get_object_or_404(
        claims_visible_to(user).select_related(
            "notice", "policy", "policy__insured", "buyer", "handler"
        ),
        pk=pk,
    )


def claim_context(request, claim, **bound) -> dict:
    """Everything the claim page shows, read through the user's scope."""
    user, today = request.user, timezone.localdate()
    # Plain strings: a TextChoices member hashes by its name, not by its value.
    actions = {str(a) for a in allowed_claim_actions(claim, user)}
    if may_upload(claim, user):
        actions.add("upload")
    if "compute_worksheet" in actions:
        actions.add("dispute_invoice")  # invoices are marked disputed during the assessment
    worksheet = current_worksheet(claim, user)
    lines = worksheet_lines_visible_to(user).filter(worksheet=worksheet) if worksheet else []
    checklist = claim_checklist(claim, user)
    payment = payments_visible_to(user).filter(claim=claim).first()
    payee = None
    if "pay" in actions:
        kind, organisation, account = services.payee_for(
            policy=claim.policy, buyer=claim.buyer, on=today
        )
        payee = {"kind": Payee(kind).label, "organisation": organisation, "account": account}
    decisions = list(decisions_visible_to(user).filter(claim=claim))
    for decision in decisions:
        decision.reason_labels = [DeclineReason(r).label for r in decision.reasons]
    forms = {name: bound.get(name) or form_class() for name, form_class in CLAIM_FORMS.items()}
    if worksheet is not None and not bound.get("worksheet_form"):
        forms["worksheet_form"] = WorksheetForm(initial={"other_credits": worksheet.other_credits})
    return {
        "title": _("Claim %(ref)s") % {"ref": claim.reference},
        "claim": claim,
        "notice": claim.notice,
        "actions": actions,
        "is_staff_view": user.is_insurer_staff,
        "clocks": claim_clocks(claim, today=today, user=user),
        "checklist": checklist,
        "document_request": visible(user, DocumentRequest).filter(claim=claim).first(),
        "kind_labels": dict(DocumentKind.choices),
        "invoices": invoices_visible_to(user).filter(notice=claim.notice),
        "worksheet": worksheet,
        "lines": lines,
        "indemnity_in_words": amount_in_words(worksheet.indemnity) if worksheet else None,
        "decisions": decisions,
        "payment": payment,
        "payee": payee,
        "recoveries": recoveries_visible_to(user).filter(claim=claim),
        "changes": visible(user, ClaimStatusChange)
        .filter(claim=claim)
        .select_related("actor")
        .order_by("created_at", "pk"),
        "max_mb": DOCUMENT_MAX_BYTES // 2**20,
        "document_types": DOCUMENT_TYPES,
        **forms,
    }


class ClaimDetailView(ClaimsReaderMixin, TemplateView):
    template_name = "claims/claim_detail.html"

    def get_context_data(self, **kwargs):
        claim = claim_for(self.request.user, kwargs["pk"])
        return {**super().get_context_data(**kwargs), **claim_context(self.request, claim)}


class ClaimActionView(ClaimsReaderMixin, View):
    """POST only: one step of the claim through its service, then back to the claim.
    Bad input renders the claim page with this form bound and its errors on the fields."""

    http_method_names = ["post"]
    form_name = ""

    def post(self, request, pk):
        claim = claim_for(request.user, pk)
        if not self.permitted(claim):
            raise Http404
        form_class = CLAIM_FORMS.get(self.form_name)
        form = form_class(request.POST, request.FILES) if form_class else None
        if form is not None and not form.is_valid():
            return self.page_with(claim, form)
        try:
            with service_call():
                message = self.perform(claim, form.cleaned_data if form else {})
        except ValidationError as error:
            if form is None:
                message_errors(request, error)
                return redirect(claim)
            apply_validation_error(form, error)
            return self.page_with(claim, form)
        messages.success(request, message)
        return redirect(f"{claim.get_absolute_url()}{self.anchor}")

    anchor = ""

    def permitted(self, claim) -> bool:
        """Whether the user reaches this step at all (the service decides the rest)."""
        return True

    def page_with(self, claim, form):
        message_non_field_errors(self.request, form)
        context = claim_context(self.request, claim, **{self.form_name: form})
        return render(self.request, "claims/claim_detail.html", context)

    def perform(self, claim, data) -> str:
        raise NotImplementedError


class DocumentUploadView(ClaimActionView):
    """The insured (or claims staff for it) adds a file to the checklist."""

    form_name, anchor = "upload_form", "#documents"

    def permitted(self, claim):
        return may_upload(claim, self.request.user)

    def perform(self, claim, data):
        upload = data["file"]
        document = services.claim_document_upload(
            actor=self.request.user, claim_id=claim.pk, kind=data["kind"],
            filename=upload.name, content=upload.read(),
        )  # fmt: skip
        return _("%(file)s added as %(kind)s.") % {
            "file": document.filename,
            "kind": document.get_kind_display(),
        }


class DocumentsRequestView(ClaimsStaffMixin, ClaimActionView):
    form_name, anchor = "request_form", "#documents"

    def perform(self, claim, data):
        services.claim_documents_request(
            actor=self.request.user, claim_id=claim.pk, kinds=data["kinds"], note=data["note"]
        )
        return _("The missing documents are asked for, all together.")


class DocumentsCompleteView(ClaimsStaffMixin, ClaimActionView):
    def perform(self, claim, data):
        claim = services.claim_documents_complete(actor=self.request.user, claim_id=claim.pk)
        if claim.waiting_ends_on:
            return _("The claim file is complete: the waiting period ends on %(date)s.") % {
                "date": claim.waiting_ends_on.isoformat()
            }
        return _("The claim file is complete.")


class DebtAdmittedView(ClaimsStaffMixin, ClaimActionView):
    form_name = "admit_form"

    def perform(self, claim, data):
        services.claim_debt_admitted(
            actor=self.request.user, claim_id=claim.pk, admitted_on=data["admitted_on"]
        )
        return _("The admitted debt is recorded: the claim is in assessment.")


class ClaimDisputeView(ClaimsStaffMixin, ClaimActionView):
    form_name = "dispute_form"

    def perform(self, claim, data):
        services.claim_dispute(actor=self.request.user, claim_id=claim.pk, reason=data["reason"])
        return _("The claim is suspended until the dispute is decided.")


class ClaimResolveView(ClaimsStaffMixin, ClaimActionView):
    form_name = "resolve_form"

    def perform(self, claim, data):
        services.claim_resolve(
            actor=self.request.user, claim_id=claim.pk,
            in_favour_of_insured=data["in_favour_of_insured"], note=data["note"],
        )  # fmt: skip
        return _("The judgment or award is recorded.")


class InvoiceDisputeView(ClaimsStaffMixin, View):
    """Mark one invoice of the claim's notice disputed by the buyer, or not (SPEC 3.4)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        invoice = get_object_or_404(
            invoices_visible_to(request.user).select_related("notice__claim"), pk=pk
        )
        claim = claim_for(request.user, invoice.notice.claim.pk)
        form = InvoiceDisputeForm(request.POST)
        form.is_valid()
        disputed = form.cleaned_data.get("disputed", False)
        try:
            with service_call():
                services.invoice_dispute_set(
                    actor=request.user, invoice_id=invoice.pk, disputed=disputed
                )
        except ValidationError as error:
            message_errors(request, error)
        else:
            text = (
                _("Invoice %(number)s is marked disputed: it is out of the covered debt.")
                if disputed
                else _("Invoice %(number)s is no longer marked disputed.")
            )
            messages.success(request, text % {"number": invoice.number})
        return redirect(f"{claim.get_absolute_url()}#invoices")


class WorksheetComputeView(ClaimsStaffMixin, ClaimActionView):
    form_name, anchor = "worksheet_form", "#worksheet"

    def perform(self, claim, data):
        worksheet = services.worksheet_compute(
            actor=self.request.user, claim_id=claim.pk, other_credits=data["other_credits"]
        )
        return _("Worksheet version %(v)s computed: indemnity %(amount)s.") % {
            "v": worksheet.version,
            "amount": f"{worksheet.indemnity:,.2f}",
        }


class ClaimApproveView(ClaimsStaffMixin, ClaimActionView):
    form_name = "approve_form"

    def perform(self, claim, data):
        claim = services.claim_approve(
            actor=self.request.user, claim_id=claim.pk, note=data["note"]
        )
        if claim.status == "approval":
            return _("Above your authority: the claim waits for a second approver.")
        return _("The indemnity is approved.")


class ClaimReturnView(ClaimsStaffMixin, ClaimActionView):
    form_name = "return_form"

    def perform(self, claim, data):
        services.claim_return(actor=self.request.user, claim_id=claim.pk, note=data["note"])
        return _("The claim is back in assessment.")


class ClaimDeclineView(ClaimsStaffMixin, ClaimActionView):
    form_name = "decline_form"

    def perform(self, claim, data):
        services.claim_decline(
            actor=self.request.user, claim_id=claim.pk, reasons=data["reasons"],
            note=data["note"],
        )  # fmt: skip
        return _("The claim is declined.")


class IndemnityPayView(ClaimsStaffMixin, ClaimActionView):
    form_name, anchor = "payment_form", "#payment"

    def perform(self, claim, data):
        payment = services.indemnity_pay(
            actor=self.request.user, claim_id=claim.pk, paid_on=data["paid_on"],
            payment_reference=data["payment_reference"],
        )  # fmt: skip
        return _("Payment of %(amount)s to %(payee)s recorded.") % {
            "amount": f"{payment.amount:,.2f}",
            "payee": payment.payee_organisation,
        }


class RecoveryRecordView(ClaimsStaffMixin, ClaimActionView):
    form_name, anchor = "recovery_form", "#recoveries"

    def perform(self, claim, data):
        recovery = services.recovery_record(
            actor=self.request.user, claim_id=claim.pk, amount=data["amount"],
            received_on=data["received_on"], received_by=data["received_by"], note=data["note"],
        )  # fmt: skip
        return _("Recovery of %(amount)s recorded.") % {"amount": f"{recovery.amount:,.2f}"}


class DocumentDownloadView(ClaimsReaderMixin, View):
    """The file's bytes with its stored type, for whoever may see the claim document;
    anyone else gets the same 404 as for an unknown id."""

    def get(self, request, pk):
        document = get_object_or_404(visible(request.user, ClaimDocument), pk=pk)
        response = HttpResponse(bytes(document.content), content_type=document.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=document.filename
        )
        response["Content-Length"] = str(document.size)
        response["Cache-Control"] = "private, no-store"
        return response
