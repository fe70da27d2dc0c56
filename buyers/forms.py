from django import forms

from buyers.models import Buyer, NegativeEvent


class BuyerForm(forms.ModelForm):
    class Meta:
        model = Buyer
        fields = [
            "uscc", "name", "former_names", "address", "region", "industry",
            "registered_capital", "founded_on", "status", "risk_grade", "is_public_body",
        ]  # fmt: skip
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}),
            "former_names": forms.Textarea(attrs={"rows": 2}),
        }


class NegativeEventForm(forms.ModelForm):
    class Meta:
        model = NegativeEvent
        fields = ["kind", "occurred_on", "description"]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.TextInput(),
        }
