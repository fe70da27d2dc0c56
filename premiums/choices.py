"""Declaration and debit-note statuses with their transition tables (SPEC 6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import StateMachine


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SUPERSEDED = "superseded", _("Superseded by a correction")
    DISCARDED = "discarded", _("Discarded")


class DeclarationAction(models.TextChoices):
    PREPARE = "prepare", _("Prepare")
    DECLARE = "declare", _("Declare")
    EDIT = "edit", _("Edit")
    RETURN = "return", _("Return to the preparer")
    SUBMIT = "submit", _("Submit")
    DISCARD = "discard", _("Discard")
    SUPERSEDE = "supersede", _("Supersede")


DS, DA = DeclarationStatus, DeclarationAction

# SPEC 2, 6: a clerk prepares, an approver submits (or declares at once); a correction is
# a new version that supersedes the submitted one, never an edit of it.
DECLARATION_MACHINE = StateMachine(
    name="premiums.declaration",
    model="premiums.Declaration",
    history="premiums.DeclarationStatusChange",
    history_fk="declaration",
    rows=(
        ("", DA.PREPARE, DS.DRAFT),
        ("", DA.DECLARE, DS.SUBMITTED),
        (DS.DRAFT, DA.EDIT, DS.DRAFT),
        (DS.DRAFT, DA.RETURN, DS.DRAFT),
        (DS.DRAFT, DA.SUBMIT, DS.SUBMITTED),
        (DS.DRAFT, DA.DISCARD, DS.DISCARDED),
        (DS.SUBMITTED, DA.SUPERSEDE, DS.SUPERSEDED),
    ),
    status_labels=dict(DeclarationStatus.choices),
    action_labels=dict(DeclarationAction.choices),
)

DECLARATION_BADGES = {
    DS.DRAFT: "secondary",
    DS.SUBMITTED: "success",
    DS.SUPERSEDED: "light",
    DS.DISCARDED: "dark",
}


class QuarterState(models.TextChoices):
    """Where a policy quarter's declaration stands, as pages show it."""

    NOT_YET = "not_yet", _("Not yet due")
    DUE = "due", _("Due")
    DECLARED = "declared", _("Declared")
    LATE = "late", _("Declared late")
    MISSING = "missing", _("Missing")


QUARTER_BADGES = {
    QuarterState.NOT_YET: "light",
    QuarterState.DUE: "info",
    QuarterState.DECLARED: "success",
    QuarterState.LATE: "warning",
    QuarterState.MISSING: "danger",
}


class DebitNoteKind(models.TextChoices):
    INSTALMENT = "instalment", _("Minimum premium instalment")
    ADJUSTMENT = "adjustment", _("Year-end premium adjustment")
    ADJUSTMENT_CORRECTION = "adjustment_correction", _("Corrected premium adjustment")
    LIMIT_FEE = "limit_fee", _("Limit fees")
    CREDIT_NOTE = "credit_note", _("Credit note")
    # The insurer's share of a recovery the insured collected after payment (SPEC 7).
    RECOVERY_SHARE = "recovery_share", _("Insurer's share of a recovery")


class DebitNoteStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


class DebitNoteAction(models.TextChoices):
    ISSUE = "issue", _("Issue")
    PAY_PART = "pay_part", _("Record a part payment")
    PAY = "pay", _("Record the payment in full")
    FALL_OVERDUE = "fall_overdue", _("Fall overdue")
    CANCEL = "cancel", _("Cancel")


NS, NA = DebitNoteStatus, DebitNoteAction

DEBIT_NOTE_MACHINE = StateMachine(
    name="premiums.debit_note",
    model="premiums.DebitNote",
    history="premiums.DebitNoteStatusChange",
    history_fk="debit_note",
    rows=(
        ("", NA.ISSUE, NS.OPEN),
        (NS.OPEN, NA.PAY_PART, NS.PARTLY_PAID),
        (NS.PARTLY_PAID, NA.PAY_PART, NS.PARTLY_PAID),
        (NS.OVERDUE, NA.PAY_PART, NS.OVERDUE),
        (NS.OPEN, NA.PAY, NS.PAID),
        (NS.PARTLY_PAID, NA.PAY, NS.PAID),
        (NS.OVERDUE, NA.PAY, NS.PAID),
        (NS.OPEN, NA.FALL_OVERDUE, NS.OVERDUE),
        (NS.PARTLY_PAID, NA.FALL_OVERDUE, NS.OVERDUE),
        (NS.OPEN, NA.CANCEL, NS.CANCELLED),
        (NS.PARTLY_PAID, NA.CANCEL, NS.CANCELLED),
        (NS.OVERDUE, NA.CANCEL, NS.CANCELLED),
    ),
    status_labels=dict(DebitNoteStatus.choices),
    action_labels=dict(DebitNoteAction.choices),
)

UNPAID_STATUSES = frozenset({NS.OPEN, NS.PARTLY_PAID, NS.OVERDUE})

DEBIT_NOTE_BADGES = {
    NS.OPEN: "info",
    NS.PARTLY_PAID: "primary",
    NS.PAID: "success",
    NS.OVERDUE: "danger",
    NS.CANCELLED: "dark",
}
