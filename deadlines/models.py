from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.constraints import FieldUniqueConstraint
from core.models import StatusChange
from core.transitions import append_only, status_guard
from deadlines.choices import (
    STATUS_BADGES,
    DeadlineAction,
    DeadlineKind,
    DeadlineParty,
    DeadlineStatus,
)


class Deadline(models.Model):
    """One dated obligation (SPEC 7 "Deadline reminders", 10): what, whose, the object it
    belongs to, when it is due and whether it was met. Fed by the apps that create the
    obligation; swept daily for reminders and misses."""

    kind = models.CharField(_("what"), max_length=32, choices=DeadlineKind.choices)
    party = models.CharField(_("whose"), max_length=16, choices=DeadlineParty.choices)
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.PROTECT, related_name="deadlines",
        verbose_name=_("policy"),
    )  # fmt: skip
    buyer = models.ForeignKey(
        "buyers.Buyer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("buyer"),
    )  # fmt: skip
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # Tells apart several deadlines of one kind on one object (a policy's quarters "Q1"…).
    key = models.CharField(max_length=32, blank=True)
    # What a reader sees besides the kind: "Q3 2026-07-01 – 2026-09-30", a note number.
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    url = models.CharField(max_length=200, blank=True)
    # The obligation of an insured's draft: hidden from the insurer like the draft itself.
    private = models.BooleanField(_("private to the insured"), default=False)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    met_on = models.DateField(_("met on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            FieldUniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "key"],
                name="deadline_unique_per_subject",
                field="key",
                violation_error_message=_("This deadline already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="deadline_status_due_idx"),
            models.Index(fields=["policy", "status"], name="deadline_policy_status_idx"),
            # A list's default order, walked in the index for its first page instead of
            # sorting every row the role sees (issue 10, B7: EXPLAIN on 20,000 rows).
            models.Index(
                fields=["due_on", "id"], condition=Q(private=False), name="deadline_list_idx"
            ),
            # The declarations list is the declaration deadlines in that order.
            models.Index(
                fields=["kind", "due_on", "id"],
                condition=Q(private=False),
                name="deadline_kind_list_idx",
            ),  # fmt: skip
            # The calendar numbers a month's deadlines per day by kind from the index
            # alone, and counts them per day and status (deadlines.views).
            models.Index(
                fields=["due_on", "kind", "id"],
                include=["status"],
                condition=Q(private=False),
                name="deadline_calendar_idx",
            ),  # fmt: skip
            # "What is due next": the pending ones by date, without the met and waived;
            # with the id, also the deadlines list's default (pending, by date) page.
            models.Index(
                fields=["due_on", "id"],
                condition=Q(status__in=["open", "missed"]),
                name="deadline_pending_due_idx",
            ),
        ]
        triggers = [status_guard()]

    def __str__(self):
        return f"{self.get_kind_display()} {self.detail} {self.due_on}".strip()

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def is_late(self) -> bool:
        return self.met_on is not None and self.met_on > self.due_on


class DeadlineStatusChange(StatusChange):
    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=32, choices=DeadlineAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=DeadlineStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=DeadlineStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("deadline status change")
        verbose_name_plural = _("deadline status changes")
        triggers = [append_only()]


class DeadlineReminder(models.Model):
    """A reminder sent: at most one per deadline and offset (days before; -1 = missed),
    so a sweep run twice, or after a crash, sends each reminder once."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.SmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "offset_days"], name="deadline_reminder_once"
            ),
        ]
