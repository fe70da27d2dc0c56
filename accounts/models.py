import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import (
    BANK_ROLES,
    CLAIMS_ROLES,
    INSURED_ROLES,
    STAFF_ROLES,
    UNDERWRITING_ROLES,
    OrganisationKind,
    Role,
)
from core.choices import Industry, Province
from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.money import MoneyField
from core.uscc import validate_uscc


@pghistory.track()
class Organisation(models.Model):
    """The insurer, an insured company or a bank (SPEC 2)."""

    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    name = models.CharField(_("registered name"), max_length=200)
    uscc = models.CharField(
        _("USCC"), max_length=18, unique=True, null=True, blank=True, validators=[validate_uscc]
    )
    address = models.CharField(_("registered address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=2, choices=Province.choices, blank=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    has_parent_in_same_business = models.BooleanField(
        _("has a parent company in the same business"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            # Insureds and banks are mainland companies identified by their USCC.
            FieldCheckConstraint(
                condition=Q(kind=OrganisationKind.INSURER) | Q(uscc__isnull=False),
                name="organisation_company_has_uscc",
                field="uscc",
                violation_error_message=_("Enter the company's USCC."),
            ),
            FieldUniqueConstraint(
                fields=["kind"],
                condition=Q(kind=OrganisationKind.INSURER),
                name="organisation_single_insurer",
                field="kind",
                violation_error_message=_("There is only one insurer."),
            ),
        ]

    def __str__(self):
        return self.name


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who logs in; belongs to exactly one organisation (SPEC 2)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    authority_amount = MoneyField(
        _("authority amount"),
        default=0,
        help_text=_("Largest limit decision or indemnity this user may make alone (four-eyes)."),
    )
    # The language the user last chose; pages and e-mails to them use it (default Chinese).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            FieldCheckConstraint(
                condition=Q(authority_amount__gte=0),
                name="user_authority_not_negative",
                field="authority_amount",
                violation_error_message=_("This amount cannot be negative."),
            ),
            # Only the createsuperuser bootstrap account may be without an organisation.
            FieldCheckConstraint(
                condition=Q(organisation__isnull=False) | Q(is_superuser=True),
                name="user_has_organisation",
                field="organisation",
                violation_error_message=_("Choose the user's organisation."),
            ),
        ]

    def __str__(self):
        # Pages and records name people, not logins.
        return self.get_full_name() or self.username

    @property
    def is_insurer_staff(self) -> bool:
        return self.role in STAFF_ROLES or (self.is_superuser and self.organisation_id is None)

    @property
    def is_underwriter(self) -> bool:
        return self.role in UNDERWRITING_ROLES

    @property
    def is_claims_staff(self) -> bool:
        return self.role in CLAIMS_ROLES

    @property
    def is_insured_user(self) -> bool:
        return self.role in INSURED_ROLES

    @property
    def is_bank_user(self) -> bool:
        return self.role in BANK_ROLES
