from decimal import Decimal

import pghistory
import pgtrigger
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.models import StatusChange
from core.money import MoneyField
from core.records import kept
from core.text import LONG_TEXT_MAX_LENGTH
from core.transitions import append_only, status_guard
from policies.choices import (
    STATUS_BADGES,
    CoverType,
    EligibilityCode,
    PolicyAction,
    PolicyStatus,
    SelectionCriterion,
)

# Amounts of the schedule for which a negative means nothing; each has its own constraint,
# so that a violation names its field.
NOT_NEGATIVE_AMOUNTS = (
    "annual_credit_turnover", "max_discretionary_limit", "estimated_annual_turnover",
    "minimum_premium", "max_liability", "franchise", "limit_fee",
)  # fmt: skip


@pghistory.track()
class Policy(models.Model):
    """One policy year of a trade credit insurance contract (SPEC 3).

    A renewal is a new row with the same policy number and the next year index.
    Every schedule parameter of SPEC 3.2 is a field with its default.
    """

    insured = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("insured"),
    )
    policy_number = models.CharField(_("policy number"), max_length=20)
    year_index = models.PositiveSmallIntegerField(_("policy year"), default=1)
    renewed_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("renewal of"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    auto_renew = models.BooleanField(_("renews automatically"), default=True)
    non_renewal_notice_on = models.DateField(
        _("notice of non-renewal given on"), null=True, blank=True
    )
    # Why the expiry job could not put this renewal in force (shown on its page).
    issue_blocked_reason = models.TextField(_("cannot come into force because"), blank=True)
    issue_blocked_on = models.DateField(_("refused on"), null=True, blank=True)
    # A renewal quote the insured has accepted (it still comes into force only when the
    # previous year ends).
    renewal_accepted_at = models.DateTimeField(_("renewal accepted at"), null=True, blank=True)
    renewal_accepted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("renewal accepted by"),
    )

    # Proposal facts used by the eligibility guidelines (SPEC 3.1).
    annual_credit_turnover = MoneyField(_("annual credit turnover"), default=0)
    buyer_count = models.PositiveIntegerField(_("number of buyers"), default=0)
    cover_type = models.CharField(
        _("cover"), max_length=16, choices=CoverType.choices, default=CoverType.WHOLE_TURNOVER
    )
    selective_share_percent = models.DecimalField(
        _("selective share of credit sales (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    selection_criterion = models.CharField(
        _("selection criterion"), max_length=16, choices=SelectionCriterion.choices, blank=True
    )

    # Policy schedule (SPEC 3.2).
    indemnity_percentage = models.DecimalField(
        _("indemnity percentage"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90.00"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
    )
    max_credit_period_days = models.PositiveSmallIntegerField(
        _("maximum credit period (days)"), default=120, validators=[MaxValueValidator(365)]
    )
    invoice_deadline_days = models.PositiveSmallIntegerField(
        _("invoice deadline (days after shipment)"), default=30
    )
    max_extension_days = models.PositiveSmallIntegerField(
        _("maximum extension period (days)"), default=60
    )
    overdue_notice_days = models.PositiveSmallIntegerField(
        _("overdue-notice deadline (days after original due date)"), default=60
    )
    overdue_notice_after_extension_days = models.PositiveSmallIntegerField(
        _("overdue-notice deadline (days after an extended due date)"), default=10
    )
    limit_application_days = models.PositiveSmallIntegerField(
        _("limit-application deadline (days after first uncovered shipment)"), default=15
    )
    max_discretionary_limit = MoneyField(
        _("maximum discretionary limit"), default=Decimal("500000.00")
    )
    estimated_annual_turnover = MoneyField(_("estimated annual insured turnover"))
    premium_rate_percent = models.DecimalField(
        _("premium rate (%)"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.3")), MaxValueValidator(Decimal("0.8"))],
    )
    minimum_premium = MoneyField(_("minimum premium"))
    instalment_count = models.PositiveSmallIntegerField(_("instalments"), default=4)
    max_liability_multiple = models.PositiveSmallIntegerField(
        _("maximum liability multiple"), default=50
    )
    max_liability = MoneyField(_("maximum liability"))
    franchise = MoneyField(_("franchise"), default=Decimal("3000.00"))
    limit_fee = MoneyField(_("limit fee per buyer"), default=Decimal("828.00"))
    free_limit_count = models.PositiveSmallIntegerField(
        _("buyers assessed free at inception"), default=10
    )
    waiting_period_months = models.PositiveSmallIntegerField(
        _("waiting period, protracted default (months)"), default=5
    )
    insolvency_payment_days = models.PositiveSmallIntegerField(
        _("payment after admitted insolvency debt (days)"), default=30
    )
    claim_decision_days = models.PositiveSmallIntegerField(
        _("claim decision after complete documents (days)"), default=30
    )
    indemnity_payment_days = models.PositiveSmallIntegerField(
        _("payment after agreed indemnity (days)"), default=10
    )
    advance_payment_days = models.PositiveSmallIntegerField(
        _("advance payment (days after claim)"), default=60
    )
    claim_filing_months = models.PositiveSmallIntegerField(
        _("claim filing deadline (months after maximum extension)"), default=6
    )
    declaration_deadline_days = models.PositiveSmallIntegerField(
        _("declaration deadline (days after quarter end)"), default=15
    )

    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "policy_number"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            FieldUniqueConstraint(
                fields=["policy_number", "year_index"],
                name="policy_number_year_unique",
                field="year_index",
                violation_error_message=_("This policy number already has this policy year."),
            ),
            FieldCheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="policy_period_positive",
                field="period_end",
                violation_error_message=_("The period must end after it starts."),
            ),
            FieldCheckConstraint(
                condition=Q(max_credit_period_days__lte=365),
                name="policy_credit_period_max_365",
                field="max_credit_period_days",
                violation_error_message=_("The credit period is at most 365 days."),
            ),
            FieldCheckConstraint(
                condition=Q(indemnity_percentage__gt=0, indemnity_percentage__lte=100),
                name="policy_indemnity_percentage_range",
                field="indemnity_percentage",
                violation_error_message=_("The indemnity percentage is above 0 and at most 100."),
            ),
            FieldCheckConstraint(
                condition=Q(premium_rate_percent__gt=0),
                name="policy_premium_rate_positive",
                field="premium_rate_percent",
                violation_error_message=_("The premium rate must be more than zero."),
            ),
            *(
                FieldCheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}),
                    name=f"policy_{field}_not_negative",
                    field=field,
                    violation_error_message=_("This amount cannot be negative."),
                )
                for field in NOT_NEGATIVE_AMOUNTS
            ),
            FieldCheckConstraint(
                condition=Q(instalment_count__gte=1),
                name="policy_instalments_at_least_one",
                field="instalment_count",
                violation_error_message=_("There is at least one instalment."),
            ),
        ]
        triggers = [status_guard(), kept()]
        indexes = [
            models.Index(fields=["status", "period_end"], name="policy_status_end_idx"),
            models.Index(fields=["insured", "status"], name="policy_insured_status_idx"),
            # The policies list's default order, walked for its first page instead of
            # sorting every policy (issue 10, B7).
            models.Index(fields=["-period_start", "policy_number"], name="policy_list_idx"),
            # The staff home's recently changed policies.
            models.Index(fields=["updated_at"], name="policy_recent_idx"),
        ]

    def __str__(self):
        return f"{self.policy_number}/{self.year_index}"

    def get_absolute_url(self):
        return reverse("policies:detail", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.status]


class PolicyTransition(StatusChange):
    """An event row per status change (append-only): who moved the policy, when, why."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="transitions")
    action = models.CharField(_("action"), max_length=32, choices=PolicyAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=PolicyStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=PolicyStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("policy transition")
        verbose_name_plural = _("policy transitions")
        triggers = [append_only()]


@pghistory.track()
class EligibilityOverride(models.Model):
    """An underwriter's reasoned override of one eligibility warning (SPEC 3.1)."""

    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="eligibility_overrides"
    )
    code = models.CharField(max_length=32, choices=EligibilityCode.choices)
    reason = models.TextField(max_length=LONG_TEXT_MAX_LENGTH)
    overridden_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    overridden_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [kept()]
        constraints = [
            FieldUniqueConstraint(
                fields=["policy", "code"],
                name="eligibility_override_unique",
                field="code",
                violation_error_message=_("This warning is already overridden."),
            ),
            FieldCheckConstraint(
                condition=~Q(reason=""),
                name="eligibility_override_reason",
                field="reason",
                violation_error_message=_("Give a reason for accepting the warning."),
            ),
        ]


class PolicySuspension(models.Model):
    """A period in which the policy was suspended (SPEC 3.3): shipments on a day from
    `started_on` up to (not including) `ended_on` are not covered. Written with the
    suspend and reinstate transitions; claims ask `policy_suspended_on`."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="suspensions")
    started_on = models.DateField(_("suspended from"))
    ended_on = models.DateField(_("reinstated on"), null=True, blank=True)
    started_by = models.OneToOneField(PolicyTransition, on_delete=models.PROTECT, related_name="+")
    ended_by = models.OneToOneField(
        PolicyTransition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["policy", "started_on"]
        verbose_name = _("suspension period")
        verbose_name_plural = _("suspension periods")
        constraints = [
            FieldCheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="policy_suspension_ends_after_start",
                field="ended_on",
                violation_error_message=_("A suspension cannot end before it starts."),
            ),
            FieldUniqueConstraint(
                fields=["policy"],
                condition=Q(ended_on__isnull=True),
                name="policy_one_open_suspension",
                field="policy",
                violation_error_message=_("The policy is already suspended."),
            ),
        ]
        triggers = [
            # A record of cover: never deleted, and closed once for good.
            pgtrigger.Protect(name="suspension_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="suspension_closed_is_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__ended_on__isnull=False),
            ),
        ]
