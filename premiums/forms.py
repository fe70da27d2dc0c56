"""Forms of the premium pages (SPEC 6). They parse input only; every write goes through
premiums.services, whose ValidationErrors land back on these fields by name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import MoneyFormField
from core.text import LONG_TEXT_MAX_LENGTH
from limits.forms import IsoDateInput

TURNOVER_HELP = _(
    "Insured turnover is your invoiced credit sales of the quarter, without VAT. Leave out "
    "cash-before-delivery and letter-of-credit sales, and sales to related parties and to "
    "public buyers: they are not insured."
)


class DeclarationForm(forms.Form):
    """One quarter's insured turnover, or a nil declaration; a correction says why."""

    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int)
    turnover = MoneyFormField(label=_("Insured turnover (CNY, without VAT)"), required=False)
    nil = forms.BooleanField(
        label=_("Nil declaration: no insured sales in this quarter"), required=False
    )
    correction_reason = forms.CharField(
        label=_("Reason for the correction"), required=False, max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the quarter is already declared: the new version replaces "
                    "it and the earlier one stays visible."),
    )  # fmt: skip

    def __init__(self, *args, quarters=(), editing=False, **kwargs):
        """`quarters`: the policy's QuarterRows; those that have ended can be declared."""
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["quarter"].choices = [
            (row.quarter.index, f"{row.quarter.label} · {row.quarter.start} – {row.quarter.end}")
            for row in quarters
            if row.quarter.end <= today
        ]
        self.fields["turnover"].help_text = TURNOVER_HELP
        if editing:
            del self.fields["quarter"]

    def clean(self):
        data = super().clean()
        if data.get("nil") and data.get("turnover") is None:
            data["turnover"] = 0
        return data


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the preparer change?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class PaymentForm(forms.Form):
    """Money received on one of the policy's unpaid notes (staff, SPEC 6)."""

    debit_note = forms.ModelChoiceField(label=_("Debit note"), queryset=None)
    amount = MoneyFormField(label=_("Amount received"))
    paid_on = forms.DateField(label=_("Paid on"), widget=IsoDateInput())
    reference = forms.CharField(label=_("Bank reference"), max_length=64, required=False)

    def __init__(self, *args, notes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["debit_note"].queryset = notes
        self.fields["debit_note"].label_from_instance = lambda note: (
            f"{note.number} · {note.get_kind_display()} · "
            f"{note.outstanding:,.2f} / {note.amount:,.2f}"
        )
        self.fields["paid_on"].initial = timezone.localdate()


class CancelNoteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=LONG_TEXT_MAX_LENGTH)
