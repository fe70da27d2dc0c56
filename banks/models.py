"""Tripartite assignment agreements (赔款转让协议, SPEC 8), the buyers they cover, the
bank's recorded consents, the receivables the insured reports for financing, and the
bank's feed of what changed."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from banks.choices import (
    AGREEMENT_BADGES,
    AgreementAction,
    AgreementScope,
    AgreementStatus,
    BankEventKind,
)
from core.choices import Province
from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.models import StatusChange
from core.money import MoneyField
from core.records import kept, kept_unless_draft
from core.transitions import append_only, status_guard


@pghistory.track()
class AssignmentAgreement(models.Model):
    """The insured (甲) assigns to the bank (丙) the indemnities the insurer (乙) pays
    under one policy, for the buyers in its scope, to the bank's account (SPEC 8)."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="assignment_agreements",
        verbose_name=_("policy"),
    )  # fmt: skip
    bank = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="assignment_agreements",
        verbose_name=_("bank"), limit_choices_to={"kind": "bank"},
    )  # fmt: skip
    scope = models.CharField(_("scope"), max_length=8, choices=AgreementScope.choices)
    region = models.CharField(_("region"), max_length=2, choices=Province.choices, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    account_name = models.CharField(_("account name"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=40)
    account_bank = models.CharField(_("bank branch"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=AgreementStatus.choices)
    # The copy signed by the three parties: bytes in the database, like claim files.
    signed_filename = models.CharField(_("signed copy"), max_length=200, blank=True)
    signed_content_type = models.CharField(max_length=100, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    signed_content = models.BinaryField(null=True, blank=True, editable=False)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    activated_on = models.DateField(_("in force from"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("prepared by"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assignment agreement")
        verbose_name_plural = _("assignment agreements")
        constraints = [
            FieldCheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="agreement_ends_after_start",
                field="ends_on",
                violation_error_message=_("The end date must be after the start date."),
            ),
            FieldCheckConstraint(
                condition=(Q(scope=AgreementScope.REGION) & ~Q(region=""))
                | (~Q(scope=AgreementScope.REGION) & Q(region="")),
                name="agreement_region_with_region_scope",
                field="region",
                violation_error_message=_("Choose a region for a regional scope, and only then."),
            ),
            FieldCheckConstraint(
                condition=Q(status__in=[AgreementStatus.DRAFT, AgreementStatus.WITHDRAWN])
                | (Q(signed_on__isnull=False) & ~Q(signed_sha256="")),
                name="agreement_signed_has_copy",
                field="signed_filename",
                violation_error_message=_("Upload the copy signed by the three parties."),
            ),
            FieldCheckConstraint(
                condition=~Q(status=AgreementStatus.ACTIVE) | Q(activated_on__isnull=False),
                name="agreement_active_has_date",
                field="activated_on",
                violation_error_message=_("An agreement in force needs its start date."),
            ),
        ]
        triggers = [status_guard(), kept()]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("banks:agreement", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return AGREEMENT_BADGES[self.status]

    @property
    def account_display(self) -> str:
        return f"{self.account_bank} {self.account_name} {self.account_number}".strip()


class BankConsent(models.Model):
    """The bank's written consent to an amendment or the termination (SPEC 8): who at the
    bank gave it, when, its reference and the letter; the status-change row points to it."""

    agreement = models.ForeignKey(
        AssignmentAgreement, on_delete=models.PROTECT, related_name="consents"
    )
    action = models.CharField(_("for"), max_length=16, choices=AgreementAction.choices)
    given_by = models.CharField(_("given by (at the bank)"), max_length=100)
    given_on = models.DateField(_("given on"))
    reference = models.CharField(_("consent reference"), max_length=60)
    # What the amendment changes: {field: [old, new]}.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    letter_filename = models.CharField(_("consent letter"), max_length=200, blank=True)
    letter_content_type = models.CharField(max_length=100, blank=True)
    letter_sha256 = models.CharField(max_length=64, blank=True)
    letter_content = models.BinaryField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("bank consent")
        verbose_name_plural = _("bank consents")
        triggers = [append_only("consent_append_only")]

    def __str__(self):
        return self.reference


class AgreementStatusChange(StatusChange):
    agreement = models.ForeignKey(
        AssignmentAgreement, on_delete=models.PROTECT, related_name="changes"
    )
    action = models.CharField(_("action"), max_length=32, choices=AgreementAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=AgreementStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=AgreementStatus.choices)
    consent = models.ForeignKey(
        BankConsent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("agreement status change")
        verbose_name_plural = _("agreement status changes")
        triggers = [append_only()]
        constraints = [
            # SPEC 8: no change or termination of an agreement in force without the bank.
            FieldCheckConstraint(
                condition=~Q(action__in=[AgreementAction.AMEND, AgreementAction.TERMINATE])
                | Q(consent__isnull=False),
                name="agreement_change_has_consent",
                field="consent",
                violation_error_message=_("Record the bank's written consent first."),
            )
        ]


class AgreementBuyer(models.Model):
    """A buyer the agreement covers. Listed buyers are chosen in the draft; for a policy-
    wide or regional scope the buyers of the policy are added at activation and as they
    get a limit. `active` while the agreement is: the database allows one active
    agreement per buyer of a policy (SPEC 8)."""

    agreement = models.ForeignKey(
        AssignmentAgreement, on_delete=models.PROTECT, related_name="covered_buyers"
    )
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(
        "buyers.Buyer", on_delete=models.PROTECT, related_name="+", verbose_name=_("buyer")
    )
    active = models.BooleanField(default=False)
    bank = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        triggers = [kept_unless_draft("banks_assignmentagreement", "agreement_id")]
        verbose_name = _("covered buyer")
        verbose_name_plural = _("covered buyers")
        constraints = [
            FieldUniqueConstraint(
                fields=["agreement", "buyer"],
                name="agreement_buyer_once",
                field="buyer",
                violation_error_message=_("This buyer is already listed."),
            ),
            FieldUniqueConstraint(
                fields=["policy", "buyer"],
                condition=Q(active=True),
                name="agreement_buyer_one_active",
                field="buyer",
                violation_error_message=_(
                    "Another agreement in force already covers this buyer of the policy."
                ),
            ),
        ]
        indexes = [models.Index(fields=["bank", "policy", "buyer"], condition=Q(active=True),
                                name="agreement_buyer_bank_active")]  # fmt: skip


@pghistory.track()
class ReceivableReport(models.Model):
    """The receivables outstanding on a buyer as the insured reports them, for the
    financing capacity (SPEC 8). The newest report counts."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(
        "buyers.Buyer", on_delete=models.PROTECT, related_name="+", verbose_name=_("buyer")
    )
    amount = MoneyField(_("receivables outstanding"))
    as_of = models.DateField(_("as of"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("reported by"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [kept()]
        ordering = ["-as_of", "-created_at", "-id"]
        verbose_name = _("receivables report")
        verbose_name_plural = _("receivables reports")
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__gte=0),
                name="receivables_not_negative",
                field="amount",
                violation_error_message=_("This amount cannot be negative."),
            )
        ]
        indexes = [models.Index(fields=["policy", "buyer", "-as_of"], name="receivables_latest")]


class BankEvent(models.Model):
    """One thing a bank was told about a financed policy (SPEC 8): its feed, and the
    e-mail sent through the outbox. `key` keeps a sweep's warning to one row."""

    bank = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        AssignmentAgreement, on_delete=models.PROTECT, related_name="bank_events"
    )
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(
        "buyers.Buyer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("buyer"),
    )  # fmt: skip
    kind = models.CharField(_("what"), max_length=24, choices=BankEventKind.choices)
    subject_code = models.CharField(max_length=80, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=60, blank=True)
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("bank event")
        verbose_name_plural = _("bank events")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "key"], condition=~Q(key=""), name="bank_event_once"
            )
        ]
        indexes = [models.Index(fields=["bank", "-occurred_at"], name="bank_event_feed")]
        triggers = [append_only("bank_event_append_only")]


class BankReader(models.Model):
    """Where a bank user last read the feed: what came after is 'new since you looked'."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bank_reader"
    )
    seen_until = models.DateTimeField()
