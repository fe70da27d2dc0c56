"""SPEC 8: an indemnity on a buyer an agreement in force covers is paid to the bank's
account; paying anyone else for that buyer is refused by the database; after the
termination the insured is paid again."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from banks import services
from claims.models import IndemnityPayment
from tests.banks.conftest import TODAY, activate, approved_claim, consent, pay, prepare, terminate

pytestmark = pytest.mark.django_db


def _payment_to(claim, *, payee, organisation, account=""):
    worksheet = claim.worksheets.get(status="approved")
    return IndemnityPayment(
        claim=claim, worksheet=worksheet, amount=worksheet.indemnity, payee=payee,
        payee_organisation=organisation, bank_account=account, paid_on=date(2026, 9, 15),
        paid_by=worksheet.computed_by,
    )  # fmt: skip


def test_a_covered_buyers_indemnity_goes_to_the_bank(personas, policy, bank_org, buyers):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    payment = pay(personas, approved_claim(personas, policy, buyers[0]))
    assert (payment.payee, payment.payee_organisation, payment.bank_account) == (
        "bank", bank_org, "中国工商银行苏州分行 苏州精工机械有限公司 6222 0212 0000 1234",
    )  # fmt: skip
    assert payment.bank_account == agreement.account_display
    payment.claim.refresh_from_db()
    assert payment.claim.status == "paid"


def test_a_payment_release_is_written_to_the_security_log_once(
    personas, policy, bank_org, buyers, security_log, django_capture_on_commit_callbacks
):
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    claim = approved_claim(personas, policy, buyers[0])
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay(personas, claim)
    with django_capture_on_commit_callbacks(execute=True):
        assert pay(personas, claim) == payment  # a retry returns the payment made
    released = [line for line in security_log if "payment_released" in line]
    assert len(released) == 1
    assert f"user={personas['claims_manager'].username}" in released[0]
    assert f"claim={claim.reference} amount={payment.amount}" in released[0]
    assert f"payee={bank_org.name}" in released[0]


def test_an_uncovered_buyers_indemnity_goes_to_the_insured(personas, policy, bank_org, buyers):
    activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    payment = pay(personas, approved_claim(personas, policy, buyers[1]))
    assert (payment.payee, payment.payee_organisation, payment.bank_account) == (
        "insured", policy.insured, "",
    )  # fmt: skip


@pytest.mark.parametrize("who", ["insured", "other_bank", "other_account"])
def test_the_database_refuses_a_payment_to_anyone_but_the_assignee(
    personas, policy, bank_org, bank_y, buyers, who
):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    claim = approved_claim(personas, policy, buyers[0])
    payment = {
        "insured": dict(payee="insured", organisation=policy.insured),
        "other_bank": dict(payee="bank", organisation=bank_y, account=agreement.account_display),
        "other_account": dict(payee="bank", organisation=bank_org, account="别的银行 某户 123"),
    }[who]
    with pytest.raises(IntegrityError, match=agreement.reference), transaction.atomic():
        _payment_to(claim, **payment).save()
    assert not IndemnityPayment.objects.exists()
    # The assignee is paid.
    _payment_to(
        claim, payee="bank", organisation=bank_org, account=agreement.account_display
    ).save()


def test_after_termination_the_insured_is_paid_again(personas, policy, bank_org, buyers):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    claim = approved_claim(personas, policy, buyers[0])
    terminate(personas, agreement)
    payment = pay(personas, claim)
    assert (payment.payee, payment.payee_organisation) == ("insured", policy.insured)


def test_an_amended_account_is_where_the_money_goes(personas, policy, bank_org, buyers):
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    services.agreement_amend(
        actor=personas["underwriter"], agreement_id=agreement.pk, consent=consent(),
        account_number="6222 0212 0000 7777", today=TODAY,
    )  # fmt: skip
    payment = pay(personas, approved_claim(personas, policy, buyers[0]))
    assert payment.bank_account.endswith("6222 0212 0000 7777")


def test_an_account_too_long_for_the_payment_record_is_refused_when_prepared(
    personas, policy, bank_org, buyers
):
    """The payment stores the account as one line of 100 characters: an agreement whose
    account does not fit would make every payment to the bank fail."""
    with pytest.raises(ValidationError) as refused:
        prepare(
            personas, policy, bank_org, buyers=buyers[:1], account_bank="中国工商银行" * 10,
            account_name="苏州精工机械有限公司" * 4,
        )  # fmt: skip
    assert "account_name" in refused.value.message_dict
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    with pytest.raises(ValidationError) as refused:
        services.agreement_amend(
            actor=personas["underwriter"], agreement_id=agreement.pk, consent=consent(),
            account_bank="中国工商银行" * 12, today=TODAY,
        )  # fmt: skip
    assert "account_name" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)  # as in production: the page runs in no transaction
def test_the_claim_page_names_the_bank_as_payee_before_payment(
    client, personas, policy, bank_org, buyers
):
    """The page reads the payee outside any transaction (no lock is taken for a display)."""
    agreement = activate(personas, prepare(personas, policy, bank_org, buyers=buyers[:1]))
    claim = approved_claim(personas, policy, buyers[0])
    client.force_login(personas["claims_manager"])
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    assert agreement.account_display in response.content.decode()
