import pghistory
import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import FieldCheckConstraint, FieldUniqueConstraint
from core.models import StatusChange
from core.money import MoneyField
from core.records import kept
from core.text import LONG_TEXT_MAX_LENGTH
from core.texts import render_text
from core.transitions import append_only, status_guard
from premiums.choices import (
    DEBIT_NOTE_BADGES,
    DECLARATION_BADGES,
    DebitNoteAction,
    DebitNoteKind,
    DebitNoteStatus,
    DeclarationAction,
    DeclarationStatus,
)


# Statement-level audit triggers: one trigger call per INSERT/UPDATE statement (reading
# its transition table) instead of one per row, so that a bulk upload of 100,000
# declarations writes its 100,000 audit events without 100,000 trigger calls, each with
# its own subtransaction (benchmarks/declaration_upload.py). The events are the same.
@pghistory.track(level=pghistory.Statement)
class Declaration(models.Model):
    """One version of the insured turnover of one policy quarter (SPEC 6).

    The quarter is the policy's own (a policy starting 1 April has April–June first).
    A correction is the next version with a reason; the one it replaces is superseded
    and stays visible.
    """

    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="declarations",
        verbose_name=_("policy"),
    )  # fmt: skip
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    quarter_start = models.DateField(_("quarter from"))
    quarter_end = models.DateField(_("quarter to"))
    due_on = models.DateField(_("due on"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    turnover = MoneyField(_("insured turnover"))
    nil = models.BooleanField(_("nil declaration (no insured sales)"), default=False)
    # A correction replaces a submitted declaration (a discarded draft is not one).
    is_correction = models.BooleanField(_("correction"), default=False)
    correction_reason = models.TextField(
        _("reason for the correction"), blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    status = models.CharField(_("status"), max_length=16, choices=DeclarationStatus.choices)
    prepared_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )  # fmt: skip
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    days_late = models.PositiveIntegerField(_("days late"), default=0)
    upload = models.ForeignKey(
        "premiums.DeclarationUpload", on_delete=models.PROTECT, null=True, blank=True,
        related_name="declarations", verbose_name=_("uploaded in"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["policy", "quarter", "-version"]
        verbose_name = _("turnover declaration")
        verbose_name_plural = _("turnover declarations")
        constraints = [
            FieldUniqueConstraint(
                fields=["policy", "quarter", "version"],
                name="declaration_version_unique",
                field="version",
                violation_error_message=_("This version of the quarter already exists."),
            ),
            FieldUniqueConstraint(
                fields=["policy", "quarter"],
                condition=Q(status="submitted"),
                name="declaration_one_current_per_quarter",
                field="quarter",
                violation_error_message=_("This quarter is already declared."),
            ),
            FieldUniqueConstraint(
                fields=["policy", "quarter"],
                condition=Q(status="draft"),
                name="declaration_one_draft_per_quarter",
                field="quarter",
                violation_error_message=_("This quarter already has a draft declaration."),
            ),
            FieldCheckConstraint(
                condition=Q(turnover__gte=0),
                name="declaration_turnover_not_negative",
                field="turnover",
                violation_error_message=_("The turnover cannot be negative."),
            ),
            FieldCheckConstraint(
                condition=Q(nil=True, turnover=0) | Q(nil=False, turnover__gt=0),
                name="declaration_nil_means_zero",
                field="turnover",
                violation_error_message=_(
                    "A quarter without insured sales is a nil declaration of zero."
                ),
            ),
            FieldCheckConstraint(
                condition=Q(is_correction=False) | ~Q(correction_reason=""),
                name="declaration_correction_has_reason",
                field="correction_reason",
                violation_error_message=_("Say why the declaration is corrected."),
            ),
            FieldCheckConstraint(
                condition=Q(quarter__gte=1, quarter_end__gte=F("quarter_start")),
                name="declaration_quarter_valid",
                field="quarter",
                violation_error_message=_("Not a quarter of the policy."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="declaration_status_due_idx")]
        triggers = [status_guard(), kept()]

    def __str__(self):
        return f"{self.policy} Q{self.quarter} v{self.version}"

    def get_absolute_url(self):
        return reverse("premiums:declaration", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return DECLARATION_BADGES[self.status]


class DeclarationStatusChange(StatusChange):
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=32, choices=DeclarationAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=DeclarationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=DeclarationStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("declaration status change")
        verbose_name_plural = _("declaration status changes")
        triggers = [append_only()]


class DeclarationUpload(models.Model):
    """A file of declarations loaded as a whole, or refused with a report per row (SPEC 6)."""

    class State(models.TextChoices):
        CHECKING = "checking", _("Checking")
        LOADED = "loaded", _("Loaded")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file"), max_length=200)
    # The file as uploaded, kept in the row (never under the web root) so that a worker
    # on another machine reads it and a retried task finds it (premiums.uploads).
    content = models.BinaryField(_("content"), default=b"", editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_loaded = models.PositiveIntegerField(_("rows loaded"), default=0)
    # [{"row": 3, "column": "amount", "message": "..."}], capped.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        triggers = [kept()]
        ordering = ["-created_at", "-id"]
        verbose_name = _("declaration upload")
        verbose_name_plural = _("declaration uploads")

    def __str__(self):
        return self.filename


@pghistory.track()
class DebitNote(models.Model):
    """An amount due from the insured, or (a credit note) owed to it (SPEC 6).

    Issued once and never edited: a correction is a new note. `paid_amount` is the sum
    of its payments, written with them.
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="debit_notes",
        verbose_name=_("policy"),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=24, choices=DebitNoteKind.choices)
    # Instalment number, or the adjustment's version (1 = the first year-end adjustment).
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=1)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    amount = MoneyField(_("amount"))
    paid_amount = MoneyField(_("paid"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=DebitNoteStatus.choices)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
        verbose_name=_("corrects"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "number"]
        verbose_name = _("debit note")
        verbose_name_plural = _("debit notes")
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__gt=0),
                name="debit_note_amount_positive",
                field="amount",
                violation_error_message=_("The amount must be more than zero."),
            ),
            FieldCheckConstraint(
                condition=Q(paid_amount__gte=0, paid_amount__lte=F("amount")),
                name="debit_note_paid_within_amount",
                field="paid_amount",
                violation_error_message=_("The payments exceed the amount of the note."),
            ),
            FieldCheckConstraint(
                condition=Q(due_on__gte=F("issued_on")),
                name="debit_note_due_after_issue",
                field="due_on",
                violation_error_message=_("The due date is before the issue date."),
            ),
            FieldUniqueConstraint(
                fields=["policy", "kind", "sequence"],
                condition=Q(kind__in=["instalment", "adjustment"]),
                name="debit_note_instalment_once",
                field="sequence",
                violation_error_message=_("This instalment or adjustment is already invoiced."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="debit_note_status_due_idx"),
            # A list's default order, walked in the index for its first page instead of
            # sorting every row the role sees (issue 10, B7: EXPLAIN on 20,000 rows).
            models.Index(fields=["due_on", "number"], name="debit_note_list_idx"),
        ]
        triggers = [status_guard(), kept()]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("premiums:debit_note", args=[self.pk])

    @property
    def status_badge(self) -> str:
        return DEBIT_NOTE_BADGES[self.status]

    @property
    def is_credit(self) -> bool:
        return self.kind == DebitNoteKind.CREDIT_NOTE

    @property
    def outstanding(self):
        return self.amount - self.paid_amount


class DebitNoteStatusChange(StatusChange):
    debit_note = models.ForeignKey(DebitNote, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=32, choices=DebitNoteAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=DebitNoteStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=DebitNoteStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("debit note status change")
        verbose_name_plural = _("debit note status changes")
        triggers = [append_only()]


class DebitNoteLine(models.Model):
    """One line of a note, signed from the insured's side (a deduction is negative); the
    text is a code rendered in the reader's language (core.texts)."""

    debit_note = models.ForeignKey(DebitNote, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    text_code = models.CharField(max_length=64)
    text_params = models.JSONField(default=dict, blank=True)
    amount = MoneyField(_("amount"), signed=True)
    # Set on a limit-fee line: one fee per buyer and policy year (a constraint).
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, related_name="+")
    fee_buyer = models.ForeignKey(
        "buyers.Buyer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["debit_note", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "fee_buyer"],
                condition=Q(fee_buyer__isnull=False),
                name="debit_note_line_one_fee_per_buyer",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="debit_note_line_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    @property
    def text(self) -> str:
        return render_text(self.text_code, self.text_params)


class Payment(models.Model):
    """Money received against a debit note, or refunded against a credit note. A record:
    never edited or deleted (a mistake is corrected by the insurer's finance team)."""

    debit_note = models.ForeignKey(
        DebitNote, on_delete=models.PROTECT, related_name="payments", verbose_name=_("debit note")
    )
    amount = MoneyField(_("amount"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            FieldCheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                field="amount",
                violation_error_message=_("The payment must be more than zero."),
            ),
        ]
        indexes = [
            # A list's default order, walked in the index for its first page instead of
            # sorting every row the role sees (issue 10, B7: EXPLAIN on 20,000 rows).
            models.Index(fields=["paid_on", "id"], name="payment_list_idx"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="payment_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self):
        return f"{self.debit_note} {self.amount}"


class PremiumAdjustment(models.Model):
    """One computation of the year-end adjustment (SPEC 6), kept so that the premium
    position is explainable: the first one after the year ends, then one per correction
    of a declaration. The note it issued (if the difference was not zero) is linked."""

    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="premium_adjustments"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    computed_on = models.DateField(_("computed on"))
    turnover = MoneyField(_("declared insured turnover"))
    premium = MoneyField(_("premium"))
    minimum_premium = MoneyField(_("minimum premium"))
    adjustment = MoneyField(_("adjustment"))
    difference = MoneyField(_("difference to the adjustment before"), signed=True)
    debit_note = models.OneToOneField(
        DebitNote, on_delete=models.PROTECT, null=True, blank=True, related_name="adjustment_run"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "version"]
        verbose_name = _("premium adjustment")
        verbose_name_plural = _("premium adjustments")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "version"], name="premium_adjustment_version_unique"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="premium_adjustment_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]
