"""SPEC 4 and 5 through the services: who may do what, capacity, four-eyes, history."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db.utils import ProgrammingError
from django.utils import translation

from buyers.models import NegativeEvent, RelatedParty
from buyers.services import buyer_update
from limits import services, texts
from limits.choices import (
    ApplicationStatus,
    LimitSource,
    LimitStatus,
    ReasonCode,
    RequestType,
    ResponseCode,
)
from limits.models import AutoDecisionExclusion, CreditLimit, LimitApplication, LimitDecision
from notifications.models import Notification
from policies.services import policy_transition
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


def _apply(personas, policy, buyer, amount="2000000", submit=True, **extra):
    return services.application_create(
        actor=personas["insured_a"],
        policy_id=policy.pk,
        buyer_uscc=buyer.uscc,
        requested_amount=Decimal(amount),
        payment_terms_days=60,
        submit=submit,
        today=TODAY,
        **extra,
    )


def _limit(policy, buyer):
    return CreditLimit.objects.get(policy=policy, buyer=buyer, status__in=["active", "suspended"])


# --- discretionary limits --------------------------------------------------------------


def test_the_insured_sets_a_discretionary_limit_up_to_the_maximum(personas, live_policy_a, buyer):
    limit = services.discretionary_limit_set(
        actor=personas["insured_a"],
        policy_id=live_policy_a.pk,
        buyer_id=buyer.pk,
        amount=Decimal("500000"),
        payment_terms_days=60,
        today=TODAY,
    )
    assert (limit.amount, limit.source) == (Decimal("500000"), LimitSource.DISCRETIONARY)
    assert limit.decisions.get().decided_by == personas["insured_a"]


def test_a_discretionary_limit_above_the_maximum_is_refused(personas, live_policy_a, buyer):
    with pytest.raises(ValidationError) as info:
        services.discretionary_limit_set(
            actor=personas["insured_a"],
            policy_id=live_policy_a.pk,
            buyer_id=buyer.pk,
            amount=Decimal("500000.01"),
            payment_terms_days=60,
            today=TODAY,
        )
    assert "amount" in info.value.message_dict
    assert not CreditLimit.objects.exists()


@pytest.mark.parametrize("case", ["related", "public", "negative_event"])
def test_discretionary_limits_are_refused_for_excluded_buyers(personas, live_policy_a, buyer, case):
    if case == "related":
        RelatedParty.objects.create(buyer=buyer, insured=live_policy_a.insured, relation="母公司")
    elif case == "public":
        buyer.is_public_body = True
        buyer.save()
    else:
        NegativeEvent.objects.create(
            buyer=buyer, kind="dishonoured_bill", occurred_on=TODAY - timedelta(days=300)
        )
    with pytest.raises(ValidationError) as info:
        services.discretionary_limit_set(
            actor=personas["insured_a"],
            policy_id=live_policy_a.pk,
            buyer_id=buyer.pk,
            amount=Decimal("100000"),
            payment_terms_days=60,
            today=TODAY,
        )
    assert "buyer" in info.value.message_dict


def test_negative_information_older_than_12_months_does_not_block(personas, live_policy_a, buyer):
    NegativeEvent.objects.create(
        buyer=buyer, kind="dishonoured_bill", occurred_on=TODAY - timedelta(days=400)
    )
    services.discretionary_limit_set(
        actor=personas["insured_a"],
        policy_id=live_policy_a.pk,
        buyer_id=buyer.pk,
        amount=Decimal("100000"),
        payment_terms_days=60,
        today=TODAY,
    )


def test_an_insurer_decision_replaces_the_discretionary_limit(personas, live_policy_a, buyer):
    limit = services.discretionary_limit_set(
        actor=personas["insured_a"],
        policy_id=live_policy_a.pk,
        buyer_id=buyer.pk,
        amount=Decimal("300000"),
        payment_terms_days=60,
        today=TODAY,
    )
    application = _apply(personas, live_policy_a, buyer, amount="800000")
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve", today=TODAY
    )
    replaced = _limit(live_policy_a, buyer)
    assert replaced.pk == limit.pk
    assert (replaced.amount, replaced.source) == (Decimal("800000"), LimitSource.INSURER)
    assert replaced.decisions.count() == 2
    with pytest.raises(ValidationError):
        services.discretionary_limit_set(
            actor=personas["insured_a"],
            policy_id=live_policy_a.pk,
            buyer_id=buyer.pk,
            amount=Decimal("100000"),
            payment_terms_days=60,
            today=TODAY,
        )


def test_a_clerk_or_another_insured_cannot_set_a_discretionary_limit(
    personas, live_policy_a, buyer
):
    for who in ("insured_a_clerk", "insured_b"):
        with pytest.raises(PermissionError):
            services.discretionary_limit_set(
                actor=personas[who],
                policy_id=live_policy_a.pk,
                buyer_id=buyer.pk,
                amount=Decimal("100000"),
                payment_terms_days=60,
                today=TODAY,
            )


# --- applications ------------------------------------------------------------------------


def test_a_clerk_prepares_and_an_approver_submits(personas, live_policy_a, buyer):
    draft = services.application_create(
        actor=personas["insured_a_clerk"],
        policy_id=live_policy_a.pk,
        buyer_uscc=buyer.uscc,
        requested_amount=Decimal("1000000"),
        payment_terms_days=60,
        submit=True,
        today=TODAY,
        expected_annual_sales=Decimal("6000000"),
        goods="数控机床",
        trading_since=date(2020, 1, 1),
    )
    # SPEC 2: a clerk's submission waits for an approver of the same company.
    assert draft.status == ApplicationStatus.DRAFT
    with pytest.raises(PermissionError):
        services.application_submit(actor=personas["insured_a_clerk"], application_id=draft.pk)
    with pytest.raises(PermissionError):
        services.application_submit(actor=personas["insured_b"], application_id=draft.pk)
    submitted = services.application_submit(
        actor=personas["insured_a"], application_id=draft.pk, today=TODAY
    )
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_by == personas["insured_a"]


def test_a_new_buyer_is_created_from_the_application(personas, live_policy_a, capacities):
    application = services.application_create(
        actor=personas["insured_a"],
        policy_id=live_policy_a.pk,
        buyer_uscc="91110000600037341l",
        buyer_name="北京新买方科技有限公司",
        buyer_industry="I",
        requested_amount=Decimal("1000000"),
        payment_terms_days=60,
        today=TODAY,
    )
    assert application.buyer.uscc == "91110000600037341L"
    assert (application.buyer.name, application.buyer.region) == ("北京新买方科技有限公司", "11")


def test_an_unknown_buyer_without_a_name_or_a_bad_uscc_is_refused(personas, live_policy_a):
    with pytest.raises(ValidationError) as info:
        services.application_create(
            actor=personas["insured_a"],
            policy_id=live_policy_a.pk,
            buyer_uscc="91110000600037341L",
            requested_amount=Decimal("1"),
            payment_terms_days=60,
            today=TODAY,
        )
    assert "buyer_name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.application_create(
            actor=personas["insured_a"],
            policy_id=live_policy_a.pk,
            buyer_uscc="91110000600037341M",
            buyer_name="北京",
            buyer_industry="C",
            requested_amount=Decimal("1"),
            payment_terms_days=60,
            today=TODAY,
        )
    assert "buyer_uscc" in info.value.message_dict
    assert not LimitApplication.objects.exists()


def test_one_open_application_per_buyer_and_policy(personas, live_policy_a, buyer):
    _apply(personas, live_policy_a, buyer, submit=False)
    with pytest.raises(ValidationError) as info:
        _apply(personas, live_policy_a, buyer, submit=False)
    assert "buyer_uscc" in info.value.message_dict


def test_request_types_must_fit_the_current_limit(personas, live_policy_a, buyer):
    with pytest.raises(ValidationError) as info:
        _apply(personas, live_policy_a, buyer, request_type=RequestType.INCREASE)
    assert "request_type" in info.value.message_dict
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve", today=TODAY
    )
    with pytest.raises(ValidationError) as info:
        _apply(personas, live_policy_a, buyer, amount="900000", request_type=RequestType.INCREASE)
    assert "requested_amount" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _apply(personas, live_policy_a, buyer, amount="900000", request_type=RequestType.NEW)
    assert "request_type" in info.value.message_dict


def test_related_or_public_buyers_cannot_apply(personas, live_policy_a, buyer):
    RelatedParty.objects.create(buyer=buyer, insured=live_policy_a.insured, relation="同一控制人")
    with pytest.raises(ValidationError) as info:
        _apply(personas, live_policy_a, buyer)
    assert "buyer_uscc" in info.value.message_dict


# --- decisions ---------------------------------------------------------------------------


def test_full_approval_creates_the_limit_and_an_immutable_decision(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve", today=TODAY
    )
    limit = _limit(live_policy_a, buyer)
    assert limit.amount == Decimal("1000000")
    assert limit.next_review_on == date(2027, 11, 25)
    decision = limit.decisions.get()
    assert (decision.response_code, decision.decided_by) == (
        ResponseCode.APPROVED,
        personas["underwriter"],
    )
    with pytest.raises(ProgrammingError), connection.cursor() as cursor:
        cursor.execute("UPDATE limits_limitdecision SET amount = 1")


def test_partial_approval_is_coded_partly_approved(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    services.application_decide(
        actor=personas["underwriter"],
        application_id=application.pk,
        outcome="partial",
        amount=Decimal("600000"),
        reason_code=ReasonCode.LACK_OF_TURNOVER,
        today=TODAY,
    )
    decision = LimitDecision.objects.get()
    assert (decision.response_code, decision.amount, decision.requested_amount) == (
        ResponseCode.PARTLY_APPROVED,
        Decimal("600000"),
        Decimal("1000000"),
    )


def test_a_partial_approval_must_be_below_the_request(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    with pytest.raises(ValidationError) as info:
        services.application_decide(
            actor=personas["underwriter"],
            application_id=application.pk,
            outcome="partial",
            amount=Decimal("1000000"),
            today=TODAY,
        )
    assert "amount" in info.value.message_dict


def test_a_refusal_grants_nothing(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    services.application_decide(
        actor=personas["underwriter"],
        application_id=application.pk,
        outcome="refuse",
        reason_code=ReasonCode.ADVERSE_INFORMATION,
        today=TODAY,
    )
    assert not CreditLimit.objects.exists()
    assert LimitDecision.objects.get().response_code == ResponseCode.NOT_APPROVED


def test_a_temporary_limit_with_shorter_terms_is_a_conditional_approval(
    personas, live_policy_a, buyer
):
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    services.application_decide(
        actor=personas["underwriter"],
        application_id=application.pk,
        outcome="approve",
        payment_terms_days=30,
        expires_on=date(2027, 3, 31),
        today=TODAY,
    )
    limit = _limit(live_policy_a, buyer)
    assert (limit.payment_terms_days, limit.expires_on) == (30, date(2027, 3, 31))
    assert LimitDecision.objects.get().response_code == ResponseCode.CONDITIONAL


def test_terms_beyond_the_policy_credit_period_are_refused(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    with pytest.raises(ValidationError) as info:
        services.application_decide(
            actor=personas["underwriter"],
            application_id=application.pk,
            outcome="approve",
            payment_terms_days=121,
            today=TODAY,
        )
    assert "payment_terms_days" in info.value.message_dict


def test_the_insured_is_notified_of_the_decision(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve", today=TODAY
    )
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"insured_a", "insured_a_clerk"} <= recipients
    assert "insured_b" not in recipients


# --- four-eyes -----------------------------------------------------------------------------


def test_above_authority_waits_for_a_second_approver(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="2000000")
    proposer = personas["underwriter"]  # authority 1,000,000
    waiting = services.application_decide(
        actor=proposer,
        application_id=application.pk,
        outcome="partial",
        amount=Decimal("1500000"),
        today=TODAY,
    )
    assert waiting.status == ApplicationStatus.AWAITING_SECOND_APPROVAL
    assert not CreditLimit.objects.exists()
    with pytest.raises(ValidationError):  # nobody approves their own
        services.application_approve(actor=proposer, application_id=application.pk, today=TODAY)
    senior = personas["senior_underwriter"]
    services.application_approve(actor=senior, application_id=application.pk, today=TODAY)
    decision = LimitDecision.objects.get()
    assert (decision.decided_by, decision.approved_by, decision.amount) == (
        proposer,
        senior,
        Decimal("1500000"),
    )
    assert _limit(live_policy_a, buyer).amount == Decimal("1500000")


def test_a_second_approver_needs_enough_authority(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="5000000")
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve", today=TODAY
    )
    from tests.factories import UserFactory

    small = UserFactory(
        organisation=personas["underwriter"].organisation, authority_amount=Decimal("2000000")
    )
    with pytest.raises(ValidationError) as info:
        services.application_approve(actor=small, application_id=application.pk, today=TODAY)
    assert "approver" in info.value.message_dict


def test_send_back_returns_the_application_to_the_queue(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="2000000")
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve", today=TODAY
    )
    back = services.application_send_back(
        actor=personas["senior_underwriter"], application_id=application.pk, note="请补充财务报表"
    )
    assert back.status == ApplicationStatus.SUBMITTED
    assert back.proposed_by is None


def test_four_eyes_is_a_database_constraint_too(personas, live_policy_a, buyer):
    with pytest.raises(IntegrityError):
        LimitDecision.objects.create(
            policy=live_policy_a,
            buyer=buyer,
            response_code="2",
            reason_code="7",
            notice_on=TODAY,
            effective_on=TODAY,
            decided_by=personas["underwriter"],
            approved_by=personas["underwriter"],
        )


def test_claims_staff_and_insureds_cannot_decide(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="100000")
    for who in ("claims_handler", "insured_a"):
        with pytest.raises(PermissionError):
            services.application_decide(
                actor=personas[who], application_id=application.pk, outcome="approve", today=TODAY
            )


# --- capacity and grades -----------------------------------------------------------------------


def test_capacity_counts_limits_on_every_policy(personas, live_policy_a, live_policy_b, buyer):
    # Capacity 10,000,000 for grade 4; 7,000,000 already on insured B's policy.
    CreditLimit.objects.create(
        policy=live_policy_b,
        buyer=buyer,
        amount=Decimal("7000000"),
        payment_terms_days=60,
        source="insurer",
        effective_from=TODAY,
    )
    application = _apply(personas, live_policy_a, buyer, amount="3000001")
    with pytest.raises(ValidationError) as info:
        services.application_decide(
            actor=personas["senior_underwriter"],
            application_id=application.pk,
            outcome="approve",
            today=TODAY,
        )
    assert "amount" in info.value.message_dict
    assert "3,000,000" in str(info.value) or "3000000" in str(info.value)
    assert not CreditLimit.objects.filter(policy=live_policy_a).exists()
    services.application_decide(
        actor=personas["senior_underwriter"],
        application_id=application.pk,
        outcome="partial",
        amount=Decimal("3000000"),
        today=TODAY,
    )
    assert services.buyer_exposure(buyer.pk) == Decimal("10000000")


def test_an_increase_counts_only_the_difference(personas, live_policy_a, buyer):
    CreditLimit.objects.create(
        policy=live_policy_a,
        buyer=buyer,
        amount=Decimal("9000000"),
        payment_terms_days=60,
        source="insurer",
        effective_from=TODAY,
    )
    application = _apply(
        personas, live_policy_a, buyer, amount="10000000", request_type=RequestType.INCREASE
    )
    services.application_decide(
        actor=personas["senior_underwriter"],
        application_id=application.pk,
        outcome="approve",
        today=TODAY,
    )
    assert services.buyer_exposure(buyer.pk) == Decimal("10000000")


def test_grades_8_to_10_get_no_new_limits(personas, live_policy_a, capacities):
    poor = BuyerFactory(risk_grade=8)
    application = _apply(personas, live_policy_a, poor, amount="100000")
    with pytest.raises(ValidationError) as info:
        services.application_decide(
            actor=personas["underwriter"],
            application_id=application.pk,
            outcome="approve",
            today=TODAY,
        )
    assert "buyer" in info.value.message_dict


def test_grade_10_suspends_existing_limits(personas, live_policy_a, live_policy_b, buyer):
    for policy in (live_policy_a, live_policy_b):
        CreditLimit.objects.create(
            policy=policy,
            buyer=buyer,
            amount=Decimal("100000"),
            payment_terms_days=60,
            source="insurer",
            effective_from=TODAY,
        )
    buyer_update(actor=personas["underwriter"], buyer_id=buyer.pk, risk_grade=10)
    assert set(CreditLimit.objects.values_list("status", flat=True)) == {LimitStatus.SUSPENDED}
    # Suspended limits still count towards exposure (they may revive).
    assert services.buyer_exposure(buyer.pk) == Decimal("200000")


# --- automatic decisions ---------------------------------------------------------------------------


def test_a_small_application_is_decided_at_once_with_the_rule(
    personas, live_policy_a, buyer, auto_rules
):
    application = _apply(personas, live_policy_a, buyer, amount="200000")
    assert application.status == ApplicationStatus.DECIDED
    decision = LimitDecision.objects.get()
    assert decision.automatic and decision.decided_by is None
    assert "200,000.00" in decision.explanation_text  # the grade-4 automatic maximum it applied
    assert "200,000.00" not in decision.explanation_for_insured
    assert decision.explanation_code == texts.AUTO_APPROVED.code


def test_a_larger_application_goes_to_the_queue_saying_why(
    personas, live_policy_a, buyer, auto_rules
):
    application = _apply(personas, live_policy_a, buyer, amount="200000.01")
    assert application.status == ApplicationStatus.SUBMITTED
    # Stored as a code with the figures compared, rendered in the reader's language.
    assert application.auto_note_code == texts.AUTO_ABOVE_MAXIMUM.code
    assert (
        application.auto_note_params.items()
        >= {"amount": "200000.01", "maximum": "200000.00", "grade": 4}.items()
    )
    with translation.override("en"):
        # Staff read the rule with its figures; the insured only that it is above the
        # amount decided automatically (SPEC 5: the insurer's ceilings are its own).
        assert application.auto_note_text == (
            "requested 200,000.01 is above the automatic maximum 200,000.00 for grade 4"
        )
        assert application.waiting_reason == (
            "Above the amount decided automatically: an underwriter decides."
        )
    assert application.waiting_reason_code == texts.QUEUE_ABOVE_AUTOMATIC.code


def test_an_excluded_buyer_always_goes_to_the_queue(personas, live_policy_a, buyer, auto_rules):
    AutoDecisionExclusion.objects.create(buyer=buyer, reason="集团风险")
    application = _apply(personas, live_policy_a, buyer, amount="1000")
    assert application.status == ApplicationStatus.SUBMITTED


def test_automatic_decisions_keep_the_capacity_headroom(
    personas, live_policy_a, live_policy_b, buyer, auto_rules
):
    CreditLimit.objects.create(
        policy=live_policy_b,
        buyer=buyer,
        amount=Decimal("7900000"),
        payment_terms_days=60,
        source="insurer",
        effective_from=TODAY,
    )
    application = _apply(personas, live_policy_a, buyer, amount="100001")
    assert application.status == ApplicationStatus.SUBMITTED
    assert "10,000,000.00" in application.auto_note_text  # the capacity whose headroom it kept
    assert application.waiting_reason_code == texts.QUEUE_UNDERWRITER.code
    assert "10,000,000" not in application.waiting_reason


# --- reductions and cancellations ---------------------------------------------------------------------


@pytest.fixture
def granted(personas, live_policy_a, buyer):
    """A limit granted in the spring, so that notices can be dated before today."""
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve",
        today=date(2026, 3, 2),
    )  # fmt: skip
    return _limit(live_policy_a, buyer)


def test_a_reduction_effective_now(personas, granted):
    decision = services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=granted.pk,
        amount=Decimal("400000"),
        notice_on=TODAY,
        reason_code=ReasonCode.ADVERSE_INFORMATION,
        today=TODAY,
    )
    granted.refresh_from_db()
    assert granted.amount == Decimal("400000")
    assert (decision.response_code, decision.effective_on) == (ResponseCode.REDUCTION, TODAY)


def test_a_reduction_given_ahead_is_applied_by_the_sweep_once(personas, granted):
    effective = TODAY + timedelta(days=14)
    services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=granted.pk,
        amount=Decimal("400000"),
        notice_on=TODAY,
        effective_on=effective,
        reason_code=ReasonCode.OTHER,
        today=TODAY,
    )
    granted.refresh_from_db()
    assert (granted.amount, granted.scheduled_amount) == (Decimal("1000000"), Decimal("400000"))
    assert services.limits_apply_scheduled(today=effective - timedelta(days=1)) == 0
    assert services.limits_apply_scheduled(today=effective) == 1
    assert services.limits_apply_scheduled(today=effective) == 0
    granted.refresh_from_db()
    assert (granted.amount, granted.scheduled_amount) == (Decimal("400000"), None)


def test_a_scheduled_cancellation_ends_the_limit(personas, granted):
    services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=granted.pk,
        amount=None,
        notice_on=TODAY,
        effective_on=TODAY + timedelta(days=1),
        reason_code=ReasonCode.OUT_OF_BUSINESS,
        today=TODAY,
    )
    services.limits_apply_scheduled(today=TODAY + timedelta(days=1))
    granted.refresh_from_db()
    assert granted.status == LimitStatus.CANCELLED
    assert services.buyer_exposure(granted.buyer_id) == 0


def test_an_effective_date_before_the_notice_is_refused(personas, granted):
    with pytest.raises(ValidationError) as info:
        services.limit_reduce_or_cancel(
            actor=personas["underwriter"],
            limit_id=granted.pk,
            amount=Decimal("1"),
            notice_on=TODAY,
            effective_on=TODAY - timedelta(days=1),
            reason_code="15",
            today=TODAY,
        )
    assert "effective_on" in info.value.message_dict


def test_a_reduction_must_reduce(personas, granted):
    with pytest.raises(ValidationError) as info:
        services.limit_reduce_or_cancel(
            actor=personas["underwriter"],
            limit_id=granted.pk,
            amount=Decimal("1000000"),
            notice_on=TODAY,
            reason_code="15",
            today=TODAY,
        )
    assert "amount" in info.value.message_dict


def test_insured_request_types_reduce_cancel_prolong(personas, live_policy_a, buyer, granted):
    uw = personas["underwriter"]
    a = _apply(personas, live_policy_a, buyer, amount="500000", request_type=RequestType.REDUCTION)
    services.application_decide(actor=uw, application_id=a.pk, outcome="approve", today=TODAY)
    assert _limit(live_policy_a, buyer).amount == Decimal("500000")
    a = services.application_create(
        actor=personas["insured_a"],
        policy_id=live_policy_a.pk,
        buyer_uscc=buyer.uscc,
        request_type=RequestType.PROLONGATION,
        requested_expires_on=date(2027, 6, 30),
        submit=True,
        today=TODAY,
    )
    services.application_decide(actor=uw, application_id=a.pk, outcome="approve", today=TODAY)
    assert _limit(live_policy_a, buyer).expires_on == date(2027, 6, 30)
    a = services.application_create(
        actor=personas["insured_a"],
        policy_id=live_policy_a.pk,
        buyer_uscc=buyer.uscc,
        request_type=RequestType.CANCELLATION,
        submit=True,
        today=TODAY,
    )
    services.application_decide(actor=uw, application_id=a.pk, outcome="approve", today=TODAY)
    assert not CreditLimit.objects.filter(status="active").exists()
    codes = list(LimitDecision.objects.order_by("id").values_list("response_code", flat=True))
    assert codes == ["2", "9", "2", "8"]


# --- pending orders ----------------------------------------------------------------------------------


def test_pending_orders_cover_is_granted_within_the_rules(personas, granted):
    decision = services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=granted.pk,
        amount=Decimal("400000"),
        notice_on=date(2026, 11, 20),
        reason_code="12",
        today=TODAY,
    )
    cover = services.pending_orders_request(
        actor=personas["insured_a"],
        decision_id=decision.pk,
        requested_on=date(2026, 11, 27),
        contract_reference="HT-2026-088",
        contract_signed_on=date(2026, 6, 1),
        contract_amount=Decimal("1200000"),
        today=date(2026, 11, 27),
    )
    assert cover.status == "accepted"
    # Three months after the notice would be 2027-02-20; the policy ends before then.
    assert cover.cover_until == date(2026, 12, 31)
    # Covered within the old limit (1,000,000), not the whole contract.
    assert cover.covered_amount == Decimal("1000000")


def test_pending_orders_for_an_overdue_buyer_are_refused_and_recorded(personas, granted):
    NegativeEvent.objects.create(buyer=granted.buyer, kind="overdue_report", occurred_on=TODAY)
    decision = services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=granted.pk,
        amount=None,
        notice_on=TODAY,
        reason_code="12",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as info:
        services.pending_orders_request(
            actor=personas["insured_a"],
            decision_id=decision.pk,
            requested_on=TODAY + timedelta(days=9),
            contract_reference="HT-1",
            contract_signed_on=TODAY - timedelta(days=10),
            contract_amount=Decimal("100"),
            today=TODAY + timedelta(days=9),
        )
    assert set(info.value.message_dict) == {"buyer", "requested_on"}
    assert granted.pending_orders.get().status == "refused"


def test_an_insolvent_buyer_goes_to_the_queue_instead_of_failing(
    personas, live_policy_a, buyer, auto_rules
):
    buyer.status = "insolvent"
    buyer.save()
    application = _apply(personas, live_policy_a, buyer, amount="1000")
    assert application.status == ApplicationStatus.SUBMITTED
    assert (
        str(services.ERROR_BUYER_STATUS % {"status": buyer.get_status_display()})
        in application.auto_note_text
    )
    assert application.waiting_reason_code == texts.QUEUE_UNDERWRITER.code


def test_amounts_must_be_positive(personas, live_policy_a, buyer, granted):
    with pytest.raises(ValidationError) as info:
        services.discretionary_limit_set(
            actor=personas["insured_a"],
            policy_id=live_policy_a.pk,
            buyer_id=BuyerFactory().pk,
            amount=Decimal("0"),
            payment_terms_days=60,
            today=TODAY,
        )
    assert "amount" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.limit_reduce_or_cancel(
            actor=personas["underwriter"],
            limit_id=granted.pk,
            amount=Decimal("-1"),
            notice_on=TODAY,
            reason_code="15",
            today=TODAY,
        )
    assert "amount" in info.value.message_dict


def test_a_cut_never_takes_effect_in_the_past(personas, granted):
    with pytest.raises(ValidationError) as info:
        services.limit_reduce_or_cancel(
            actor=personas["underwriter"],
            limit_id=granted.pk,
            amount=Decimal("1"),
            notice_on=TODAY - timedelta(days=60),
            effective_on=TODAY - timedelta(days=1),
            reason_code="15",
            today=TODAY,
        )
    assert "effective_on" in info.value.message_dict
    # A notice recorded late takes effect today by default.
    decision = services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=granted.pk,
        amount=Decimal("1"),
        notice_on=TODAY - timedelta(days=3),
        reason_code="15",
        today=TODAY,
    )
    assert (decision.notice_on, decision.effective_on) == (TODAY - timedelta(days=3), TODAY)


def test_a_pending_orders_request_cannot_be_dated_ahead(personas, granted):
    decision = services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=granted.pk,
        amount=None,
        notice_on=TODAY,
        reason_code="12",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as info:
        services.pending_orders_request(
            actor=personas["insured_a"],
            decision_id=decision.pk,
            requested_on=TODAY + timedelta(days=1),
            contract_reference="HT-9",
            contract_signed_on=TODAY - timedelta(days=10),
            contract_amount=Decimal("100"),
            today=TODAY,
        )
    assert "requested_on" in info.value.message_dict


def test_a_review_of_an_ended_limit_cannot_confirm_it(personas, live_policy_a, granted):
    services.limit_reviews_open_due(today=date(2027, 11, 25))
    review = granted.reviews.get()
    services.limit_reduce_or_cancel(
        actor=personas["underwriter"],
        limit_id=granted.pk,
        amount=None,
        notice_on=TODAY,
        reason_code="3",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as info:
        services.limit_review_complete(
            actor=personas["underwriter"], review_id=review.pk, outcome="confirm", today=TODAY
        )
    assert "limit" in info.value.message_dict


def test_no_limit_is_granted_on_a_dead_policy(personas, live_policy_a, buyer):
    application = _apply(personas, live_policy_a, buyer, amount="1000000")
    policy_transition(
        actor=personas["underwriter"], policy_id=live_policy_a.pk, action_name="expire"
    )
    with pytest.raises(ValidationError) as info:
        services.application_decide(
            actor=personas["underwriter"],
            application_id=application.pk,
            outcome="approve",
            today=TODAY,
        )
    assert "policy" in info.value.message_dict
    assert not CreditLimit.objects.exists()


def test_a_late_application_says_earlier_shipments_are_not_covered(personas, live_policy_a, buyer):
    import time_machine

    with time_machine.travel(date(2026, 11, 25)):
        late = _apply(
            personas, live_policy_a, buyer, amount="100000", first_shipment_on=date(2026, 11, 1)
        )
    assert late.earlier_shipments == (False, date(2026, 11, 16))
    from tests.conftest import api_as

    body = api_as(personas["insured_a"]).get(f"/api/v1/limit-applications/{late.pk}/").json()
    assert (body["earlier_shipments_covered"], body["earlier_shipments_deadline"]) == (
        False,
        "2026-11-16",
    )
