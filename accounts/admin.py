from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.choices import ROLES_BY_KIND
from accounts.models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "uscc", "region", "industry")
    list_filter = ("kind", "region", "industry")
    search_fields = ("name", "uscc")


class UserForm(BaseUserAdmin.form):
    def clean(self):
        cleaned = super().clean()
        organisation, role = cleaned.get("organisation"), cleaned.get("role")
        if organisation and role and role not in ROLES_BY_KIND[organisation.kind]:
            raise ValidationError(
                {"role": _("This role does not exist in that kind of organisation.")}
            )
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserForm
    list_display = ("username", "organisation", "role", "authority_amount", "is_active")
    list_filter = ("role", "organisation__kind", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Organisation and authority"), {"fields": ("organisation", "role", "authority_amount")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Organisation and authority"), {"fields": ("organisation", "role", "authority_amount")}),
    )
