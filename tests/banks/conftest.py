"""Banks fixtures: a policy in force with limits on two buyers, and an assignment
agreement taken through its lifecycle the way the insurer's staff do (SPEC 8)."""

from datetime import date

import pytest

from accounts.choices import OrganisationKind, Role
from banks import services
from tests.claims.conftest import PDF, capacities, grant_limit, policy  # noqa: F401 (fixtures)
from tests.factories import BuyerFactory, OrganisationFactory, UserFactory

TODAY = date(2026, 6, 1)


def consent(**overrides) -> dict:
    return {"given_by": "王行长", "given_on": TODAY, "reference": "XY-2026-018", **overrides}


def prepare(personas, policy, bank, *, scope="listed", buyers=(), region="", **fields):
    values = dict(
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), account_name="苏州精工机械有限公司",
        account_number="6222 0212 0000 1234", account_bank="中国工商银行苏州分行",
    )  # fmt: skip
    values.update(fields)
    return services.agreement_prepare(
        actor=personas["underwriter"], policy_id=policy.pk, bank_id=bank.pk, scope=scope,
        region=region, buyer_ids=[b.pk for b in buyers], today=TODAY, **values,
    )  # fmt: skip


def activate(personas, agreement):
    services.agreement_sign(
        actor=personas["underwriter"], agreement_id=agreement.pk, signed_on=TODAY,
        filename="signed.pdf", content=PDF, today=TODAY,
    )  # fmt: skip
    return services.agreement_activate(
        actor=personas["underwriter"], agreement_id=agreement.pk, today=TODAY
    )


@pytest.fixture
def bank_y(db):
    return OrganisationFactory(kind=OrganisationKind.BANK, name="乙银行")


@pytest.fixture
def bank_y_user(bank_y):
    return UserFactory(username="bank_y", organisation=bank_y, role=Role.BANK_USER)


@pytest.fixture
def buyers(personas, policy, capacities):
    first, second = BuyerFactory(risk_grade=4), BuyerFactory(risk_grade=4)
    grant_limit(personas, policy, first, "1200000")
    grant_limit(personas, policy, second, "500000")
    return first, second


def terminate(personas, agreement, **consent_fields):
    return services.agreement_terminate(
        actor=personas["underwriter"], agreement_id=agreement.pk, consent=consent(**consent_fields),
        today=TODAY,
    )  # fmt: skip


def approved_claim(personas, policy, buyer, amount="100000", number="INV-1"):
    """A claim on `buyer` (its limit granted already) approved by the claims manager: the
    notice filed, the file complete, the waiting period swept, the worksheet computed."""
    from claims import services as claim_services
    from tests.claims.conftest import claim_in_assessment, invoice

    claim = claim_in_assessment(personas, policy, buyer, [invoice(number, amount)], limit=None)
    claim_services.worksheet_compute(actor=personas["claims_manager"], claim_id=claim.pk)
    return claim_services.claim_approve(actor=personas["claims_manager"], claim_id=claim.pk)


def pay(personas, claim):
    from claims import services as claim_services

    return claim_services.indemnity_pay(actor=personas["claims_manager"], claim_id=claim.pk)
