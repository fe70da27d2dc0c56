"""The credit-limit screens (SPEC 5) through Django's test client: who sees which page,
the main flows from application to decision, reductions, pending orders, calculators.

Assertions lean on data-testid hooks, status codes and data values rather than on
interface labels, so they hold in both languages as the catalogues fill.
"""

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buyers.models import NegativeEvent
from limits import services
from limits.choices import ApplicationStatus, LimitStatus, ReviewReason, ReviewStatus
from limits.models import (
    CreditLimit,
    LimitApplication,
    LimitDecision,
    LimitReview,
    PendingOrdersCover,
)
from notifications.models import Notification
from policies.choices import PolicyStatus
from tests.factories import BuyerCapacityFactory, BuyerFactory, PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, insured_a, insured_b):
    """An in-force policy per insured, capacity for every grade, one grade-4 buyer."""
    for grade in range(1, 11):
        BuyerCapacityFactory(
            risk_grade=grade, max_exposure=Decimal("10000000") if grade <= 7 else Decimal(0)
        )
    return SimpleNamespace(
        policy_a=PolicyFactory(insured=insured_a, status=PolicyStatus.IN_FORCE),
        policy_b=PolicyFactory(insured=insured_b, status=PolicyStatus.IN_FORCE),
        buyer=BuyerFactory(risk_grade=4),
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    """The page's text without tags and with collapsed spaces (for value assertions)."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def by_testid(response, name: str) -> str:
    """Text inside the first element carrying data-testid=name."""
    html = response.content.decode()
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</(td|div|span|dd|strong|a)>', html, re.S)
    assert match, f"no data-testid={name} on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def confirmed_post(client, url, data):
    """A binding action: the first POST states its effect and changes nothing; the
    confirmed one carries it out. Returns (the dialog's text, the confirmed response)."""
    preview = client.post(url, data)
    assert preview.status_code == 200
    assert 'data-testid="confirm-dialog"' in preview.content.decode(), "no confirmation asked"
    effects = by_testid(preview, "confirm-effects")
    return effects, client.post(url, {**data, "confirmed": "1"})


def submitted_application(personas, policy, buyer, amount="2000000", **extra):
    return services.application_create(
        actor=personas["insured_a"], policy_id=policy.pk, buyer_uscc=buyer.uscc,
        requested_amount=Decimal(amount), payment_terms_days=60, submit=True, **extra,
    )  # fmt: skip


def granted_limit(personas, policy, buyer, amount="800000") -> CreditLimit:
    application = submitted_application(personas, policy, buyer, amount=amount)
    # Granted two months ago, so that a notice can be dated before today.
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve",
        today=timezone.localdate() - timedelta(days=60),
    )  # fmt: skip
    return CreditLimit.objects.get(policy=policy, buyer=buyer, status=LimitStatus.ACTIVE)


APPLICATION_FORM = {
    "request_type": "2",
    "requested_amount": "1,200,000",
    "payment_terms_days": "60",
    "expected_annual_sales": "7200000",
    "goods": "数控机床",
    "first_shipment_on": "2026-12-01",
    "trading_since": "2019-03-01",
    "sales_last_12_months": "5000000",
    "largest_invoice": "800000",
    "overdue_amount": "0",
    "worst_delay_days": "5",
    "guarantor": "",
    "related_party_link": "",
    "reason": "新合同",
}


# --- the main flow --------------------------------------------------------------------------


def test_clerk_prepares_approver_submits_underwriter_decides_partially_insured_sees_it(
    personas, world
):
    clerk = client_for(personas["insured_a_clerk"])
    page = clerk.get(reverse("limits:application-create"))
    assert page.status_code == 200
    assert 'name="submit_now"' not in page.content.decode()  # a clerk cannot submit
    assert 'data-testid="calc-turnover"' in page.content.decode()
    assert 'data-testid="calc-peak"' in page.content.decode()

    response = clerk.post(
        reverse("limits:application-create"),
        {**APPLICATION_FORM, "policy": world.policy_a.pk, "buyer_uscc": world.buyer.uscc},
    )
    application = LimitApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert application.status == ApplicationStatus.DRAFT
    assert application.requested_amount == Decimal("1200000")
    assert application.prepared_by == personas["insured_a_clerk"]
    # A draft is the insured's own business: not in the underwriters' queue yet.
    underwriter = client_for(personas["underwriter"])
    assert underwriter.get(application.get_absolute_url()).status_code == 404
    # The clerk cannot submit; the approver sees the button and does.
    assert (
        'data-testid="submit-application"'
        not in clerk.get(application.get_absolute_url()).content.decode()
    )
    assert (
        clerk.post(reverse("limits:application-submit", args=[application.pk])).status_code == 404
    )
    approver = client_for(personas["insured_a"])
    assert (
        'data-testid="submit-application"'
        in approver.get(application.get_absolute_url()).content.decode()
    )
    approver.post(reverse("limits:application-submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    queue = underwriter.get(reverse("limits:queue"))
    assert queue.status_code == 200
    assert world.buyer.name in queue.content.decode()
    detail = underwriter.get(application.get_absolute_url())
    assert 'data-testid="decide-form"' in detail.content.decode()
    assert by_testid(detail, "buyer-grade") == "4"
    assert by_testid(detail, "remaining-capacity") == "10,000,000.00"

    effects, response = confirmed_post(
        underwriter,
        reverse("limits:application-decide", args=[application.pk]),
        {"outcome": "partial", "amount": "800000", "payment_terms_days": "60",
         "reason_code": "14", "conditions": ""},
    )  # fmt: skip
    # The dialog said what would happen, in figures: 800,000 of the 1,200,000 asked.
    assert "即部分批准：申请 1,200,000.00，批准 800,000.00" in effects
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECIDED

    seen = approver.get(application.get_absolute_url())
    assert by_testid(seen, "decision-response").startswith("5")  # RECECO 5: partly approved
    assert by_testid(seen, "decision-amount") == "800,000.00"
    limit = CreditLimit.objects.get(policy=world.policy_a, buyer=world.buyer)
    limit_page = approver.get(limit.get_absolute_url())
    assert limit_page.status_code == 200
    assert by_testid(limit_page, "limit-amount") == "800,000.00"
    assert "Partly approved" in text_of(limit_page) or "部分" in text_of(limit_page)
    # Staff-only figures stay off the insured's page.
    assert 'data-testid="buyer-exposure"' not in limit_page.content.decode()
    assert 'data-testid="history"' not in limit_page.content.decode()
    assert 'data-testid="reduce-form"' not in limit_page.content.decode()


def test_an_approver_can_submit_at_once_from_the_form(personas, world):
    approver = client_for(personas["insured_a"])
    response = approver.post(
        reverse("limits:application-create"),
        {**APPLICATION_FORM, "policy": world.policy_a.pk, "buyer_uscc": world.buyer.uscc,
         "submit_now": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert LimitApplication.objects.get().status == ApplicationStatus.SUBMITTED


def test_a_new_buyer_needs_name_and_industry_and_errors_name_the_field(personas, world):
    approver = client_for(personas["insured_a"])
    new_uscc = BuyerFactory.build().uscc
    response = approver.post(
        reverse("limits:application-create"),
        {**APPLICATION_FORM, "policy": world.policy_a.pk, "buyer_uscc": new_uscc},
    )
    assert response.status_code == 200
    assert 'data-field="buyer_name"' in response.content.decode()
    assert not LimitApplication.objects.exists()

    response = approver.post(
        reverse("limits:application-create"),
        {**APPLICATION_FORM, "policy": world.policy_a.pk, "buyer_uscc": new_uscc,
         "buyer_name": "杭州新买方贸易有限公司", "buyer_industry": "F"},
    )  # fmt: skip
    assert response.status_code == 302
    assert LimitApplication.objects.get().buyer.name == "杭州新买方贸易有限公司"


def test_a_bad_uscc_is_an_error_on_its_field(personas, world):
    response = client_for(personas["insured_a"]).post(
        reverse("limits:application-create"),
        {**APPLICATION_FORM, "policy": world.policy_a.pk, "buyer_uscc": "91440300MA5XXXXXX1"},
    )
    assert response.status_code == 200
    assert 'data-field="buyer_uscc"' in response.content.decode()


def test_the_clerk_withdraws_a_draft(personas, world):
    application = services.application_create(
        actor=personas["insured_a_clerk"], policy_id=world.policy_a.pk,
        buyer_uscc=world.buyer.uscc, requested_amount=Decimal("500000"),
    )  # fmt: skip
    clerk = client_for(personas["insured_a_clerk"])
    clerk.post(reverse("limits:application-withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_a_partial_decision_without_amount_is_refused_on_the_form(personas, world):
    application = submitted_application(personas, world.policy_a, world.buyer)
    response = client_for(personas["underwriter"]).post(
        reverse("limits:application-decide", args=[application.pk]),
        {"outcome": "partial", "amount": "", "reason_code": "7"},
    )
    assert response.status_code == 200
    assert 'data-field="amount"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_negative_partial_amount_gets_one_true_message(personas, world):
    application = submitted_application(personas, world.policy_a, world.buyer)
    response = client_for(personas["underwriter"]).post(
        reverse("limits:application-decide", args=[application.pk]),
        {"outcome": "partial", "amount": "-100", "reason_code": "7"},
    )
    assert response.status_code == 200
    assert response.context["decide_form"].errors["amount"] == ["金额必须大于零。"]
    assert "请填写批准金额" not in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_service_refusal_comes_back_on_the_decide_form(personas, world):
    # 2,000,000 requested: a "partial" of 2,500,000 is not partial (service error on amount).
    application = submitted_application(personas, world.policy_a, world.buyer)
    response = client_for(personas["senior_underwriter"]).post(
        reverse("limits:application-decide", args=[application.pk]),
        {"outcome": "partial", "amount": "2500000", "reason_code": "7"},
    )
    assert response.status_code == 200
    assert 'data-field="amount"' in response.content.decode()


# --- four-eyes -----------------------------------------------------------------------------


def test_above_authority_a_proposal_waits_for_another_underwriter(personas, world):
    application = submitted_application(personas, world.policy_a, world.buyer, amount="3000000")
    underwriter = client_for(personas["underwriter"])  # authority 1,000,000
    effects, _response = confirmed_post(
        underwriter,
        reverse("limits:application-decide", args=[application.pk]),
        {"outcome": "approve", "reason_code": "7"},
    )
    assert "1,000,000.00" in effects  # the dialog names the authority it is above
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_SECOND_APPROVAL
    assert not LimitDecision.objects.exists()

    own = underwriter.get(application.get_absolute_url())
    assert by_testid(own, "proposed-amount") == "3,000,000.00"
    assert 'data-testid="approve-proposal"' not in own.content.decode()
    underwriter.post(reverse("limits:application-approve", args=[application.pk]))
    application.refresh_from_db()
    assert (
        application.status == ApplicationStatus.AWAITING_SECOND_APPROVAL
    )  # nobody approves their own

    queue = client_for(personas["senior_underwriter"]).get(reverse("limits:queue"))
    assert "table-warning" in queue.content.decode()  # awaiting second approval stands out

    senior = client_for(personas["senior_underwriter"])
    assert (
        'data-testid="approve-proposal"'
        in senior.get(application.get_absolute_url()).content.decode()
    )
    response = senior.post(reverse("limits:application-approve", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    decision = LimitDecision.objects.get()
    assert application.status == ApplicationStatus.DECIDED
    assert (decision.decided_by, decision.approved_by) == (
        personas["underwriter"],
        personas["senior_underwriter"],
    )
    assert decision.amount == Decimal("3000000")


def test_the_second_underwriter_sends_a_proposal_back_with_a_note(personas, world):
    application = submitted_application(personas, world.policy_a, world.buyer, amount="3000000")
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve"
    )
    senior = client_for(personas["senior_underwriter"])
    # Without a note nothing happens.
    senior.post(reverse("limits:application-send-back", args=[application.pk]), {"note": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWAITING_SECOND_APPROVAL
    senior.post(
        reverse("limits:application-send-back", args=[application.pk]),
        {"note": "请补充财务报表"},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert "请补充财务报表" in application.auto_note_text


# --- reductions, cancellations, pending orders ------------------------------------------------


def test_a_reduction_with_a_future_effective_date_shows_the_scheduled_change(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer)
    underwriter = client_for(personas["underwriter"])
    page = underwriter.get(limit.get_absolute_url())
    assert 'data-testid="reduce-form"' in page.content.decode()
    assert 'data-testid="buyer-exposure"' in page.content.decode()

    today = timezone.localdate()
    effective = today + timedelta(days=30)
    effects, response = confirmed_post(
        underwriter,
        reverse("limits:reduce", args=[limit.pk]),
        {"amount": "300000", "notice_on": today.isoformat(),
         "effective_on": effective.isoformat(), "reason_code": "12"},
    )  # fmt: skip
    assert f"800,000.00 削减至 300,000.00，适用于 {effective.isoformat()} 之后" in effects
    assert response.status_code == 302
    limit.refresh_from_db()
    assert limit.amount == Decimal("800000")  # unchanged until the effective date
    page = client_for(personas["insured_a"]).get(limit.get_absolute_url())
    scheduled = by_testid(page, "scheduled-change")
    assert "300,000.00" in scheduled and effective.isoformat() in scheduled


def test_a_blank_amount_never_cancels_cancelling_is_its_own_confirmed_action(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer)
    underwriter = client_for(personas["underwriter"])
    today = timezone.localdate()
    for amount in ("", "0", "confirmed"):
        body = {"amount": amount, "notice_on": today.isoformat(), "reason_code": "3"}
        if amount == "confirmed":
            body = {**body, "amount": "", "confirmed": "1"}
        response = underwriter.post(reverse("limits:reduce", args=[limit.pk]), body)
        assert response.status_code == 200
        assert 'data-field="amount"' in response.content.decode()
    limit.refresh_from_db()
    assert limit.status == LimitStatus.ACTIVE

    response = underwriter.post(
        reverse("limits:cancel", args=[limit.pk]),
        {"notice_on": today.isoformat(),
         "effective_on": (today - timedelta(days=1)).isoformat(), "reason_code": "3"},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'data-field="effective_on"' in response.content.decode()
    assert 'data-testid="confirm-dialog"' not in response.content.decode()
    effects, response = confirmed_post(
        underwriter,
        reverse("limits:cancel", args=[limit.pk]),
        {"notice_on": today.isoformat(), "reason_code": "3"},
    )
    assert "800,000.00" in effects and "撤销" in effects
    assert response.status_code == 302
    limit.refresh_from_db()
    assert limit.status == LimitStatus.CANCELLED


def test_nothing_changes_until_the_underwriter_confirms(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer)
    notified = Notification.objects.count()
    client_for(personas["underwriter"]).post(
        reverse("limits:cancel", args=[limit.pk]),
        {"notice_on": timezone.localdate().isoformat(), "reason_code": "3"},
    )
    limit.refresh_from_db()
    assert limit.status == LimitStatus.ACTIVE
    assert LimitDecision.objects.filter(credit_limit=limit).count() == 1  # the grant only
    assert Notification.objects.count() == notified  # the dry run told nobody


def test_pending_orders_refusal_shows_the_reasons_on_the_form(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer)
    notice = timezone.localdate() - timedelta(days=20)
    decision = services.limit_reduce_or_cancel(
        actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("300000"),
        notice_on=notice, reason_code="12",
    )  # fmt: skip
    approver = client_for(personas["insured_a"])
    limit_page = approver.get(limit.get_absolute_url())
    assert reverse("limits:pending-orders", args=[decision.pk]) in limit_page.content.decode()

    response = approver.post(
        reverse("limits:pending-orders", args=[decision.pk]),
        {"requested_on": timezone.localdate().isoformat(), "contract_reference": "HT-2026-001",
         "contract_signed_on": (notice - timedelta(days=365)).isoformat(),
         "contract_amount": "200000"},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="refusal"' in html
    assert 'data-field="requested_on"' in html  # asked more than 8 days after the notice
    assert 'data-field="contract_signed_on"' in html  # signed over 6 months before it
    assert PendingOrdersCover.objects.get().status == "refused"  # the refusal is on record


def test_pending_orders_in_time_are_accepted(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer)
    today = timezone.localdate()
    decision = services.limit_reduce_or_cancel(
        actor=personas["underwriter"], limit_id=limit.pk, amount=None, notice_on=today,
        reason_code="3",
    )  # fmt: skip
    response = client_for(personas["insured_a"]).post(
        reverse("limits:pending-orders", args=[decision.pk]),
        {"requested_on": today.isoformat(), "contract_reference": "HT-2026-002",
         "contract_signed_on": (today - timedelta(days=30)).isoformat(),
         "contract_amount": "200000"},
    )  # fmt: skip
    assert response.status_code == 302
    cover = PendingOrdersCover.objects.get()
    assert (cover.status, cover.covered_amount) == ("accepted", Decimal("200000"))


# --- discretionary limits and reviews ------------------------------------------------------------


def test_a_discretionary_limit_with_an_unknown_uscc_is_a_field_error(personas, world):
    approver = client_for(personas["insured_a"])
    response = approver.post(
        reverse("limits:discretionary"),
        {"policy": world.policy_a.pk, "buyer_uscc": BuyerFactory.build().uscc,
         "amount": "300000", "payment_terms_days": "60"},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'data-field="buyer_uscc"' in response.content.decode()

    response = approver.post(
        reverse("limits:discretionary"),
        {"policy": world.policy_a.pk, "buyer_uscc": world.buyer.uscc,
         "amount": "300000", "payment_terms_days": "60"},
    )  # fmt: skip
    limit = CreditLimit.objects.get()
    assert response["Location"] == limit.get_absolute_url()
    assert limit.source == "discretionary"
    # Above the policy's maximum discretionary limit: the service's message on the amount.
    response = approver.post(
        reverse("limits:discretionary"),
        {"policy": world.policy_a.pk, "buyer_uscc": BuyerFactory().uscc,
         "amount": "600000", "payment_terms_days": "60"},
    )  # fmt: skip
    assert 'data-field="amount"' in response.content.decode()


def test_an_underwriter_completes_a_review_by_reducing(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer)
    event = NegativeEvent.objects.create(
        buyer=world.buyer, kind="court_judgment", occurred_on=timezone.localdate()
    )
    review = LimitReview.objects.create(
        credit_limit=limit, reason=ReviewReason.NEGATIVE_EVENT, negative_event=event,
        due_on=timezone.localdate() - timedelta(days=2),
    )  # fmt: skip
    underwriter = client_for(personas["underwriter"])
    listing = underwriter.get(reverse("limits:reviews"))
    assert reverse("limits:review-complete", args=[review.pk]) in listing.content.decode()
    assert "text-bg-danger" in listing.content.decode()  # overdue review
    response = underwriter.post(
        reverse("limits:review-complete", args=[review.pk]),
        {"outcome": "reduce", "amount": "", "notice_on": timezone.localdate().isoformat(),
         "reason_code": "12"},
    )  # fmt: skip
    assert 'data-field="amount"' in response.content.decode()
    effects, _response = confirmed_post(
        underwriter,
        reverse("limits:review-complete", args=[review.pk]),
        {"outcome": "reduce", "amount": "400000", "notice_on": timezone.localdate().isoformat(),
         "reason_code": "12"},
    )  # fmt: skip
    assert "400,000.00" in effects
    review.refresh_from_db()
    limit.refresh_from_db()
    assert (review.status, limit.amount) == (ReviewStatus.DONE, Decimal("400000"))


# --- calculators (SPEC 5) ----------------------------------------------------------------------


def test_turnover_calculator_gives_the_spec_example(personas):
    # SPEC 5: 6,000,000 a year on 60 days → 1,000,000.
    client = client_for(personas["insured_a_clerk"])
    response = client.post(
        reverse("limits:calc-turnover"),
        {"turnover-annual_credit_sales": "6,000,000", "turnover-credit_days": "60"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert by_testid(response, "turnover-result") == "1,000,000.00"
    assert "<html" not in response.content.decode()  # a fragment, not a page


def test_turnover_calculator_explains_bad_input(personas):
    client = client_for(personas["underwriter"])
    response = client.post(
        reverse("limits:calc-turnover"),
        {"turnover-annual_credit_sales": "lots", "turnover-credit_days": "0"},
    )
    html = response.content.decode()
    assert 'data-testid="turnover-error"' in html
    assert html.count('class="calc-error"') == 2  # both fields named
    assert 'data-testid="turnover-result"' not in response.content.decode()


def test_peak_calculator_replays_invoices_and_payments(personas):
    lines = "\n".join(
        [
            "2026-03-01 invoice 300000",
            "2026-01-05 invoice 500000",
            "2026-02-10 payment 400000",
            "2026-03-01 payment 100000",
            "2026-04-15 invoice 250,000",
        ]
    )
    # 500,000 → 100,000 → +300,000 = 400,000 (invoices before payments on a day) → 300,000
    # → 550,000 on 2026-04-15.
    response = client_for(personas["insured_a"]).post(
        reverse("limits:calc-peak"), {"peak-movements": lines}
    )
    assert by_testid(response, "peak-result") == "550,000.00"
    assert "2026-04-15" in by_testid(response, "peak-date")


def test_peak_calculator_names_the_bad_line(personas):
    response = client_for(personas["insured_a"]).post(
        reverse("limits:calc-peak"),
        {"peak-movements": "2026-01-05 invoice 500000\n2026-02-30 payment 100\nfoo"},
    )
    html = response.content.decode()
    assert 'data-testid="peak-error"' in html
    assert html.count('class="calc-error"') == 2  # lines 2 and 3
    assert "2026-02-30" in html
    assert 'data-testid="peak-result"' not in response.content.decode()


def test_calculators_need_a_login():
    response = Client().post(reverse("limits:calc-turnover"), {})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- scope: 404 for everything outside it ------------------------------------------------------


def test_another_insureds_application_limit_and_decision_answer_404(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer)
    decision = services.limit_reduce_or_cancel(
        actor=personas["underwriter"], limit_id=limit.pk, amount=Decimal("300000"),
        notice_on=timezone.localdate(), reason_code="12",
    )  # fmt: skip
    other_buyer = BuyerFactory(risk_grade=4)
    application = submitted_application(personas, world.policy_a, other_buyer, amount="500000")
    intruder = client_for(personas["insured_b"])
    for url in (
        application.get_absolute_url(),
        limit.get_absolute_url(),
        reverse("limits:pending-orders", args=[decision.pk]),
    ):
        assert intruder.get(url).status_code == 404, url
    for name in ("limits:application-submit", "limits:application-withdraw"):
        assert intruder.post(reverse(name, args=[application.pk])).status_code == 404
    assert (
        intruder.post(
            reverse("limits:pending-orders", args=[decision.pk]),
            {"requested_on": "2026-11-25", "contract_reference": "x",
             "contract_signed_on": "2026-10-01", "contract_amount": "1"},
        ).status_code
        == 404
    )  # fmt: skip
    # The bank sees no limit yet (no assignment agreements), and changes nothing.
    bank = client_for(personas["bank"])
    assert bank.get(limit.get_absolute_url()).status_code == 404
    assert bank.get(application.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("limits:queue", {"underwriter", "senior_underwriter", "admin"}),
        ("limits:reviews", {"underwriter", "senior_underwriter", "admin"}),
        ("limits:application-create", {"insured_a", "insured_a_clerk", "insured_b"}),
        ("limits:discretionary", {"insured_a", "insured_b"}),
        ("limits:applications", None),
        ("limits:list", None),
    ],
)
def test_role_pages_answer_404_to_other_roles(personas, world, name, allowed):
    url = reverse(name)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    for persona, user in personas.items():
        expected = 200 if allowed is None or persona in allowed else 404
        assert client_for(user).get(url).status_code == expected, persona


def test_role_actions_answer_404_to_other_roles(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer)
    application = submitted_application(
        personas, world.policy_a, BuyerFactory(risk_grade=4), amount="500000"
    )
    claims = client_for(personas["claims_handler"])  # staff, sees both, may decide neither
    assert claims.get(limit.get_absolute_url()).status_code == 200
    assert claims.post(reverse("limits:reduce", args=[limit.pk]), {}).status_code == 404
    for name in ("limits:application-decide", "limits:application-approve"):
        assert claims.post(reverse(name, args=[application.pk])).status_code == 404
    insured = client_for(personas["insured_a"])
    assert insured.post(reverse("limits:reduce", args=[limit.pk]), {}).status_code == 404
    assert (
        insured.post(reverse("limits:application-decide", args=[application.pk])).status_code == 404
    )
    # The approver's own company's decision page exists, but a clerk may not ask for it.
    decision = limit.decisions.get()
    clerk = client_for(personas["insured_a_clerk"])
    assert clerk.get(reverse("limits:pending-orders", args=[decision.pk])).status_code == 404
    # GET on a POST-only action is not allowed.
    underwriter = client_for(personas["underwriter"])
    response = underwriter.get(reverse("limits:application-decide", args=[application.pk]))
    assert response.status_code == 405
    # An unknown id is the same 404 as someone else's.
    assert underwriter.get(reverse("limits:detail", args=[999999])).status_code == 404


# --- the queue --------------------------------------------------------------------------------


def test_queue_is_oldest_first_with_age_badges_and_bounded_queries(
    personas, world, django_assert_max_num_queries
):
    applications = [
        submitted_application(
            personas, world.policy_a, BuyerFactory(risk_grade=3 + i % 3), amount="500000"
        )
        for i in range(20)
    ]
    old = applications[7]
    LimitApplication.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - timedelta(days=30)
    )
    client = client_for(personas["underwriter"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("limits:queue"))
    html = response.content.decode()
    assert html.count('data-testid="queue-row"') == 20
    first_row = html.split('data-testid="queue-row"')[1]
    assert old.buyer.name in first_row  # the oldest is first
    assert "text-bg-danger" in first_row  # 30 days > 21-day service level
    assert 'hx-trigger="every 30s"' in html

    with django_assert_max_num_queries(8):
        fragment = client.get(reverse("limits:queue"), headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    assert fragment.content.decode().count('data-testid="queue-row"') == 20


def test_the_applications_list_is_scoped_and_exports(personas, world):
    submitted_application(personas, world.policy_a, world.buyer, amount="500000")
    own = client_for(personas["insured_a"]).get(reverse("limits:applications"))
    assert world.buyer.name in own.content.decode()
    other = client_for(personas["insured_b"]).get(reverse("limits:applications"))
    assert world.buyer.name not in other.content.decode()
    export = client_for(personas["insured_a"]).get(reverse("limits:applications") + "?export=csv")
    assert world.buyer.uscc in b"".join(export.streaming_content).decode()


# --- what the insured reads of the insurer's workings (SPEC 2, 5) ---------------------------


def test_the_insured_reads_why_it_waits_and_the_decision_without_ceilings_or_capacity(
    personas, world
):
    from limits.models import AutoDecisionGradeRule, AutoDecisionSettings

    AutoDecisionSettings.objects.create(enabled=True, capacity_headroom_percent=Decimal("20"))
    AutoDecisionGradeRule.objects.create(risk_grade=4, max_amount=Decimal("300000"))
    waiting = submitted_application(personas, world.policy_a, world.buyer, amount="400000")
    insured = client_for(personas["insured_a"])
    page = insured.get(waiting.get_absolute_url())
    assert by_testid(page, "waiting-reason") == "超出自动审批金额，由核保人审批。"
    assert "300,000" not in text_of(page)
    assert 'data-testid="auto-note"' not in page.content.decode()
    staff = client_for(personas["underwriter"]).get(waiting.get_absolute_url())
    assert "300,000.00" in by_testid(staff, "auto-note")

    other = BuyerFactory(risk_grade=4)
    decided = submitted_application(personas, world.policy_a, other, amount="200000")
    assert decided.status == ApplicationStatus.DECIDED
    for url in (
        decided.get_absolute_url(),
        CreditLimit.objects.get(buyer=other).get_absolute_url(),
    ):
        page = insured.get(url)
        assert by_testid(page, "decision-explanation") == "已按保单规则自动审批。"
        assert "10,000,000" not in text_of(page)  # the buyer's capacity
        assert "300,000" not in text_of(page)  # the grade's automatic ceiling
    staff = client_for(personas["underwriter"]).get(decided.get_absolute_url())
    assert "300,000.00" in by_testid(staff, "decision-explanation")


def test_lists_show_what_was_granted_not_just_decided(
    personas, world, django_assert_max_num_queries
):
    application = submitted_application(personas, world.policy_a, world.buyer, amount="900000")
    services.application_decide(
        actor=personas["underwriter"],
        application_id=application.pk,
        outcome="partial",
        amount=Decimal("1000"),
        reason_code="14",
    )
    for _ in range(3):  # more decided rows cost no more queries
        other = submitted_application(personas, world.policy_a, BuyerFactory(risk_grade=4))
        services.application_decide(
            actor=personas["underwriter"], application_id=other.pk, outcome="refuse"
        )
    client = client_for(personas["insured_a"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("limits:applications") + "?sort=requested_amount")
    html = page.content.decode()
    assert "部分批准 1,000.00 / 申请 900,000.00" in html
    assert re.search(r'text-bg-warning[^"]*">部分批准 1,000.00', html)
    assert len(re.findall(r'text-bg-danger[^"]*">不予批准（申请 2,000,000.00）', html)) == 3
    detail = client.get(application.get_absolute_url())
    assert by_testid(detail, "application-outcome") == "部分批准 1,000.00 / 申请 900,000.00"


def test_the_limit_list_shows_a_scheduled_cut_as_adverse(personas, world):
    limit = granted_limit(personas, world.policy_a, world.buyer, amount="1000000")
    services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=limit.pk,
        amount=Decimal("400000"),
        notice_on=timezone.localdate(),
        effective_on=timezone.localdate() + timedelta(days=14),
        reason_code="12",
    )
    html = client_for(personas["insured_a"]).get(reverse("limits:list")).content.decode()
    on = (timezone.localdate() + timedelta(days=14)).isoformat()
    assert re.search(rf'text-bg-warning[^"]*">于 {on} 削减至 400,000.00', html)
