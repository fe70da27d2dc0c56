from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

COMPANY_ROLE_CHOICES = [
    (Role.CLERK, Role.CLERK.label),
    (Role.APPROVER, Role.APPROVER.label),
    (Role.VIEWER, Role.VIEWER.label),
    (Role.INSURED_ADMIN, Role.INSURED_ADMIN.label),
]


class CompanyUserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=COMPANY_ROLE_CHOICES)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password
