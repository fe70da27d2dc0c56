"""Forms of the agreement pages (SPEC 8). They parse input only; every write goes through
banks.services, whose ValidationErrors land back on these fields by the same names."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from banks.choices import AgreementScope
from core.choices import Province
from core.money import MoneyFormField
from core.text import LONG_TEXT_MAX_LENGTH
from core.uploads import MAX_UPLOAD_BYTES
from limits.forms import IsoDateInput, PolicyChoiceField

ERROR_TOO_BIG = _("The file is larger than %(mb)s MB.")
SIGNED_ACCEPT = ".pdf,.jpg,.jpeg,.png"
LETTER_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx"


def _today():
    return timezone.localdate()


def _checked_size(upload):
    if upload and upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(ERROR_TOO_BIG % {"mb": MAX_UPLOAD_BYTES // 2**20})
    return upload


class BuyerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.uscc} · {obj.get_region_display()}"


class AgreementForm(forms.Form):
    """The draft's terms: prepared by an underwriter, edited until it is signed. Editing
    leaves the policy and the bank as prepared (a new party is a new agreement)."""

    policy = PolicyChoiceField(label=_("Policy"), queryset=None, empty_label=None)
    bank = forms.ModelChoiceField(label=_("Bank"), queryset=None)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=AgreementScope.choices, initial=AgreementScope.ALL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )  # fmt: skip
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", "---------"), *Province.choices],
        help_text=_("For a regional scope: the buyers registered in this province."),
    )  # fmt: skip
    buyers = BuyerChoices(
        label=_("Listed buyers"), required=False, queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("For listed buyers: among the buyers with a limit under the policy."),
    )  # fmt: skip
    starts_on = forms.DateField(label=_("Starts on"), widget=IsoDateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=IsoDateInput())
    account_name = forms.CharField(label=_("Account name"), max_length=200)
    account_number = forms.CharField(label=_("Account number"), max_length=40)
    account_bank = forms.CharField(label=_("Bank branch"), max_length=200)

    def __init__(self, *args, policies=None, buyers=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["policy"]
            del self.fields["bank"]
        else:
            self.fields["policy"].queryset = policies
            self.fields["bank"].queryset = Organisation.objects.filter(
                kind=OrganisationKind.BANK
            ).order_by("name")
        self.fields["buyers"].queryset = buyers

    def terms(self) -> dict:
        """The service's keyword arguments (its `buyer_ids`, `region` only when regional)."""
        data = self.cleaned_data
        return {
            "scope": data["scope"],
            "region": data["region"] if data["scope"] == AgreementScope.REGION else "",
            "buyer_ids": [b.pk for b in data["buyers"]]
            if data["scope"] == AgreementScope.LISTED
            else [],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "account_name": data["account_name"],
            "account_number": data["account_number"],
            "account_bank": data["account_bank"],
        }


class SignForm(forms.Form):
    file = forms.FileField(
        label=_("Signed copy"),
        widget=forms.ClearableFileInput(attrs={"accept": SIGNED_ACCEPT}),
        help_text=_("The agreement signed and sealed by the insured, the insurer and the bank: "
                    "PDF, JPEG or PNG, at most %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20},
    )  # fmt: skip
    signed_on = forms.DateField(label=_("Signed on"), widget=IsoDateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = _today()

    def clean_file(self):
        return _checked_size(self.cleaned_data["file"])


class ActivateForm(forms.Form):
    activated_on = forms.DateField(label=_("In force from"), widget=IsoDateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activated_on"].initial = _today()


class ConsentForm(forms.Form):
    """The bank's written consent, needed to amend or terminate an agreement in force."""

    given_by = forms.CharField(label=_("Consent given by (at the bank)"), max_length=100)
    given_on = forms.DateField(label=_("Consent given on"), widget=IsoDateInput())
    reference = forms.CharField(label=_("Consent reference"), max_length=60)
    letter = forms.FileField(
        label=_("Consent letter"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": LETTER_ACCEPT}),
        help_text=_("The bank's letter, if you have it as a file."),
    )  # fmt: skip

    def clean_letter(self):
        return _checked_size(self.cleaned_data.get("letter"))

    def consent(self) -> dict:
        data = self.cleaned_data
        consent = {
            "given_by": data["given_by"], "given_on": data["given_on"],
            "reference": data["reference"],
        }  # fmt: skip
        if data.get("letter"):
            consent |= {"filename": data["letter"].name, "content": data["letter"].read()}
        return consent


class AmendForm(ConsentForm):
    """Prefilled with the agreement's terms: what the underwriter changes is amended."""

    ends_on = forms.DateField(label=_("Ends on"), widget=IsoDateInput(), required=False)
    account_name = forms.CharField(label=_("Account name"), max_length=200, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=40, required=False)
    account_bank = forms.CharField(label=_("Bank branch"), max_length=200, required=False)

    field_order = ["ends_on", "account_name", "account_number", "account_bank"]

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("ends_on", "account_name", "account_number",
                                              "account_bank")}  # fmt: skip


class TerminateForm(ConsentForm):
    terminated_on = forms.DateField(label=_("Terminated on"), widget=IsoDateInput())
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    field_order = ["terminated_on", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["terminated_on"].initial = _today()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("withdrawing an agreement", "Why it is withdrawn"),
        max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ReceivablesForm(forms.Form):
    """The receivables outstanding on one covered buyer, as the insured reports them."""

    buyer = forms.IntegerField(widget=forms.HiddenInput)
    amount = MoneyFormField(label=_("Receivables outstanding"))
    as_of = forms.DateField(label=_("As of"), widget=IsoDateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = _today()
