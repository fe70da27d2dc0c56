from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from core.text import LONG_TEXT_MAX_LENGTH
from policies.choices import EligibilityCode, PolicyAction
from policies.models import Policy
from policies.services import SCHEDULE_FIELDS


class PolicyForm(forms.ModelForm):
    """The proposal and schedule (SPEC 3.1, 3.2); derived amounts are not editable."""

    class Meta:
        model = Policy
        fields = ["insured", *SCHEDULE_FIELDS]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insured"].queryset = Organisation.objects.filter(kind=OrganisationKind.INSURED)
        if editing:
            del self.fields["insured"]


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=PolicyAction.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OverrideForm(forms.Form):
    code = forms.ChoiceField(choices=EligibilityCode.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for accepting"),
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NonRenewalForm(forms.Form):
    notice_on = forms.DateField(
        label=_("Notice given on"), widget=forms.DateInput(attrs={"type": "date"})
    )
