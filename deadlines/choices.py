"""Deadline kinds, whose they are, and the deadline's own small lifecycle (SPEC 7, 10)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import StateMachine


class DeadlineKind(models.TextChoices):
    """Every obligation with a date that someone can miss. Apps that create obligations
    add their kinds here (claims adds notice, extension, filing and the insurer's own)."""

    DECLARATION = "declaration", _("Turnover declaration")
    INSTALMENT = "instalment", _("Premium instalment")
    DEBIT_NOTE = "debit_note", _("Debit note payment")
    # The insured's, on an overdue account and its claim (SPEC 3.2, 7).
    EXTENSION_END = "extension_end", _("End of an extension")
    OVERDUE_NOTICE = "overdue_notice", _("Overdue notice")
    CLAIM_FILING = "claim_filing", _("Claim filing")
    LIMIT_APPLICATION = "limit_application", _("Limit application after a shipment")
    # The insurer's own (Insurance Law art. 22, 23, 25; SPEC 3.2).
    DOCUMENT_REQUEST = "document_request", _("Ask for the missing documents")
    CLAIM_DECISION = "claim_decision", _("Claim decision")
    INDEMNITY_PAYMENT = "indemnity_payment", _("Indemnity payment")
    ADVANCE_PAYMENT = "advance_payment", _("Advance payment")


class DeadlineParty(models.TextChoices):
    INSURED = "insured", _("Insured")
    INSURER = "insurer", _("Insurer")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    WAIVED = "waived", _("Waived")


class DeadlineAction(models.TextChoices):
    OPEN = "open", _("Open")
    MEET = "meet", _("Meet")
    MISS = "miss", _("Miss")
    MEET_LATE = "meet_late", _("Meet late")
    WAIVE = "waive", _("Waive")


S, A = DeadlineStatus, DeadlineAction

DEADLINE_MACHINE = StateMachine(
    name="deadlines.deadline",
    model="deadlines.Deadline",
    history="deadlines.DeadlineStatusChange",
    history_fk="deadline",
    rows=(
        ("", A.OPEN, S.OPEN),
        (S.OPEN, A.MEET, S.MET),
        (S.OPEN, A.MISS, S.MISSED),
        # A late filing still counts (a late declaration is accepted and marked late).
        (S.MISSED, A.MEET_LATE, S.MET),
        (S.OPEN, A.WAIVE, S.WAIVED),
        (S.MISSED, A.WAIVE, S.WAIVED),
    ),
    status_labels=dict(DeadlineStatus.choices),
    action_labels=dict(DeadlineAction.choices),
)

PENDING_STATUSES = frozenset({S.OPEN, S.MISSED})

STATUS_BADGES = {
    S.OPEN: "info",
    S.MET: "success",
    S.MISSED: "danger",
    S.WAIVED: "secondary",
}

# The reminder sent after a deadline is missed is stored under this offset.
MISSED_OFFSET = -1
