"""Overdue notices, claims, their documents, recoveries, worksheets and payments (SPEC 7)."""

import pghistory
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from claims.choices import (
    CLAIM_BADGES,
    NOTICE_BADGES,
    ClaimAction,
    ClaimCause,
    ClaimStatus,
    DeclineReason,
    DocumentKind,
    Exclusion,
    NoticeAction,
    NoticeStatus,
    Payee,
    RecoveryReceiver,
    WorksheetAction,
    WorksheetStatus,
)
from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.models import StatusChange
from core.money import MoneyField
from core.records import kept, kept_unless_draft
from core.text import LONG_TEXT_MAX_LENGTH
from core.transitions import append_only, status_guard

_protect_updates = pgtrigger.Protect(
    name="append_only", operation=pgtrigger.Update | pgtrigger.Delete
)


@pghistory.track()
class OverdueNotice(models.Model):
    """The insured's report that one buyer has not paid (逾期账款通知书 / 可能损失通知书).

    While a draft it is the overdue account the insured follows: its invoices, their
    extensions and a repayment plan give the notice deadline (SPEC 3.2, 7). Filing it ends
    cover for later shipments to the buyer and suspends the buyer's limits on the policy.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="overdue_notices",
        verbose_name=_("policy"),
    )  # fmt: skip
    buyer = models.ForeignKey(
        "buyers.Buyer", on_delete=models.PROTECT, related_name="overdue_notices",
        verbose_name=_("buyer"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=NoticeStatus.choices)
    # The deadline as the invoices give it (kept current while a draft, frozen at filing).
    deadline_on = models.DateField(_("notice deadline"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    days_late = models.PositiveSmallIntegerField(_("days late"), default=0)
    comment = models.TextField(_("comment"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    prepared_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    filed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("filed by"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("overdue notice")
        verbose_name_plural = _("overdue notices")
        constraints = [
            FieldCheckConstraint(
                condition=~Q(status="filed") | Q(filed_on__isnull=False),
                name="notice_filed_has_date",
                field="filed_on",
                violation_error_message=_("A filed notice needs its filing date."),
            ),
            # One notice in progress per buyer and policy: a second overdue account on the
            # same buyer is added to the notice already open.
            FieldUniqueConstraint(
                fields=["policy", "buyer"],
                condition=Q(status="draft"),
                name="notice_one_draft_per_buyer",
                field="buyer",
                violation_error_message=_("A notice on this buyer is already being prepared."),
            ),
        ]
        triggers = [status_guard(), kept()]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("claims:notice", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return NOTICE_BADGES[self.status]

    @property
    def is_late(self) -> bool:
        return self.days_late > 0


class NoticeStatusChange(StatusChange):
    notice = models.ForeignKey(OverdueNotice, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=32, choices=NoticeAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=NoticeStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=NoticeStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("notice status change")
        verbose_name_plural = _("notice status changes")
        triggers = [append_only()]


@pghistory.track()
class NoticeInvoice(models.Model):
    """One unpaid invoice of the notice (SPEC 7)."""

    notice = models.ForeignKey(
        OverdueNotice, on_delete=models.CASCADE, related_name="invoices", verbose_name=_("notice")
    )
    number = models.CharField(_("invoice number"), max_length=40)
    invoice_date = models.DateField(_("invoice date"))
    shipment_date = models.DateField(_("shipment date"))
    amount = MoneyField(_("unpaid amount"))
    original_due_date = models.DateField(_("original due date"))
    extended_due_date = models.DateField(_("extended due date"), null=True, blank=True)
    # Set by the claims handler in the assessment (SPEC 3.4: disputes are not covered).
    disputed = models.BooleanField(_("disputed by the buyer"), default=False)

    class Meta:
        triggers = [kept_unless_draft("claims_overduenotice", "notice_id")]
        ordering = ["original_due_date", "number", "id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            FieldUniqueConstraint(
                fields=["notice", "number"],
                name="notice_invoice_unique",
                field="number",
                violation_error_message=_("This invoice is already on the notice."),
            ),
            FieldCheckConstraint(
                condition=Q(amount__gt=0),
                name="notice_invoice_amount_positive",
                field="amount",
                violation_error_message=_("The amount must be more than zero."),
            ),
            FieldCheckConstraint(
                condition=Q(original_due_date__gte=F("invoice_date")),
                name="notice_invoice_due_after_invoice",
                field="original_due_date",
                violation_error_message=_("The due date is before the invoice date."),
            ),
            FieldCheckConstraint(
                condition=Q(extended_due_date__isnull=True)
                | Q(extended_due_date__gt=F("original_due_date")),
                name="notice_invoice_extension_later",
                field="extended_due_date",
                violation_error_message=_("An extended due date comes after the original one."),
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def due_date(self):
        return self.extended_due_date or self.original_due_date


class InvoiceExtension(models.Model):
    """An extension of an invoice's due date agreed with the buyer (SPEC 7): a record."""

    invoice = models.ForeignKey(
        NoticeInvoice,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("invoice"),
    )
    from_due_date = models.DateField(_("due date before"))
    to_due_date = models.DateField(_("extended to"))
    agreed_on = models.DateField(_("agreed on"))
    reason = models.TextField(_("reason"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            FieldCheckConstraint(
                condition=Q(to_due_date__gt=F("from_due_date")),
                name="extension_moves_forward",
                field="to_due_date",
                violation_error_message=_("The new due date must come after the current one."),
            )
        ]
        triggers = [_protect_updates]


class RepaymentPlan(models.Model):
    """A repayment plan agreed with the buyer (SPEC 7); one per notice."""

    notice = models.OneToOneField(
        OverdueNotice, on_delete=models.CASCADE, related_name="repayment_plan",
        verbose_name=_("notice"),
    )  # fmt: skip
    agreed_on = models.DateField(_("agreed on"))
    note = models.TextField(_("note"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = [kept()]
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")


class PlanInstalment(models.Model):
    """One instalment of a repayment plan; unpaid after its date, it is missed and brings
    the notice deadline forward (SPEC 7)."""

    plan = models.ForeignKey(RepaymentPlan, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("due on"))
    amount = MoneyField(_("amount"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        triggers = [kept()]
        ordering = ["due_on", "id"]
        verbose_name = _("plan instalment")
        verbose_name_plural = _("plan instalments")
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__gt=0),
                name="plan_instalment_amount_positive",
                field="amount",
                violation_error_message=_("The amount must be more than zero."),
            ),
            FieldUniqueConstraint(
                fields=["plan", "due_on"],
                name="plan_instalment_date_unique",
                field="due_on",
                violation_error_message=_("The plan already has an instalment on this date."),
            ),
        ]


@pghistory.track()
class Claim(models.Model):
    """A claim opened from a filed notice (SPEC 7), with its clocks as dates."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    notice = models.OneToOneField(
        OverdueNotice, on_delete=models.PROTECT, related_name="claim", verbose_name=_("notice")
    )
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="claims", verbose_name=_("policy")
    )
    buyer = models.ForeignKey(
        "buyers.Buyer", on_delete=models.PROTECT, related_name="claims", verbose_name=_("buyer")
    )
    cause = models.CharField(_("cause"), max_length=24, choices=ClaimCause.choices)
    status = models.CharField(_("status"), max_length=16, choices=ClaimStatus.choices)
    opened_on = models.DateField(_("opened on"))
    documents_requested_on = models.DateField(
        _("missing documents asked for on"), null=True, blank=True
    )
    documents_complete_on = models.DateField(_("documents complete on"), null=True, blank=True)
    waiting_ends_on = models.DateField(_("waiting period ends on"), null=True, blank=True)
    debt_admitted_on = models.DateField(_("debt admitted on"), null=True, blank=True)
    decision_due_on = models.DateField(_("decision due on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    payment_due_on = models.DateField(_("payment due on"), null=True, blank=True)
    disputed_since = models.DateField(_("disputed since"), null=True, blank=True)
    # Where the dispute found the claim: a favourable judgment sends it back there.
    disputed_from = models.CharField(
        _("suspended from"), max_length=16, choices=ClaimStatus.choices, blank=True
    )
    handler = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("handler"),
    )  # fmt: skip
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            FieldCheckConstraint(
                condition=~Q(status="waiting") | Q(documents_complete_on__isnull=False),
                name="claim_waiting_after_complete",
                field="documents_complete_on",
                violation_error_message=_("The waiting period starts with complete documents."),
            ),
        ]
        indexes = [models.Index(fields=["status", "waiting_ends_on"], name="claim_waiting_idx")]
        triggers = [status_guard(), kept()]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("claims:claim", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return CLAIM_BADGES[self.status]


class ClaimStatusChange(StatusChange):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=32, choices=ClaimAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=ClaimStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=ClaimStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("claim status change")
        verbose_name_plural = _("claim status changes")
        triggers = [append_only()]


class ClaimDocument(models.Model):
    """A file of the claim (SPEC 7 checklist). The bytes live in the database, outside
    any web root, written in the same transaction as the row (no orphan files), and are
    read only through permission-checked views."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at", "id"]
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
        triggers = [_protect_updates]

    def __str__(self):
        return self.filename


class DocumentRequest(models.Model):
    """The insurer's one request for every missing document, all together (art. 22)."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="document_request")
    kinds = ArrayField(models.CharField(max_length=24, choices=DocumentKind.choices))
    note = models.TextField(_("note"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    requested_on = models.DateField(_("asked for on"))
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")
        triggers = [_protect_updates]


class Recovery(models.Model):
    """Money collected from the buyer after the notice (SPEC 7).

    Before payment it reduces the loss; after payment it is shared between insurer and
    insured in the indemnity percentage, each share recorded here.
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recoveries")
    received_on = models.DateField(_("received on"))
    amount = MoneyField(_("amount"))
    received_by = models.CharField(
        _("received by"), max_length=16, choices=RecoveryReceiver.choices,
        default=RecoveryReceiver.INSURED,
    )  # fmt: skip
    note = models.CharField(_("note"), max_length=200, blank=True)
    after_payment = models.BooleanField(_("after payment"), default=False)
    insurer_share = MoneyField(_("insurer's share"), default=0)
    insured_share = MoneyField(_("insured's share"), default=0)
    # The insurer's share collected by the insured is invoiced to it (premiums' debit note).
    debit_note = models.ForeignKey(
        "premiums.DebitNote", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("debit note"),
    )  # fmt: skip
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__gt=0),
                name="recovery_amount_positive",
                field="amount",
                violation_error_message=_("The amount must be more than zero."),
            ),
            FieldCheckConstraint(
                condition=Q(after_payment=False, insurer_share=0, insured_share=0)
                | Q(after_payment=True, amount=F("insurer_share") + F("insured_share")),
                name="recovery_shares_add_up",
                field="insurer_share",
                violation_error_message=_("The shares must add up to the recovery."),
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="append_only",
                operation=pgtrigger.Delete,
            )
        ]


@pghistory.track()
class Worksheet(models.Model):
    """One computation of the indemnity (SPEC 7): every figure stored as computed. The
    approved version is the record of the decision and is never recomputed."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="worksheets")
    version = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=WorksheetStatus.choices)
    outstanding = MoneyField(_("unpaid invoices"))
    covered_debt = MoneyField(_("covered debt"))
    recoveries = MoneyField(_("recoveries"))
    other_credits = MoneyField(_("other credits"))
    net_loss = MoneyField(_("net loss"), signed=True)
    franchise = MoneyField(_("franchise"))
    below_franchise = models.BooleanField(_("at or below the franchise"))
    limit_amount = MoneyField(_("credit limit"))
    loss_within_limit = MoneyField(_("loss within the limit"))
    indemnity_percentage = models.DecimalField(
        _("indemnity percentage"), max_digits=5, decimal_places=2
    )
    indemnity_before_cap = MoneyField(_("indemnity before the cap"))
    remaining_liability = MoneyField(_("remaining maximum liability"))
    indemnity = MoneyField(_("indemnity"))
    computed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        ordering = ["claim", "-version"]
        verbose_name = _("indemnity worksheet")
        verbose_name_plural = _("indemnity worksheets")
        constraints = [
            FieldUniqueConstraint(
                fields=["claim", "version"],
                name="worksheet_version_unique",
                field="version",
                violation_error_message=_("This version of the worksheet exists already."),
            ),
            FieldUniqueConstraint(
                fields=["claim"],
                condition=Q(status="approved"),
                name="worksheet_one_approved",
                field="status",
                violation_error_message=_("The claim already has an approved worksheet."),
            ),
            FieldCheckConstraint(
                condition=Q(indemnity__lte=F("remaining_liability"))
                & Q(indemnity__lte=F("indemnity_before_cap")),
                name="worksheet_indemnity_capped",
                field="indemnity",
                violation_error_message=_(
                    "The indemnity exceeds what remains of the maximum liability."
                ),
            ),
        ]
        triggers = [status_guard(), kept()]

    def __str__(self):
        return f"{self.claim.reference} v{self.version}"


class WorksheetStatusChange(StatusChange):
    worksheet = models.ForeignKey(Worksheet, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=32, choices=WorksheetAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=WorksheetStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=WorksheetStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("worksheet status change")
        verbose_name_plural = _("worksheet status changes")
        triggers = [append_only()]


class WorksheetLine(models.Model):
    """One invoice on the worksheet: in or out, with the reason and the limit of its
    shipment date, as it was when computed."""

    worksheet = models.ForeignKey(Worksheet, on_delete=models.CASCADE, related_name="lines")
    invoice = models.ForeignKey(NoticeInvoice, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("invoice number"), max_length=40)
    shipment_date = models.DateField(_("shipment date"))
    amount = MoneyField(_("amount"))
    limit_on_shipment = MoneyField(_("limit on the shipment date"), null=True, blank=True)
    covered = models.BooleanField(_("covered"))
    exclusion = models.CharField(_("reason"), max_length=24, choices=Exclusion.choices, blank=True)

    class Meta:
        ordering = ["shipment_date", "number", "id"]
        verbose_name = _("worksheet line")
        verbose_name_plural = _("worksheet lines")
        constraints = [
            FieldCheckConstraint(
                condition=Q(covered=True, exclusion="") | Q(covered=False) & ~Q(exclusion=""),
                name="worksheet_line_reason",
                field="exclusion",
                violation_error_message=_("An invoice out of cover needs its reason."),
            )
        ]
        triggers = [_protect_updates]


class ClaimDecision(models.Model):
    """Approve or decline, with reasons; a second approval is a second row (SPEC 2, 7)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="decisions")
    worksheet = models.ForeignKey(
        Worksheet, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    action = models.CharField(_("decision"), max_length=32, choices=ClaimAction.choices)
    reasons = ArrayField(
        models.CharField(max_length=24, choices=DeclineReason.choices), default=list, blank=True
    )
    note = models.TextField(_("note"), blank=True, max_length=LONG_TEXT_MAX_LENGTH)
    indemnity = MoneyField(_("indemnity"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    decided_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("claim decision")
        verbose_name_plural = _("claim decisions")
        triggers = [_protect_updates]


class PolicyLiability(models.Model):
    """What the insurer has committed of a policy year's maximum liability (SPEC 3.2, 7).

    Approving an indemnity adds to `committed` under a row lock; the database refuses a
    total above the maximum, so two claims approved at once can never exceed it.
    """

    policy = models.OneToOneField("policies.Policy", on_delete=models.PROTECT, related_name="+")
    max_liability = MoneyField(_("maximum liability"))
    committed = MoneyField(_("committed"), default=0)

    class Meta:
        triggers = [kept()]
        verbose_name = _("maximum liability used")
        verbose_name_plural = _("maximum liability used")
        constraints = [
            FieldCheckConstraint(
                condition=Q(committed__gte=0, committed__lte=F("max_liability")),
                name="liability_within_maximum",
                field="committed",
                violation_error_message=_("This would exceed the policy year's maximum liability."),
            )
        ]


class IndemnityPayment(models.Model):
    """The payment of an approved indemnity: once per claim, to the insured or to the bank
    of the assignment agreement covering the buyer (SPEC 7, 8)."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="payment")
    worksheet = models.OneToOneField(Worksheet, on_delete=models.PROTECT, related_name="payment")
    amount = MoneyField(_("amount"))
    payee = models.CharField(_("paid to"), max_length=16, choices=Payee.choices)
    payee_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("payee"),
    )  # fmt: skip
    bank_account = models.CharField(_("bank account"), max_length=100, blank=True)
    paid_on = models.DateField(_("paid on"))
    payment_reference = models.CharField(_("payment reference"), max_length=40, blank=True)
    paid_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("indemnity payment")
        verbose_name_plural = _("indemnity payments")
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__gt=0),
                name="indemnity_payment_positive",
                field="amount",
                violation_error_message=_("The amount must be more than zero."),
            )
        ]
        triggers = [_protect_updates]
