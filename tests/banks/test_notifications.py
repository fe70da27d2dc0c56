"""SPEC 8: the bank financing a buyer is told (a row in its feed, a notification and an
e-mail through the outbox for each of its active users) of what happens to the buyer and
the policy; another bank, and the banks of nobody's buyer, are told nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from accounts.choices import Role
from banks import services
from banks.models import BankEvent
from banks.tasks import sweep_agreements
from claims import services as claim_services
from limits import services as limit_services
from notifications.models import Notification, OutboxMessage
from policies.services import policy_transition
from tests.banks.conftest import activate, prepare
from tests.claims.conftest import file_notice, grant_limit, invoice, open_complete_claim
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class News:
    """What the banks were told since the last look."""

    def __init__(self):
        self.event = self.note = self.mail = 0
        self.look()

    def look(self):
        events = list(BankEvent.objects.filter(pk__gt=self.event).order_by("pk"))
        notes = list(Notification.objects.filter(pk__gt=self.note, recipient__role=Role.BANK_USER))
        mails = list(OutboxMessage.objects.filter(pk__gt=self.mail))
        self.event = max([self.event, *(e.pk for e in events)])
        self.note = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.mail = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return events, notes, mails


@pytest.fixture
def financed(personas, policy, bank_org, bank_y_user, buyers):
    """Bank X finances buyer 0; two of its users are active, one has left."""
    second = UserFactory(organisation=bank_org, role=Role.BANK_USER, email="li@bank.example.cn")
    UserFactory(organisation=bank_org, role=Role.BANK_USER, email="gone@bank.example.cn",
                is_active=False)  # fmt: skip
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    personas["bank"].email = personas["bank"].email or "bank@bank.example.cn"
    personas["bank"].save(update_fields=["email"])
    return {"agreement": agreement, "users": {personas["bank"], second}}


def _expect(news, financed, *kinds, buyer=None):
    """Exactly `kinds` were told, each to bank X's agreement only, on `buyer`, each with a
    notification and an e-mail for each of its active users."""
    events, notes, mails = news.look()
    agreement, users = financed["agreement"], financed["users"]
    assert [e.kind for e in events] == list(kinds)
    for event in events:
        assert (event.bank_id, event.agreement_id, event.policy_id) == (
            agreement.bank_id, agreement.pk, agreement.policy_id,
        )  # fmt: skip
        assert event.buyer_id == (buyer.pk if buyer is not None else None)
        told = [n for n in notes if n.subject_code == event.subject_code]
        assert sorted(n.recipient_id for n in told) == sorted(
            u.pk for u in users for _ in range(sum(e.subject_code == event.subject_code
                                                   for e in events))
        )  # fmt: skip
    bank_mails = [m for m in mails if m.payload["to"][0] in {u.email for u in users}]
    assert len(bank_mails) == len(events) * len(users)
    assert not [m for m in mails if m.payload["to"][0] == "gone@bank.example.cn"]
    return events


def test_limit_decisions_on_a_covered_buyer(personas, policy, financed, buyers, bank_y_user):
    news = News()
    covered, uncovered = buyers
    grant_limit(personas, policy, covered, "1500000", request_type="3")
    _expect(news, financed, "limit_decision", buyer=covered)
    limit = covered.credit_limits.get(policy=policy, status="active")
    today = date(2026, 6, 1)
    limit_services.limit_reduce(
        actor=personas["senior_underwriter"], limit_id=limit.pk, amount=Decimal("800000"),
        notice_on=today, reason_code="01", today=today,
    )  # fmt: skip
    _expect(news, financed, "limit_cut", buyer=covered)
    limit_services.limit_cancel(
        actor=personas["senior_underwriter"], limit_id=limit.pk, notice_on=today,
        reason_code="01", today=today,
    )  # fmt: skip
    _expect(news, financed, "limit_cancelled", buyer=covered)
    # The uncovered buyer's decisions reach no bank.
    grant_limit(personas, policy, uncovered, "600000", request_type="3")
    other = uncovered.credit_limits.get(policy=policy, status="active")
    limit_services.limit_cancel(
        actor=personas["senior_underwriter"], limit_id=other.pk, notice_on=today,
        reason_code="01", today=today,
    )  # fmt: skip
    assert news.look()[0] == []
    assert not Notification.objects.filter(recipient=bank_y_user).exists()


def test_a_notice_and_each_claim_step_but_the_insurers_internal_ones(
    personas, policy, financed, buyers, bank_y_user
):
    news = News()
    covered, uncovered = buyers
    handler, manager = personas["claims_handler"], personas["claims_manager"]
    notice = file_notice(personas["insured_a"], policy, covered, [invoice("A", "1000000")])
    events = news.look()[0]
    assert "overdue_notice" in [e.kind for e in events]
    # Filing suspends the buyer's limit: a decision the bank is told of too.
    assert {e.kind for e in events} <= {"overdue_notice", "limit_decision", "limit_cut"}

    with time_machine.travel(date(2026, 6, 12)):
        claim = claim_services.claim_open(
            actor=personas["insured_a"], notice_id=notice.pk, cause="protracted_default",
            today=date(2026, 6, 12),
        )  # fmt: skip
    _expect(news, financed, "claim_opened", buyer=covered)
    from claims.choices import REQUIRED_DOCUMENTS
    from tests.claims.conftest import PDF

    for kind in REQUIRED_DOCUMENTS:
        claim_services.claim_document_upload(
            actor=personas["insured_a"], claim_id=claim.pk, kind=kind, filename=f"{kind}.pdf",
            content=PDF,
        )  # fmt: skip
    claim = claim_services.claim_documents_complete(
        actor=handler, claim_id=claim.pk, today=date(2026, 6, 12)
    )
    _expect(news, financed, "claim_step", buyer=covered)  # documents complete: waiting
    claim_services.claims_waiting_sweep(today=claim.waiting_ends_on)
    _expect(news, financed, "claim_step", buyer=covered)  # assessment
    claim_services.worksheet_compute(actor=handler, claim_id=claim.pk)
    claim_services.claim_approve(actor=handler, claim_id=claim.pk)  # 900,000 > 500,000
    claim_services.claim_return(actor=manager, claim_id=claim.pk, note="复核回收款")
    claim_services.claim_approve(actor=handler, claim_id=claim.pk)
    assert news.look()[0] == []  # the insurer's own steps
    claim_services.claim_approve(actor=manager, claim_id=claim.pk)
    _expect(news, financed, "claim_step", buyer=covered)  # approved
    claim_services.indemnity_pay(actor=manager, claim_id=claim.pk)
    (paid,) = _expect(news, financed, "claim_paid", buyer=covered)
    assert paid.params["status"] == "paid"

    # The uncovered buyer's notice and claim reach no bank.
    other = file_notice(personas["insured_a"], policy, uncovered, [invoice("B", "100000")])
    open_complete_claim(personas["insured_a"], handler, other)
    assert news.look()[0] == []
    assert not Notification.objects.filter(recipient=bank_y_user).exists()


def test_the_policy_suspended_for_non_payment(personas, policy, financed, bank_y_user):
    news = News()
    policy_transition(
        actor=personas["underwriter"], policy_id=policy.pk, action_name="suspend",
        reason="保费逾期未付",
    )  # fmt: skip
    _expect(news, financed, "policy_suspended")
    policy_transition(actor=personas["underwriter"], policy_id=policy.pk, action_name="reinstate")
    _expect(news, financed, "policy_reinstated")
    assert not Notification.objects.filter(recipient=bank_y_user).exists()


def test_the_sweep_warns_once_and_ends_the_agreement(personas, financed, bank_y_user):
    news = News()
    agreement = financed["agreement"]
    soon = agreement.ends_on - timedelta(days=10)
    assert services.agreements_sweep(today=soon) == {"ended": 0, "warned": 1}
    assert services.agreements_sweep(today=soon) == {"ended": 0, "warned": 0}
    _expect(news, financed, "agreement_ending")
    # Another day inside the window: still once (the key is the end date).
    assert services.agreements_sweep(today=soon + timedelta(days=1))["warned"] == 0
    assert news.look()[0] == []

    after = agreement.ends_on + timedelta(days=1)
    assert services.agreements_sweep(today=after) == {"ended": 1, "warned": 0}
    assert services.agreements_sweep(today=after) == {"ended": 0, "warned": 0}
    _expect(news, financed, "agreement_ended")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.terminated_on) == ("terminated", agreement.ends_on)
    change = agreement.changes.last()
    assert (change.action, change.actor, change.job) == ("expire", None, "banks.agreements")
    assert not agreement.covered_buyers.filter(active=True).exists()
    assert not Notification.objects.filter(recipient=bank_y_user).exists()


def test_the_sweep_leaves_an_agreement_on_its_last_day(personas, financed):
    agreement = financed["agreement"]
    services.agreements_sweep(today=agreement.ends_on)
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_the_celery_task_runs_the_sweep(personas, financed):
    agreement = financed["agreement"]
    with time_machine.travel(agreement.ends_on + timedelta(days=2), tick=False):
        assert sweep_agreements.apply().get() == {"ended": 1, "warned": 0}
        assert sweep_agreements.apply().get() == {"ended": 0, "warned": 0}
    agreement.refresh_from_db()
    assert agreement.status == "terminated"


def test_the_agreements_own_news(personas, financed):
    news = News()
    agreement = financed["agreement"]
    assert BankEvent.objects.filter(agreement=agreement, kind="agreement_active").count() == 1
    services.agreement_amend(
        actor=personas["underwriter"], agreement_id=agreement.pk,
        consent={"given_by": "王行长", "given_on": date(2026, 6, 1), "reference": "XY"},
        ends_on=date(2027, 3, 31), today=date(2026, 6, 1),
    )  # fmt: skip
    _expect(news, financed, "agreement_amended")


def test_a_cut_scheduled_before_the_agreement_is_told_when_it_takes_effect(
    personas, policy, bank_org, buyers
):
    covered, _uncovered = buyers
    grant_limit(personas, policy, covered, "1500000", request_type="3")
    limit = covered.credit_limits.get(policy=policy, status="active")
    today = date(2026, 6, 1)
    decision = limit_services.limit_reduce(
        actor=personas["senior_underwriter"], limit_id=limit.pk, amount=Decimal("800000"),
        notice_on=today, effective_on=today + timedelta(days=30), reason_code="01", today=today,
    )  # fmt: skip
    assert not BankEvent.objects.exists()  # no agreement yet: nobody to tell
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=[covered]))
    news = News()
    assert limit_services.limits_apply_scheduled(today=today + timedelta(days=30)) == 1
    events = news.look()[0]
    assert [(e.agreement_id, e.kind, e.key) for e in events] == [
        (agreement.pk, "limit_cut", f"decision-{decision.pk}")
    ]


def test_a_bank_told_of_a_scheduled_cut_is_not_told_again_when_it_takes_effect(
    personas, policy, financed, buyers
):
    covered, _uncovered = buyers
    grant_limit(personas, policy, covered, "1500000", request_type="3")
    limit = covered.credit_limits.get(policy=policy, status="active")
    today = date(2026, 6, 1)
    news = News()
    limit_services.limit_reduce(
        actor=personas["senior_underwriter"], limit_id=limit.pk, amount=Decimal("800000"),
        notice_on=today, effective_on=today + timedelta(days=30), reason_code="01", today=today,
    )  # fmt: skip
    _expect(news, financed, "limit_cut", buyer=covered)
    assert limit_services.limits_apply_scheduled(today=today + timedelta(days=30)) == 1
    limit.refresh_from_db()
    assert limit.amount == Decimal("800000")
    assert news.look() == ([], [], [])
