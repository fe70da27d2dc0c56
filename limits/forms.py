"""Forms of the credit-limit screens (SPEC 5). They parse and check input only; every
write goes through limits.services, whose ValidationErrors land back on these fields."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from buyers.models import Buyer
from core.choices import Industry
from core.money import MAX_DIGITS, MoneyFormField, parse_money
from core.text import LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from core.uscc import normalize_uscc, validate_uscc
from limits.choices import Outcome, ReasonCode, ReviewOutcome
from limits.models import LimitApplication
from limits.rules import Movement
from policies.choices import LIVE_STATUSES, PolicyStatus
from policies.selectors import policies_visible_to

ERROR_UNKNOWN_BUYER = _("No buyer with this USCC is in the register.")
ERROR_MOVEMENT_LINE = _(
    "Line %(line)s: write “YYYY-MM-DD invoice 100000” or “YYYY-MM-DD payment 50000”."
)
ERROR_MOVEMENT_DATE = _("Line %(line)s: “%(value)s” is not a date (YYYY-MM-DD).")
ERROR_MOVEMENT_AMOUNT = _("Line %(line)s: “%(value)s” is not a positive amount.")
ERROR_MOVEMENT_KIND = _("Line %(line)s: the kind must be “invoice” or “payment”.")
ERROR_NO_MOVEMENTS = _("Enter at least one invoice.")
ERROR_PARTIAL_AMOUNT_MISSING = _("Enter the amount approved.")
ERROR_REDUCED_AMOUNT_MISSING = _("Enter the reduced amount.")
ERROR_AMOUNT_NOT_POSITIVE = _("The amount must be more than zero.")
MAX_MOVEMENTS = 2000
MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - 2)

# Words accepted for the kind of a movement line, in both UI languages.
MOVEMENT_KINDS = {
    "invoice": "invoice",
    "inv": "invoice",
    "发票": "invoice",
    "开票": "invoice",
    "payment": "payment",
    "pay": "payment",
    "付款": "payment",
    "回款": "payment",
}


class IsoDateInput(forms.DateInput):
    """A browser date picker: its value must be ISO whatever the active locale's format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UsccFormField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("label", _("Buyer USCC"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = normalize_uscc(super().clean(value))
        if value:
            validate_uscc(value)
        return value


def _places(amount: Decimal) -> int:
    return max(0, -amount.as_tuple().exponent)


def _today():
    return timezone.localdate()


class PolicyChoiceField(forms.ModelChoiceField):
    """A policy named with its status and period, so next year's quote is not mistaken
    for the policy in force."""

    def label_from_instance(self, obj):
        return (
            f"{obj} · {obj.get_status_display()} · "
            f"{obj.period_start:%Y-%m-%d} – {obj.period_end:%Y-%m-%d}"
        )


def _insured_policies(user, statuses):
    """The user's own policies, those in force first, then the most recent."""
    return (
        policies_visible_to(user)
        .filter(status__in=sorted(statuses))
        .order_by(
            Case(When(status=PolicyStatus.IN_FORCE, then=0), default=1),
            "-period_start",
        )
    )


REASON_CHOICES = [("", "---------"), *ReasonCode.choices]


# --- insured -------------------------------------------------------------------------------


class DiscretionaryLimitForm(forms.Form):
    """SPEC 5: the insured sets its own limit up to the policy's discretionary maximum."""

    policy = PolicyChoiceField(label=_("Policy"), queryset=None, empty_label=None)
    buyer_uscc = UsccFormField()
    amount = MoneyFormField(
        label=_("Limit amount"),
        min_value=Decimal("0.01"),
        help_text=_("Up to the policy's maximum discretionary limit; above it, apply."),
    )
    payment_terms_days = forms.IntegerField(
        label=_("Maximum payment terms (days)"), min_value=1, max_value=365, initial=60
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.buyer = None
        self.fields["policy"].queryset = _insured_policies(user, {PolicyStatus.IN_FORCE})

    def clean_buyer_uscc(self):
        # The limit is on a company of the shared register, found by its exact USCC.
        uscc = self.cleaned_data["buyer_uscc"]
        self.buyer = Buyer.objects.filter(uscc=uscc).first()
        if self.buyer is None:
            raise ValidationError(ERROR_UNKNOWN_BUYER, code="unknown_buyer")
        return uscc


class LimitApplicationForm(forms.ModelForm):
    """The application of SPEC 5, with the trading experience credit insurers ask for."""

    buyer_uscc = UsccFormField()
    buyer_name = forms.CharField(
        label=_("Buyer's registered name"),
        max_length=200,
        required=False,
        help_text=_("Only for a buyer not yet in the register."),
    )
    buyer_industry = forms.ChoiceField(
        label=_("Buyer's industry"),
        choices=[("", "---------"), *Industry.choices],
        required=False,
        help_text=_("Only for a buyer not yet in the register."),
    )
    # Not named "submit": that would shadow the HTML form's submit() method.
    submit_now = forms.BooleanField(
        label=_("Submit to the insurer now"),
        required=False,
        help_text=_("Otherwise it is saved as a draft for an approver to submit."),
    )

    class Meta:
        model = LimitApplication
        fields = [
            "policy", "request_type", "requested_amount", "payment_terms_days",
            "requested_expires_on", "expected_annual_sales", "goods", "first_shipment_on",
            "trading_since", "sales_last_12_months", "largest_invoice", "overdue_amount",
            "worst_delay_days", "related_party_link", "guarantor", "reason",
        ]  # fmt: skip
        # Amounts get core.money.MoneyFormField from their model fields.
        field_classes = {"policy": PolicyChoiceField}
        widgets = {
            "requested_expires_on": IsoDateInput,
            "first_shipment_on": IsoDateInput,
            "trading_since": IsoDateInput,
            "reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, can_submit: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = _insured_policies(
            user, LIVE_STATUSES | {PolicyStatus.QUOTED}
        )
        self.fields["policy"].empty_label = None
        self.fields["requested_amount"].help_text = _(
            "For a new limit, an increase or a reduction."
        )
        self.fields["requested_expires_on"].help_text = _("For a prolongation.")
        for name in ("overdue_amount", "worst_delay_days"):
            self.fields[name].required = False
        if not can_submit:
            del self.fields["submit_now"]

    def service_kwargs(self) -> dict:
        """The cleaned data as limits.services.application_create takes it."""
        data = dict(self.cleaned_data)
        data["policy_id"] = data.pop("policy").pk
        data["submit"] = data.pop("submit_now", False)
        for name in ("overdue_amount", "worst_delay_days"):
            if data.get(name) is None:
                data[name] = 0
        return data


class ApplicationEditForm(forms.ModelForm):
    """A draft's request and trading experience, edited before an approver submits it."""

    class Meta:
        model = LimitApplication
        fields = [
            "requested_amount", "payment_terms_days", "requested_expires_on",
            "expected_annual_sales", "goods", "first_shipment_on", "trading_since",
            "sales_last_12_months", "largest_invoice", "overdue_amount", "worst_delay_days",
            "related_party_link", "guarantor", "reason",
        ]  # fmt: skip
        field_classes = LimitApplicationForm.Meta.field_classes
        widgets = LimitApplicationForm.Meta.widgets


class ReturnDraftForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the preparer change?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ApproveForm(forms.Form):
    amount = MoneyFormField(
        label=_("Amend the amount"), required=False,
        help_text=_("Leave empty to approve the proposal as it is."),
    )  # fmt: skip


# --- underwriter ---------------------------------------------------------------------------


class DecideForm(forms.Form):
    """An underwriter's decision on a submitted application (SPEC 5)."""

    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    amount = MoneyFormField(
        label=_("Approved amount"),
        required=False,
        min_value=Decimal("0.01"),
        error_messages={"min_value": ERROR_AMOUNT_NOT_POSITIVE},
        help_text=_("For a partial approval."),
    )
    payment_terms_days = forms.IntegerField(
        label=_("Payment terms (days)"), min_value=1, max_value=365, required=False
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=IsoDateInput,
        help_text=_("For a temporary limit."),
    )
    reason_code = forms.ChoiceField(
        label=_("Reason"), choices=ReasonCode.choices, initial=ReasonCode.NO_COMMENT
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        # An amount given but refused (negative, not a number) has its own message: the
        # field is then missing from cleaned_data, which is not the same as left blank.
        if (
            data.get("outcome") == Outcome.PARTIAL
            and data.get("amount") is None
            and "amount" not in self.errors
        ):
            self.add_error("amount", ERROR_PARTIAL_AMOUNT_MISSING)
        return data


class SendBackForm(forms.Form):
    note = forms.CharField(
        label=_("Why it goes back"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LimitCancelForm(forms.Form):
    """Cancel a limit with notice (SPEC 5): for shipments after the effective date."""

    notice_on = forms.DateField(label=_("Notice date"), initial=_today, widget=IsoDateInput)
    effective_on = forms.DateField(
        label=_("Effective date"),
        required=False,
        widget=IsoDateInput,
        help_text=_("Defaults to the notice date."),
    )
    reason_code = forms.ChoiceField(label=_("Reason"), choices=REASON_CHOICES)
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LimitReduceForm(LimitCancelForm):
    """Reduce a limit with notice (SPEC 5): a new amount above zero, below the current one.
    Cancelling is its own form: a blank amount here is an error, never a cancellation."""

    amount = MoneyFormField(
        label=_("New amount"),
        min_value=Decimal("0.01"),
        error_messages={"min_value": ERROR_AMOUNT_NOT_POSITIVE},
        help_text=_("Below the current limit. To end the limit, cancel it instead."),
    )
    field_order = ["amount", "notice_on", "effective_on", "reason_code", "conditions"]


class ReviewCompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices)
    amount = MoneyFormField(
        label=_("New amount"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("For a reduction."),
    )
    notice_on = forms.DateField(label=_("Notice date"), initial=_today, widget=IsoDateInput)
    effective_on = forms.DateField(
        label=_("Effective date"),
        required=False,
        widget=IsoDateInput,
        help_text=_("Defaults to the notice date."),
    )
    reason_code = forms.ChoiceField(
        label=_("Reason"), choices=ReasonCode.choices, initial=ReasonCode.NO_COMMENT
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == ReviewOutcome.REDUCE and not data.get("amount"):
            self.add_error("amount", ERROR_REDUCED_AMOUNT_MISSING)
        return data


class PendingOrdersForm(forms.Form):
    """The insured's written request under the pending-orders clause (SPEC 5)."""

    requested_on = forms.DateField(
        label=_("Requested in writing on"), initial=_today, widget=IsoDateInput
    )
    contract_reference = forms.CharField(label=_("Contract reference"), max_length=100)
    contract_signed_on = forms.DateField(label=_("Contract signed on"), widget=IsoDateInput)
    contract_amount = MoneyFormField(
        label=_("Undelivered contract amount"), min_value=Decimal("0.01")
    )


# --- calculators (SPEC 5) ----------------------------------------------------------------------


class TurnoverCalculatorForm(forms.Form):
    annual_credit_sales = MoneyFormField(
        label=_("Expected annual credit sales"), min_value=Decimal("0.01")
    )
    credit_days = forms.IntegerField(
        label=_("Credit period (days)"), min_value=1, max_value=365, initial=60
    )


class PeakCalculatorForm(forms.Form):
    movements = forms.CharField(
        label=_("Invoices and payments"),
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": format_lazy(
                    "{eg} 2026-01-05 invoice 300000\n{eg} 2026-02-10 payment 100000",
                    eg=_("e.g."),
                ),
                "spellcheck": "false",
            }
        ),
        help_text=_("One per line: date, “invoice” or “payment”, amount."),
        # MAX_MOVEMENTS lines of "2026-01-05 payment 1,234,567,890.12" fit easily.
        max_length=MAX_MOVEMENTS * 60,
    )

    def clean_movements(self) -> list[Movement]:
        lines = [
            (number, line.split())
            for number, line in enumerate(self.cleaned_data["movements"].splitlines(), start=1)
            if line.strip()
        ]
        if len(lines) > MAX_MOVEMENTS:
            raise ValidationError(
                _("At most %(n)s lines, please.") % {"n": MAX_MOVEMENTS}, code="too_many"
            )
        movements, errors = [], []
        for number, parts in lines:
            if len(parts) != 3:
                errors.append(ERROR_MOVEMENT_LINE % {"line": number})
                continue
            raw_on, raw_kind, raw_amount = parts
            try:
                on = date.fromisoformat(raw_on)
            except ValueError:
                errors.append(ERROR_MOVEMENT_DATE % {"line": number, "value": raw_on})
                continue
            kind = MOVEMENT_KINDS.get(raw_kind.lower())
            if kind is None:
                errors.append(ERROR_MOVEMENT_KIND % {"line": number})
                continue
            try:
                amount = parse_money(raw_amount, grouping=True)
            except ValueError:
                amount = None
            if amount is None or not 0 < amount < MAX_AMOUNT or _places(amount) > 2:
                errors.append(ERROR_MOVEMENT_AMOUNT % {"line": number, "value": raw_amount})
                continue
            movements.append(Movement(on=on, kind=kind, amount=amount))
        if errors:
            raise ValidationError(errors[:5])
        if not any(m.kind == "invoice" for m in movements):
            raise ValidationError(ERROR_NO_MOVEMENTS)
        return movements
