from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import LONG_TEXT_MAX_LENGTH


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
