"""Declarations, the premium account, payments and suspension, through the services
(SPEC 2, 3.3, 6), with the SPEC's figures."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deadlines.choices import DeadlineKind, DeadlineStatus
from deadlines.models import Deadline
from limits.models import CreditLimit
from policies.choices import PolicyStatus
from policies.models import Policy
from policies.selectors import policy_suspended_on
from premiums import services
from premiums.choices import DebitNoteKind, DebitNoteStatus, DeclarationStatus
from premiums.models import DebitNote, Declaration, PremiumAdjustment
from premiums.selectors import premium_position
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db
D = Decimal
YEAR_END = date(2027, 1, 5)


def _declare_year(policy, actor, amounts, *, today=YEAR_END):
    for quarter, amount in enumerate(amounts, start=1):
        services.declaration_prepare(
            actor=actor, policy_id=policy.pk, quarter=quarter, turnover=D(amount),
            nil=D(amount) == 0, submit=True, today=today,
        )  # fmt: skip


def test_opening_the_account_invoices_four_instalments_and_four_declaration_deadlines(policy):
    assert services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1)) == 4
    notes = list(policy.debit_notes.order_by("sequence"))
    assert [(n.kind, n.amount, n.due_on) for n in notes] == [
        (DebitNoteKind.INSTALMENT, D("50000.00"), date(2026, 1, 1)),
        (DebitNoteKind.INSTALMENT, D("50000.00"), date(2026, 4, 1)),
        (DebitNoteKind.INSTALMENT, D("50000.00"), date(2026, 7, 1)),
        (DebitNoteKind.INSTALMENT, D("50000.00"), date(2026, 10, 1)),
    ]
    assert all(n.number.startswith("DN2026") and n.status == DebitNoteStatus.OPEN for n in notes)
    declaration_deadlines = Deadline.objects.filter(kind=DeadlineKind.DECLARATION, policy=policy)
    assert sorted(declaration_deadlines.values_list("key", "due_on")) == [
        ("Q1", date(2026, 4, 15)),
        ("Q2", date(2026, 7, 15)),
        ("Q3", date(2026, 10, 15)),
        ("Q4", date(2027, 1, 15)),
    ]
    assert Deadline.objects.filter(kind=DeadlineKind.INSTALMENT, policy=policy).count() == 4
    # Idempotent: a second run adds nothing.
    assert services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 2)) == 0
    assert Deadline.objects.filter(policy=policy).count() == 8


def test_issuing_a_policy_opens_its_account(insured_a, underwriter):
    from policies.services import policy_transition
    from tests.factories import PolicyFactory

    quoted = PolicyFactory(insured=insured_a, status=PolicyStatus.QUOTED)
    policy_transition(actor=underwriter, policy_id=quoted.pk, action_name="issue")
    assert quoted.debit_notes.filter(kind=DebitNoteKind.INSTALMENT).count() == 4


def test_clerk_prepares_approver_submits_and_the_deadline_is_met(policy, clerk, approver):
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    draft = services.declaration_prepare(
        actor=clerk, policy_id=policy.pk, quarter=2, turnover=D("12500000"), submit=True,
        today=date(2026, 7, 10),
    )  # fmt: skip
    assert draft.status == DeclarationStatus.DRAFT  # a clerk cannot submit (SPEC 2)
    with pytest.raises(PermissionError):
        services.declaration_submit(actor=clerk, declaration_id=draft.pk, today=date(2026, 7, 10))
    submitted = services.declaration_submit(
        actor=approver, declaration_id=draft.pk, today=date(2026, 7, 20)
    )
    assert (submitted.status, submitted.submitted_by, submitted.days_late) == (
        DeclarationStatus.SUBMITTED, approver, 5,
    )  # fmt: skip
    deadline = Deadline.objects.get(kind=DeadlineKind.DECLARATION, policy=policy, key="Q2")
    assert (deadline.status, deadline.met_on, deadline.is_late) == (
        DeadlineStatus.MET, date(2026, 7, 20), True,
    )  # fmt: skip
    position = premium_position(policy, user=approver)
    assert position.declared_turnover == D("12500000")
    assert position.premium_to_date == D("62500.00")


def test_the_other_insured_cannot_declare(policy, personas):
    with pytest.raises(PermissionError):
        services.declaration_prepare(
            actor=personas["insured_b"], policy_id=policy.pk, quarter=1, turnover=D("1"),
            today=date(2026, 7, 1),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"quarter": 5, "turnover": D("1")}, "quarter"),
        ({"quarter": 3, "turnover": D("1")}, "quarter"),  # Q3 ends 30 Sep, today 15 Sep
        ({"quarter": 1, "turnover": D("-1")}, "turnover"),
        ({"quarter": 1, "turnover": D("0")}, "turnover"),  # zero needs the nil box
        ({"quarter": 1, "turnover": D("5"), "nil": True}, "turnover"),
    ],
)
def test_bad_declarations_name_the_field(policy, approver, fields, field):
    with pytest.raises(ValidationError) as error:
        services.declaration_prepare(actor=approver, policy_id=policy.pk, **fields)
    assert field in error.value.message_dict
    assert not Declaration.objects.exists()


def test_nil_declaration(policy, approver):
    declaration = services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=None, nil=True, submit=True
    )
    assert (declaration.nil, declaration.turnover) == (True, D(0))


def test_correction_is_a_new_version_with_a_reason(policy, approver):
    first = services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=D("10000000"), submit=True
    )
    with pytest.raises(ValidationError) as error:
        services.declaration_prepare(
            actor=approver, policy_id=policy.pk, quarter=1, turnover=D("11000000"), submit=True
        )
    assert "correction_reason" in error.value.message_dict
    second = services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=D("11000000"), submit=True,
        correction_reason="发票漏记",
    )  # fmt: skip
    first.refresh_from_db()
    assert (first.status, first.turnover) == (DeclarationStatus.SUPERSEDED, D("10000000"))
    assert (second.version, second.status) == (2, DeclarationStatus.SUBMITTED)
    assert list(policy.declarations.filter(quarter=1).values_list("version", flat=True)) == [2, 1]


@pytest.mark.parametrize(
    ("rate", "amounts", "adjustment"),
    [
        (D("0.5"), ["15000000"] * 4, D("100000.00")),  # 60,000,000
        (D("0.5"), ["7500000"] * 4, None),  # 30,000,000 → 0, no note
        (D("0.42"), ["20000000"] * 4, D("168000.00")),  # 80,000,000
    ],
)
def test_year_end_adjustment_spec_examples(insured_a, approver, rate, amounts, adjustment):
    from tests.factories import PolicyFactory

    policy = PolicyFactory(
        insured=insured_a, status=PolicyStatus.IN_FORCE, premium_rate_percent=rate
    )
    _declare_year(policy, approver, amounts)
    run = PremiumAdjustment.objects.get(policy=policy)
    assert run.adjustment == (adjustment or D(0))
    notes = policy.debit_notes.filter(kind=DebitNoteKind.ADJUSTMENT)
    if adjustment is None:
        assert not notes.exists() and run.debit_note is None
    else:
        note = notes.get()
        assert note.amount == adjustment
        assert sum(line.amount for line in note.lines.all()) == adjustment


def test_correction_after_the_adjustment_issues_a_corrected_note_never_an_edit(policy, approver):
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    _declare_year(policy, approver, ["15000000"] * 4)  # adjustment 100,000
    original = policy.debit_notes.get(kind=DebitNoteKind.ADJUSTMENT)
    services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=4, turnover=D("16000000"), submit=True,
        correction_reason="Q4 returns credited", today=date(2027, 2, 1),
    )  # fmt: skip
    correction = policy.debit_notes.get(kind=DebitNoteKind.ADJUSTMENT_CORRECTION)
    assert (correction.amount, correction.corrects) == (D("5000.00"), original)
    original.refresh_from_db()
    assert original.amount == D("100000.00")
    # Correcting down below the minimum: a credit note for what was invoiced.
    services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=4, turnover=D("1000000"), submit=True,
        correction_reason="wrong quarter", today=date(2027, 2, 2),
    )  # fmt: skip
    credit = policy.debit_notes.get(kind=DebitNoteKind.CREDIT_NOTE)
    # 46,000,000 → premium 230,000 → adjustment 30,000; 105,000 was invoiced.
    assert credit.amount == D("75000.00") and credit.number.startswith("CN")
    assert list(policy.premium_adjustments.values_list("adjustment", flat=True)) == [
        D("100000.00"), D("105000.00"), D("30000.00"),
    ]  # fmt: skip
    position = premium_position(policy, user=approver)
    assert position.balance == D("200000.00") + D("30000.00")


def test_payments_partial_full_and_overpayment_refused(policy, underwriter, approver):
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    note = policy.debit_notes.get(sequence=1)
    with pytest.raises(PermissionError):
        services.payment_record(
            actor=approver, debit_note_id=note.pk, amount=D("1"), paid_on=date(2026, 1, 2)
        )
    services.payment_record(
        actor=underwriter, debit_note_id=note.pk, amount=D("20000"), paid_on=date(2026, 1, 5)
    )
    note.refresh_from_db()
    assert (note.status, note.paid_amount) == (DebitNoteStatus.PARTLY_PAID, D("20000"))
    with pytest.raises(ValidationError) as error:
        services.payment_record(
            actor=underwriter, debit_note_id=note.pk, amount=D("30000.01"),
            paid_on=date(2026, 1, 6),
        )  # fmt: skip
    assert "30,000.00" in error.value.message_dict["amount"][0]
    services.payment_record(
        actor=underwriter, debit_note_id=note.pk, amount=D("30000"), paid_on=date(2026, 1, 6)
    )
    note.refresh_from_db()
    assert note.status == DebitNoteStatus.PAID
    deadline = Deadline.objects.get(kind=DeadlineKind.INSTALMENT, subject_id=note.pk)
    assert (deadline.status, deadline.met_on) == (DeadlineStatus.MET, date(2026, 1, 6))


def test_instalment_31_days_overdue_suspends_and_payment_reinstates(policy, underwriter):
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    for sequence in (1, 2):
        note = policy.debit_notes.get(sequence=sequence)
        services.payment_record(
            actor=underwriter, debit_note_id=note.pk, amount=note.amount,
            paid_on=date(2026, 1, 1), today=date(2026, 4, 1),
        )  # fmt: skip
    third = policy.debit_notes.get(sequence=3)  # due 2026-07-01
    services.premiums_sweep(today=date(2026, 7, 2))
    third.refresh_from_db()
    assert third.status == DebitNoteStatus.OVERDUE
    services.premiums_sweep(today=date(2026, 7, 31))  # 30 days overdue: not yet
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_FORCE
    result = services.premiums_sweep(today=date(2026, 8, 1))  # the 31st day
    assert result["suspended"] == 1
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.SUSPENDED
    assert services.premiums_sweep(today=date(2026, 8, 2))["suspended"] == 0  # twice-run safe
    services.payment_record(
        actor=underwriter, debit_note_id=third.pk, amount=D("10000"), paid_on=date(2026, 8, 9),
        today=date(2026, 8, 10),
    )  # fmt: skip
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.SUSPENDED  # partly paid
    services.payment_record(
        actor=underwriter, debit_note_id=third.pk, amount=D("40000"), paid_on=date(2026, 8, 10),
        today=date(2026, 8, 10),
    )  # fmt: skip
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.IN_FORCE
    assert not policy_suspended_on(policy_id=policy.pk, on=date(2026, 7, 31))
    assert policy_suspended_on(policy_id=policy.pk, on=date(2026, 8, 1))
    assert policy_suspended_on(policy_id=policy.pk, on=date(2026, 8, 9))
    assert not policy_suspended_on(policy_id=policy.pk, on=date(2026, 8, 10))
    period = policy.suspensions.get()
    assert (period.started_on, period.ended_on) == (date(2026, 8, 1), date(2026, 8, 10))
    assert period.started_by.job == "premiums.suspend_for_non_payment"


def test_limit_fees_ten_free_at_inception_then_828_each(policy):
    buyers = [BuyerFactory() for _ in range(13)]
    for i, buyer in enumerate(buyers):
        CreditLimit.objects.create(
            policy=policy, buyer=buyer, amount=D("100000"), payment_terms_days=60,
            source="insurer", effective_from=date(2026, 1, 1) if i < 12 else date(2026, 5, 1),
        )  # fmt: skip
    discretionary = BuyerFactory()
    CreditLimit.objects.create(
        policy=policy, buyer=discretionary, amount=D("100000"), payment_terms_days=60,
        source="discretionary", effective_from=date(2026, 2, 1),
    )  # fmt: skip
    services.premiums_sweep(today=date(2026, 6, 1))
    note = policy.debit_notes.get(kind=DebitNoteKind.LIMIT_FEE)
    assert note.amount == D("2484.00")  # buyers 11, 12 and the one assessed in May
    assert {line.fee_buyer_id for line in note.lines.all()} == {b.pk for b in buyers[10:]}
    services.premiums_sweep(today=date(2026, 6, 2))
    assert policy.debit_notes.filter(kind=DebitNoteKind.LIMIT_FEE).count() == 1


def test_cancelling_an_unpaid_note_waives_its_deadline(policy, underwriter):
    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    note = policy.debit_notes.get(sequence=4)
    with pytest.raises(ValidationError):
        services.debit_note_cancel(actor=underwriter, debit_note_id=note.pk, reason=" ")
    services.debit_note_cancel(actor=underwriter, debit_note_id=note.pk, reason="issued twice")
    assert DebitNote.objects.get(pk=note.pk).status == DebitNoteStatus.CANCELLED
    assert Deadline.objects.get(subject_id=note.pk, kind="instalment").status == "waived"


def test_a_late_correction_does_not_make_an_on_time_quarter_late(policy, approver):
    services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=D("10000000"), submit=True,
        today=date(2026, 4, 10),
    )  # fmt: skip
    correction = services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=D("10100000"), submit=True,
        correction_reason="late invoice", today=date(2026, 8, 1),
    )  # fmt: skip
    assert correction.days_late == 0


def test_cancelling_the_policy_cancels_instalments_not_yet_due_and_waives_declarations(
    policy, underwriter
):
    from policies.services import policy_transition

    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    policy_transition(
        actor=underwriter, policy_id=policy.pk, action_name="cancel", reason="insured sold"
    )  # today is 2026-09-15: Q4 instalment (1 Oct) and Q4 declaration fall away
    statuses = dict(policy.debit_notes.values_list("sequence", "status"))
    assert statuses[4] == DebitNoteStatus.CANCELLED
    assert statuses[3] != DebitNoteStatus.CANCELLED  # due 1 Jul: still owed
    q4 = Deadline.objects.get(policy=policy, kind=DeadlineKind.DECLARATION, key="Q4")
    q3 = Deadline.objects.get(policy=policy, kind=DeadlineKind.DECLARATION, key="Q3")
    # No declaration is taken on a cancelled policy, so none is owed or reminded any more.
    assert (q4.status, q3.status) == (DeadlineStatus.WAIVED, DeadlineStatus.WAIVED)


def test_a_policy_suspended_by_an_underwriter_is_not_reinstated_by_a_payment(policy, underwriter):
    from policies.services import policy_transition

    services.premium_account_open(policy_id=policy.pk, today=date(2026, 1, 1))
    policy_transition(
        actor=underwriter, policy_id=policy.pk, action_name="suspend", reason="fraud inquiry"
    )
    note = policy.debit_notes.get(sequence=1)
    services.payment_record(
        actor=underwriter, debit_note_id=note.pk, amount=note.amount, paid_on=date(2026, 9, 1)
    )
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.SUSPENDED


def test_after_a_discarded_draft_the_quarter_is_declared_without_a_reason(policy, approver):
    draft = services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=D("1000000")
    )
    services.declaration_discard(actor=approver, declaration_id=draft.pk)
    declared = services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=1, turnover=D("1200000"), submit=True
    )
    assert (declared.version, declared.is_correction, declared.status) == (
        2, False, DeclarationStatus.SUBMITTED,
    )  # fmt: skip


def test_a_correction_after_a_cancelled_adjustment_invoices_what_is_due(
    policy, approver, underwriter
):
    _declare_year(policy, approver, ["15000000"] * 4)  # adjustment 100,000
    note = policy.debit_notes.get(kind=DebitNoteKind.ADJUSTMENT)
    services.debit_note_cancel(actor=underwriter, debit_note_id=note.pk, reason="issued in error")
    services.declaration_prepare(
        actor=approver, policy_id=policy.pk, quarter=4, turnover=D("5000000"), submit=True,
        correction_reason="Q4 overstated", today=date(2027, 2, 1),
    )  # fmt: skip
    # 50,000,000 → premium 250,000 → adjustment 50,000; nothing stands invoiced.
    corrected = policy.debit_notes.get(kind=DebitNoteKind.ADJUSTMENT_CORRECTION)
    assert corrected.amount == D("50000.00")
    assert not policy.debit_notes.filter(kind=DebitNoteKind.CREDIT_NOTE).exists()


def test_staff_enter_paper_declarations_as_declared(policy, underwriter):
    declaration = services.declaration_prepare(
        actor=underwriter, policy_id=policy.pk, quarter=1, turnover=D("1000000"), submit=False
    )
    assert declaration.status == DeclarationStatus.SUBMITTED


def test_a_draft_cannot_be_submitted_once_the_policy_is_cancelled(
    policy, clerk, approver, underwriter
):
    from policies.services import policy_transition

    draft = services.declaration_prepare(
        actor=clerk, policy_id=policy.pk, quarter=1, turnover=D("1000000")
    )
    policy_transition(actor=underwriter, policy_id=policy.pk, action_name="cancel", reason="sold")
    with pytest.raises(ValidationError) as error:
        services.declaration_submit(actor=approver, declaration_id=draft.pk)
    assert "policy" in error.value.message_dict
