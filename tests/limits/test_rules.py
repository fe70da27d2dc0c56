from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from limits.choices import Outcome, ResponseCode
from limits.rules import (
    ERROR_PENDING_CONTRACT,
    ERROR_PENDING_LATE,
    ERROR_PENDING_OVERDUE,
    AutoDecisionInput,
    Movement,
    add_months,
    auto_decision,
    earlier_shipments_covered,
    peak_outstanding,
    pending_orders_cover_until,
    pending_orders_refusals,
    response_for,
    turnover_method_limit,
)


@pytest.fixture(autouse=True)
def _english():
    # The explanations below are matched as English text.
    with translation.override("en"):
        yield


def test_turnover_method_spec_5_example():
    # SPEC 5: 6,000,000 a year on 60 days → 1,000,000.
    assert turnover_method_limit(annual_credit_sales=Decimal("6000000"), credit_days=60) == Decimal(
        "1000000.00"
    )


def test_turnover_method_rounds_to_the_cent():
    assert turnover_method_limit(annual_credit_sales=Decimal("1000000"), credit_days=7) == Decimal(
        "19444.44"
    )


def test_turnover_method_refuses_zero_days():
    with pytest.raises(ValueError):
        turnover_method_limit(annual_credit_sales=Decimal("1"), credit_days=0)


def test_peak_outstanding_replays_in_date_order():
    movements = [
        Movement(date(2026, 3, 1), "payment", Decimal("300000")),
        Movement(date(2026, 1, 10), "invoice", Decimal("500000")),
        Movement(date(2026, 2, 5), "invoice", Decimal("400000")),
        Movement(date(2026, 3, 20), "invoice", Decimal("100000")),
    ]
    # 500,000 → 900,000 on 5 Feb → 600,000 → 700,000: the peak is 900,000 on 5 Feb.
    assert peak_outstanding(movements) == (Decimal("900000.00"), date(2026, 2, 5))


def test_same_day_invoice_counts_before_the_payment():
    movements = [
        Movement(date(2026, 1, 1), "invoice", Decimal("100")),
        Movement(date(2026, 1, 2), "payment", Decimal("100")),
        Movement(date(2026, 1, 2), "invoice", Decimal("80")),
    ]
    assert peak_outstanding(movements) == (Decimal("180.00"), date(2026, 1, 2))


def test_peak_of_nothing_is_zero():
    assert peak_outstanding([]) == (Decimal("0.00"), None)


@pytest.mark.parametrize(
    "outcome,requested,amount,conditional,expected",
    [
        (Outcome.APPROVE, Decimal(100), Decimal(100), False, ResponseCode.APPROVED),
        (Outcome.APPROVE, Decimal(100), Decimal(100), True, ResponseCode.CONDITIONAL),
        (Outcome.PARTIAL, Decimal(100), Decimal(60), False, ResponseCode.PARTLY_APPROVED),
        (Outcome.REFUSE, Decimal(100), None, False, ResponseCode.NOT_APPROVED),
    ],
)
def test_outcomes_map_to_receco_responses(outcome, requested, amount, conditional, expected):
    assert (
        response_for(outcome=outcome, requested=requested, amount=amount, conditional=conditional)
        == expected
    )


def _auto(**overrides):
    base = dict(
        enabled=True,
        risk_grade=3,
        grade_max_amount=Decimal("300000"),
        requested_amount=Decimal("200000"),
        payment_terms_days=60,
        max_payment_terms_days=90,
        excluded=False,
        has_recent_negative_event=False,
        capacity=Decimal("1000000"),
        exposure_after=Decimal("500000"),
        headroom_percent=Decimal("20"),
    )
    base.update(overrides)
    return AutoDecisionInput(**base)


def test_a_small_application_is_decided_automatically_and_says_why():
    decide, why = auto_decision(_auto())
    assert decide
    assert "grade 3" in why.render(staff=True)


@pytest.mark.parametrize(
    "overrides,fragment",
    [
        ({"enabled": False}, "switched off"),
        ({"excluded": True}, "excluded"),
        ({"has_recent_negative_event": True}, "negative events"),
        ({"grade_max_amount": None}, "no automatic amount"),
        ({"requested_amount": Decimal("300000.01")}, "above the automatic maximum"),
        ({"payment_terms_days": 91}, "payment terms"),
        ({"capacity": None}, "no capacity"),
        ({"exposure_after": Decimal("800000.01")}, "capacity"),
    ],
)
def test_each_rule_can_send_an_application_to_the_queue(overrides, fragment):
    decide, why = auto_decision(_auto(**overrides))
    assert not decide
    assert fragment in why.render(staff=True)


def test_headroom_boundary_is_inclusive():
    assert auto_decision(_auto(exposure_after=Decimal("800000")))[0]


def test_pending_orders_conditions_of_spec_5():
    notice = date(2026, 6, 10)
    ok = dict(
        notice_on=notice,
        requested_on=date(2026, 6, 18),
        contract_signed_on=date(2025, 12, 10),
        buyer_overdue=False,
    )
    assert pending_orders_refusals(**ok) == {}
    assert pending_orders_refusals(**{**ok, "requested_on": date(2026, 6, 19)}) == {
        "requested_on": ERROR_PENDING_LATE
    }
    assert pending_orders_refusals(**{**ok, "contract_signed_on": date(2025, 12, 9)}) == {
        "contract_signed_on": ERROR_PENDING_CONTRACT
    }
    assert pending_orders_refusals(**{**ok, "contract_signed_on": date(2026, 6, 11)}) == {
        "contract_signed_on": ERROR_PENDING_CONTRACT
    }
    assert pending_orders_refusals(**{**ok, "buyer_overdue": True}) == {
        "buyer": ERROR_PENDING_OVERDUE
    }


def test_pending_orders_cover_lasts_three_months():
    assert pending_orders_cover_until(date(2026, 6, 10)) == date(2026, 9, 10)
    assert pending_orders_cover_until(date(2026, 11, 30)) == date(2027, 2, 28)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_earlier_shipments_are_covered_only_within_the_application_deadline():
    # SPEC 3.2: limit-application deadline 15 days after the first uncovered shipment.
    shipped = date(2026, 3, 1)
    assert earlier_shipments_covered(
        first_shipment_on=shipped, applied_on=date(2026, 3, 16), application_days=15
    ) == (True, date(2026, 3, 16))
    assert earlier_shipments_covered(
        first_shipment_on=shipped, applied_on=date(2026, 3, 17), application_days=15
    ) == (False, date(2026, 3, 16))
    assert (
        earlier_shipments_covered(
            first_shipment_on=date(2026, 4, 1), applied_on=date(2026, 3, 17), application_days=15
        )
        is None
    )
