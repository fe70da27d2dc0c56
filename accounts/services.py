"""Writes on organisations and users."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.choices import INSURED_ROLES, ROLES_BY_KIND, Role
from accounts.models import Organisation, User
from core.services import action

ERROR_ROLE_KIND = _("This role does not exist in that kind of organisation.")
ERROR_NOT_COMPANY_ADMIN = _("Only your company's administrator manages its users.")
ERROR_SELF = _("You cannot deactivate yourself.")
ERROR_LANGUAGE = _("This language is not available.")


def user_create(
    *,
    actor,
    organisation: Organisation,
    username: str,
    password: str,
    role: str,
    authority_amount=0,
    **extra,
) -> User:
    """A user in one organisation, with a role that organisation kind allows (SPEC 2)."""
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise ValidationError({"role": ERROR_ROLE_KIND})
    with action(actor):
        user = User(
            organisation=organisation,
            username=username,
            role=role,
            authority_amount=authority_amount,
            **extra,
        )
        user.set_password(password)
        user.full_clean()
        user.save()
    return user


def _require_company_admin(actor) -> None:
    if actor.role != Role.INSURED_ADMIN:
        raise PermissionError(str(ERROR_NOT_COMPANY_ADMIN))


def company_user_create(*, actor, username: str, password: str, role: str, **extra) -> User:
    """An insured's administrator adds a user to its own company (SPEC 2)."""
    _require_company_admin(actor)
    if role not in INSURED_ROLES:
        raise ValidationError({"role": ERROR_ROLE_KIND})
    return user_create(
        actor=actor,
        organisation=actor.organisation,
        username=username,
        password=password,
        role=role,
        **extra,
    )


def company_user_set_active(*, actor, user_id: int, active: bool) -> User:
    """Deactivate or reactivate a user of the administrator's own company."""
    _require_company_admin(actor)
    if user_id == actor.pk and not active:
        raise ValidationError({"user": ERROR_SELF})
    with action(actor):
        user = User.objects.select_for_update().get(pk=user_id, organisation=actor.organisation)
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


def user_set_language(*, actor, language: str) -> None:
    """Remember the language a user chose, for their pages and e-mails from now on."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": ERROR_LANGUAGE})
    with action(actor):
        User.objects.filter(pk=actor.pk).exclude(language=language).update(language=language)
    actor.language = language
