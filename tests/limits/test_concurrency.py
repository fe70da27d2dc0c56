"""SPEC 4: no decision may take a buyer's exposure above capacity, also when many
underwriters decide at the same moment. Real threads, real PostgreSQL, real locks."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from limits import services
from limits.choices import ApplicationStatus
from limits.models import CreditLimit, LimitApplication, LimitDecision
from policies.choices import PolicyStatus
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 32
CAPACITY = Decimal("10000000")
EACH = Decimal("1000000")


def test_concurrent_decisions_never_exceed_capacity(personas):
    BuyerCapacityFactory(risk_grade=4, max_exposure=CAPACITY)
    buyer = BuyerFactory(risk_grade=4)
    applications = []
    for _ in range(THREADS):
        policy = PolicyFactory(status=PolicyStatus.IN_FORCE)
        applications.append(LimitApplication.objects.create(
            policy=policy, buyer=buyer, status=ApplicationStatus.SUBMITTED,
            requested_amount=EACH, payment_terms_days=60, prepared_by=personas["insured_a"],
        ))  # fmt: skip
    actor = personas["senior_underwriter"]
    barrier = threading.Barrier(THREADS)
    granted, refused, errors = [], [], []

    def decide(application_id):
        try:
            barrier.wait()
            services.application_decide(
                actor=actor,
                application_id=application_id,
                outcome="approve",
                today=date(2026, 11, 25),
            )
            granted.append(application_id)
        except ValidationError as error:
            refused.append(error.message_dict)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(a.pk,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # What was granted, counted three ways: the callers, the limits, the decisions.
    assert len(granted) == 10
    assert len(refused) == THREADS - 10
    assert all("amount" in r for r in refused)
    assert CreditLimit.objects.filter(buyer=buyer).count() == 10
    assert LimitDecision.objects.filter(buyer=buyer, response_code="2").count() == 10
    assert services.buyer_exposure(buyer.pk) == CAPACITY
