"""赔款转让协议, the tripartite assignment agreement for signature (SPEC 8, 9).

Requested when the insurer prepares the agreement and issued again, as a new version,
when the draft is edited or the agreement in force is amended with the bank's written
consent (documents.reactions). It names the three parties (甲 the insured, 乙 the
insurer, 丙 the bank), the policy, the scope with the buyers it covers and their limits,
the bank's account to which indemnities are paid, the dates, the clauses of SPEC 8 and
a signature block for each party.
"""

from banks.choices import AgreementScope
from banks.models import AgreementBuyer, AssignmentAgreement, BankConsent
from core.money import ZERO
from documents import registry
from documents.choices import DocumentKind
from documents.renderers.common import PROVINCE_TEXTS, filename_of
from limits.choices import EXPOSURE_STATUSES
from limits.models import CreditLimit

TITLE = "赔款转让协议"

SCOPE_TEXTS = {
    AgreementScope.ALL: "保险单项下的全部买方",
    AgreementScope.REGION: "保险单项下注册地在{region}的全部买方",
    AgreementScope.LISTED: "本协议所列买方",
}

# What the table of buyers is, by scope: listed buyers are the agreement's own; for a
# policy-wide or regional scope the buyers it covers are those of the policy when it
# comes into force and those that get a limit afterwards (banks.services).
BUYERS_HEADINGS = {
    AgreementScope.ALL: "截至本协议生成之日，保险单项下有信用限额的买方如下（此后取得限额的买方一并适用本协议）：",
    AgreementScope.REGION: "截至本协议生成之日，保险单项下注册地在{region}且有信用限额的买方如下（此后取得限额的该地区买方一并适用本协议）：",
    AgreementScope.LISTED: "本协议适用于下列买方：",
}  # fmt: skip


def scope_text(agreement: AssignmentAgreement) -> str:
    return SCOPE_TEXTS[agreement.scope].format(region=PROVINCE_TEXTS.get(agreement.region, ""))


def covered_buyers(agreement: AssignmentAgreement) -> list[dict]:
    """The buyers the agreement covers with their current limit under the policy: the
    listed ones, or for a wider scope those covered now (in force) or, before that, the
    policy's buyers in the scope."""
    listed = list(
        AgreementBuyer.objects.filter(agreement=agreement)
        .select_related("buyer")
        .order_by("buyer__name", "buyer_id")
    )
    if listed or agreement.scope == AgreementScope.LISTED:
        buyers = [row.buyer for row in listed]
    else:
        limits = CreditLimit.objects.filter(policy_id=agreement.policy_id).select_related("buyer")
        if agreement.region:
            limits = limits.filter(buyer__region=agreement.region)
        buyers = sorted({limit.buyer for limit in limits}, key=lambda b: (b.name, b.pk))
    amounts = dict(
        CreditLimit.objects.filter(
            policy_id=agreement.policy_id, buyer_id__in=[b.pk for b in buyers],
            status__in=EXPOSURE_STATUSES,
        ).values_list("buyer_id", "amount")
    )  # fmt: skip
    return [{"buyer": buyer, "limit": amounts.get(buyer.pk)} for buyer in buyers]


def context(agreement: AssignmentAgreement) -> dict:
    agreement = AssignmentAgreement.objects.select_related("policy", "policy__insured", "bank").get(
        pk=agreement.pk
    )
    buyers = covered_buyers(agreement)
    return {
        "agreement": agreement,
        "policy": agreement.policy,
        "insured": agreement.policy.insured,
        "bank": agreement.bank,
        "scope_text": scope_text(agreement),
        "buyers_heading": BUYERS_HEADINGS[agreement.scope].format(
            region=PROVINCE_TEXTS.get(agreement.region, "")
        ),
        "buyers": buyers,
        "limits_total": sum((row["limit"] or ZERO for row in buyers), ZERO),
        "consents": list(
            BankConsent.objects.filter(agreement=agreement).order_by("given_on", "id")
        ),
    }


def register() -> None:
    registry.register(
        DocumentKind.ASSIGNMENT_AGREEMENT,
        template="documents/assignment_agreement.html",
        context=context,
        title=TITLE,
        filename=filename_of(TITLE),
    )
