"""SPEC 3.2 and 7 worked examples on the plain functions of claims.rules."""

from datetime import date
from decimal import Decimal

import pytest

from claims import rules
from claims.choices import Exclusion

D = Decimal
TERMS = rules.CoverTerms(
    notice_filed_on=date(2026, 6, 10), invoice_deadline_days=30, max_credit_period_days=120
)


def facts(number="INV-1", amount="1000", *, shipped=date(2026, 3, 1), invoiced=None,
          due=date(2026, 5, 30), limit="1000000", suspended=False, disputed=False):  # fmt: skip
    return rules.InvoiceFacts(
        key=number, number=number, amount=D(amount), invoice_date=invoiced or shipped,
        shipment_date=shipped, original_due_date=due,
        limit_on_shipment=D(limit) if limit is not None else None,
        policy_suspended=suspended, disputed=disputed,
    )  # fmt: skip


def compute(invoices, *, recoveries="0", credits="0", remaining="10000000", terms=TERMS):
    return rules.indemnity(
        lines=rules.cover_lines(invoices, terms), recoveries=D(recoveries),
        other_credits=D(credits), franchise=D("3000"), indemnity_percentage=D("90"),
        remaining_liability=D(remaining),
    )  # fmt: skip


@pytest.mark.parametrize(
    "recovered, net, paid",
    [("1000000", "1500000", "900000.00"), ("2000000", "500000", "450000.00")],
)
def test_spec_7_recoveries_reduce_the_loss_before_the_limit(recovered, net, paid):
    result = compute([facts(amount="2500000")], recoveries=recovered)
    assert result.covered_debt == D("2500000")
    assert result.net_loss == D(net)
    assert result.indemnity == D(paid)


@pytest.mark.parametrize("limit, paid", [("4000000", "2700000.00"), ("1000000", "900000.00")])
def test_spec_7_the_limit_caps_the_loss(limit, paid):
    result = compute([facts(amount="3000000", limit=limit)])
    assert result.loss_within_limit == min(D("3000000"), D(limit))
    assert result.indemnity == D(paid)


@pytest.mark.parametrize(
    "loss, paid", [("3000.00", "0.00"), ("3000.01", "2700.01"), ("2999.99", "0.00")]
)
def test_the_franchise_pays_nothing_at_or_below_3000_and_deducts_nothing_above(loss, paid):
    result = compute([facts(amount=loss)])
    assert result.below_franchise is (D(loss) <= D("3000"))
    # 3,000.01 × 90% = 2,700.009, rounded half-up to the cent.
    assert result.indemnity == D(paid)


def test_the_indemnity_rounds_half_up_to_the_cent():
    assert compute([facts(amount="10000.05")]).indemnity == D("9000.05")  # 9,000.045
    assert compute([facts(amount="10000.15")]).indemnity == D("9000.14")  # 9,000.135 → .14


def test_the_remaining_maximum_liability_caps_the_indemnity():
    result = compute([facts(amount="2000000", limit="2000000")], remaining="850000")
    assert result.indemnity_before_cap == D("1800000.00")
    assert result.indemnity == D("850000")
    assert result.capped


def test_nothing_remains_nothing_is_paid():
    assert compute([facts(amount="50000")], remaining="0").indemnity == D("0")


@pytest.mark.parametrize(
    "invoice, reason",
    [
        (facts(limit=None), Exclusion.NO_LIMIT),
        (facts(shipped=date(2026, 6, 11)), Exclusion.AFTER_NOTICE),
        (facts(suspended=True), Exclusion.POLICY_SUSPENDED),
        (facts(shipped=date(2026, 3, 1), invoiced=date(2026, 4, 1)), Exclusion.INVOICED_LATE),
        (
            facts(invoiced=date(2026, 1, 1), shipped=date(2026, 1, 1), due=date(2026, 5, 2)),
            Exclusion.CREDIT_PERIOD,
        ),  # fmt: skip
        (facts(disputed=True), Exclusion.DISPUTED),
    ],
)
def test_each_exclusion_takes_the_invoice_out_with_its_reason(invoice, reason):
    covered = facts(number="OK-1", amount="50000")
    result = compute([covered, invoice])
    line = next(line for line in result.lines if line.facts.number == invoice.number)
    assert (line.covered, line.exclusion) == (False, reason)
    assert result.covered_debt == D("50000")


def test_the_day_of_the_notice_is_still_covered_and_the_limits_of_the_deadlines_hold():
    on_notice_day = facts(shipped=date(2026, 6, 10), due=date(2026, 7, 10))
    invoiced_on_day_30 = facts(number="INV-2", shipped=date(2026, 3, 1), invoiced=date(2026, 3, 31))
    credit_of_120_days = facts(number="INV-3", invoiced=date(2026, 1, 1), shipped=date(2026, 1, 1),
                               due=date(2026, 5, 1))  # fmt: skip
    lines = rules.cover_lines([on_notice_day, invoiced_on_day_30, credit_of_120_days], TERMS)
    assert all(line.covered for line in lines)


def test_a_related_or_public_buyer_is_out_whatever_the_invoice():
    terms = rules.CoverTerms(
        notice_filed_on=date(2026, 6, 10),
        invoice_deadline_days=30,
        max_credit_period_days=120,
        excluded_buyer=True,
    )
    result = compute([facts()], terms=terms)
    assert result.lines[0].exclusion == Exclusion.EXCLUDED_BUYER
    assert result.indemnity == D("0")


def test_shipments_after_a_cut_are_covered_only_within_the_reduced_limit():
    before = facts(number="JAN", amount="800000", shipped=date(2026, 1, 10), due=date(2026, 4, 10))
    after = facts(number="MAR", amount="300000", shipped=date(2026, 3, 10), limit="200000")
    result = compute([after, before])
    assert [(line.facts.number, line.covered, line.exclusion) for line in result.lines] == [
        ("JAN", True, ""), ("MAR", False, Exclusion.AFTER_LIMIT_CUT),
    ]  # fmt: skip
    assert result.limit_amount == D("1000000")
    assert result.indemnity == D("720000.00")
    # Within the reduced limit, a later shipment stays covered.
    small = facts(number="MAR", amount="100000", shipped=date(2026, 3, 10), limit="1000000")
    assert all(line.covered for line in compute([before, small]).lines)


def test_notice_deadline_is_the_earliest_of_60_days_and_10_after_an_extension():
    kwargs = {"notice_days": 60, "after_extension_days": 10}
    assert rules.notice_deadline(
        original_due_dates=[date(2026, 3, 31)], extended_due_dates=[None], **kwargs
    ) == date(2026, 5, 30)
    assert rules.notice_deadline(
        original_due_dates=[date(2026, 3, 31)], extended_due_dates=[date(2026, 4, 15)], **kwargs
    ) == date(2026, 4, 25)
    # An extension to the maximum (60 days) gives 10 days after it, later than 60 days.
    assert rules.notice_deadline(
        original_due_dates=[date(2026, 3, 31)], extended_due_dates=[date(2026, 5, 30)], **kwargs
    ) == date(2026, 5, 30)
    # Two invoices: the earliest wins; a missed plan instalment brings it forward.
    assert rules.notice_deadline(
        original_due_dates=[date(2026, 3, 31), date(2026, 4, 30)],
        extended_due_dates=[None, None], missed_instalments=[date(2026, 4, 5)], **kwargs,
    ) == date(2026, 4, 15)  # fmt: skip


def test_claim_filing_is_six_months_after_the_maximum_extension_ends():
    assert rules.claim_filing_deadline(
        date(2026, 3, 31), max_extension_days=60, filing_months=6
    ) == date(2026, 11, 30)


def test_days_late_and_the_waiting_period():
    assert rules.days_late(date(2026, 6, 2), date(2026, 5, 30)) == 3
    assert rules.days_late(date(2026, 5, 30), date(2026, 5, 30)) == 0
    assert rules.waiting_period_end(date(2026, 6, 12), 5) == date(2026, 11, 12)
    assert rules.waiting_period_end(date(2026, 9, 30), 5) == date(2027, 2, 28)


@pytest.mark.parametrize(
    "amount, insurer, insured",
    [("100000", "90000.00", "10000.00"), ("0.05", "0.05", "0.00"), ("333.33", "300.00", "33.33")],
)
def test_recoveries_after_payment_are_shared_90_10_to_the_cent(amount, insurer, insured):
    assert rules.recovery_shares(D(amount), D("90")) == (D(insurer), D(insured))


def test_the_limits_payment_terms_are_a_cover_condition():
    short_terms = rules.InvoiceFacts(
        key=1, number="T", amount=D("1000"), invoice_date=date(2026, 3, 1),
        shipment_date=date(2026, 3, 1), original_due_date=date(2026, 5, 30),
        limit_on_shipment=D("100000"), limit_payment_terms_days=60,
    )  # fmt: skip
    assert rules.invoice_exclusion(short_terms, TERMS) == Exclusion.CREDIT_PERIOD


def test_the_insurers_share_is_capped_at_what_it_paid():
    assert rules.recovery_shares(D("1000"), D("90"), insurer_at_most=D("500")) == (
        D("500"),
        D("500"),
    )
    assert rules.recovery_shares(D("1000"), D("90"), insurer_at_most=D("0")) == (D("0"), D("1000"))
