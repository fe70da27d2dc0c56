"""How the banks app follows the apps below it (SPEC 8), registered in `ready()`."""

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from banks import page_hooks, services, texts
from banks.choices import AgreementStatus, BankEventKind
from banks.models import AgreementBuyer, AssignmentAgreement
from core import reactions, scope
from limits.choices import LIMIT_MACHINE, LimitAction
from notifications.services import BANK_EVENT, BANK_EVENTS
from policies.choices import POLICY_MACHINE, PolicyAction

# Asked of claims: the payee of an indemnity (claims.services.payments.PAYEE_EVENT).
PAYEE_EVENT = "claims.payee"
BANK_PAYEE = "bank"  # claims.choices.Payee.BANK

POLICY_EVENTS = {
    PolicyAction.SUSPEND: (BankEventKind.POLICY_SUSPENDED, texts.POLICY_SUSPENDED),
    PolicyAction.REINSTATE: (BankEventKind.POLICY_REINSTATED, texts.POLICY_REINSTATED),
    PolicyAction.EXPIRE: (BankEventKind.POLICY_ENDED, texts.POLICY_ENDED),
    PolicyAction.CANCEL: (BankEventKind.POLICY_ENDED, texts.POLICY_ENDED),
}


def payee(*, policy, buyer, on):
    """SPEC 8: an indemnity on a buyer an agreement in force covers is paid to the bank's
    account, and to nobody else. The agreement is locked until the payment commits: a
    termination under way is waited for and then read as it ended (the status is checked
    again on the locked row), and a termination waits for the payment."""
    agreements = AssignmentAgreement.objects.all()
    if connection.in_atomic_block:
        # A payment being recorded; a page showing who will be paid takes no lock.
        agreements = agreements.select_for_update(of=("self",), no_key=True)
    agreement = (
        agreements.filter(
            policy_id=policy.pk,
            status=AgreementStatus.ACTIVE,
            covered_buyers__buyer_id=buyer.pk,
            covered_buyers__active=True,
        )  # fmt: skip
        .select_related("bank")
        .first()
    )
    if agreement is None:
        return None
    return BANK_PAYEE, agreement.bank, agreement.account_display


def coverage(user, policy_lookup: str | None, buyer_lookup: str | None) -> Q:
    """For core.scope: what a bank user's agreements in force cover. A row on a buyer is
    visible when its buyer is covered under its policy; the policy, and rows on it that
    name no buyer, when an agreement in force names the policy (the rule of each model
    narrows further: a bank reads no premium account)."""
    own = AgreementBuyer.objects.filter(bank_id=user.organisation_id, active=True)
    agreements = AssignmentAgreement.objects.filter(
        bank_id=user.organisation_id, status=AgreementStatus.ACTIVE
    )
    if buyer_lookup is None:
        return Q(Exists(agreements.filter(policy_id=OuterRef(policy_lookup))))
    if policy_lookup is None:
        return Q(Exists(own.filter(buyer_id=OuterRef(buyer_lookup))))
    on_buyer = Exists(
        own.filter(policy_id=OuterRef(policy_lookup), buyer_id=OuterRef(buyer_lookup))
    )
    on_policy = Exists(agreements.filter(policy_id=OuterRef(policy_lookup)))
    # Either way the row is on a policy of one of the bank's agreements (a covered buyer
    # copies its agreement's policy and bank, services): said apart, that is a condition
    # the policy's index serves, where the OR of the two EXISTS alone reads every row of
    # the table (EXPLAIN ANALYZE, issue 10 B7). It narrows nothing.
    of_the_bank = AssignmentAgreement.objects.filter(bank_id=user.organisation_id)
    on_bank_policy = Q(**{f"{policy_lookup}__in": of_the_bank.values("policy_id")})
    return on_bank_policy & (Q(on_buyer) | (Q(**{f"{buyer_lookup}__isnull": True}) & Q(on_policy)))


def tell_of_policy(*, change) -> None:
    kind, text = POLICY_EVENTS[change.action]
    policy = change.instance
    for agreement in AssignmentAgreement.objects.filter(
        policy_id=policy.pk, status=AgreementStatus.ACTIVE
    ):
        services.bank_event_record(
            agreement, kind=kind, subject_code=text.code,
            params={"policy": str(policy), "insured": policy.insured.name,
                    "reference": agreement.reference},
            url=policy.get_absolute_url(),
        )  # fmt: skip


def register() -> None:
    scope.register_bank_coverage(coverage)
    reactions.react("policies.policy_page", page_hooks.policy_page)
    reactions.react(PAYEE_EVENT, payee)
    reactions.react(BANK_EVENT, services.banks_tell)
    reactions.react(BANK_EVENTS, services.banks_tell_many)
    reactions.react(f"{POLICY_MACHINE.name}.{PolicyAction.CANCEL}", services.policy_cancel_refused)
    for action in POLICY_EVENTS:
        reactions.react(f"{POLICY_MACHINE.name}.{action}", tell_of_policy)
    for action in (LimitAction.GRANT, LimitAction.CARRY_OVER, LimitAction.CARRY_OVER_SUSPENDED):
        reactions.react(f"{LIMIT_MACHINE.name}.{action}", services.buyer_joins_policy)
