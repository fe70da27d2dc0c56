"""Issuing debit and credit notes (SPEC 6): a number from a database sequence, its lines,
its payment deadline in the deadline engine."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.urls import reverse

from core import transitions
from core.texts import Text
from deadlines.choices import DeadlineKind, DeadlineParty
from deadlines.services import deadline_set, recipients_of_insured
from notifications.services import notify_users
from policies.models import Policy
from premiums import texts
from premiums.choices import DEBIT_NOTE_MACHINE, DebitNoteAction, DebitNoteKind
from premiums.models import DebitNote, DebitNoteLine
from premiums.rules import PAYMENT_TERM_DAYS


def _next_number(kind: str, on: date) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('debit_note_number_seq')")
        (value,) = cursor.fetchone()
    prefix = "CN" if kind == DebitNoteKind.CREDIT_NOTE else "DN"
    return f"{prefix}{on:%Y}{value:07d}"


def deadline_kind(note: DebitNote) -> str:
    return (
        DeadlineKind.INSTALMENT
        if note.kind == DebitNoteKind.INSTALMENT
        else (DeadlineKind.DEBIT_NOTE)
    )


def note_issue(
    *, policy: Policy, kind: str, lines: list[tuple[Text, Decimal, int | None]], today: date,
    due_on: date | None = None, sequence: int = 1, corrects: DebitNote | None = None,
    actor=None, job: str = "", notify: bool = True,
) -> DebitNote:  # fmt: skip
    """Issue one note with its `lines` (text, signed amount, fee buyer id). A credit note's
    amount is what the lines give back (their sum is negative)."""
    total = sum((amount for _, amount, _ in lines), Decimal(0))
    amount = -total if kind == DebitNoteKind.CREDIT_NOTE else total
    due_on = max(due_on or today + timedelta(days=PAYMENT_TERM_DAYS), today)
    note = DebitNote(
        number=_next_number(kind, today), policy=policy, kind=kind, sequence=sequence,
        issued_on=today, due_on=due_on, amount=amount, corrects=corrects,
    )  # fmt: skip
    transitions.create(
        DEBIT_NOTE_MACHINE, note, DebitNoteAction.ISSUE, actor=actor, job=job, today=today
    )
    DebitNoteLine.objects.bulk_create(
        DebitNoteLine(
            debit_note=note,
            position=i,
            text_code=text.code,
            text_params=text.params,
            amount=line_amount,
            policy=policy,
            fee_buyer_id=buyer_id,
        )  # fmt: skip
        for i, (text, line_amount, buyer_id) in enumerate(lines, start=1)
    )
    url = reverse("premiums:debit_note", args=[note.pk])
    if kind != DebitNoteKind.CREDIT_NOTE:
        deadline_set(
            kind=deadline_kind(note), party=DeadlineParty.INSURED, policy=policy, subject=note,
            due_on=note.due_on, detail=note.number, url=url, actor=actor, job=job,
        )  # fmt: skip
    if notify:
        entry = texts.CREDIT_ISSUED if kind == DebitNoteKind.CREDIT_NOTE else texts.NOTE_ISSUED
        notify_users(
            users=policy_users(policy),
            subject_code=entry.code,
            params={"number": note.number, "amount": str(note.amount),
                    "due_on": note.due_on.isoformat()},
            url=url,
        )  # fmt: skip
    return note


def policy_users(policy: Policy):
    """Everyone at the insured who should hear of its premium account."""
    return recipients_of_insured(policy.insured_id)


def lock_note_and_policy(note_id: int) -> DebitNote:
    """The note and its policy, locked in one order (the policy first) by every path that
    pays, cancels or suspends: two payments on one policy, or a payment and the suspension
    sweep, see each other's outcome instead of deciding on what they read before."""
    policy_id = DebitNote.objects.values_list("policy_id", flat=True).get(pk=note_id)
    policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy_id)
    note = DebitNote.objects.select_for_update(of=("self",)).get(pk=note_id)
    note.policy = policy
    return note
