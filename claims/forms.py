"""Forms of the claims pages (SPEC 7). They parse input only; every write goes through
claims.services, whose ValidationErrors land back on these fields by name."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buyers.models import Buyer
from claims.choices import ClaimCause, DeclineReason, DocumentKind, RecoveryReceiver
from core.money import MoneyFormField
from core.text import LONG_TEXT_MAX_LENGTH
from limits.forms import IsoDateInput, PolicyChoiceField
from policies.choices import LIVE_STATUSES, PolicyStatus
from policies.selectors import policies_visible_to

# What the claim file accepts (the service checks the bytes; these say it beforehand).
DOCUMENT_MAX_BYTES = 20 * 2**20
DOCUMENT_TYPES = "PDF, JPEG, PNG, XLSX, DOCX"
DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"
ERROR_TOO_BIG = _("The file is larger than %(mb)s MB.")
ERROR_NO_INVOICE = _("Enter at least one unpaid invoice.")
INVOICE_ROWS_NEW = 4
INVOICE_ROWS_EDIT = 2
INSTALMENT_ROWS = 4


def _today():
    return timezone.localdate()


def notice_policies(user):
    """The insured's own policies that can carry a notice (an expired year's invoices
    are still its cover), the most recent first."""
    statuses = sorted({*LIVE_STATUSES, PolicyStatus.EXPIRED})
    return (
        policies_visible_to(user)
        .filter(status__in=statuses)
        .order_by("-period_start", "policy_number")
    )


def notice_buyers(user):
    """The buyers the insured holds a limit on (a notice is about a covered buyer)."""
    return (
        Buyer.objects.filter(
            credit_limits__policy__insured_id=user.organisation_id,
        )
        .distinct()
        .order_by("name")
    )


class BuyerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.uscc}"


class NoticeForm(forms.Form):
    policy = PolicyChoiceField(label=_("Policy"), queryset=None, empty_label=None)
    buyer = BuyerChoiceField(label=_("Buyer"), queryset=None)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What you know of the buyer's situation, your collection steps so far."),
    )  # fmt: skip

    def __init__(self, *args, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["policy"]
            del self.fields["buyer"]
        else:
            self.fields["policy"].queryset = notice_policies(user)
            self.fields["buyer"].queryset = notice_buyers(user)


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    invoice_date = forms.DateField(label=_("Invoice date"), widget=IsoDateInput())
    shipment_date = forms.DateField(label=_("Shipment date"), widget=IsoDateInput())
    amount = MoneyFormField(label=_("Unpaid amount"))
    original_due_date = forms.DateField(label=_("Original due date"), widget=IsoDateInput())
    extended_due_date = forms.DateField(
        label=_("Extended due date"), widget=IsoDateInput(), required=False
    )


class BaseInvoiceFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if not filled:
            raise ValidationError(ERROR_NO_INVOICE)

    def invoices(self) -> list[dict]:
        return [
            {
                "number": f.cleaned_data["number"].strip(),
                "invoice_date": f.cleaned_data["invoice_date"],
                "shipment_date": f.cleaned_data["shipment_date"],
                "amount": f.cleaned_data["amount"],
                "original_due_date": f.cleaned_data["original_due_date"],
                "extended_due_date": f.cleaned_data.get("extended_due_date"),
            }
            for f in self.forms
            if f.cleaned_data
        ]


def invoice_formset(*, extra: int):
    return forms.formset_factory(
        InvoiceForm, formset=BaseInvoiceFormSet, extra=extra, max_num=200, validate_max=True
    )


class ExtensionForm(forms.Form):
    to_due_date = forms.DateField(label=_("New due date"), widget=IsoDateInput())
    agreed_on = forms.DateField(label=_("Agreed with the buyer on"), widget=IsoDateInput())
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_on"].initial = _today()


class RepaymentPlanForm(forms.Form):
    agreed_on = forms.DateField(label=_("Agreed with the buyer on"), widget=IsoDateInput())
    note = forms.CharField(
        label=_("Note"), required=False, max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_on"].initial = _today()


class InstalmentForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=IsoDateInput())
    amount = MoneyFormField(label=_("Amount"))


class BaseInstalmentFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(f.cleaned_data for f in self.forms):
            raise ValidationError(_("Enter at least one instalment."))

    def instalments(self) -> list[dict]:
        return [
            {"due_on": f.cleaned_data["due_on"], "amount": f.cleaned_data["amount"]}
            for f in self.forms
            if f.cleaned_data
        ]


InstalmentFormSet = forms.formset_factory(
    InstalmentForm, formset=BaseInstalmentFormSet, extra=INSTALMENT_ROWS, max_num=60,
    validate_max=True,
)  # fmt: skip


class InstalmentPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=IsoDateInput())


class NoticeReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the preparer change?"), max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ClaimOpenForm(forms.Form):
    cause = forms.ChoiceField(label=_("Cause of loss"), choices=ClaimCause.choices)


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=pgettext_lazy("claim document", "Document"), choices=DocumentKind.choices
    )
    file = forms.FileField(
        label=pgettext_lazy("an uploaded file", "File"),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        help_text=_("%(types)s, at most %(mb)s MB.")
        % {"types": DOCUMENT_TYPES, "mb": DOCUMENT_MAX_BYTES // 2**20},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > DOCUMENT_MAX_BYTES:
            raise ValidationError(ERROR_TOO_BIG % {"mb": DOCUMENT_MAX_BYTES // 2**20})
        return upload


class DocumentRequestForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Missing documents"), choices=DocumentKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Asked for once, all together (Insurance Law art. 22)."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note to the insured"), required=False, max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class AdmitDebtForm(forms.Form):
    admitted_on = forms.DateField(
        label=_("Debt admitted by the administrator on"), widget=IsoDateInput()
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("What the buyer disputes"), max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ResolveForm(forms.Form):
    in_favour_of_insured = forms.TypedChoiceField(
        label=_("The judgment or award is"),
        choices=[("1", _("in favour of the insured")), ("0", _("against the insured"))],
        coerce=lambda value: value == "1", widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note"), max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class WorksheetForm(forms.Form):
    other_credits = MoneyFormField(
        label=_("Other credits"), required=False,
        help_text=_("Credit notes, set-off, goods taken back: deducted like recoveries."),
    )  # fmt: skip

    def clean_other_credits(self):
        return self.cleaned_data["other_credits"] or 0


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 1}),
    )  # fmt: skip


class ClaimReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Why it goes back to assessment"), max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 1}),
    )  # fmt: skip


class DeclineForm(forms.Form):
    reasons = forms.MultipleChoiceField(
        label=_("Reasons"),
        choices=DeclineReason.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=IsoDateInput())
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = _today()


class RecoveryForm(forms.Form):
    amount = MoneyFormField(label=_("Amount recovered"))
    received_on = forms.DateField(label=_("Received on"), widget=IsoDateInput())
    received_by = forms.ChoiceField(
        label=_("Received by"), choices=RecoveryReceiver.choices, initial=RecoveryReceiver.INSURED
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = _today()


class InvoiceDisputeForm(forms.Form):
    disputed = forms.BooleanField(required=False)
