"""Several counts and sums in one statement (core.figures, issue 10 B7)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.figures import Counted, Summed, gather
from notifications.models import Notification
from premiums.models import DebitNote
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db


def test_every_figure_comes_from_one_query_and_equals_its_own_count(personas):
    user = personas["insured_a"]
    Notification.objects.bulk_create(
        Notification(recipient=user, subject=f"通知 {i}", url="/") for i in range(7)
    )
    mine = Notification.objects.filter(recipient=user)
    with CaptureQueriesContext(connection) as captured:
        figures = gather(
            user,
            all=Counted(mine),
            capped=Counted(mine, cap=4),
            none=Counted(mine.filter(subject="无")),
            total=Summed(DebitNote.objects.filter(policy__insured=user.organisation), "amount"),
        )
    assert len(captured) == 1
    assert figures == {"all": 7, "capped": 5, "none": 0, "total": Decimal(0)}


def test_a_sum_is_the_aggregate_of_its_rows(personas):
    policy = PolicyFactory(insured=personas["insured_a"].organisation)
    DebitNote.objects.bulk_create(
        DebitNote(policy=policy, number=f"DN-{i}", sequence=i, kind="instalment",
                  issued_on=policy.period_start, due_on=policy.period_start,
                  amount=Decimal("100.25"))
        for i in (1, 2)
    )  # fmt: skip
    figures = gather(personas["insured_a"], total=Summed(policy.debit_notes.all(), "amount"))
    assert figures["total"] == Decimal("200.50")
