"""SPEC 11: the audit trail is written by triggers, so no code path can bypass it."""

from decimal import Decimal

import pytest
from django.db import connection

from core import transitions
from core.audit import history_for
from core.services import action
from policies.models import Policy
from tests.factories import BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def test_a_queryset_update_is_audited(insured_a):
    policy = PolicyFactory(insured=insured_a)
    Policy.objects.filter(pk=policy.pk).update(premium_rate_percent=Decimal("0.6"))
    entries = history_for(policy)
    assert any(
        change.field == "premium_rate_percent" and change.after == "0.6"
        for entry in entries
        for change in entry.changes
    )


def test_raw_sql_is_audited_too(insured_a):
    buyer = BuyerFactory(risk_grade=3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE buyers_buyer SET risk_grade = 9 WHERE id = %s", [buyer.pk])
    entries = history_for(buyer)
    assert any(
        (c.field, c.before, c.after) == ("risk_grade", "3", "9")
        for entry in entries
        for c in entry.changes
    )


def test_raw_sql_on_a_kept_record_writes_an_event_row(insured_a):
    """Records may not be deleted but may change (core/records.py): every change by raw
    SQL, one row or many, leaves its pghistory event row."""
    policies = [PolicyFactory(insured=insured_a) for _ in range(2)]
    events = Policy.pgh_event_models["update"].objects
    before = events.filter(pgh_obj__in=policies).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE policies_policy SET premium_rate_percent = 0.7 WHERE id = ANY(%s)",
            [[p.pk for p in policies]],
        )
    assert events.filter(pgh_obj__in=policies).count() == before + 2
    assert {e.premium_rate_percent for e in events.order_by("-pgh_id")[:2]} == {Decimal("0.7")}


def test_the_acting_user_is_recorded(underwriter):
    buyer = BuyerFactory(risk_grade=3)
    with action(underwriter):
        Policy.objects.none()
        type(buyer).objects.filter(pk=buyer.pk).update(risk_grade=5)
    latest = history_for(buyer)[0]
    assert latest.user == underwriter.username


def test_the_trail_speaks_to_people_labels_names_amounts_and_local_time(personas, insured_a):
    from datetime import UTC, date, datetime

    from django.utils import translation

    from limits.choices import LIMIT_MACHINE
    from limits.models import CreditLimit, LimitApplication

    buyer = BuyerFactory(risk_grade=3)
    policy = PolicyFactory(insured=insured_a)
    limit = CreditLimit.objects.create(
        policy=policy,
        buyer=buyer,
        amount=Decimal("1000000"),
        payment_terms_days=60,
        source="insurer",
        effective_from=date(2026, 12, 1),
    )
    with action(personas["underwriter"]):
        # One recorded move (the status moves only through the transition mechanism).
        transitions.transition(
            LIMIT_MACHINE, limit, "cancel", actor=personas["underwriter"],
            changes={"amount": Decimal("400000"), "scheduled_effective_on": date(2026, 12, 15)},
            history_fields={"effective_on": date(2026, 12, 15)},
        )  # fmt: skip
    application = LimitApplication.objects.create(
        policy=policy, buyer=buyer, prepared_by=personas["insured_a_clerk"]
    )
    LimitApplication.objects.filter(pk=application.pk).update(
        submitted_by=personas["insured_a"],
        # 2026-12-01 18:30 UTC is 02:30 the next morning in Shanghai.
        submitted_at=datetime(2026, 12, 1, 18, 30, tzinfo=UTC),
    )
    with translation.override("zh-hans"):
        (change_entry, _created) = history_for(limit)
        shown = {c.field: (c.label, c.before, c.after) for c in change_entry.changes}
        assert shown["amount"] == ("限额金额", "1,000,000.00", "400,000.00")
        assert shown["status"] == ("状态", "有效", "已撤销")
        assert shown["scheduled_effective_on"] == ("计划调整日期", "—", "2026-12-15")
        assert change_entry.user == str(personas["underwriter"])
        assert "updated_at" not in shown
        submitted = {c.field: c for c in history_for(application)[0].changes}
        assert submitted["submitted_by"].after == str(personas["insured_a"])
        assert submitted["submitted_at"].after == "2026-12-02 02:30"
