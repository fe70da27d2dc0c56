"""SPEC 11: the audit trail is written by triggers, so no code path can bypass it."""

from decimal import Decimal

import pytest
from django.db import connection

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
        change[0] == "premium_rate_percent" and str(change[2]) == "0.6"
        for entry in entries
        for change in entry.changes
    )


def test_raw_sql_is_audited_too(insured_a):
    buyer = BuyerFactory(risk_grade=3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE buyers_buyer SET risk_grade = 9 WHERE id = %s", [buyer.pk])
    entries = history_for(buyer)
    assert any(("risk_grade", 3, 9) in entry.changes for entry in entries)


def test_the_acting_user_is_recorded(underwriter):
    buyer = BuyerFactory(risk_grade=3)
    with action(underwriter):
        Policy.objects.none()
        type(buyer).objects.filter(pk=buyer.pk).update(risk_grade=5)
    latest = history_for(buyer)[0]
    assert latest.user == underwriter.username
