from datetime import date

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.models import StatusChange
from core.money import MoneyField
from core.records import kept
from core.text import LONG_TEXT_MAX_LENGTH
from core.texts import Text, render_text, text_entry
from core.transitions import append_only, status_guard
from limits import texts
from limits.choices import (
    ADVERSE_LIMIT_ACTIONS,
    APPLICATION_BADGES,
    EXPOSURE_STATUSES,
    OPEN_APPLICATION_STATUSES,
    QUEUE_STATUSES,
    STATUS_BADGES,
    ApplicationAction,
    ApplicationStatus,
    LimitAction,
    LimitSource,
    LimitStatus,
    Outcome,
    PendingOrdersStatus,
    ReasonCode,
    RequestType,
    ResponseCode,
    ReviewAction,
    ReviewOutcome,
    ReviewReason,
    ReviewStatus,
)
from limits.rules import earlier_shipments_covered

# A bulk move's rows, by buyer: +amount for each row now current, -amount for each row
# that was (SPEC 4: ACTIVE and SUSPENDED limits count), added to the buyers' totals in
# buyer order, so that two statements touching the same buyers lock their totals in the
# same order and cannot deadlock each other.
_CURRENT = " IN (" + ", ".join(f"'{s}'" for s in sorted(EXPOSURE_STATUSES)) + ")"


def _exposure_delta(*parts: str) -> str:
    # Constant SQL: the statuses come from limits.choices. A buyer's first row takes its
    # grade, region and industry (the buyer trigger of migration 0011 keeps them after).
    return (
        "INSERT INTO limits_buyerexposure (buyer_id, exposure, limits, risk_grade, region, "  # noqa: S608
        "industry) SELECT b.id, sum(d.amount), sum(d.n), b.risk_grade, b.region, b.industry "
        "FROM (" + " UNION ALL ".join(parts) + ") d JOIN buyers_buyer b ON b.id = d.buyer_id "
        "GROUP BY b.id HAVING sum(d.amount) <> 0 OR sum(d.n) <> 0 ORDER BY b.id "
        "ON CONFLICT (buyer_id) DO UPDATE SET "
        "exposure = limits_buyerexposure.exposure + EXCLUDED.exposure, "
        "limits = limits_buyerexposure.limits + EXCLUDED.limits; RETURN NULL;"
    )


_ADDED = f"SELECT buyer_id, amount, 1 AS n FROM new_rows WHERE status{_CURRENT}"  # noqa: S608
_REMOVED = f"SELECT buyer_id, -amount AS amount, -1 AS n FROM old_rows WHERE status{_CURRENT}"  # noqa: S608, E501


def _exposure_trigger(name: str, operation, referencing, *parts: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name, operation=operation, when=pgtrigger.After, level=pgtrigger.Statement,
        referencing=referencing, func=_exposure_delta(*parts),
    )  # fmt: skip


EXPOSURE_TRIGGERS = [
    _exposure_trigger("exposure_on_insert", pgtrigger.Insert,
                      pgtrigger.Referencing(new="new_rows"), _ADDED),
    _exposure_trigger("exposure_on_update", pgtrigger.Update,
                      pgtrigger.Referencing(old="old_rows", new="new_rows"), _ADDED, _REMOVED),
    _exposure_trigger("exposure_on_delete", pgtrigger.Delete,
                      pgtrigger.Referencing(old="old_rows"), _REMOVED),
]  # fmt: skip


@pghistory.track()
class CreditLimit(models.Model):
    """The credit limit on one buyer under one policy (SPEC 5): revolving, in CNY."""

    policy = models.ForeignKey(
        "policies.Policy",
        on_delete=models.PROTECT,
        related_name="credit_limits",
        verbose_name=_("policy"),
    )
    buyer = models.ForeignKey(
        "buyers.Buyer",
        on_delete=models.PROTECT,
        related_name="credit_limits",
        verbose_name=_("buyer"),
    )
    amount = MoneyField(_("limit amount"))
    payment_terms_days = models.PositiveSmallIntegerField(_("maximum payment terms (days)"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LimitStatus.choices, default=LimitStatus.ACTIVE
    )
    source = models.CharField(_("source"), max_length=16, choices=LimitSource.choices)
    effective_from = models.DateField(_("effective from"))
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    # A reduction or cancellation given with notice ahead (SPEC 5): applied by the sweep.
    scheduled_amount = MoneyField(_("scheduled amount"), null=True, blank=True)
    scheduled_effective_on = models.DateField(_("scheduled change on"), null=True, blank=True)
    expiry_warned_on = models.DateField(_("expiry warning sent on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    carried_over_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="carried_over_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("credit limit")
        verbose_name_plural = _("credit limits")
        triggers = [status_guard(), kept(), *EXPOSURE_TRIGGERS]
        constraints = [
            # One current limit per (policy, buyer); ended ones stay for history.
            FieldUniqueConstraint(
                fields=["policy", "buyer"],
                condition=Q(status__in=sorted(EXPOSURE_STATUSES)),
                name="limit_one_current_per_policy_buyer",
                field="buyer",
                violation_error_message=_("This buyer already has a limit on this policy."),
            ),
            FieldCheckConstraint(
                condition=Q(amount__gt=0),
                name="limit_amount_positive",
                field="amount",
                violation_error_message=_("The limit amount must be more than zero."),
            ),
            FieldCheckConstraint(
                condition=Q(payment_terms_days__lte=365),
                name="limit_terms_max_365",
                field="payment_terms_days",
                violation_error_message=_("Payment terms are at most 365 days."),
            ),
            FieldCheckConstraint(
                condition=Q(scheduled_amount__isnull=True) | Q(scheduled_amount__gte=0),
                name="limit_scheduled_amount_not_negative",
                field="scheduled_amount",
                violation_error_message=_("This amount cannot be negative."),
            ),
        ]
        indexes = [
            # A list's default order, walked in the index for its first page instead of
            # sorting every row the role sees (issue 10, B7: EXPLAIN on 20,000 rows).
            models.Index(fields=["updated_at", "id"], name="limit_list_idx"),
            # A buyer's aggregate exposure and the portfolio report (limits.reports) sum
            # `amount` over the current limits: with it in the index they are index-only
            # scans, never a visit to the table (benchmarks/exposure.py).
            models.Index(
                fields=["buyer"],
                include=["amount"],
                condition=Q(status__in=sorted(EXPOSURE_STATUSES)),
                name="limit_exposure_idx",
            ),
            # The sweeps read only the few rows with a date set: keep those indexes small.
            models.Index(
                fields=["scheduled_effective_on"],
                condition=Q(scheduled_effective_on__isnull=False),
                name="limit_scheduled_idx",
            ),
            models.Index(
                fields=["expires_on"],
                condition=Q(status="active", expires_on__isnull=False),
                name="limit_expiry_idx",
            ),
            models.Index(
                fields=["next_review_on"],
                condition=Q(status="active", next_review_on__isnull=False),
                name="limit_review_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.policy} · {self.buyer.name} · {self.amount}"

    def get_absolute_url(self):
        return reverse("limits:detail", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.status]


class BuyerExposure(models.Model):
    """A buyer's aggregate exposure (SPEC 4): the sum and number of its current limits
    over every policy, kept by the database. Statement triggers on the limits add each
    write's difference in the same transaction, whatever made it (a decision, a sweep's
    bulk move, the admin, raw SQL), so that one buyer's figure is one primary-key read and
    the portfolio report (`limits.reports`) groups one row per buyer instead of every
    limit (issue 10, B3). Loaders that write limits with triggers off call
    `limits.exposure.exposure_rebuild()` after."""

    buyer = models.OneToOneField(
        "buyers.Buyer", on_delete=models.CASCADE, primary_key=True, related_name="exposure"
    )
    exposure = MoneyField(_("aggregate exposure"), default=0)
    limits = models.IntegerField(_("current limits"), default=0)
    # The buyer's, copied by the database (a trigger on the buyers, migration 0011), so
    # that the portfolio report groups this table alone instead of joining every buyer.
    risk_grade = models.PositiveSmallIntegerField(_("risk grade"), default=5)
    region = models.CharField(_("region"), max_length=2, default="")
    industry = models.CharField(_("industry"), max_length=1, default="")

    class Meta:
        verbose_name = _("buyer exposure")
        verbose_name_plural = _("buyer exposures")
        indexes = [
            models.Index(
                models.F("exposure").desc(),
                "buyer",
                name="exposure_largest_idx",
                condition=Q(limits__gt=0),
            ),
        ]


@pghistory.track()
class LimitApplication(models.Model):
    """An insured's request about a limit (SPEC 5), with the trading experience forms ask."""

    policy = models.ForeignKey(
        "policies.Policy",
        on_delete=models.PROTECT,
        related_name="limit_applications",
        verbose_name=_("policy"),
    )
    buyer = models.ForeignKey(
        "buyers.Buyer",
        on_delete=models.PROTECT,
        related_name="limit_applications",
        verbose_name=_("buyer"),
    )
    request_type = models.CharField(
        _("request type"), max_length=2, choices=RequestType.choices, default=RequestType.NEW
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    requested_amount = MoneyField(_("requested amount"), null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=60)
    requested_expires_on = models.DateField(_("requested expiry"), null=True, blank=True)
    expected_annual_sales = MoneyField(_("expected annual sales"), null=True, blank=True)
    goods = models.CharField(_("goods"), max_length=200, blank=True)
    first_shipment_on = models.DateField(_("first shipment date"), null=True, blank=True)
    trading_since = models.DateField(_("trading since"), null=True, blank=True)
    sales_last_12_months = MoneyField(_("sales in the last 12 months"), null=True, blank=True)
    largest_invoice = MoneyField(_("largest single invoice"), null=True, blank=True)
    overdue_amount = MoneyField(_("amount overdue now"), default=0)
    worst_delay_days = models.PositiveSmallIntegerField(_("worst delay (days)"), default=0)
    related_party_link = models.CharField(
        _("related-party link, if any"), max_length=200, blank=True
    )
    guarantor = models.CharField(_("guarantor, if any"), max_length=200, blank=True)
    reason = models.TextField(
        _("reason for the request"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )

    prepared_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    submitted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Why the rule set decided it, or why it waits (core.texts: a code and its figures,
    # rendered in the reader's language); `auto_note` keeps the staff text as first
    # written, the only text of rows from before codes.
    auto_note = models.TextField(_("automatic-decision note"), blank=True)
    auto_note_code = models.CharField(max_length=64, blank=True)
    auto_note_params = models.JSONField(default=dict, blank=True)

    # A decision above the first underwriter's authority waits here for a second one.
    proposed_outcome = models.CharField(
        _("proposed decision"), max_length=16, choices=Outcome.choices, blank=True
    )
    proposed_amount = MoneyField(_("proposed amount"), null=True, blank=True)
    proposed_payment_terms_days = models.PositiveSmallIntegerField(
        _("proposed payment terms (days)"), null=True, blank=True
    )
    proposed_expires_on = models.DateField(_("proposed expiry"), null=True, blank=True)
    proposed_reason_code = models.CharField(
        _("proposed reason"), max_length=2, choices=ReasonCode.choices, blank=True
    )
    proposed_conditions = models.TextField(
        _("proposed conditions"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    proposed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("limit application")
        verbose_name_plural = _("limit applications")
        triggers = [status_guard(), kept()]
        constraints = [
            FieldUniqueConstraint(
                fields=["policy", "buyer"],
                condition=Q(status__in=sorted(OPEN_APPLICATION_STATUSES)),
                name="application_one_open_per_policy_buyer",
                field="buyer",
                violation_error_message=_(
                    "This buyer already has an open application on this policy."
                ),
            ),
            FieldCheckConstraint(
                condition=Q(requested_amount__isnull=True) | Q(requested_amount__gt=0),
                name="application_amount_positive",
                field="requested_amount",
                violation_error_message=_("The requested amount must be more than zero."),
            ),
            FieldCheckConstraint(
                condition=Q(payment_terms_days__lte=365),
                name="application_terms_max_365",
                field="payment_terms_days",
                violation_error_message=_("Payment terms are at most 365 days."),
            ),
        ]
        indexes = [
            # A list's default order, walked in the index for its first page instead of
            # sorting every row the role sees (issue 10, B7: EXPLAIN on 20,000 rows).
            models.Index(fields=["created_at", "id"], name="application_list_idx"),
            # The underwriters' queue: open applications oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=Q(status__in=sorted(QUEUE_STATUSES)),
                name="application_queue_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_request_type_display()} · {self.buyer.name}"

    def get_absolute_url(self):
        return reverse("limits:application-detail", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return APPLICATION_BADGES[self.status]

    def set_auto_note(self, note: Text) -> None:
        self.auto_note_code, self.auto_note_params = note.code, note.params
        self.auto_note = note.render(staff=True)

    @property
    def auto_note_text(self) -> str:
        """The note as the insurer's staff read it, in the active language."""
        return render_text(
            self.auto_note_code, self.auto_note_params, staff=True, fallback=self.auto_note
        )

    @property
    def waiting_reason_code(self) -> str:
        """Why it waits for the insurer, as a code an insured may read (no figures)."""
        if self.status == ApplicationStatus.AWAITING_SECOND_APPROVAL:
            return texts.QUEUE_SECOND_APPROVAL.code
        if self.status != ApplicationStatus.SUBMITTED:
            return ""
        entry = text_entry(self.auto_note_code)
        if entry is None:
            return texts.QUEUE_UNDERWRITER.code
        return entry.insured or entry.code

    @property
    def waiting_reason(self) -> str:
        code = self.waiting_reason_code
        return render_text(code, self.auto_note_params) if code else ""

    @property
    def earlier_shipments(self) -> tuple[bool, date] | None:
        """Whether shipments before the application are covered, and the deadline."""
        applied = self.submitted_at or timezone.now()
        return earlier_shipments_covered(
            first_shipment_on=self.first_shipment_on,
            applied_on=timezone.localdate(applied),
            application_days=self.policy.limit_application_days,
        )


class LimitDecision(models.Model):
    """One immutable decision on a limit (SPEC 5): the limit's history is their chain."""

    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey("buyers.Buyer", on_delete=models.PROTECT, related_name="+")
    credit_limit = models.ForeignKey(
        CreditLimit, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    application = models.ForeignKey(
        LimitApplication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    request_type = models.CharField(
        _("request type"), max_length=2, choices=RequestType.choices, blank=True
    )
    response_code = models.CharField(_("decision"), max_length=2, choices=ResponseCode.choices)
    reason_code = models.CharField(_("reason"), max_length=2, choices=ReasonCode.choices)
    requested_amount = MoneyField(_("requested amount"), null=True, blank=True)
    amount = MoneyField(_("decided amount"), null=True, blank=True)
    # The limit just before this decision: the "old limit" of the pending-orders clause.
    previous_amount = MoneyField(_("previous amount"), null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), null=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    notice_on = models.DateField(_("notice date"))
    effective_on = models.DateField(_("effective date"))
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    approved_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("second approver"),
    )
    automatic = models.BooleanField(_("automatic"), default=False)
    # As for an application's note: a code and figures; the text as first written.
    explanation = models.TextField(_("explanation"), blank=True)
    explanation_code = models.CharField(max_length=64, blank=True)
    explanation_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("limit decision")
        verbose_name_plural = _("limit decisions")
        triggers = [
            # Decisions are records: neither the application nor SQL may change or delete one.
            pgtrigger.Protect(
                name="decision_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="decision_amount_ok",
                field="amount",
                violation_error_message=_("This amount cannot be negative."),
            ),
            FieldCheckConstraint(
                condition=Q(effective_on__gte=models.F("notice_on")),
                name="decision_effective_after_notice",
                field="effective_on",
                violation_error_message=_("The effective date cannot be before the notice date."),
            ),
            # Four-eyes in the database too: the second approver is never the first.
            FieldCheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("decided_by")),
                name="decision_four_eyes",
                field="approved_by",
                violation_error_message=_("The second approval must come from someone else."),
            ),
        ]

    def __str__(self):
        return f"{self.get_response_code_display()} {self.amount or ''}"

    @property
    def explanation_text(self) -> str:
        """The explanation as the insurer's staff read it."""
        return render_text(
            self.explanation_code, self.explanation_params, staff=True, fallback=self.explanation
        )

    @property
    def explanation_for_insured(self) -> str:
        """What an insured reads: never the grade ceilings or capacity behind a decision.
        A row from before codes shows its text only if no rule set wrote it."""
        if self.explanation_code:
            return render_text(self.explanation_code, self.explanation_params)
        return "" if self.automatic else self.explanation


class CreditLimitChange(StatusChange):
    """The limit's history (SPEC 5): one row per change of its amount or status.

    `amount` is the limit after the change (None once it has ended) and `effective_on`
    the first day of shipments it applies to, so the row in force on a day tells which
    amount covered a shipment made that day (`limits.selectors.limit_amount_on`).
    """

    credit_limit = models.ForeignKey(CreditLimit, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("change"), max_length=32, choices=LimitAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=LimitStatus.choices, blank=True
    )
    to_status = models.CharField(_("status"), max_length=16, choices=LimitStatus.choices)
    amount = MoneyField(_("amount"), null=True, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), null=True, blank=True
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    effective_on = models.DateField(_("effective from"))
    decision = models.ForeignKey(
        "LimitDecision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(StatusChange.Meta):
        ordering = ["effective_on", "created_at", "id"]
        verbose_name = _("credit-limit change")
        verbose_name_plural = _("credit-limit changes")
        triggers = [append_only()]
        indexes = [
            models.Index(fields=["credit_limit", "effective_on"], name="limit_change_on_idx"),
        ]

    @property
    def is_adverse(self) -> bool:
        return self.action in ADVERSE_LIMIT_ACTIONS


class ApplicationStatusChange(StatusChange):
    application = models.ForeignKey(
        LimitApplication, on_delete=models.PROTECT, related_name="status_changes"
    )
    action = models.CharField(_("action"), max_length=32, choices=ApplicationAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=ApplicationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=ApplicationStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")
        triggers = [append_only()]


class ReviewStatusChange(StatusChange):
    review = models.ForeignKey(
        "LimitReview", on_delete=models.PROTECT, related_name="status_changes"
    )
    action = models.CharField(_("action"), max_length=32, choices=ReviewAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=ReviewStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=ReviewStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("review status change")
        verbose_name_plural = _("review status changes")
        triggers = [append_only()]


@pghistory.track()
class AutoDecisionSettings(models.Model):
    """The automatic-decision rule set (SPEC 5), edited by the administrator in the admin."""

    enabled = models.BooleanField(_("automatic decisions enabled"), default=True)
    capacity_headroom_percent = models.DecimalField(
        _("capacity headroom to keep (%)"),
        max_digits=5,
        decimal_places=2,
        default=20,
        help_text=_("Decide automatically only if this share of the buyer's capacity stays free."),
    )
    max_payment_terms_days = models.PositiveSmallIntegerField(
        _("longest payment terms decided automatically"), default=90
    )

    class Meta:
        verbose_name = _("automatic-decision settings")
        verbose_name_plural = _("automatic-decision settings")

    def __str__(self):
        return str(_("Automatic-decision settings"))


@pghistory.track()
class AutoDecisionGradeRule(models.Model):
    """The largest amount decided automatically for buyers of one risk grade."""

    risk_grade = models.PositiveSmallIntegerField(_("risk grade"), unique=True)
    max_amount = MoneyField(_("largest automatic amount"))

    class Meta:
        ordering = ["risk_grade"]
        verbose_name = _("automatic-decision grade rule")
        verbose_name_plural = _("automatic-decision grade rules")

    def __str__(self):
        return f"{self.risk_grade}: {self.max_amount}"


@pghistory.track()
class AutoDecisionExclusion(models.Model):
    """A buyer whose applications always go to an underwriter."""

    buyer = models.OneToOneField("buyers.Buyer", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("buyer excluded from automatic decisions")
        verbose_name_plural = _("buyers excluded from automatic decisions")


@pghistory.track()
class LimitReview(models.Model):
    """A review of one limit (SPEC 5): yearly, or after a negative event on its buyer."""

    credit_limit = models.ForeignKey(CreditLimit, on_delete=models.PROTECT, related_name="reviews")
    reason = models.CharField(_("reason"), max_length=16, choices=ReviewReason.choices)
    negative_event = models.ForeignKey(
        "buyers.NegativeEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=ReviewOutcome.choices, blank=True
    )
    decision = models.ForeignKey(
        LimitDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("limit review")
        verbose_name_plural = _("limit reviews")
        triggers = [status_guard(), kept()]
        constraints = [
            # The review job may run twice: each event opens one review per limit, and a
            # limit has at most one open yearly review.
            FieldUniqueConstraint(
                fields=["credit_limit", "negative_event"],
                condition=Q(negative_event__isnull=False),
                name="review_one_per_limit_event",
                field="negative_event",
                violation_error_message=_("This limit is already reviewed for this event."),
            ),
            FieldUniqueConstraint(
                fields=["credit_limit"],
                condition=Q(reason="yearly", status="open"),
                name="review_one_open_yearly",
                field="credit_limit",
                violation_error_message=_("This limit already has an open yearly review."),
            ),
        ]
        indexes = [
            # The open reviews, the most overdue first (limits.views.queue), and all of
            # them in that order (the API), without a sort.
            models.Index(
                fields=["due_on", "id"], condition=Q(status="open"), name="review_open_list_idx"
            ),
            models.Index(fields=["due_on", "id"], name="review_list_idx"),
        ]


@pghistory.track()
class PendingOrdersCover(models.Model):
    """Pending-orders clause (待交付订单条款, SPEC 5) after a reduction or cancellation."""

    decision = models.ForeignKey(LimitDecision, on_delete=models.PROTECT, related_name="+")
    credit_limit = models.ForeignKey(
        CreditLimit, on_delete=models.PROTECT, related_name="pending_orders"
    )
    requested_on = models.DateField(_("requested in writing on"))
    # The 8-day rule counts to this day (SPEC 5), the letter's date may be back-dated.
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    contract_reference = models.CharField(_("contract reference"), max_length=100)
    contract_signed_on = models.DateField(_("contract signed on"))
    contract_amount = MoneyField(_("undelivered contract amount"))
    status = models.CharField(_("status"), max_length=8, choices=PendingOrdersStatus.choices)
    refusal_reasons = models.TextField(_("refusal reasons"), blank=True)
    covered_amount = MoneyField(_("amount covered"), default=0)
    cover_until = models.DateField(_("deliveries covered until"), null=True, blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [kept()]
        ordering = ["-created_at"]
        verbose_name = _("pending-orders request")
        verbose_name_plural = _("pending-orders requests")
        constraints = [
            FieldCheckConstraint(
                condition=Q(contract_amount__gt=0),
                name="pending_orders_amount_positive",
                field="contract_amount",
                violation_error_message=_("The contract amount must be more than zero."),
            ),
        ]
