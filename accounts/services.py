"""Writes on organisations and users."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.choices import ROLES_BY_KIND
from accounts.models import Organisation, User
from core.services import action

ERROR_ROLE_KIND = _("This role does not exist in that kind of organisation.")


def organisation_create(*, actor, **fields) -> Organisation:
    with action(actor):
        organisation = Organisation(**fields)
        organisation.full_clean()
        organisation.save()
    return organisation


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
