from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    INSURER = "insurer", _("Insurer")
    INSURED = "insured", _("Insured company")
    BANK = "bank", _("Bank")


class Role(models.TextChoices):
    """SPEC 2: staff roles at the insurer, portal roles inside insureds, bank users."""

    UNDERWRITER = "underwriter", _("Underwriter")
    SENIOR_UNDERWRITER = "senior_underwriter", _("Senior underwriter")
    CLAIMS_HANDLER = "claims_handler", _("Claims handler")
    CLAIMS_MANAGER = "claims_manager", _("Claims manager")
    ADMIN = "admin", _("Administrator")
    INSURED_ADMIN = "insured_admin", _("Company administrator")
    CLERK = "clerk", _("Clerk")
    APPROVER = "approver", _("Approver")
    VIEWER = "viewer", _("Viewer")
    BANK_USER = "bank_user", _("Bank user")


STAFF_ROLES = {
    Role.UNDERWRITER,
    Role.SENIOR_UNDERWRITER,
    Role.CLAIMS_HANDLER,
    Role.CLAIMS_MANAGER,
    Role.ADMIN,
}
UNDERWRITING_ROLES = {Role.UNDERWRITER, Role.SENIOR_UNDERWRITER, Role.ADMIN}
CLAIMS_ROLES = {Role.CLAIMS_HANDLER, Role.CLAIMS_MANAGER, Role.ADMIN}
INSURED_ROLES = {Role.INSURED_ADMIN, Role.CLERK, Role.APPROVER, Role.VIEWER}
BANK_ROLES = {Role.BANK_USER}

# Which roles a user of each kind of organisation may hold.
ROLES_BY_KIND = {
    OrganisationKind.INSURER: STAFF_ROLES,
    OrganisationKind.INSURED: INSURED_ROLES,
    OrganisationKind.BANK: BANK_ROLES,
}
