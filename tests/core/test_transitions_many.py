"""The bulk variants of the one way to change state (core.transitions.create_many and
transition_many): the same table, guard, record and consequences as create/transition,
for many rows at once (the declarations upload)."""

from datetime import date
from decimal import Decimal

import pytest

from core import reactions, transitions
from deadlines.choices import DEADLINE_MACHINE, DeadlineAction, DeadlineStatus
from deadlines.models import Deadline, DeadlineStatusChange
from policies.choices import PolicyStatus
from premiums.choices import DECLARATION_MACHINE, DeclarationAction, DeclarationStatus
from premiums.models import Declaration, DeclarationStatusChange
from premiums.services import premium_account_open
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(insured_a):
    policy = PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE)
    premium_account_open(policy_id=policy.pk, today=policy.period_start)
    return policy


def _declarations(policy, user, quarters):
    return [
        Declaration(
            policy=policy,
            quarter=q,
            quarter_start=date(2026, 3 * q - 2, 1),
            quarter_end=date(2026, 3 * q, 28),
            due_on=date(2026, 3 * q, 28),
            turnover=Decimal("1"),
            prepared_by=user,
        )  # fmt: skip
        for q in quarters
    ]


def test_create_many_gives_each_row_its_first_status_record_and_consequences(policy, personas):
    user = personas["insured_a"]
    seen = []

    def react(*, change):
        seen.append((change.instance.pk, change.from_status, change.to_status, change.record.pk))

    event = f"{DECLARATION_MACHINE.name}.{DeclarationAction.DECLARE}"
    reactions.react(event, react)
    try:
        rows = transitions.create_many(
            DECLARATION_MACHINE, _declarations(policy, user, [1, 2, 3]), DeclarationAction.DECLARE,
            actor=user,
        )  # fmt: skip
    finally:
        reactions._reactions[event].remove(react)
    assert [r.status for r in rows] == [DeclarationStatus.SUBMITTED] * 3
    records = DeclarationStatusChange.objects.filter(declaration__in=rows).order_by("id")
    assert [(c.declaration_id, c.from_status, c.to_status, c.actor) for c in records] == [
        (r.pk, "", DeclarationStatus.SUBMITTED, user) for r in rows
    ]
    assert seen == [
        (r.pk, "", DeclarationStatus.SUBMITTED, c.pk) for r, c in zip(rows, records, strict=True)
    ]


def test_create_many_refuses_an_action_the_table_lacks_for_new_rows(policy, personas):
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.create_many(
            DECLARATION_MACHINE, _declarations(policy, personas["insured_a"], [1]),
            DeclarationAction.SUBMIT,
        )  # fmt: skip
    assert not Declaration.objects.exists()


def test_transition_many_moves_each_row_under_the_guard_with_its_record(policy, personas):
    deadlines = list(Deadline.objects.filter(policy=policy, kind="declaration").order_by("pk"))
    moved = transitions.transition_many(
        DEADLINE_MACHINE, deadlines[:2], DeadlineAction.MEET, actor=personas["underwriter"],
        changes={"met_on": date(2026, 4, 10)},
    )  # fmt: skip
    assert [d.status for d in moved] == [DeadlineStatus.MET] * 2
    stored = Deadline.objects.filter(pk__in=[d.pk for d in deadlines[:2]])
    assert set(stored.values_list("status", "met_on")) == {(DeadlineStatus.MET, date(2026, 4, 10))}
    assert (
        DeadlineStatusChange.objects.filter(
            deadline__in=deadlines[:2],
            action=DeadlineAction.MEET,
            from_status="open",
            to_status="met",
        ).count()
        == 2
    )
    assert Deadline.objects.get(pk=deadlines[2].pk).status == DeadlineStatus.OPEN


def test_transition_many_refuses_them_all_when_one_cannot_move(policy):
    deadlines = list(Deadline.objects.filter(policy=policy, kind="declaration").order_by("pk"))
    transitions.transition(DEADLINE_MACHINE, deadlines[0], DeadlineAction.WAIVE)
    with pytest.raises(transitions.TransitionNotAllowed):
        transitions.transition_many(DEADLINE_MACHINE, deadlines[:3], DeadlineAction.MEET)
    assert (
        list(
            Deadline.objects.filter(pk__in=[d.pk for d in deadlines[1:3]]).values_list(
                "status", flat=True
            )
        )
        == [DeadlineStatus.OPEN] * 2
    )
    assert not DeadlineStatusChange.objects.filter(action=DeadlineAction.MEET).exists()
