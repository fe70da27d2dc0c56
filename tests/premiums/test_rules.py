"""SPEC 3.2, 3.3 and 6 worked examples on the pure premium arithmetic."""

from datetime import date
from decimal import Decimal

import pytest

from policies.rules import minimum_premium
from premiums import rules

D = Decimal


def test_minimum_premium_in_four_instalments_due_at_each_quarter_start():
    minimum = minimum_premium(
        estimated_annual_turnover=D("50000000"), premium_rate_percent=D("0.5")
    )
    assert minimum == D("200000.00")
    plan = rules.instalments(
        minimum_premium=minimum,
        count=4,
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
    )
    assert [(i.sequence, i.due_on, i.amount) for i in plan] == [
        (1, date(2026, 4, 1), D("50000.00")),
        (2, date(2026, 7, 1), D("50000.00")),
        (3, date(2026, 10, 1), D("50000.00")),
        (4, date(2027, 1, 1), D("50000.00")),
    ]


def test_instalments_put_the_odd_cent_on_the_last():
    plan = rules.instalments(
        minimum_premium=D("100000.01"), count=3, period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )  # fmt: skip
    assert [i.amount for i in plan] == [D("33333.34"), D("33333.34"), D("33333.33")]
    assert sum(i.amount for i in plan) == D("100000.01")
    # Every 4 months, each due when the policy quarter it falls in begins (SPEC 3.2).
    assert [i.due_on for i in plan] == [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)]


@pytest.mark.parametrize(
    ("rate", "declared", "adjustment"),
    [
        (D("0.5"), D("60000000"), D("100000.00")),  # premium 300,000 − minimum 200,000
        (D("0.5"), D("30000000"), D("0")),  # premium 150,000: the minimum is kept
        (D("0.42"), D("80000000"), D("168000.00")),  # premium 336,000 − minimum 168,000
    ],
)
def test_year_end_adjustment_spec_examples(rate, declared, adjustment):
    minimum = minimum_premium(estimated_annual_turnover=D("50000000"), premium_rate_percent=rate)
    premium = rules.premium(turnover=declared, rate_percent=rate)
    assert rules.year_end_adjustment(premium=premium, minimum_premium=minimum) == adjustment


def test_minimum_at_042_percent_is_168000():
    assert minimum_premium(
        estimated_annual_turnover=D("50000000"), premium_rate_percent=D("0.42")
    ) == D("168000.00")


def test_premium_rounds_half_up_to_the_cent():
    # 1,234.50 × 0.5% = 6.1725 → 6.17; 1,235.00 × 0.5% = 6.175 → 6.18 (half up, not even)
    assert rules.premium(turnover=D("1234.50"), rate_percent=D("0.5")) == D("6.17")
    assert rules.premium(turnover=D("1235.00"), rate_percent=D("0.5")) == D("6.18")
    assert rules.premium(turnover=D("1237.00"), rate_percent=D("0.5")) == D("6.19")  # 6.185


def test_adjustment_correction_is_a_debit_or_a_credit():
    assert rules.adjustment_correction(adjustment=D("105000"), invoiced=D("100000")) == D("5000")
    assert rules.adjustment_correction(adjustment=D("0"), invoiced=D("100000")) == D("-100000")


def test_policy_quarters_follow_the_policy_not_the_calendar():
    quarters = rules.policy_quarters(period_start=date(2026, 4, 1), period_end=date(2027, 3, 31))
    assert [(q.start, q.end) for q in quarters] == [
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 3, 31)),
    ]
    assert rules.declaration_due_on(quarter_end=date(2026, 6, 30), deadline_days=15) == date(
        2026, 7, 15
    )


def test_quarters_of_a_policy_starting_on_the_31st():
    quarters = rules.policy_quarters(period_start=date(2026, 1, 31), period_end=date(2027, 1, 30))
    assert [(q.start, q.end) for q in quarters] == [
        (date(2026, 1, 31), date(2026, 4, 29)),
        (date(2026, 4, 30), date(2026, 7, 30)),
        (date(2026, 7, 31), date(2026, 10, 30)),
        (date(2026, 10, 31), date(2027, 1, 30)),
    ]


def test_ten_buyers_assessed_at_inception_are_free():
    inception = date(2026, 1, 1)
    at_inception = [(pk, inception) for pk in range(1, 13)]  # 12 buyers at inception
    later = [(20, date(2026, 3, 1)), (21, date(2026, 6, 1))]
    charged = rules.chargeable_limit_fee_buyers(
        assessments=at_inception + later, inception=inception, free_count=10
    )
    assert charged == [11, 12, 20, 21]
    assert len(charged) * D("828") == D("3312")


def test_buyers_assessed_later_are_never_free():
    charged = rules.chargeable_limit_fee_buyers(
        assessments=[(1, date(2026, 2, 1)), (2, date(2026, 3, 1))],
        inception=date(2026, 1, 1),
        free_count=10,
    )
    assert charged == [1, 2]


def test_suspension_from_the_31st_day_overdue():
    due = date(2026, 7, 1)
    assert not rules.suspends_policy(due_on=due, today=date(2026, 7, 31))  # 30 days
    assert rules.suspends_policy(due_on=due, today=date(2026, 8, 1))  # 31 days


def test_days_late():
    assert rules.days_late(submitted_on=date(2026, 7, 15), due_on=date(2026, 7, 15)) == 0
    assert rules.days_late(submitted_on=date(2026, 7, 20), due_on=date(2026, 7, 15)) == 5


@pytest.mark.parametrize(
    ("start", "end", "last_quarter"),
    [
        (date(2028, 2, 29), date(2029, 2, 28), (date(2028, 11, 29), date(2029, 2, 28))),
        (date(2026, 1, 1), date(2027, 1, 1), (date(2026, 10, 1), date(2027, 1, 1))),
    ],
)
def test_a_day_left_after_four_quarters_belongs_to_the_fourth(start, end, last_quarter):
    quarters = rules.policy_quarters(period_start=start, period_end=end)
    assert len(quarters) == 4
    assert (quarters[-1].start, quarters[-1].end) == last_quarter


def test_a_short_policy_has_its_own_short_last_quarter():
    quarters = rules.policy_quarters(period_start=date(2026, 1, 1), period_end=date(2026, 8, 15))
    assert [(q.start, q.end) for q in quarters] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 8, 15)),
    ]


def test_a_short_policys_late_instalments_fall_due_when_its_last_quarter_begins():
    plan = rules.instalments(
        minimum_premium=D("200000"), count=4, period_start=date(2026, 1, 1),
        period_end=date(2026, 8, 15),
    )  # fmt: skip
    assert [i.due_on for i in plan] == [
        date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 7, 1),
    ]  # fmt: skip
