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


def test_deadlines_met_in_bulk_by_their_pairs_only_and_each_recorded(policy, personas):
    from deadlines.services import deadlines_meet_many
    from policies.models import Policy

    other = PolicyFactory(insured=policy.insured, status=PolicyStatus.IN_FORCE)
    premium_account_open(policy_id=other.pk, today=other.period_start)
    q2 = Deadline.objects.get(policy=policy, kind="declaration", key="Q2")
    transitions.transition(DEADLINE_MACHINE, q2, DeadlineAction.MISS)
    met = deadlines_meet_many(
        kind="declaration", subject_model=Policy, keys={(policy.pk, "Q1"), (policy.pk, "Q2"),
        (other.pk, "Q3")}, on=date(2026, 10, 20), actor=personas["insured_a"],
    )  # fmt: skip
    assert met == 3
    rows = Deadline.objects.filter(kind="declaration").order_by("policy_id", "key")
    statuses = {(d.policy_id, d.key): (d.status, d.met_on) for d in rows}
    assert statuses[(policy.pk, "Q1")] == (DeadlineStatus.MET, date(2026, 10, 20))
    assert statuses[(policy.pk, "Q2")] == (DeadlineStatus.MET, date(2026, 10, 20))  # late
    assert statuses[(other.pk, "Q3")][0] == DeadlineStatus.MET
    # Only the pairs asked for: the other policy's Q1 and this one's Q3 are untouched.
    assert statuses[(other.pk, "Q1")][0] == statuses[(policy.pk, "Q3")][0] == DeadlineStatus.OPEN
    changes = DeadlineStatusChange.objects.filter(action__in=["meet", "meet_late"])
    assert sorted(changes.values_list("action", flat=True)) == ["meet", "meet", "meet_late"]
    assert set(changes.values_list("actor", flat=True)) == {personas["insured_a"].pk}


def test_a_bulk_move_by_sql_is_refused_where_a_consequence_listens(policy):
    def listener(**_):
        pass

    reactions.react("deadlines.deadline.waive", listener)
    try:
        with pytest.raises(ValueError, match="consequences"):
            transitions.transition_where(
                DEADLINE_MACHINE, DeadlineAction.WAIVE, from_status=DeadlineStatus.OPEN,
                where="true", params=[],
            )  # fmt: skip
    finally:
        reactions._reactions["deadlines.deadline.waive"].remove(listener)
    assert not Deadline.objects.filter(status=DeadlineStatus.WAIVED).exists()
