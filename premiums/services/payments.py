"""Payments against debit notes, cancellations, and reinstatement once the overdue
premium is paid (SPEC 3.3, 6)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import transitions
from core.money import to_cents
from core.services import action
from deadlines.services import deadline_meet, deadline_waive
from notifications.services import notify_users
from policies.choices import POLICY_MACHINE, PolicyAction, PolicyStatus
from policies.models import PolicySuspension
from premiums import rules, texts
from premiums.choices import (
    DEBIT_NOTE_MACHINE,
    UNPAID_STATUSES,
    DebitNoteAction,
    DebitNoteKind,
)
from premiums.models import DebitNote, Payment
from premiums.services.account import SUSPEND_JOB
from premiums.services.common import require_staff
from premiums.services.notes import deadline_kind, lock_note_and_policy, policy_users

ERROR_NOT_PAYABLE = gettext_lazy("This note is %(status)s: no payment can be recorded on it.")
ERROR_AMOUNT = gettext_lazy("Enter an amount of more than zero.")
ERROR_OVERPAYMENT = gettext_lazy(
    "More than the %(outstanding)s outstanding: overpayments are refused; record at most "
    "the outstanding amount and refund or re-allocate the rest."
)
ERROR_FUTURE = gettext_lazy("The payment date cannot be in the future.")
ERROR_REASON = gettext_lazy("Give a reason for the cancellation.")
ERROR_NOT_CANCELLABLE = gettext_lazy("Only an unpaid note can be cancelled.")


def payment_record(
    *, actor, debit_note_id: int, amount: Decimal, paid_on: date, reference: str = "",
    today: date | None = None,
) -> Payment:  # fmt: skip
    """Record money received on a debit note (or refunded on a credit note): partial
    payments are allowed, an overpayment is refused (SPEC 6). Paid in full, the note's
    deadline is met and a policy suspended for non-payment is reinstated when no other
    instalment is more than 30 days overdue (SPEC 3.3)."""
    today = today or timezone.localdate()
    require_staff(actor)
    with action(actor):
        note = lock_note_and_policy(debit_note_id)
        if note.status not in UNPAID_STATUSES:
            raise ValidationError(
                {"debit_note": ERROR_NOT_PAYABLE % {"status": note.get_status_display()}}
            )
        amount = to_cents(amount) if amount is not None else None
        if amount is None or amount <= 0:
            raise ValidationError({"amount": ERROR_AMOUNT})
        if amount > note.outstanding:
            raise ValidationError(
                {"amount": ERROR_OVERPAYMENT % {"outstanding": f"{note.outstanding:,.2f}"}}
            )
        if paid_on > today:
            raise ValidationError({"paid_on": ERROR_FUTURE})
        payment = Payment(
            debit_note=note, amount=amount, paid_on=paid_on, reference=reference.strip(),
            recorded_by=actor,
        )  # fmt: skip
        payment.full_clean(exclude=["debit_note", "recorded_by"])
        payment.save()
        paid = note.paid_amount + amount
        full = rules.status_after_payment(amount=note.amount, paid=paid) == "paid"
        transitions.transition(
            DEBIT_NOTE_MACHINE, note, DebitNoteAction.PAY if full else DebitNoteAction.PAY_PART,
            actor=actor, cause=payment, changes={"paid_amount": paid}, today=today,
        )  # fmt: skip
        if full and not note.is_credit:
            deadline_meet(kind=deadline_kind(note), subject=note, on=paid_on, actor=actor)
            _reinstate_if_paid(note, actor=actor, today=today)
    return payment


def _reinstate_if_paid(note: DebitNote, *, actor, today: date) -> None:
    policy = note.policy
    if policy.status != PolicyStatus.SUSPENDED:
        return
    suspension = (
        PolicySuspension.objects.filter(policy=policy, ended_on__isnull=True)
        .select_related("started_by")
        .first()
    )
    if suspension is None or suspension.started_by.job != SUSPEND_JOB:
        return  # suspended by an underwriter for another reason: they lift it
    still_overdue = [
        other
        for other in policy.debit_notes.filter(
            kind=DebitNoteKind.INSTALMENT, status__in=UNPAID_STATUSES
        )
        if rules.suspends_policy(due_on=other.due_on, today=today)
    ]
    if still_overdue:
        return
    transitions.transition(
        POLICY_MACHINE, policy, PolicyAction.REINSTATE, actor=actor, cause=note,
        reason=texts.POLICY_REINSTATED(policy=str(policy)).render(), today=today,
    )  # fmt: skip
    notify_users(
        users=policy_users(policy),
        subject_code=texts.POLICY_REINSTATED.code,
        params={"policy": str(policy)},
        url=policy.get_absolute_url(),
    )


def debit_note_cancel(*, actor, debit_note_id: int, reason: str, today: date | None = None):
    """Staff cancel an unpaid note issued in error; its payment deadline falls away."""
    today = today or timezone.localdate()
    require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ERROR_REASON})
    with action(actor):
        note = lock_note_and_policy(debit_note_id)
        if note.status not in UNPAID_STATUSES or note.paid_amount:
            raise ValidationError({"debit_note": ERROR_NOT_CANCELLABLE})
        transitions.transition(
            DEBIT_NOTE_MACHINE, note, DebitNoteAction.CANCEL, actor=actor,
            reason=reason.strip(), today=today,
        )  # fmt: skip
        deadline_waive(kind=deadline_kind(note), subject=note, actor=actor, reason=reason)
        _reinstate_if_paid(note, actor=actor, today=today)
    return note
