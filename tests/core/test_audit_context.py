"""SPEC 11: the acting user reaches every audit row, while the audit context is sent to
PostgreSQL once per transaction instead of before every write (core.audit_context)."""

from contextlib import suppress
from decimal import Decimal

import pghistory
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pghistory.models import MiddlewareEvents

from core.services import action
from limits.models import AutoDecisionGradeRule

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def rule(grade: int) -> AutoDecisionGradeRule:
    return AutoDecisionGradeRule.objects.create(risk_grade=grade, max_amount=Decimal("100000"))


def contexts(obj) -> list[dict]:
    return [event.pgh_context for event in MiddlewareEvents.objects.tracks(obj)]


def sent_contexts(queries) -> int:
    return sum("pghistory.context_id" in q["sql"] for q in queries.captured_queries)


def test_a_transaction_sends_the_context_once_and_every_row_carries_it(underwriter):
    with CaptureQueriesContext(connection) as queries, action(underwriter):
        first, second = rule(1), rule(2)
        AutoDecisionGradeRule.objects.filter(pk=first.pk).update(max_amount=Decimal("5"))
    assert sent_contexts(queries) == 1
    for obj in (first, second):
        assert [c["user"] for c in contexts(obj)] == [underwriter.pk] * len(contexts(obj))
    assert len(contexts(first)) == 2  # the insert and the update


def test_a_rolled_back_savepoint_does_not_take_the_context_with_it(underwriter):
    # The context was first set inside the savepoint; rolling it back undoes the setting,
    # so the next write sends it again.
    with action(underwriter):
        with suppress(_Undo), transaction.atomic():
            rule(1)
            raise _Undo
        kept = rule(2)
    assert [c["user"] for c in contexts(kept)] == [underwriter.pk]


def test_metadata_added_within_the_transaction_is_sent_again(underwriter):
    with action(underwriter):
        rule(1)
        pghistory.context(note="bulk review")  # joins the open context
        later = rule(2)
    assert contexts(later)[0]["note"] == "bulk review"
