"""Drafts between a clerk and an approver, and a second approver who amends (SPEC 2, 5)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from limits import services
from limits.choices import ApplicationAction, ApplicationStatus, ResponseCode
from limits.models import LimitApplication, LimitDecision
from notifications.models import Notification
from tests.conftest import api_as
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db


def _draft(personas, policy, buyer, amount="300000"):
    return services.application_create(
        actor=personas["insured_a_clerk"], policy_id=policy.pk, buyer_uscc=buyer.uscc,
        requested_amount=Decimal(amount), payment_terms_days=60, submit=True,
    )  # fmt: skip


def test_a_clerks_draft_tells_the_approver_and_can_be_edited_returned_and_submitted(
    personas, live_policy_a, buyer
):
    draft = _draft(personas, live_policy_a, buyer)
    assert draft.status == ApplicationStatus.DRAFT
    assert Notification.objects.filter(
        recipient=personas["insured_a"], url=draft.get_absolute_url()
    ).exists()
    services.application_update(
        actor=personas["insured_a_clerk"], application_id=draft.pk,
        requested_amount=Decimal("350000"), goods="数控机床",
    )  # fmt: skip
    services.application_return(
        actor=personas["insured_a"], application_id=draft.pk, comment="请补充最近12个月销售额"
    )
    returned = Notification.objects.get(recipient=personas["insured_a_clerk"])
    assert "请补充最近12个月销售额" in returned.body
    change = draft.status_changes.get(action=ApplicationAction.RETURN)
    assert (change.actor, change.reason) == (personas["insured_a"], "请补充最近12个月销售额")
    services.application_update(
        actor=personas["insured_a_clerk"], application_id=draft.pk,
        sales_last_12_months=Decimal("2400000"),
    )  # fmt: skip
    submitted = services.application_submit(actor=personas["insured_a"], application_id=draft.pk)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.requested_amount == Decimal("350000")
    assert [c.action for c in draft.status_changes.order_by("id")] == [
        "create", "edit", "return", "edit", "submit",
    ]  # fmt: skip


def test_only_drafts_are_edited_and_only_approvers_return_them(personas, live_policy_a, buyer):
    draft = _draft(personas, live_policy_a, buyer)
    with pytest.raises(PermissionError):
        services.application_return(
            actor=personas["insured_a_clerk"], application_id=draft.pk, comment="x"
        )
    with pytest.raises(ValidationError) as info:
        services.application_return(
            actor=personas["insured_a"], application_id=draft.pk, comment=" "
        )
    assert "comment" in info.value.message_dict
    services.application_submit(actor=personas["insured_a"], application_id=draft.pk)
    with pytest.raises(ValidationError) as info:
        services.application_update(
            actor=personas["insured_a_clerk"], application_id=draft.pk, goods="改"
        )
    assert "status" in info.value.message_dict
    with pytest.raises(PermissionError):
        services.application_update(actor=personas["insured_b"], application_id=draft.pk, goods="x")


def test_the_api_edits_and_returns_drafts(personas, live_policy_a, buyer):
    draft = _draft(personas, live_policy_a, buyer)
    clerk, approver = api_as(personas["insured_a_clerk"]), api_as(personas["insured_a"])
    response = clerk.post(
        f"/api/v1/limit-applications/{draft.pk}/edit/", {"requested_amount": "420000.00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert response.json()["requested_amount"] == "420000.00"
    response = approver.post(
        f"/api/v1/limit-applications/{draft.pk}/return/", {"comment": "金额过高"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (
        clerk.post(
            f"/api/v1/limit-applications/{draft.pk}/return/", {"comment": "x"}, format="json"
        ).status_code
        == 403
    )
    other = api_as(personas["insured_b"])
    assert (
        other.post(f"/api/v1/limit-applications/{draft.pk}/edit/", {}, format="json").status_code
        == 404
    )


def _proposed(personas, policy, buyer):
    application = services.application_create(
        actor=personas["insured_a"], policy_id=policy.pk, buyer_uscc=buyer.uscc,
        requested_amount=Decimal("2000000"), payment_terms_days=60, submit=True,
    )  # fmt: skip
    # 2,000,000 is above the underwriter's authority of 1,000,000: a proposal.
    services.application_decide(
        actor=personas["underwriter"], application_id=application.pk, outcome="approve"
    )
    return LimitApplication.objects.get(pk=application.pk)


def test_a_senior_amends_a_proposal_and_the_decision_is_theirs(personas, live_policy_a, buyer):
    application = _proposed(personas, live_policy_a, buyer)
    assert application.status == ApplicationStatus.AWAITING_SECOND_APPROVAL
    services.application_approve(
        actor=personas["senior_underwriter"], application_id=application.pk,
        amount=Decimal("1500000"),
    )  # fmt: skip
    decision = LimitDecision.objects.get(application=application)
    assert (decision.amount, decision.response_code) == (
        Decimal("1500000"), ResponseCode.PARTLY_APPROVED
    )  # fmt: skip
    assert (decision.decided_by, decision.approved_by) == (personas["senior_underwriter"], None)
    assert "2,000,000.00" in decision.explanation


def test_an_amendment_stays_within_the_request_and_the_seniors_authority(
    personas, live_policy_a, buyer
):
    application = _proposed(personas, live_policy_a, buyer)
    for amount in (Decimal("2000001"), Decimal("0"), Decimal("-5")):
        with pytest.raises(ValidationError) as info:
            services.application_approve(
                actor=personas["senior_underwriter"], application_id=application.pk, amount=amount
            )
        assert "amount" in info.value.message_dict
    response = api_as(personas["senior_underwriter"]).post(
        f"/api/v1/limit-applications/{application.pk}/approve/", {"amount": "1200000.00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert LimitDecision.objects.get(application=application).amount == Decimal("1200000")


def test_the_pages_edit_return_and_amend(client, personas, live_policy_a, buyer):
    draft = _draft(personas, live_policy_a, buyer)
    client.force_login(personas["insured_a_clerk"])
    assert client.get(f"/limits/applications/{draft.pk}/edit/").status_code == 200
    form = {"requested_amount": "360000.00", "payment_terms_days": 60, "goods": "机床",
            "overdue_amount": "0", "worst_delay_days": 0}  # fmt: skip
    assert client.post(f"/limits/applications/{draft.pk}/edit/", form).status_code == 302
    assert LimitApplication.objects.get(pk=draft.pk).requested_amount == Decimal("360000")
    client.force_login(personas["insured_a"])
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-testid="return-form"' in page
    client.post(f"/limits/applications/{draft.pk}/return/", {"comment": "请补充担保人"})
    client.force_login(personas["insured_a_clerk"])
    assert "请补充担保人" in client.get(draft.get_absolute_url()).content.decode()
    client.force_login(personas["insured_b"])
    assert client.get(f"/limits/applications/{draft.pk}/edit/").status_code == 404

    proposal = _proposed(personas, live_policy_a, BuyerFactory(risk_grade=4))
    client.force_login(personas["senior_underwriter"])
    client.post(f"/limits/applications/{proposal.pk}/approve/", {"amount": "1100000.00"})
    decision = LimitDecision.objects.get(application=proposal)
    assert (decision.amount, decision.decided_by) == (
        Decimal("1100000"), personas["senior_underwriter"]
    )  # fmt: skip
