from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView
from django.views.i18n import set_language

from accounts import services
from accounts.choices import Role
from accounts.forms import CompanyUserForm
from core.mixins import InsuredRoleRequiredMixin, apply_validation_error, message_errors


class LanguageView(View):
    """Django's set_language; a logged-in user's choice is also remembered on the user, so
    it follows them to every device and into their e-mails."""

    http_method_names = ["post"]

    def post(self, request):
        response = set_language(request)
        language = request.POST.get("language", "")
        if request.user.is_authenticated and language in dict(settings.LANGUAGES):
            services.user_set_language(actor=request.user, language=language)
        return response


class CompanyAdminRequiredMixin(InsuredRoleRequiredMixin):
    """An insured company's administrator only (SPEC 2)."""

    allowed_roles = frozenset({Role.INSURED_ADMIN})


class CompanyUserListView(CompanyAdminRequiredMixin, ListView):
    template_name = "accounts/company_users.html"

    def get_queryset(self):
        return self.request.user.organisation.users.order_by("username")


class CompanyUserCreateView(CompanyAdminRequiredMixin, FormView):
    template_name = "core/form.html"
    form_class = CompanyUserForm

    def form_valid(self, form):
        try:
            services.company_user_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("User added."))
        return redirect("company-users")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Add a user"), **kwargs)


class CompanyUserActiveView(CompanyAdminRequiredMixin, View):
    def post(self, request, pk):
        if not request.user.organisation.users.filter(pk=pk).exists():
            raise Http404
        try:
            services.company_user_set_active(
                actor=request.user, user_id=pk, active=request.POST.get("active") == "1"
            )
        except ValidationError as error:
            message_errors(request, error)
        return redirect("company-users")
