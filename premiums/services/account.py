"""The premium account of a policy year (SPEC 3.2, 6): instalments and declaration
deadlines when it comes into force, limit fees, the year-end adjustment and its
corrections, and the daily sweep."""

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from buyers.models import Buyer
from core import transitions
from core.services import action
from core.sweeps import drain
from deadlines.choices import DeadlineKind, DeadlineParty
from deadlines.services import deadline_meet, deadline_set, deadline_waive
from limits.selectors import limit_fee_assessments
from notifications.services import notify_users
from policies.choices import LIVE_STATUSES, POLICY_MACHINE, PolicyAction, PolicyStatus
from policies.models import Policy
from premiums import rules, texts
from premiums.choices import (
    DEBIT_NOTE_MACHINE,
    UNPAID_STATUSES,
    DebitNoteAction,
    DebitNoteKind,
    DebitNoteStatus,
    DeclarationStatus,
)
from premiums.models import DebitNote, DebitNoteLine, Declaration, PremiumAdjustment
from premiums.services.notes import (
    deadline_kind,
    lock_note_and_policy,
    note_issue,
    policy_users,
)

JOB = "premiums.sweep"
SUSPEND_JOB = "premiums.suspend_for_non_payment"


def policy_quarters(policy: Policy) -> list[rules.Quarter]:
    return rules.policy_quarters(period_start=policy.period_start, period_end=policy.period_end)


def premium_account_open(*, policy_id: int, today: date, actor=None, job: str = "") -> int:
    """Invoice the minimum premium instalments and record each quarter's declaration
    deadline (idempotent: what exists is left alone). Returns the notes issued."""
    issued = 0
    with action(actor):
        policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy_id)
        url = reverse("premiums:policy", args=[policy.pk])
        for q in policy_quarters(policy):
            deadline = deadline_set(
                kind=DeadlineKind.DECLARATION, party=DeadlineParty.INSURED, policy=policy,
                subject=policy, key=q.label, detail=f"{q.label} {q.start} – {q.end}", url=url,
                due_on=rules.declaration_due_on(
                    quarter_end=q.end, deadline_days=policy.declaration_deadline_days
                ),
                actor=actor, job=job,
            )  # fmt: skip
            declared = Declaration.objects.filter(
                policy=policy, quarter=q.index, status=DeclarationStatus.SUBMITTED
            ).first()
            if declared and deadline.status != "met":
                deadline_meet(
                    kind=DeadlineKind.DECLARATION, subject=policy, key=q.label,
                    on=declared.submitted_on, actor=actor, job=job,
                )  # fmt: skip
        existing = set(
            policy.debit_notes.filter(kind=DebitNoteKind.INSTALMENT).values_list(
                "sequence", flat=True
            )
        )
        plan = rules.instalments(
            minimum_premium=policy.minimum_premium, count=policy.instalment_count,
            period_start=policy.period_start, period_end=policy.period_end,
        )  # fmt: skip
        for instalment in plan:
            if instalment.sequence in existing or instalment.amount <= 0:
                continue
            line = texts.LINE_INSTALMENT(
                sequence=instalment.sequence, count=len(plan), minimum=policy.minimum_premium
            )
            note_issue(
                policy=policy, kind=DebitNoteKind.INSTALMENT, sequence=instalment.sequence,
                lines=[(line, instalment.amount, None)], due_on=instalment.due_on, today=today,
                actor=actor, job=job, notify=instalment.sequence == 1,
            )  # fmt: skip
            issued += 1
    return issued


def premium_account_close(*, policy_id: int, today: date, actor=None, job: str = "") -> None:
    """A cancelled policy: instalments not yet due are cancelled and no declaration is
    owed any more (what was due is settled by the insurer's final account)."""
    with action(actor):
        policy = Policy.objects.get(pk=policy_id)
        for note in policy.debit_notes.filter(
            kind=DebitNoteKind.INSTALMENT, status__in=UNPAID_STATUSES, due_on__gt=today,
            paid_amount=0,
        ):  # fmt: skip
            transitions.transition(
                DEBIT_NOTE_MACHINE, note, DebitNoteAction.CANCEL, actor=actor, job=job,
                today=today,
            )  # fmt: skip
            deadline_waive(kind=deadline_kind(note), subject=note, actor=actor, job=job)
        # A cancelled policy takes no declarations (declarations.DECLARABLE_POLICY_STATUSES):
        # none of its quarters is owed any more, so no reminder goes out for one.
        for q in policy_quarters(policy):
            deadline_waive(
                kind=DeadlineKind.DECLARATION, subject=policy, key=q.label, actor=actor,
                job=job,
            )  # fmt: skip


def _declared_turnover(policy: Policy):
    """The sum of the current declarations and whether every quarter is declared."""
    current = Declaration.objects.filter(policy=policy, status=DeclarationStatus.SUBMITTED)
    total = current.aggregate(total=Sum("turnover"))["total"] or 0
    return total, current.count() >= len(policy_quarters(policy))


def _adjustment_invoiced(policy: Policy):
    """What the year's adjustment notes still invoice: adjustments and corrections less
    credit notes, leaving out any cancelled (a note cancelled in error invoices nothing)."""
    notes = policy.debit_notes.exclude(status=DebitNoteStatus.CANCELLED)
    debits = (
        notes.filter(
            kind__in=[DebitNoteKind.ADJUSTMENT, DebitNoteKind.ADJUSTMENT_CORRECTION]
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    credits = (
        notes.filter(kind=DebitNoteKind.CREDIT_NOTE).aggregate(total=Sum("amount"))["total"] or 0
    )
    return debits - credits


def premium_adjust(
    *, policy_id: int, today: date, actor=None, job: str = ""
) -> PremiumAdjustment | None:
    """SPEC 6 year-end adjustment: once the year has ended and every quarter is declared,
    invoice max(0, premium − minimum premium). After a correction, the difference to the
    adjustment before is invoiced (a debit note) or credited (a credit note); an issued
    note is never changed. Idempotent: nothing happens while the declared total stands."""
    with action(actor):
        policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy_id)
        if today < policy.period_end:
            return None
        turnover, complete = _declared_turnover(policy)
        if not complete:
            return None
        last = policy.premium_adjustments.order_by("-version").first()
        if last is not None and last.turnover == turnover:
            return None
        premium = rules.premium(turnover=turnover, rate_percent=policy.premium_rate_percent)
        adjustment = rules.year_end_adjustment(
            premium=premium, minimum_premium=policy.minimum_premium
        )
        invoiced = _adjustment_invoiced(policy)
        difference = rules.adjustment_correction(adjustment=adjustment, invoiced=invoiced)
        version = (last.version + 1) if last else 1
        note = None
        if difference:
            lines = [
                (
                    texts.LINE_PREMIUM(
                        turnover=turnover, rate=str(policy.premium_rate_percent.normalize())
                    ),
                    premium,
                    None,
                ),
                (texts.LINE_LESS_MINIMUM(), -min(premium, policy.minimum_premium), None),
            ]
            if last is not None and invoiced:
                lines.append((texts.LINE_LESS_INVOICED(version=last.version), -invoiced, None))
            if last is None:
                kind = DebitNoteKind.ADJUSTMENT
            elif difference > 0:
                kind = DebitNoteKind.ADJUSTMENT_CORRECTION
            else:
                kind = DebitNoteKind.CREDIT_NOTE
            corrects = last.debit_note if last else None
            note = note_issue(
                policy=policy, kind=kind, lines=lines, today=today, actor=actor, job=job,
                sequence=version, corrects=corrects,
            )  # fmt: skip
        return PremiumAdjustment.objects.create(
            policy=policy, version=version, computed_on=today, turnover=turnover,
            premium=premium, minimum_premium=policy.minimum_premium, adjustment=adjustment,
            difference=difference, debit_note=note,
        )  # fmt: skip


def limit_fees_invoice(
    *, policy_id: int, today: date, actor=None, job: str = ""
) -> DebitNote | None:
    """SPEC 3.2: one note for the buyers newly owing a limit fee (828 each), the first ten
    assessed at inception free; each buyer is invoiced once per policy year."""
    with action(actor):
        policy = Policy.objects.select_for_update(of=("self",)).get(pk=policy_id)
        if today < policy.period_start or policy.limit_fee <= 0:
            return None
        chargeable = rules.chargeable_limit_fee_buyers(
            assessments=limit_fee_assessments(policy_id=policy.pk),
            inception=policy.period_start, free_count=policy.free_limit_count,
        )  # fmt: skip
        charged = set(
            # A fee cancelled with its note is waived for the year (one fee line per
            # buyer and year, a constraint): it is not invoiced again.
            DebitNoteLine.objects.filter(policy=policy, fee_buyer__isnull=False).values_list(
                "fee_buyer_id", flat=True
            )
        )
        new = [pk for pk in chargeable if pk not in charged]
        if not new:
            return None
        buyers = Buyer.objects.in_bulk(new)
        lines = [
            (
                texts.LINE_LIMIT_FEE(buyer=buyers[pk].name, uscc=buyers[pk].uscc),
                policy.limit_fee,
                pk,
            )
            for pk in new
        ]
        return note_issue(
            policy=policy, kind=DebitNoteKind.LIMIT_FEE, lines=lines, today=today, actor=actor,
            job=job,
        )  # fmt: skip


def _fall_overdue(note_id: int, *, today: date) -> bool:
    note = DebitNote.objects.get(pk=note_id)
    return (
        transitions.transition(
            DEBIT_NOTE_MACHINE, note, DebitNoteAction.FALL_OVERDUE, job=JOB, claim=True, today=today
        )
        is not None
    )


def _suspend_for(note_id: int, *, today: date) -> bool:
    """SPEC 3.3: an instalment more than 30 days overdue suspends a policy in force."""
    with transaction.atomic():
        note = lock_note_and_policy(note_id)  # waits for a payment being recorded
        if note.status not in UNPAID_STATUSES or not rules.suspends_policy(
            due_on=note.due_on, today=today
        ):
            return False
        moved = transitions.transition(
            POLICY_MACHINE, note.policy, PolicyAction.SUSPEND, job=SUSPEND_JOB, cause=note,
            reason=texts.SUSPENDED_REASON(number=note.number, days=rules.SUSPENSION_AFTER_DAYS_OVERDUE).render(),
            claim=True, today=today,
        )  # fmt: skip
        if moved is None:
            return False
        notify_users(
            users=policy_users(note.policy),
            subject_code=texts.POLICY_SUSPENDED.code,
            params={"policy": str(note.policy), "number": note.number},
            url=note.policy.get_absolute_url(),
        )
    return True


def premiums_sweep(*, today: date | None = None) -> dict:
    """Daily (SPEC 10), each step idempotent and per row: open the accounts of live
    policies, invoice new limit fees, mark notes overdue, suspend policies for instalments
    more than 30 days overdue, and adjust ended years whose declarations are complete."""
    today = today or timezone.localdate()
    live = Policy.objects.filter(status__in=LIVE_STATUSES)
    opened = drain(
        live.exclude(debit_notes__kind=DebitNoteKind.INSTALMENT),
        lambda pk: bool(premium_account_open(policy_id=pk, today=today, job=JOB)),
    )
    fees = drain(
        live.filter(period_start__lte=today),
        lambda pk: limit_fees_invoice(policy_id=pk, today=today, job=JOB) is not None,
    )
    overdue = drain(
        DebitNote.objects.filter(
            status__in=[DebitNoteStatus.OPEN, DebitNoteStatus.PARTLY_PAID], due_on__lt=today
        ).exclude(kind=DebitNoteKind.CREDIT_NOTE),
        lambda pk: _fall_overdue(pk, today=today),
    )
    suspended = drain(
        DebitNote.objects.filter(
            kind=DebitNoteKind.INSTALMENT, status__in=UNPAID_STATUSES,
            due_on__lt=today.fromordinal(today.toordinal() - rules.SUSPENSION_AFTER_DAYS_OVERDUE),
            policy__status=PolicyStatus.IN_FORCE,
        ),
        lambda pk: _suspend_for(pk, today=today),
    )  # fmt: skip
    adjusted = drain(
        Policy.objects.filter(
            status__in=[*LIVE_STATUSES, PolicyStatus.EXPIRED],
            period_end__lte=today,
            premium_adjustments__isnull=True,
        ),
        lambda pk: premium_adjust(policy_id=pk, today=today, job=JOB) is not None,
    )
    return {
        "opened": opened, "limit_fees": fees, "overdue": overdue, "suspended": suspended,
        "adjusted": adjusted,
    }  # fmt: skip
