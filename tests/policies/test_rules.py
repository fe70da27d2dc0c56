from datetime import date
from decimal import Decimal

from policies.choices import CoverType, EligibilityCode
from policies.rules import (
    EligibilityFacts,
    eligibility_warnings,
    instalment_amounts,
    maximum_liability,
    minimum_premium,
    next_period,
)


def test_minimum_premium_spec_6_first_example():
    # SPEC 6: estimate 50,000,000, rate 0.5% → minimum premium 200,000, 4 × 50,000.
    premium = minimum_premium(
        estimated_annual_turnover=Decimal("50000000"), premium_rate_percent=Decimal("0.5")
    )
    assert premium == Decimal("200000.00")
    assert instalment_amounts(minimum_premium=premium, count=4) == [Decimal("50000.00")] * 4


def test_minimum_premium_spec_6_second_example():
    # SPEC 6: estimate 50,000,000, rate 0.42% → minimum 168,000.
    assert minimum_premium(
        estimated_annual_turnover=Decimal("50000000"), premium_rate_percent=Decimal("0.42")
    ) == Decimal("168000.00")


def test_instalments_add_up_to_the_cent():
    parts = instalment_amounts(minimum_premium=Decimal("100000.01"), count=3)
    assert parts == [Decimal("33333.34"), Decimal("33333.34"), Decimal("33333.33")]
    assert sum(parts) == Decimal("100000.01")


def test_maximum_liability_is_a_multiple_of_the_minimum_premium():
    assert maximum_liability(minimum_premium=Decimal("200000"), multiple=50) == Decimal(
        "10000000.00"
    )


def _facts(**overrides):
    base = dict(
        region="33",
        founded_on=date(2015, 1, 1),
        has_parent_in_same_business=False,
        industry="C",
        annual_credit_turnover=Decimal("30000000"),
        buyer_count=3,
        cover_type=CoverType.WHOLE_TURNOVER,
        selective_share_percent=None,
        selection_criterion="",
        assessed_on=date(2026, 1, 1),
    )
    base.update(overrides)
    return EligibilityFacts(**base)


def test_a_proposal_meeting_every_guideline_has_no_warning():
    assert eligibility_warnings(_facts()) == []


def test_each_guideline_of_spec_3_1_is_checked():
    assert eligibility_warnings(_facts(region="81")) == [EligibilityCode.NOT_MAINLAND]
    assert eligibility_warnings(_facts(founded_on=date(2023, 1, 2))) == [EligibilityCode.TOO_YOUNG]
    assert eligibility_warnings(_facts(annual_credit_turnover=Decimal("29999999.99"))) == [
        EligibilityCode.LOW_TURNOVER
    ]
    assert eligibility_warnings(_facts(industry="K")) == [EligibilityCode.EXCLUDED_INDUSTRY]
    assert eligibility_warnings(_facts(industry="E")) == [EligibilityCode.EXCLUDED_INDUSTRY]
    assert eligibility_warnings(_facts(buyer_count=2)) == [EligibilityCode.FEW_BUYERS]


def test_a_young_company_with_a_parent_in_the_business_is_eligible():
    assert (
        eligibility_warnings(_facts(founded_on=date(2025, 6, 1), has_parent_in_same_business=True))
        == []
    )


def test_exactly_three_years_old_is_old_enough():
    assert eligibility_warnings(_facts(founded_on=date(2023, 1, 1))) == []


def test_selective_cover_needs_60_percent_and_a_criterion():
    assert eligibility_warnings(
        _facts(cover_type=CoverType.SELECTIVE, selective_share_percent=Decimal("59.99"))
    ) == [EligibilityCode.SELECTIVE_SHARE, EligibilityCode.SELECTIVE_CRITERION]
    assert (
        eligibility_warnings(
            _facts(
                cover_type=CoverType.SELECTIVE,
                selective_share_percent=Decimal("60"),
                selection_criterion="region",
            )
        )
        == []
    )


def test_next_policy_year_follows_on():
    assert next_period(period_end=date(2026, 12, 31)) == (date(2027, 1, 1), date(2027, 12, 31))
    assert next_period(period_end=date(2028, 2, 29)) == (date(2028, 3, 1), date(2029, 2, 28))
